#!/usr/bin/env bash
# Runs schemathesis against a fresh Portcullis, driven by the server's own /openapi.json:
# every documented operation of the Frontend, account, OIDC, admin and Backend APIs gets generated
# valid and invalid requests, and the run fails on any 5xx, any status the document does not
# allow, or any JSON answer that breaks its schema.
#
#   scripts/schemathesis.sh [EXAMPLES_PER_OPERATION]
#
# EXAMPLES_PER_OPERATION defaults to 20. PORTCULLIS_BIN names the binary (default: the debug
# build that `cargo test` leaves in the target directory). Installs schemathesis with pip
# when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

EXAMPLES="${1:-20}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portcullis-target}"
BIN="${PORTCULLIS_BIN:-$CARGO_TARGET_DIR/debug/portcullis}"
if [ ! -x "$BIN" ]; then
  cargo build --bin portcullis
fi
BIN="$(realpath "$BIN")"
if ! command -v schemathesis >/dev/null 2>&1; then
  echo "== installing schemathesis"
  python3 -m pip install --quiet schemathesis
fi

# The Python that has schemathesis (pip's, as installed above).
PYTHON="$(python3 -c 'import schemathesis, sys; print(sys.executable)' 2>/dev/null || echo python3)"
root="$(pwd)"
work="$(mktemp -d)"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
port="$(free_port)"
base="http://127.0.0.1:$port"
export PORTCULLIS__SERVER__BIND="127.0.0.1:$port"
export PORTCULLIS__SERVER__PUBLIC_URL="$base"
export PORTCULLIS__DATABASE__URL="sqlite://$work/schemathesis.db?mode=rwc"
export PORTCULLIS__TESTING__ENABLED=true
export PORTCULLIS__OIDC__DYNAMIC_REGISTRATION=true
# Rate limits have their own tests; here they would only answer 429 in place of the handlers.
export PORTCULLIS__LIMITS__ENABLED=false
export NO_COLOR=1

cd "$work"
"$BIN" migrate >/dev/null
admin_key="$("$BIN" admin-keys create --name schemathesis | tail -n 1)"
"$BIN" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
wait_up "$base/readyz" "$work/server.log"

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
common=(--checks "$checks" --max-examples "$EXAMPLES" --phases examples,coverage,fuzzing
  --generation-database none --seed 7 --no-color --request-timeout 20 --workers 2)

total=0
run() {
  local name="$1"
  shift
  local out="$work/$name.txt"
  echo "== schemathesis: $name"
  local status=0
  # Through scripts/schemathesis_run.py, which keeps CPython 3.11's "AST constructor
  # recursion depth mismatch" inside hypothesis from ending the run.
  "$PYTHON" "$root/scripts/schemathesis_run.py" run "$base/openapi.json" "${common[@]}" "$@" >"$out" 2>&1 || status=$?
  # schemathesis itself can still crash inside Python, reported as a Runtime Error while
  # every case passed. A crash with no failing check is the tool's, not the server's: say so,
  # run again.
  if [ "$status" -ne 0 ] && grep -q "Runtime Error" "$out" && ! grep -q "FAILURES" "$out"; then
    echo "schemathesis crashed internally (no failing check); running the $name operations again"
    grep -E "^ *[A-Za-z]+Error: " "$out" | tail -n 1 || true
    status=0
    "$PYTHON" "$root/scripts/schemathesis_run.py" run "$base/openapi.json" "${common[@]}" "$@" >"$out" 2>&1 || status=$?
  fi
  if [ "$status" -ne 0 ]; then
    cat "$out"
    echo "--- server errors"
    grep -E "ERROR|panicked" "$work/server.log" | tail -n 20 || true
    echo "FAILED: schemathesis found problems in the $name operations" >&2
    exit "$status"
  fi
  tail -n 12 "$out"
  local n
  n=$(grep -oE '[0-9]+ generated' "$out" | head -n 1 | grep -oE '[0-9]+' || echo 0)
  total=$((total + n))
}

# The Frontend, account and OIDC APIs, as a browser or relying party calls them.
run public --exclude-tag-regex '^(admin|backend)$'
# The admin API, with a real admin key.
run admin --include-tag admin -H "Authorization: Bearer $admin_key"
# Clerk's Backend API, with the same key as its secret key.
run backend --include-tag backend -H "Authorization: Bearer $admin_key"

if grep -q "panicked" "$work/server.log"; then
  grep -n "panicked" "$work/server.log" | head
  echo "FAILED: the server panicked during the run" >&2
  exit 1
fi
echo "schemathesis: $total test cases, 0 server errors, 0 schema violations"
