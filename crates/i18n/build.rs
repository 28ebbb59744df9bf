//! Embeds every `locales/*.ftl` file in the binary: a translator adds or edits a file there
//! and rebuilds, without touching Rust. English (`en.ftl`) comes first; it is the reference
//! every other locale is checked against and the fallback for a message a locale lacks.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = manifest.join("../../locales");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
        .filter_map(|p| {
            let tag = p.file_stem()?.to_str()?.to_owned();
            Some((tag, p))
        })
        .collect();
    files.sort_by(|a, b| (a.0 != "en", &a.0).cmp(&(b.0 != "en", &b.0)));
    assert!(
        files.first().is_some_and(|f| f.0 == "en"),
        "locales/en.ftl is missing"
    );
    let mut out = String::from("/// Each locale's tag and Fluent source, English first.\n");
    out.push_str("pub(crate) const SOURCES: &[(&str, &str)] = &[\n");
    for (tag, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let abs = path
            .canonicalize()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let _ = writeln!(
            out,
            "    ({tag:?}, include_str!({:?})),",
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("locales.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}
