#!/usr/bin/env bash
# The browser test, in two phases:
#  1. desk: Sportello on a fresh temporary data dir; the test goes through the setup wizard and the
#     desk's daily work (it sends a referral to the SSP);
#  2. district: with the desk stopped, the command line enrolls the desk with a new district
#     instance, exports the desk's bundle and imports it there; the test then logs in at the
#     district and goes through the received referral and a decision.
# Usage: tests/browser/run.sh PATH/TO/sportello
set -euo pipefail
bin=${1:?path to the sportello binary}
here=$(cd "$(dirname "$0")" && pwd)
data=$(mktemp -d)
pid=""
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # data-dir port
  "$bin" --data "$1" --bind "127.0.0.1:$2" > "$data/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$2/healthz" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not start"; cat "$data/server.log"; return 1
}
stop() { [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }; }
cleanup() { stop; rm -rf "$data"; }
trap cleanup EXIT

cd "$here"
rm -rf out
[ -d node_modules ] || npm ci --no-audit --no-fund

echo "### phase 1: desk"
port=$(free_port)
start "$data/d" "$port"
# Half-way the test leaves a long form open: the server is stopped, its sessions expired (as after
# half an hour without a keystroke) and started again on the same address; then the form is sent.
pause="$data/pause"
SPORTELLO_URL="http://127.0.0.1:$port" SPORTELLO_PAUSE_FILE="$pause" node run.mjs &
node_pid=$!
for _ in $(seq 1 1200); do
  [ -e "$pause.ready" ] && break
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -e "$pause.ready" ]; then
  stop
  (cd "$here/../.." && SPORTELLO_EXPIRE_DIR="$data/d" cargo test --quiet --test integration \
    expire_the_sessions_of_a_stopped_server -- --ignored > /dev/null)
  start "$data/d" "$port"
  touch "$pause.go"
fi
wait "$node_pid" || { echo "--- server log"; cat "$data/server.log"; exit 1; }
stop

echo "### phase 2: district (enrollment and bundle by the command line)"
district_password="password-del-distretto-1"
SPORTELLO_ADMIN_PASSWORD="$district_password" "$bin" --data "$data/a" init --role district \
  --comune-istat 072046 --ambito-code BA05 --ambito-name "Ambito Territoriale di Triggiano" \
  --admin admin-ambito --admin-full-name "Amministratore Ambito"
SPORTELLO_PASSWORD="$district_password" "$bin" --data "$data/a" user add --username assistente \
  --full-name "Giulia Assistente" --role assistente_sociale --role responsabile
"$bin" --data "$data/d" keys export --out "$data/desk.pub.json"
"$bin" --data "$data/a" keys trust "$data/desk.pub.json" --reply "$data/reply.age"
"$bin" --data "$data/d" keys trust "$data/reply.age"
"$bin" --data "$data/d" export --out "$data/bundle.age"
"$bin" --data "$data/a" import "$data/bundle.age"
port=$(free_port)
start "$data/a" "$port"
SPORTELLO_URL="http://127.0.0.1:$port" SPORTELLO_PHASE=district DISTRICT_USER=assistente \
  DISTRICT_PASSWORD="$district_password" node run.mjs || { echo "--- server log"; cat "$data/server.log"; exit 1; }
stop

echo "### phase 3: demo (a year of fictional records: full lists, late referrals)"
"$bin" --data "$data/demo" demo > /dev/null
port=$(free_port)
start "$data/demo" "$port"
SPORTELLO_URL="http://127.0.0.1:$port" SPORTELLO_PHASE=demo node run.mjs || { echo "--- server log"; cat "$data/server.log"; exit 1; }
