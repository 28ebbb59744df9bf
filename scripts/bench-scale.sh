#!/usr/bin/env bash
# The scaled-out deployment beside the embedded one, in one run: every scenario on SQLite, on
# PostgreSQL + Redis with one instance, and with two instances on the same database and Redis
# (round-robin: wrk's threads alternate ports, the load tool alternates requests, so the steps
# of one sign-in land on both). For each: req/s, p50 / p99, the ratio to SQLite, and what one
# operation costs in database statements, transactions and Redis commands (counted by the
# server as it sends them, /metrics, and by Redis itself, INFO stats).
#
# Then the two instances hold their limits under load (a rate limit across both, codes
# redeemed twice at once), and the growth test: PostgreSQL with 1,000 users, then with
# GROWTH_USERS (1,000,000), generated in SQL with one real argon2id hash copied to all:
# sign-in, admin search by email / phone / name, user get, session list, database size per
# user, and EXPLAIN of the hottest statements with a check that none reads a large table
# from end to end.
#
#   scripts/bench-scale.sh                    # DURATION=10s CONNS=32 GROWTH_USERS=1000000
#   GROWTH_USERS=0 scripts/bench-scale.sh     # no growth test
#   GROWTH_ONLY=1 scripts/bench-scale.sh      # the growth test alone
#   SPLIT_CORES=1 scripts/bench-scale.sh      # also sign-ins with Portcullis on a core of its own
#
# SPLIT_CORES=1 (root, PostgreSQL and Redis on this machine) adds one run: Portcullis pinned to
# core 0, and PostgreSQL, Redis and the load tool moved to the other cores while it lasts. Its
# sign-ins against hashing alone on core 0 are what Portcullis itself costs beside the hash,
# apart from what the database and the load tool take from the same cores.
#
# PostgreSQL and Redis as .ci/run starts them (BENCH_POSTGRES_URL, BENCH_REDIS_URL); every
# database and key this makes is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portcullis-target}"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-32}"
THREADS="${THREADS:-2}"
GROWTH_USERS="${GROWTH_USERS:-1000000}"
PG="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
REDIS="${BENCH_REDIS_URL:-redis://127.0.0.1:6379}"
for tool in wrk psql redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
[[ "${BENCH_NO_BUILD:-}" == 1 ]] || cargo build --release --quiet --bin portcullis --example load
bin="$CARGO_TARGET_DIR/release/portcullis"
load="$CARGO_TARGET_DIR/release/examples/load"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
work="$(mktemp -d)"
run="bench$$"
secs="${DURATION%s}"
pids=()
dbs=()
cleanup() {
  unpin
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for d in "${dbs[@]}"; do psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
  redis-cli -u "$REDIS" --scan --pattern "$run:*" | xargs -r -n 500 redis-cli -u "$REDIS" del >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }

# The CPU affinity of processes moved by split_cores, as "pid mask", to put back.
moved=()
unpin() {
  local m
  for m in "${moved[@]}"; do taskset -a -p "${m#* }" "${m%% *}" >/dev/null 2>&1 || true; done
  moved=()
}

# config NAME PORT ISSUER_PORT DATABASE_URL REDIS_URL [LIMITS]: a config file; the issuer is
# the first instance's URL, so a token from one instance is good at the other.
unlimited='[limits]
token_per_client = { burst = 100000000, per_secs = 1 }
sign_in_per_ip = { burst = 100000000, per_secs = 1 }
sign_in_per_identifier = { burst = 100000000, per_secs = 1 }
sign_up_per_ip = { burst = 100000000, per_secs = 1 }'
config() {
  local limits="${6:-$unlimited}"
  cat >"$work/$1.toml" <<TOML
[server]
bind = "127.0.0.1:$2"
public_url = "http://127.0.0.1:$3"
[database]
url = "$4"
[redis]
url = "$5"
key_prefix = "$run:${1%-*}:"
[log]
level = "error"
[testing]
enabled = true
[metrics]
statement_texts = true
[auth]
password = "optional"
$limits
[[clients]]
client_id = "bench"
client_secret = "bench-secret-bench-secret-bench-secret"
redirect_uris = ["http://127.0.0.1:9/cb"]
grant_types = ["authorization_code", "refresh_token", "client_credentials"]
scopes = ["openid", "profile", "email", "api", "offline_access"]
first_party = true
TOML
}

