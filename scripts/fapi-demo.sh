#!/usr/bin/env bash
# Walks the Frontend API the way a custom client would: sign up with email + password and a
# code, get a session token, sign out, sign in with the password, sign in with an email code.
# Needs a server in test mode:  PORTCULLIS__TESTING__ENABLED=true cargo run --release
# Usage: scripts/fapi-demo.sh [BASE_URL]
set -euo pipefail
P="${1:-http://127.0.0.1:3000}"
J=$(mktemp)
trap 'rm -f "$J"' EXIT
EMAIL="demo$RANDOM$RANDOM+portcullis_test@example.com"

# json FILTER: reads JSON on stdin and prints the value at a dotted path.
json() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"; }
call() { curl -sS --fail-with-body -c "$J" -b "$J" "$@"; }

echo "sign up $EMAIL"
SU=$(call "$P/v1/client/sign_ups" --data-urlencode "email_address=$EMAIL" --data-urlencode "password=correct horse battery")
ID=$(echo "$SU" | json response.id)
echo "  $ID: $(echo "$SU" | json response.status), unverified $(echo "$SU" | json response.unverified_fields)"
call "$P/v1/client/sign_ups/$ID/prepare_verification" -d strategy=email_code >/dev/null
SU=$(call "$P/v1/client/sign_ups/$ID/attempt_verification" -d strategy=email_code -d code=424242)
SESSION=$(echo "$SU" | json response.created_session_id)
echo "  $(echo "$SU" | json response.status): user $(echo "$SU" | json response.created_user_id), session $SESSION"

TOKEN=$(call -X POST "$P/v1/client/sessions/$SESSION/tokens" | json jwt)
echo "session token claims: $(echo "$TOKEN" | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null || true)"
echo "signing key: $(curl -sS "$P/.well-known/jwks.json" | json keys.0.kid)"

call -X DELETE "$P/v1/client/sessions" >/dev/null
echo "signed out"

START=$(date +%s%N)
SI=$(call "$P/v1/client/sign_ins" --data-urlencode "identifier=$EMAIL" --data-urlencode "password=correct horse battery")
END=$(date +%s%N)
echo "password sign-in: $(echo "$SI" | json response.status) in $(( (END - START) / 1000000 )) ms"

call -X DELETE "$P/v1/client/sessions" >/dev/null
SI=$(call "$P/v1/client/sign_ins" --data-urlencode "identifier=$EMAIL" -d strategy=email_code)
SID=$(echo "$SI" | json response.id)
SI=$(call "$P/v1/client/sign_ins/$SID/attempt_first_factor" -d strategy=email_code -d code=424242)
echo "email-code sign-in: $(echo "$SI" | json response.status)"
