#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for a bounded time and prints how many inputs each tried.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 10. Installs cargo-fuzz when it is missing. Uses the nightly
# toolchain when rustup has one, and otherwise stable with RUSTC_BOOTSTRAP=1 (cargo fuzz
# passes unstable flags). No sanitizer: Portcullis forbids unsafe code, so the findings
# sought are panics and broken invariants (the asserts in crates/web/src/fuzzing.rs), and
# debug assertions are on to catch overflows. Exits non-zero on the first finding; the
# input that caused it is left in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${1:-10}"
shift || true
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portcullis-target}"
FUZZ_TARGET_DIR="$CARGO_TARGET_DIR/fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list --fuzz-dir fuzz)
fi

echo "== building ${#targets[@]} fuzz targets"
cargo "${toolchain[@]}" fuzz build --fuzz-dir fuzz --sanitizer none --debug-assertions \
  --target-dir "$FUZZ_TARGET_DIR"

total=0
printf '\n%-16s %12s %10s %8s\n' target runs exec/s corpus
for t in "${targets[@]}"; do
  log="$(mktemp)"
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  if ! cargo "${toolchain[@]}" fuzz run --fuzz-dir fuzz --sanitizer none --debug-assertions \
      --target-dir "$FUZZ_TARGET_DIR" "$t" "fuzz/corpus/$t" -- \
      -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
      -print_final_stats=1 >"$log" 2>&1; then
    grep -m 1 -A 2 "panicked at" "$log" || tail -n 40 "$log"
    echo "FAILED: fuzz target $t found a crash (input in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  speed=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  printf '%-16s %12s %10s %8s\n' "$t" "$runs" "$speed" "$corpus"
  total=$((total + runs))
  rm -f "$log"
done
echo "fuzz: ${#targets[@]} targets, $total inputs tried, 0 crashes"
