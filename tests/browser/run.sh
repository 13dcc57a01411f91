#!/usr/bin/env bash
# Starts Sportello on a fresh temporary data dir and runs the browser test against it.
# Usage: tests/browser/run.sh PATH/TO/sportello
set -euo pipefail
bin=${1:?path to the sportello binary}
here=$(cd "$(dirname "$0")" && pwd)
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" --data "$data/d" --bind "127.0.0.1:$port" > "$data/server.log" 2>&1 &
pid=$!
cleanup() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
  sleep 0.1
done
cd "$here"
rm -rf out
[ -d node_modules ] || npm ci --no-audit --no-fund
SPORTELLO_URL="http://127.0.0.1:$port" node run.mjs || { echo "--- server log"; cat "$data/server.log"; exit 1; }