# start CONFIG: serves it in the background; prints the pid.
start() {
  "$bin" --config "$work/$1.toml" serve >>"$work/$1.log" 2>&1 &
  pids+=("$!")
  echo "$!"
}

# counters PORTS...: statements, transactions (summed over the instances), Redis commands.
counters() {
  local st=0 tx=0 m
  for p in "$@"; do
    m=$(curl -fs "http://127.0.0.1:$p/metrics")
    st=$((st + $(awk '$1=="portcullis_database_statements_total" {print $2}' <<<"$m")))
    tx=$((tx + $(awk '$1=="portcullis_database_transactions_total" {print $2}' <<<"$m")))
  done
  echo "$st $tx $(redis-cli -u "$REDIS" info stats | awk -F: '/^total_commands_processed/ {print $2+0}')"
}

# Prints "req/s p50 p99 non2xx requests" from one wrk run.
measure() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" 2>&1)
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out") $(awk '/Non-2xx/ {print $4}' <<<"$out" | grep . || echo 0) $(awk '/requests in/ {print $1}' <<<"$out")"
}

# From `load` output: "req/s p50ms p99ms errors count" of one RESULT line.
result() { awk -v n="$1" '$1=="RESULT" && $2==n {print $3, $4"ms", $5"ms", $7, $6}' <<<"$2"; }

declare -A fig cost paced cpu hashing
# Jiffies (1/100 s) every core has spent busy since boot.
busy_jiffies() { awk '$1=="cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
scenarios=(discovery jwks cc_config_client cc_stored_client introspection password_sign_in
  sign_up_email_code authorize_exchange_userinfo refresh_rotation)

# flow SCENARIO: one flow run by the load tool, as `result` prints it: closed loop, or on
# the schedule of LOAD_RATE when it is set. Uses deploy's bases and stored_secret.
flow() {
  local out
  case "$1" in
  sign_up_email_code) out=$("$load" signup "$bases" 16 "$secs") ;;
  authorize_exchange_userinfo)
    out=$("$load" authcode "$bases" stored "$stored_secret" http://127.0.0.1:9/cb 16 "$secs") ;;
  refresh_rotation)
    out=$("$load" refresh "$bases" stored "$stored_secret" http://127.0.0.1:9/cb 16 "$secs") ;;
  esac
  result "$1" "$out"
}

# half_rate FIGURE: half the req/s of a figure, the open-loop rate for its latency.
half_rate() { awk '{printf "%.0f", $1 / 2}' <<<"$1"; }

