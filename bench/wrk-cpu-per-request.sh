#!/usr/bin/env bash
# Server CPU per request under wrk (Debian's package), layer by layer: the floor (a bare node:http
# server), iamd answering 404 (the HTTP edge and the access log), an unsigned Query request (the
# endpoint, parameters, a refused signature) and a signed root GetUser (everything). Between the
# floor and iamd, references (bench/reference-server.ts): the floor with its answers written at the
# end of the loop's turn as iamd writes them, and the floor after what any server checking SigV4
# against a stored secret must do (iamd's verifySigV4, a SQLite read of the secret, a request id),
# its answers written at once and at the end of the turn: what the machine allows iamd before any
# work of its own. CPU is read from /proc/<pid>/stat before and after each run, so the figure is the
# server's own time however busy the machine is (the req/s are not), user and system time apart
# (iamd makes the floor's system calls, a read and a writev a request under wrk, and its system time
# is about the floor's: what it costs more is its own code). Rounds alternate; IAMD_DIR=<another
# built checkout> measures that one (e.g. the code before a change).
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
node "$BENCH/dist-bench/bench/reference-server.js" --coalesce >"$tmp/coalesced.out" &
cpid=$!
node "$BENCH/dist-bench/bench/reference-server.js" --verify >"$tmp/verify.out" &
vpid=$!
node "$BENCH/dist-bench/bench/reference-server.js" --verify --coalesce >"$tmp/verify-coalesced.out" &
vcpid=$!
trap 'kill $pid $fpid $cpid $vpid $vcpid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/console" && break; sleep 0.1; done
url_of() { for _ in $(seq 100); do grep -o 'http://[^ ]*' "$1" && return; sleep 0.1; done; echo "no URL in $1" >&2; exit 1; }
furl=$(url_of "$tmp/floor.out")
cfurl=$(url_of "$tmp/coalesced.out")
vurl=$(url_of "$tmp/verify.out")
vcurl=$(url_of "$tmp/verify-coalesced.out")
node "$BENCH/dist-bench/bench/wrk-lua.js" "$vurl/" Action=GetUser >"$tmp/verify.lua"
node "$BENCH/dist-bench/bench/wrk-lua.js" "$vcurl/" Action=GetUser >"$tmp/verify-coalesced.lua"
node "$BENCH/dist-bench/bench/wrk-lua.js" "http://127.0.0.1:$port/" Action=GetUser >"$tmp/signed.lua"
node "$BENCH/dist-bench/bench/wrk-lua.js" --unsigned "http://127.0.0.1:$port/" Action=GetUser >"$tmp/unsigned.lua"
measure() { # name, pid, url, script
  wrk -t1 -c32 -d1s -s "$4" "$3" >/dev/null
  local u0 s0 u1 s1 out n
  read -r u0 s0 < <(awk '{print $14, $15}' /proc/$2/stat)
  out=$(wrk -t1 -c32 -d"${SECONDS_EACH}s" -s "$4" "$3")
  read -r u1 s1 < <(awk '{print $14, $15}' /proc/$2/stat)
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  refused=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %s | %s | %d | %d | %d |\n' "$1${refused:+ ($refused answers not 2xx)}" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    $(((u1 - u0 + s1 - s0) * 10000 / n)) $(((u1 - u0) * 10000 / n)) $(((s1 - s0) * 10000 / n))
}
echo "| what ($DIR) | req/s | server CPU µs/request | of it user | of it system |"
echo "| --- | ---: | ---: | ---: | ---: |"
for _ in $(seq "$ROUNDS"); do
  measure floor $fpid "$furl" "$tmp/unsigned.lua"
  measure "floor, answers at the turn's end" $cpid "$cfurl" "$tmp/unsigned.lua"
  measure "floor + SigV4 check + SQLite read" $vpid "$vurl" "$tmp/verify.lua"
  measure "the same, answers at the turn's end" $vcpid "$vcurl" "$tmp/verify-coalesced.lua"
  measure "404 (edge, access log)" $pid "http://127.0.0.1:$port/x" "$tmp/unsigned.lua"
  measure "unsigned (refused)" $pid "http://127.0.0.1:$port/" "$tmp/unsigned.lua"
  measure "signed GetUser, root" $pid "http://127.0.0.1:$port/" "$tmp/signed.lua"
done
