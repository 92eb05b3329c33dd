#!/usr/bin/env bash
# Server CPU per request under wrk (Debian's package), layer by layer: the floor (a bare node:http
# server), iamd answering 404 (the HTTP edge and the access log), an unsigned Query request (the
# endpoint, parameters, a refused signature) and a signed root GetUser (everything). CPU is read
# from /proc/<pid>/stat before and after each run, so the figure is the server's own time however
# busy the machine is (the req/s are not), user and system time apart (iamd makes the floor's system
# calls, a read and a writev a request under wrk, and its system time is about the floor's: what
# it costs more is its own code). Rounds alternate; IAMD_DIR=<another built checkout> measures
# that one (e.g. the code before a change).
#   npm run build && tsc -p bench/tsconfig.json && bash bench/wrk-cpu-per-request.sh [seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=$PWD
SECONDS_EACH=${1:-5}
ROUNDS=${2:-2}
DIR=${IAMD_DIR:-.}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
tmp=$(mktemp -d)
export IAMD_ROOT_ACCESS_KEY_ID=AKIABENCHBENCHBENCH0 IAMD_ROOT_SECRET_ACCESS_KEY=bench/bench/bench/bench/bench/bench/benc
port=$((20000 + RANDOM % 20000))
node "$DIR/bin/iamd.js" serve --memory --port $port >/dev/null 2>"$tmp/access.log" &
pid=$!
node "$BENCH/dist-bench/bench/floor-server.js" >"$tmp/floor.out" &
fpid=$!
trap 'kill $pid $fpid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/console" && break; sleep 0.1; done
furl=$(grep -o 'http://[^ ]*' "$tmp/floor.out")
node "$BENCH/dist-bench/bench/wrk-lua.js" "http://127.0.0.1:$port/" Action=GetUser >"$tmp/signed.lua"
node "$BENCH/dist-bench/bench/wrk-lua.js" --unsigned "http://127.0.0.1:$port/" Action=GetUser >"$tmp/unsigned.lua"
measure() { # name, pid, url, script
  wrk -t1 -c32 -d1s -s "$4" "$3" >/dev/null
  local u0 s0 u1 s1 out n
  read -r u0 s0 < <(awk '{print $14, $15}' /proc/$2/stat)
  out=$(wrk -t1 -c32 -d"${SECONDS_EACH}s" -s "$4" "$3")
  read -r u1 s1 < <(awk '{print $14, $15}' /proc/$2/stat)
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  printf '| %s | %s | %d | %d | %d |\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    $(((u1 - u0 + s1 - s0) * 10000 / n)) $(((u1 - u0) * 10000 / n)) $(((s1 - s0) * 10000 / n))
}
echo "| what ($DIR) | req/s | server CPU µs/request | of it user | of it system |"
echo "| --- | ---: | ---: | ---: | ---: |"
for _ in $(seq "$ROUNDS"); do
  measure floor $fpid "$furl" "$tmp/unsigned.lua"
  measure "404 (edge, access log)" $pid "http://127.0.0.1:$port/x" "$tmp/unsigned.lua"
  measure "unsigned (refused)" $pid "http://127.0.0.1:$port/" "$tmp/unsigned.lua"
  measure "signed GetUser, root" $pid "http://127.0.0.1:$port/" "$tmp/signed.lua"
done