# deploy NAME PORTS BASES: every scenario against the instances already serving.
deploy() {
  local name="$1" ports="$2" bases="$3" first="${2%%,*}" out before after
  local base="http://127.0.0.1:$first"
  local cfg="$work/$name-0.toml"
  # A client stored in the database, beside the one in config.toml.
  out=$("$bin" --config "$cfg" clients add --id stored --redirect-uri http://127.0.0.1:9/cb \
    --first-party --client-credentials --scope openid --scope profile --scope email \
    --scope api --scope offline_access)
  local stored_secret
  stored_secret=$(awk '/^client_secret:/ {print $2}' <<<"$out")
  local config_basic stored_basic
  config_basic=$(printf 'bench:bench-secret-bench-secret-bench-secret' | base64 -w0)
  stored_basic=$(printf 'stored:%s' "$stored_secret" | base64 -w0)
  "$bin" --config "$cfg" users import "$work/users.jsonl" >/dev/null
  sleep 1.2 # every instance has compared the clients' change count once since
  local token
  token=$(curl -fs -u "stored:$stored_secret" -d grant_type=client_credentials -d scope=api \
    "$base/oauth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  local s
  for s in "${scenarios[@]}"; do
    before=$(counters ${ports//,/ })
    case "$s" in
    discovery) fig[$name.$s]=$(WRK_PORTS="$ports" measure -s scripts/wrk.lua "$base/.well-known/openid-configuration") ;;
    jwks) fig[$name.$s]=$(WRK_PORTS="$ports" measure -s scripts/wrk.lua "$base/.well-known/jwks.json") ;;
    cc_config_client)
      fig[$name.$s]=$(WRK_PORTS="$ports" WRK_BASIC="$config_basic" \
        WRK_BODY="grant_type=client_credentials&scope=api" measure -s scripts/wrk.lua "$base/oauth/token") ;;
    cc_stored_client)
      fig[$name.$s]=$(WRK_PORTS="$ports" WRK_BASIC="$stored_basic" \
        WRK_BODY="grant_type=client_credentials&scope=api" measure -s scripts/wrk.lua "$base/oauth/token") ;;
    introspection)
      fig[$name.$s]=$(WRK_PORTS="$ports" WRK_BASIC="$stored_basic" \
        WRK_BODY="token=$token" measure -s scripts/wrk.lua "$base/oauth/introspect") ;;
    password_sign_in)
      # The CPU the whole machine spent, and what the load tool itself spent of it: the
      # rest is the server's (Portcullis, PostgreSQL, Redis) on the same two cores.
      # Hashing alone on all cores just before and just after, for as long: the bound this
      # run is held to. A shared machine's speed moves by a fifth from one minute to the
      # next, so a bound measured once at the start of the script says little about a
      # sign-in run minutes later.
      local busy0 busy1 h0 h1
      h0=$(hashing_rate "$load" "$secs")
      busy0=$(busy_jiffies)
      out=$(python3 -c 'import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(p.stdout, end="")
print("LOADCPU", r.ru_utime + r.ru_stime)' "$load" signin "$bases" 200 16 "$secs")
      busy1=$(busy_jiffies)
      h1=$(hashing_rate "$load" "$secs")
      hashing[$name]="$h0 $h1"
      fig[$name.$s]=$(result password_sign_in "$out")
      cpu[$name]="$(( busy1 - busy0 )) $(awk '$1=="LOADCPU" {print $2}' <<<"$out")" ;;
    sign_up_email_code | authorize_exchange_userinfo | refresh_rotation)
      fig[$name.$s]=$(flow "$s") ;;
    esac
    after=$(counters ${ports//,/ })
    local ops
    ops=$(awk '{print $5}' <<<"${fig[$name.$s]}")
    cost[$name.$s]=$(python3 -c "
b, a, n = '$before'.split(), '$after'.split(), max(int('${ops:-0}' or 0), 1)
print(' '.join(f'{(int(y) - int(x)) / n:.2f}' for x, y in zip(b, a)))")
    # The flows again at half the rate just reached, on a fixed schedule: the latency a user
    # sees while the server is busy but not saturated (a saturated closed loop measures the
    # queue: CONNS requests waiting on 2 cores).
    case "$s" in
    sign_up_email_code | authorize_exchange_userinfo | refresh_rotation)
      paced[$name.$s]=$(LOAD_RATE=$(half_rate "${fig[$name.$s]}") flow "$s") ;;
    esac
  done
  # After the load: zero statements per token once the stored client is known.
  before=$(counters ${ports//,/ })
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null -u "stored:$stored_secret" -d grant_type=client_credentials "$base/oauth/token"
  done
  after=$(counters ${ports//,/ })
  echo "$name: database statements while 100 client_credentials tokens of the stored client were issued, once it was known (the twice-a-second change-count check included): $(( $(awk '{print $1}' <<<"$after") - $(awk '{print $1}' <<<"$before") ))"
  stored_secrets[$name]="$stored_secret"
}
declare -A stored_secrets

# Users every deployment signs in: 200 imported with one argon2id digest.
digest=$("$load" hash)
for i in $(seq 0 199); do
  printf '{"email_address":"user%d@bench.test","password_digest":"%s","password_hasher":"argon2id"}\n' "$i" "$digest"
done >"$work/users.jsonl"

if [[ "${GROWTH_ONLY:-}" != 1 ]]; then
# --- SQLite, one instance
p=$(free_port)
config sqlite-0 "$p" "$p" "sqlite://$work/bench.db?mode=rwc" ""
start sqlite-0 >/dev/null
wait_up "http://127.0.0.1:$p/readyz" "$work/sqlite-0.log"
echo "SQLite: serving on $p"
deploy sqlite "$p" "http://127.0.0.1:$p"
for pid in "${pids[@]}"; do kill "$pid"; done
pids=()

# split_cores DB: password sign-ins on PostgreSQL + Redis with one instance pinned to core 0
# and everything else (PostgreSQL, Redis, the load tool) moved to the other cores, against
# hashing alone on core 0. Sets split_line.
split_cores() {
  local last=$(($(nproc) - 1)) p pid out h0 h1 c0 c1 mask
  if ((last < 1)) || ! command -v taskset >/dev/null; then
    split_line="skipped: needs two cores and taskset"
    return
  fi
  local others
  others=$(pgrep -x postgres; pgrep -x redis-server) || true
  if [[ -z "$others" ]]; then
    split_line="skipped: PostgreSQL and Redis do not run on this machine"
    return
  fi
  for pid in $others; do
    mask=$(taskset -p "$pid" 2>/dev/null | awk '{print $NF}') || continue
    [[ -n "$mask" ]] || continue
    taskset -a -p -c "1-$last" "$pid" >/dev/null 2>&1 || continue
    moved+=("$pid $mask")
  done
  if ((${#moved[@]} == 0)); then
    split_line="skipped: could not move PostgreSQL and Redis to other cores (needs root)"
    return
  fi
  p=$(free_port)
  config split "$p" "$p" "$PG/$1" "$REDIS"
  # Pinned before it starts, so it sizes its workers and argon2 permits for one core.
  taskset -c 0 "$bin" --config "$work/split.toml" serve >>"$work/split.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_up "http://127.0.0.1:$p/readyz" "$work/split.log"
  taskset -c "1-$last" "$load" signin "http://127.0.0.1:$p" 200 16 2 >/dev/null # warm
  h0=$(hashing_rate "$load" "$secs" taskset -c 0)
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(taskset -c "1-$last" "$load" signin "http://127.0.0.1:$p" 200 16 "$secs")
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  h1=$(hashing_rate "$load" "$secs" taskset -c 0)
  unpin
  read -r rps _ _ _ n <<<"$(result password_sign_in "$out")"
  split_line=$(awk -v r="$rps" -v n="${n:-0}" -v a="$h0" -v b="$h1" -v c="$((c1 - c0))" 'BEGIN {
    h = (a + b) / 2; if (n <= 0 || h <= 0) { print "no sign-ins"; exit }
    printf "%.1f sign-ins/s, %.0f%% of hashing alone on core 0 (%.1f/s just before, %.1f/s just after); Portcullis spent %.1f core-ms a sign-in, one hash alone %.1f", r, 100 * r / h, a, b, c * 10 / n, 1000 / h
  }')
}
split_line="not run (SPLIT_CORES=1)"

# --- PostgreSQL + Redis, one instance, then two on the same database and Redis
for n in 1 2; do
  db="${run}_pg$n"
  sql "$PG/postgres" -c "CREATE DATABASE $db"
  dbs+=("$db")
  ports=() bases=()
  first=$(free_port)
  for i in $(seq 0 $((n - 1))); do
    if [[ $i == 0 ]]; then p=$first; else p=$(free_port); fi
    config "pg$n-$i" "$p" "$first" "$PG/$db" "$REDIS"
    # The second instance starts once the first has migrated the database.
    start "pg$n-$i" >/dev/null
    wait_up "http://127.0.0.1:$p/readyz" "$work/pg$n-$i.log"
    ports+=("$p")
    bases+=("http://127.0.0.1:$p")
  done
  echo "PostgreSQL + Redis, $n instance(s): serving on ${ports[*]}"
  deploy "pg$n" "$(IFS=,; echo "${ports[*]}")" "$(IFS=,; echo "${bases[*]}")"
  if [[ $n == 1 && "${SPLIT_CORES:-}" == 1 ]]; then
    for pid in "${pids[@]}"; do kill "$pid"; done
    wait 2>/dev/null || true
    pids=()
    split_cores "$db"
  fi
  if [[ $n == 2 ]]; then
    # Single-use codes across instances, under load: each redeemed twice at once.
    out=$("$load" replay "$(IFS=,; echo "${bases[*]}")" stored "${stored_secrets[pg2]}" \
      http://127.0.0.1:9/cb 16 2000)
    replay=$(awk '$2=="code_replay" {print $6" codes, "$7" redeemed other than once"}' <<<"$out")
    replay_5xx=$(awk '$2=="server_errors" {print $6}' <<<"$out")
  fi
  for pid in "${pids[@]}"; do kill "$pid"; done
  wait 2>/dev/null || true
  pids=()
done

# --- Two instances hold one rate limit: 10 sign-in attempts a minute per identifier, hit by
# 32 connections on both instances for 3 s.
first=$(free_port) second=$(free_port)
db="${run}_pg2"
for i in 0 1; do
  p=$first
  [[ $i == 1 ]] && p=$second
  config "limits-$i" "$p" "$first" "$PG/$db" "$REDIS" "[limits]
sign_in_per_identifier = { burst = 10, per_secs = 60 }
sign_in_per_ip = { burst = 100000000, per_secs = 1 }"
  start "limits-$i" >/dev/null
  wait_up "http://127.0.0.1:$p/readyz" "$work/limits-$i.log"
done
limit_out=$(WRK_PORTS="$first,$second" WRK_STATUS=1 WRK_BODY="identifier=user7@bench.test" \
  wrk -t2 -c32 -d3s -s scripts/wrk.lua "http://127.0.0.1:$first/v1/client/sign_ins" 2>&1)
limit_line=$(grep '^STATUS' <<<"$limit_out" || echo "STATUS ? ? ? ? ? ? ? ?")
for pid in "${pids[@]}"; do kill "$pid"; done
wait 2>/dev/null || true
pids=()

# --- The table
printf '\n%-28s %-7s %10s %9s %9s %6s %8s %7s %7s %7s %10s\n' scenario deploy "req/s" p50 p99 errors "vs SQLite" "stmt/op" "tx/op" "redis/op" "p99 @half"
for s in "${scenarios[@]}"; do
  read -r base_rps _ <<<"${fig[sqlite.$s]}"
  for d in sqlite pg1 pg2; do
    read -r rps p50 p99 bad _ <<<"${fig[$d.$s]}"
    read -r st tx rc <<<"${cost[$d.$s]}"
    read -r _ _ half99 _ <<<"${paced[$d.$s]:--}"
    ratio=$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { printf "%.0f%%", 100 * a / (b > 0 ? b : 1) }')
    printf '%-28s %-7s %10s %9s %9s %6s %8s %7s %7s %7s %10s\n' "$s" "$d" "$rps" "$p50" "$p99" "$bad" "$ratio" "$st" "$tx" "$rc" "${half99:--}"
  done
done
echo "p99 @half: the flow again at half the rate in the req/s column, started on a fixed schedule (LOAD_RATE), latency counted from when each was due"
cores=$(nproc)
for d in sqlite pg1 pg2; do
  read -r rps _ _ _ n <<<"${fig[$d.password_sign_in]}"
  read -r busy loadcpu <<<"${cpu[$d]:-0 0}"
  read -r h0 h1 <<<"${hashing[$d]:-0 0}"
  argon2_all=$(awk -v a="$h0" -v b="$h1" 'BEGIN { printf "%.1f", (a + b) / 2 }')
  echo "$d: password sign-ins at $(awk -v a="$rps" -v b="$argon2_all" 'BEGIN { printf "%.0f", 100 * a / (b > 0 ? b : 1) }')% of hashing alone on all cores ($argon2_all/s: $h0 just before, $h1 just after)"
  # Where the cores went: one hash costs cores / (hashes a second on all cores); the server's
  # share of the machine is what the load tool did not use.
  awk -v busy="$busy" -v lc="$loadcpu" -v n="${n:-0}" -v c="$cores" -v h="$argon2_all" 'BEGIN {
    if (n <= 0) exit
    all = busy * 10 / n; gen = lc * 1000 / n; server = all - gen; hash = c * 1000 / h
    printf "  per sign-in: %.1f core-ms on the machine, %.1f of them the load tool, %.1f the server (Portcullis, database, Redis); one hash %.1f core-ms = %.0f%% of the server'"'"'s share\n", all, gen, server, hash, 100 * hash / server
  }'
done
echo "pg1, Portcullis alone on core 0 (PostgreSQL, Redis and the load tool on the others): $split_line"
echo "two instances, codes redeemed twice at once: ${replay:-not run} (5xx: ${replay_5xx:-?})"
read -r _ _ ok _ limited _ other _ five <<<"$limit_line"
echo "two instances, one limit of 10 sign-ins a minute for one identifier, 3 s of load: $ok allowed, $limited refused with 429, $other other 4xx, $five 5xx"
fi

[[ "$GROWTH_USERS" -gt 0 ]] || exit 0

# --- Growth: 1,000 users, then GROWTH_USERS, on PostgreSQL + Redis.
db="${run}_growth"
sql "$PG/postgres" -c "CREATE DATABASE $db"
dbs+=("$db")
gp=$(free_port)
config growth "$gp" "$gp" "$PG/$db" "$REDIS"
gbase="http://127.0.0.1:$gp"
start growth >/dev/null
wait_up "$gbase/readyz" "$work/growth.log"
admin_key=$("$bin" --config "$work/growth.toml" admin-keys create --name bench | tail -1)
# One real user, made by Portcullis: its hash is copied to every generated user.
printf '{"email_address":"model@bench.test","password_digest":"%s","password_hasher":"argon2id"}\n' "$digest" >"$work/model.jsonl"
"$bin" --config "$work/growth.toml" users import "$work/model.jsonl" >/dev/null

# generate FROM TO: users FROM..TO-1 with an email, a phone and names, in one transaction.
generate() {
  sql "$PG/$db" -v from="$1" -v to="$(($2 - 1))" <<'SQL'
BEGIN;
CREATE TEMP TABLE model AS SELECT u.password_hash, u.created_at FROM users u
  JOIN email_addresses e ON e.user_id = u.id WHERE e.email_address = 'model@bench.test';
INSERT INTO users (id, first_name, last_name, password_hash, primary_email_address_id,
    primary_phone_number_id, unsafe_metadata, public_metadata, private_metadata, banned,
    locked, created_at, updated_at)
  SELECT 'user_bench' || lpad(g::text, 7, '0'), 'First' || g, 'Last' || g, m.password_hash,
    'idn_be' || lpad(g::text, 7, '0'), 'idn_bp' || lpad(g::text, 7, '0'), '{}', '{}', '{}',
    false, false, m.created_at + g, m.created_at + g
  FROM generate_series(:from, :to) g, model m;
INSERT INTO email_addresses (id, user_id, email_address, verified, verification_strategy,
    created_at, updated_at)
  SELECT 'idn_be' || lpad(g::text, 7, '0'), 'user_bench' || lpad(g::text, 7, '0'),
    'user' || g || '@bench.test', true, 'admin', m.created_at + g, m.created_at + g
  FROM generate_series(:from, :to) g, model m;
INSERT INTO phone_numbers (id, user_id, phone_number, verified, verification_strategy,
    reserved_for_second_factor, default_second_factor, created_at, updated_at)
  SELECT 'idn_bp' || lpad(g::text, 7, '0'), 'user_bench' || lpad(g::text, 7, '0'),
    '+1415' || lpad(g::text, 7, '0'), true, 'admin', false, false, m.created_at + g,
    m.created_at + g
  FROM generate_series(:from, :to) g, model m;
COMMIT;
ANALYZE;
SQL
}

declare -A grow
# measure_growth LABEL USERS
measure_growth() {
  local label="$1" users="$2" out low=$(($2 / 10))
  local auth="Bearer $admin_key"
  out=$("$load" signin "$gbase" 200 16 "$secs" "$users")
  grow[$label.sign_in]=$(result password_sign_in "$out")
  # Searches that find a handful of users among all of them: an address, a number, a name;
  # 8 always in flight, then again at half the rate each reached, on a fixed schedule (8 in
  # flight on two cores measure mostly their own queue).
  local s name
  for s in email:'user{n}%40' phone:'%2B1415{n7}' name:'First{n}'; do
    name="search_${s%%:*}"
    out=$("$load" get "$gbase" "$auth" 8 5 "$low..$users" "$name" "/admin/v1/users?query=${s#*:}")
    grow[$label.$name]=$(result "$name" "$out")
    out=$(LOAD_RATE=$(half_rate "${grow[$label.$name]}") "$load" get "$gbase" "$auth" 8 5 \
      "$low..$users" "$name" "/admin/v1/users?query=${s#*:}")
    grow[$label.${name}_half]=$(result "$name" "$out")
  done
  out=$("$load" get "$gbase" "$auth" 8 5 "0..$users" user_get '/admin/v1/users/user_bench{n7}')
  grow[$label.user_get]=$(result user_get "$out")
  # The users who signed in above have sessions.
  out=$("$load" get "$gbase" "$auth" 8 5 "0..200" session_list "/admin/v1/users/user_bench{n7}/sessions")
  grow[$label.session_list]=$(result session_list "$out")
  grow[$label.size]=$(sql "$PG/$db" -c "SELECT pg_database_size(current_database()) / (SELECT count(*) FROM users)")
}

generate 0 1000
measure_growth small 1000
statements_before=$(curl -fs "$gbase/metrics")
echo "growing to $GROWTH_USERS users…"
t0=$(date +%s)
step=200000
for ((from = 1000; from < GROWTH_USERS; from += step)); do
  to=$((from + step))
  ((to > GROWTH_USERS)) && to=$GROWTH_USERS
  generate "$from" "$to"
done
echo "generated in $(($(date +%s) - t0)) s"
measure_growth large "$GROWTH_USERS"
curl -fs "$gbase/metrics" >"$work/statements-after.txt"
printf '%s\n' "$statements_before" >"$work/statements-before.txt"

printf '\n%-14s %22s %22s %8s\n' "growth" "1,000 users p50 / p99" "$GROWTH_USERS users p50 / p99" "p99 ratio"
for s in sign_in search_email search_phone search_name search_email_half search_phone_half search_name_half user_get session_list; do
  read -r _ a50 a99 _ <<<"${grow[small.$s]}"
  read -r _ b50 b99 _ <<<"${grow[large.$s]}"
  printf '%-14s %22s %22s %8s\n' "$s" "$a50 / $a99" "$b50 / $b99" \
    "$(awk -v a="${a99%ms}" -v b="${b99%ms}" 'BEGIN { printf "%.2f", b / (a > 0 ? a : 1) }')"
done
echo "*_half: the search again at half the rate just reached, started on a fixed schedule (LOAD_RATE), latency counted from when each was due"
echo "database size per user: ${grow[small.size]} bytes at 1,000 users, ${grow[large.size]} bytes at $GROWTH_USERS"

# The statements of the large run, hottest first: EXPLAIN of the top three, and every one
# checked for a sequential scan of a table with more than 10,000 rows.
python3 scripts/explain.py "$PG/$db" "$work/statements-before.txt" "$work/statements-after.txt"
