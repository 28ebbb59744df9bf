#!/usr/bin/env bash
# Load figures: a release build of Portcullis on SQLite, measured with wrk on the discovery
# document, the JWKS and client_credentials grants (ES256 JWT access tokens), and with
# examples/load.rs on password sign-ins over the Frontend API (with discovery probed at the
# same time) and on authorization-code exchange + userinfo: req/s, p50 / p99 latency, RSS,
# start-up time, and the limits set by the cryptography (one argon2id hash, one ES256
# signature). With ANCHOR_DIR pointing at node-oidc-provider with its node_modules installed
# (../shared/anchors/oidc-provider, `npm install`), the wrk scenarios run against it too and
# the ratios are printed.
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

# BENCH_NO_BUILD=1 measures the binaries already built.
[[ "${BENCH_NO_BUILD:-}" == 1 ]] || cargo build --release --quiet --bin portcullis --example load
load="$CARGO_TARGET_DIR/release/examples/load"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
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
sign_in_per_ip = { burst = 100000000, per_secs = 1 }
sign_in_per_identifier = { burst = 100000000, per_secs = 1 }
[[clients]]
client_id = "bench"
client_secret = "$secret"
redirect_uris = ["http://127.0.0.1:9/cb"]
grant_types = ["authorization_code", "client_credentials"]
scopes = ["openid", "profile", "email", "api"]
first_party = true
TOML

rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$1/status"; }


# Prints "req/s p50 p99 non-2xx" from one wrk run.
measure() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" 2>&1)
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out") $(awk '/Non-2xx/ {print $4}' <<<"$out" | grep . || echo 0)"
}

declare -A ours theirs
secs="${DURATION%s}"
cores=$(nproc)
started=$(date +%s%N)
"$CARGO_TARGET_DIR/release/portcullis" --config "$work/config.toml" serve >"$work/server.log" 2>&1 &
pid=$!
pids+=("$pid")
base="http://127.0.0.1:$port"
wait_up "$base/readyz"
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
sleep 1
idle_rss=$(rss "$pid")
echo "Portcullis ready in $ready_ms ms (first start: migrations and keys); idle RSS $idle_rss"

# What the cryptography costs here: the ceilings of the sign-in and token figures.
cost=$("$load" cost)
argon2_ms=$(awk '/argon2id_ms/ {print $3}' <<<"$cost")
es256_us=$(awk '/es256_us/ {print $3}' <<<"$cost")
argon2_bound=$(python3 -c "print(f'{$cores*1000/$argon2_ms:.1f}')")
es256_bound=$(python3 -c "print(f'{$cores*1e6/$es256_us:.0f}')")

basic=$(printf 'bench:%s' "$secret" | base64 -w0)
ours[discovery]=$(measure "$base/.well-known/openid-configuration")
ours[jwks]=$(measure "$base/.well-known/jwks.json")
ours[client_credentials]=$(WRK_BODY="grant_type=client_credentials&scope=api" WRK_BASIC="$basic" measure -s scripts/wrk.lua "$base/oauth/token")
peak_rss=$(rss "$pid")

# Password sign-ins: imported users with an argon2id digest of the bench password.
digest=$("$load" hash)
for i in $(seq 0 199); do
  printf '{"email_address":"user%d@bench.test","password_digest":"%s","password_hasher":"argon2id"}\n' "$i" "$digest"
done >"$work/users.jsonl"
"$CARGO_TARGET_DIR/release/portcullis" --config "$work/config.toml" users import "$work/users.jsonl" >/dev/null
# What hashing alone reaches with every core busy (they share memory bandwidth), just
# before and just after the sign-ins and for as long: the machine's speed moves between
# minutes, and the sign-ins are held to the bound of their own minute.
h0=$(hashing_rate "$load" "$secs")
signin=$("$load" signin "$base" 200 16 "$secs")
h1=$(hashing_rate "$load" "$secs")
argon2_all=$(awk -v a="$h0" -v b="$h1" 'BEGIN { printf "%.1f", (a + b) / 2 }')
authcode=$("$load" authcode "$base" bench "$secret" "http://127.0.0.1:9/cb" 16 "$secs")
after_rss=$(rss "$pid")
result() { awk -v n="$1" '$1=="RESULT" && $2==n {print $3, $4"ms", $5"ms", $7}' <<<"$2"; }
ours[password_sign_in]=$(result password_sign_in "$signin")
ours[discovery_during_sign_ins]=$(result discovery_during_sign_ins "$signin")
ours[authorize_exchange_userinfo]=$(result authorize_exchange_userinfo "$authcode")
ours[code_exchange]=$(result code_exchange "$authcode")
ours[userinfo]=$(result userinfo "$authcode")
echo "Portcullis RSS: idle $idle_rss, after the wrk scenarios $peak_rss, after sign-ins and code flows $after_rss"

if [[ -n "${ANCHOR_DIR:-}" && -d "${ANCHOR_DIR}/node_modules" ]]; then
  aport=$(free_port)
  node "$ANCHOR_DIR/server.mjs" "$aport" ES256 >"$work/anchor.log" 2>&1 &
  apid=$!
  pids+=("$apid")
  abase="http://127.0.0.1:$aport"
  wait_up "$abase/.well-known/openid-configuration"
  theirs[discovery]=$(measure "$abase/.well-known/openid-configuration")
  theirs[jwks]=$(measure "$abase/jwks")
  theirs[client_credentials]=$(WRK_BODY="grant_type=client_credentials&scope=api" WRK_BASIC="$basic" measure -s scripts/wrk.lua "$abase/token")
  echo "node-oidc-provider RSS after load: $(rss "$apid")"
fi

declare -A limit=(
  [client_credentials]="$es256_bound (ES256 signing, $cores cores x ${es256_us} us)"
  [password_sign_in]="$argon2_bound (argon2id, $cores cores / ${argon2_ms} ms; hashing alone on all cores: $argon2_all/s)"
)
printf '\n%-28s %10s %10s %10s %8s %11s %7s  %s\n' scenario "req/s" p50 p99 errors "node req/s" ratio limit
for s in discovery jwks client_credentials password_sign_in discovery_during_sign_ins authorize_exchange_userinfo code_exchange userinfo; do
  read -r rps p50 p99 bad <<<"${ours[$s]}"
  trps="-" ratio="-"
  if [[ -n "${theirs[$s]:-}" ]]; then
    read -r trps _ <<<"${theirs[$s]}"
    ratio=$(python3 -c "print(f'{$rps/$trps:.1f}x')")
  fi
  printf '%-28s %10s %10s %10s %8s %11s %7s  %s\n' "$s" "$rps" "$p50" "$p99" "$bad" "$trps" "$ratio" "${limit[$s]:-}"
done
python3 - "$(awk '{print $1}' <<<"${ours[password_sign_in]}")" "$argon2_bound" "$argon2_all" <<'PY'
import sys
rate, bound, all_cores = (float(a) for a in sys.argv[1:4])
print(f"\npassword sign-ins reach {100 * rate / bound:.0f}% of the argon2 bound "
      f"(cores / one hash time) and {100 * rate / all_cores:.0f}% of what hashing alone "
      "reaches on all cores")
PY
echo "ready in $ready_ms ms; RSS idle $idle_rss, under load $peak_rss / $after_rss"
