#!/usr/bin/env bash
# Rate limits under a burst: wrk (32 connections) hammers each limited endpoint from one
# address for DURATION seconds, and the script prints how many requests got through, how
# many were refused with 429, whether every 429 carried Retry-After, and what the limit
# allows in that time (burst + rate x duration). Runs on SQLite with the in-process store,
# or on Redis when REDIS_URL is set (two instances then share the address's budget: the
# requests are split between them).
#
#   scripts/limits.sh [DURATION_SECONDS]        # default 10
#   REDIS_URL=redis://127.0.0.1:6379 scripts/limits.sh
#
# PORTCULLIS_BIN names the binary (default: the release build, else the debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portcullis-target}"
DURATION="${1:-10}"
BIN="${PORTCULLIS_BIN:-}"
if [ -z "$BIN" ]; then
  BIN="$CARGO_TARGET_DIR/release/portcullis"
  [ -x "$BIN" ] || BIN="$CARGO_TARGET_DIR/debug/portcullis"
fi
[ -x "$BIN" ] || cargo build --bin portcullis
BIN="$(realpath "$BIN")"

work="$(mktemp -d)"
pids=()
cleanup() {
  if [ -n "${REDIS_URL:-}" ]; then
    redis-cli -u "$REDIS_URL" --scan --pattern "${prefix}*" | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null || true
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# The shipped limits, except the token endpoint's, which is lowered so that a debug build
# can outrun it.
prefix="limits_$$_"
config() {
  cat <<TOML
[server]
bind = "127.0.0.1:$1"
public_url = "http://127.0.0.1:$1"
# wrk stands in for a proxy: each scenario comes from its own X-Forwarded-For address.
trusted_proxies = ["127.0.0.0/8"]
[database]
url = "sqlite://$work/limits.db?mode=rwc"
[redis]
url = "${REDIS_URL:-}"
key_prefix = "$prefix"
[log]
level = "error"
[limits]
sign_in_per_ip = { burst = 30, per_secs = 60 }
sign_in_per_identifier = { burst = 10, per_secs = 60 }
sign_up_per_ip = { burst = 10, per_secs = 60 }
token_per_client = { burst = 100, per_secs = 1 }
[[clients]]
client_id = "burst"
client_secret = "burst-secret-burst-secret-burst-secret"
redirect_uris = ["http://127.0.0.1:9/cb"]
grant_types = ["client_credentials"]
scopes = ["api"]
TOML
}

# Starts an instance and adds its address to `bases` (not in a subshell, so that its pid
# reaches `pids` and the cleanup).
bases=()
start() {
  local port
  port=$(free_port)
  config "$port" >"$work/config-$port.toml"
  "$BIN" --config "$work/config-$port.toml" serve >"$work/server-$port.log" 2>&1 &
  pids+=("$!")
  wait_up "http://127.0.0.1:$port/readyz" "$work/server-$port.log"
  bases+=("http://127.0.0.1:$port")
}

config 0 >"$work/cli.toml"
"$BIN" --config "$work/cli.toml" migrate >/dev/null
"$BIN" --config "$work/cli.toml" users create --email burst@example.com \
  --password 'burst burst burst' >/dev/null
start
if [ -n "${REDIS_URL:-}" ]; then start; fi

# Counts answers by kind in every wrk thread and sums them at the end.
cat >"$work/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  allowed, limited, no_retry = 0, 0, 0
  path, body, random, client = args[1], args[2], args[3] == "random", args[4]
end
request = function()
  local b = body
  if random then b = b .. math.random(1, 1000000000) .. "%40example.com" end
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = client,
  }, b)
end
function response(status, headers, body)
  if status == 429 then
    limited = limited + 1
    if headers["retry-after"] == nil and headers["Retry-After"] == nil then no_retry = no_retry + 1 end
  else
    allowed = allowed + 1
  end
end
function done(summary, latency, requests)
  local a, l, n = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("allowed"); l = l + t:get("limited"); n = n + t:get("no_retry")
  end
  io.write(string.format("RESULT %d %d %d\n", a, l, n))
end
LUA

printf '\n%-34s %9s %9s %9s %15s\n' "scenario ($DURATION s, wrk -c32)" allowed "429" "no R-A" "limit allows"
failed=0
scenario=0
# burst NAME BURST COUNT PER_SECS PATH BODY [random]: the limit allows BURST at once and
# COUNT more every PER_SECS seconds.
burst() {
  local name="$1" burst="$2" count="$3" per="$4" path="$5" body="$6" mode="${7:-}"
  local allowed=0 limited=0 missing=0 i=0 runs=() secs=0
  scenario=$((scenario + 1))
  # The 32 connections split between the instances, all at once.
  for base in "${bases[@]}"; do
    wrk -t2 -c"$((32 / ${#bases[@]}))" -d"${DURATION}s" -s "$work/count.lua" "$base" \
      -- "$path" "$body" "$mode" "198.51.100.$scenario" >"$work/wrk-$i.out" 2>&1 &
    runs+=("$!")
    i=$((i + 1))
  done
  wait "${runs[@]}"
  for out in "$work"/wrk-*.out; do
    read -r x y z < <(awk '/^RESULT/ {print $2, $3, $4}' "$out")
    allowed=$((allowed + x)); limited=$((limited + y)); missing=$((missing + z))
    # "N requests in 10.04s": the window each run really had.
    secs=$(awk -v s="$secs" '/requests in/ {sub(/s,?$/, "", $4); if ($4 > s) s = $4} END {print s}' "$out")
    rm -f "$out"
  done
  local expected
  expected=$(python3 -c "print(int($burst + $count / $per * $secs))")
  printf '%-34s %9s %9s %9s %15s\n' "$name" "$allowed" "$limited" "$missing" "$expected"
  # One request of slack for a refill landing at the window's edge.
  if [ "$allowed" -gt $((expected + 1)) ] || [ "$missing" -gt 0 ] || [ "$limited" -eq 0 ]; then
    failed=1
  fi
}

burst "sign-up creations, one address" 10 10 60 /v1/client/sign_ups ""
burst "sign-ins, one identifier" 10 10 60 /v1/client/sign_ins "identifier=burst%40example.com"
burst "sign-ins, new identifier each" 30 30 60 /v1/client/sign_ins "identifier=u" random
burst "client_credentials, one client" 100 100 1 /oauth/token \
  "grant_type=client_credentials&scope=api&client_id=burst&client_secret=burst-secret-burst-secret-burst-secret"

if [ "$failed" -ne 0 ]; then
  echo "FAILED: a limit let more through than it allows, or a 429 had no Retry-After" >&2
  exit 1
fi
echo "limits: every burst held to its limit; every 429 carried Retry-After"
