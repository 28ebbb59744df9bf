# Shared by the scripts that start Portcullis: source it, don't run it.

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 10 s for URL to answer 2xx; otherwise prints LOG (when given) and exits 1.
wait_up() {
  local url="$1" log="${2:-}"
  for _ in $(seq 1 200); do
    curl -fs -o /dev/null "$url" && return 0
    sleep 0.05
  done
  [ -n "$log" ] && cat "$log"
  echo "FATAL: not answering: $url" >&2
  exit 1
}

# hashing_rate LOAD SECS [PREFIX...]: argon2id hashes a second with every core hashing for
# SECS (`LOAD hashing`), run under PREFIX when given (say `taskset -c 0`, for one core).
hashing_rate() {
  local load="$1" secs="$2"
  shift 2
  "$@" "$load" hashing "$secs" | awk '{print $3}'
}
