#!/usr/bin/env bash
# Start-up and memory on a data directory (issue 12): time from launching the server to its first
# /healthz answer, RSS once idle, then RSS after a minute of page load if wrk is present.
# Loopback only, bounded in time, not in CI.
# Usage: tests/load/start.sh BINARY DATA_DIR [ROUNDS]   (DATA_DIR e.g. from `sportello bench-data`)
set -euo pipefail
bin="$1"
data="$2"
rounds="${3:-5}"
port=18932
rss() { awk '/^VmRSS:/{printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
echo "database: $(du -h "$data/sportello.redb" | cut -f1)   binary: $(du -h "$bin" | cut -f1)"
for i in $(seq "$rounds"); do
  start=$(date +%s%N)
  "$bin" --data "$data" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.005; done
  end=$(date +%s%N)
  sleep 2
  echo "round $i: first /healthz after $(( (end - start) / 1000000 )) ms; idle RSS $(rss "$pid")"
  if [ "$i" = "$rounds" ] && command -v wrk >/dev/null; then
    wrk -t 2 -c 20 -d 20s "http://127.0.0.1:$port/login" >/dev/null 2>&1 || true
    echo "after 20 s of load on /login: RSS $(rss "$pid")"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
