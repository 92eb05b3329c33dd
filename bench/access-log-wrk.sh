#!/usr/bin/env bash
# The access log's cost, measured with wrk (Debian's package) against the built CLI: a signed
# GetUser (root) replayed (wrk adds the Host header), 1 thread, 32 connections, for each of: access log on with stderr to a
# file, on with stderr to a pipe (cat), and --quiet. IAMD_DIR=<another checkout, built> measures
# that one instead (e.g. the code before the logger change).
#   npm run build && tsc -p bench/tsconfig.json && bash bench/access-log-wrk.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-8}
DIR=${IAMD_DIR:-.}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export IAMD_ROOT_ACCESS_KEY_ID=AKIABENCHBENCHBENCH0 IAMD_ROOT_SECRET_ACCESS_KEY=bench/bench/bench/bench/bench/bench/benc
port=$((20000 + RANDOM % 20000))
node dist-bench/bench/wrk-lua.js "http://127.0.0.1:$port/" Action=GetUser >"$tmp/getuser.lua"
run() { # name, then how stderr is taken
  local name=$1 mode=$2 flags=${3:-}
  case $mode in
    file) node "$DIR/bin/iamd.js" serve --memory --port $port $flags >/dev/null 2>"$tmp/err.log" & ;;
    pipe) node "$DIR/bin/iamd.js" serve --memory --port $port $flags >/dev/null 2> >(cat >/dev/null) & ;;
  esac
  local pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/console" && break; sleep 0.1; done
  wrk -t1 -c32 -d2s -s "$tmp/getuser.lua" "http://127.0.0.1:$port/" >/dev/null # warm-up
  local out; out=$(wrk -t1 -c32 -d"${SECONDS_EACH}s" --latency -s "$tmp/getuser.lua" "http://127.0.0.1:$port/")
  printf '| %s | %s | %s | %s |\n' "$name" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
  grep -q "Non-2xx" <<<"$out" && echo "  (non-2xx answers: the signed request was refused)"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}
echo "| iamd ($DIR) | req/s | p50 | p99 |"
echo "| --- | ---: | ---: | ---: |"
run 'access log on, stderr to a file' file
run 'access log on, stderr to a pipe' pipe
run '--quiet' file --quiet
