#!/usr/bin/env bash
# Load figures: a release build of Portcullis on SQLite, measured with wrk on the discovery
# document, the JWKS and client_credentials grants (ES256 JWT access tokens): req/s, p50 / p99
# latency, RSS. With ANCHOR_DIR pointing at node-oidc-provider with its node_modules
# installed (../shared/anchors/oidc-provider, `npm install`), the same load runs against it
# and the ratios are printed.
#
#   scripts/bench.sh                        # DURATION=10s CONNS=32 THREADS=2
#   ANCHOR_DIR=/tmp/anchor scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portcullis-target}"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-32}"
THREADS="${THREADS:-2}"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

cargo build --release --quiet
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
secret="bench-secret-bench-secret-bench-secret"
cat > "$work/config.toml" <<TOML
[server]
bind = "127.0.0.1:$port"
public_url = "http://127.0.0.1:$port"
[database]
url = "sqlite://$work/bench.db?mode=rwc"
[log]
level = "error"
[limits]
token_per_client = { burst = 100000000, per_secs = 1 }
[[clients]]
client_id = "bench"
client_secret = "$secret"
redirect_uris = ["http://127.0.0.1:9/cb"]
grant_types = ["authorization_code", "client_credentials"]
scopes = ["openid", "api"]
first_party = true
TOML

rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$1/status"; }

wait_up() {
  for _ in $(seq 1 200); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.05
  done
  echo "not answering: $1" >&2
  exit 1
}

# Prints "req/s p50 p99 non-2xx" from one wrk run.
measure() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" 2>&1)
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out") $(awk '/Non-2xx/ {print $4}' <<<"$out" | grep . || echo 0)"
}

declare -A ours theirs
started=$(date +%s%N)
"$CARGO_TARGET_DIR/release/portcullis" --config "$work/config.toml" serve >"$work/server.log" 2>&1 &
pid=$!
pids+=("$pid")
base="http://127.0.0.1:$port"
wait_up "$base/readyz"
echo "Portcullis ready in $(( ($(date +%s%N) - started) / 1000000 )) ms (first start: migrations and keys); idle RSS $(rss "$pid")"
basic=$(printf 'bench:%s' "$secret" | base64 -w0)
ours[discovery]=$(measure "$base/.well-known/openid-configuration")
ours[jwks]=$(measure "$base/.well-known/jwks.json")
ours[client_credentials]=$(CC_BASIC="$basic" measure -s scripts/cc.lua "$base/oauth/token")
echo "Portcullis RSS after load: $(rss "$pid")"

if [[ -n "${ANCHOR_DIR:-}" && -d "${ANCHOR_DIR}/node_modules" ]]; then
  aport=$(free_port)
  node "$ANCHOR_DIR/server.mjs" "$aport" ES256 >"$work/anchor.log" 2>&1 &
  apid=$!
  pids+=("$apid")
  abase="http://127.0.0.1:$aport"
  wait_up "$abase/.well-known/openid-configuration"
  theirs[discovery]=$(measure "$abase/.well-known/openid-configuration")
  theirs[jwks]=$(measure "$abase/jwks")
  theirs[client_credentials]=$(CC_BASIC="$basic" measure -s scripts/cc.lua "$abase/token")
  echo "node-oidc-provider RSS after load: $(rss "$apid")"
fi

printf '\n%-20s %12s %10s %10s %8s' scenario "req/s" p50 p99 non-2xx
if [[ ${#theirs[@]} -gt 0 ]]; then printf ' %12s %7s' "node req/s" ratio; fi
printf '\n'
for s in discovery jwks client_credentials; do
  read -r rps p50 p99 bad <<<"${ours[$s]}"
  printf '%-20s %12s %10s %10s %8s' "$s" "$rps" "$p50" "$p99" "$bad"
  if [[ -n "${theirs[$s]:-}" ]]; then
    read -r trps _ <<<"${theirs[$s]}"
    printf ' %12s %7s' "$trps" "$(python3 -c "print(f'{$rps/$trps:.1f}x')")"
  fi
  printf '\n'
done
