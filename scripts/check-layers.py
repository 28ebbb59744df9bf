#!/usr/bin/env python3
"""Fails when a layer crate depends on one above it or beside it.

The crate graph is the architecture (DESIGN.md, "Layout"): each layer may use only the layers
listed for it here. Cargo already refuses a cycle; this refuses the quieter mistake of a
sideways or skipping dependency (delivery on federation, store on core) that would make the
next upward import possible. Reads `cargo metadata`, so it sees exactly what cargo builds.
"""
import json
import subprocess
import sys

LAYERS = {
    "portcullis-domain": set(),
    # Messages in each language: a leaf beside domain, used from delivery up.
    "portcullis-i18n": set(),
    "portcullis-config": {"portcullis-domain"},
    "portcullis-store": {"portcullis-domain", "portcullis-config", "migration"},
    "portcullis-delivery": {"portcullis-domain", "portcullis-config", "portcullis-i18n"},
    "portcullis-federation": {"portcullis-domain", "portcullis-config"},
    "portcullis-core": {"portcullis-domain", "portcullis-config", "portcullis-store"},
}
LAYERS["portcullis-flows"] = {
    "portcullis-core", "portcullis-delivery", "portcullis-federation", "portcullis-i18n"
} | LAYERS["portcullis-core"]
LAYERS["portcullis-oidc"] = {"portcullis-flows"} | LAYERS["portcullis-flows"]
LAYERS["portcullis-web"] = {"portcullis-oidc"} | LAYERS["portcullis-oidc"]
LAYERS["portcullis"] = {"portcullis-web", "migration"} | LAYERS["portcullis-web"]
LAYERS["migration"] = set()

meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
ours = {p["name"] for p in meta["packages"]}
wrong = []
for p in meta["packages"]:
    name = p["name"]
    if name not in LAYERS:
        wrong.append(f"{name}: a crate with no place in the layers (add it to {sys.argv[0]})")
        continue
    for d in p["dependencies"]:
        if d["name"] in ours and d["name"] not in LAYERS[name]:
            kind = d.get("kind") or "normal"
            wrong.append(f"{name} -> {d['name']} ({kind}): not a layer below it")
if wrong:
    print("wrong-way dependencies:", *wrong, sep="\n  ")
    sys.exit(1)
print(f"layers: {len(meta['packages'])} crates, every dependency points down")
