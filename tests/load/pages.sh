#!/usr/bin/env bash
# Load test of the audited pages against a static asset of the same server (issue 12): loopback
# only, bounded in time, not in CI. Usage: tests/load/pages.sh [BINARY] [SECONDS] [CONNECTIONS]
# Needs wrk (Debian: apt-get install wrk) and curl. Prints wrk's figures for each target.
set -euo pipefail
bin="${1:-target/release/sportello}"
secs="${2:-30}"
conns="${3:-20}"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }
data="$(mktemp -d)"
port=18931
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
SPORTELLO_ADMIN_PASSWORD=una-password-lunga-1 "$bin" --data "$data" init --role desk \
  --comune-istat 072046 --ambito-code BA05 --ambito-name "Ambito territoriale di Triggiano" --admin admin >/dev/null
SPORTELLO_PASSWORD=password-di-prova-1 "$bin" --data "$data" user add --username carico \
  --full-name "Prova di carico" --role operatore >/dev/null
token="$("$bin" --data "$data" token create --username carico | tail -n 1)"
"$bin" --data "$data" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
person="$(curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"surname":"Carico","given_names":"Maria","sex":"F","birth_date":"1970-01-01"}' \
  "$base/api/v1/persons" | sed 's/.*"id":"\([^"]*\)".*/\1/')"
# A browser session for the pages.
jar="$data/jar"
csrf="$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)"
curl -fs -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&username=carico&password=password-di-prova-1" "$base/login"
cookie="$(awk '$6=="sportello_session"{print "sportello_session="$7}' "$jar")"
run() {
  echo "== $1"
  shift
  wrk -t 2 -c "$conns" -d "${secs}s" --latency "$@" | grep -E "Requests/sec|Latency|99%|Non-2xx|Socket errors" || true
}
run "static asset (/assets/css/sportello.css)" "$base/assets/css/sportello.css"
run "audited person page (/persone/ID)" -H "Cookie: $cookie" "$base/persone/$person"
run "audited person read through the API" -H "Authorization: Bearer $token" "$base/api/v1/persons/$person"
run "search page (/persone?q=carico)" -H "Cookie: $cookie" "$base/persone?q=carico"
