#!/usr/bin/env bash
# Runs moto's own IAM tests (login profiles, the account password policy, the credential report)
# in moto's server mode against iamd, and prints pytest's verdict for each test.
#
#   scripts/run-moto-iam-tests.sh MOTO_CHECKOUT_DIR [extra pytest arguments...]
#
# MOTO_CHECKOUT_DIR is a checkout of https://github.com/getmoto/moto (it must hold
# tests/test_iam/). No moto code is part of iamd: bring your own checkout, e.g.
#   git clone --depth 1 https://github.com/getmoto/moto /tmp/moto
# Needs python3 with moto, boto3 and pytest, and a built iamd (npm run build).
#
# iamd runs in memory mode (moto's helpers call POST /moto-api/reset between tests), with the
# built-in default password policy off (moto's tests use passwords such as "my-pass") and the
# root key moto's test helpers sign with, FOOBARKEY / FOOBARSECRET.
#
# Environment:
#   MOTO_TESTS_K   pytest -k expression choosing the tests
#                  (default: "login_profile or password_policy or credential_report or password_last_used")
#   IAMD_LOG       where iamd's stderr goes (default: a temporary file, printed on failure)
# The exit status is pytest's: 0 when every selected test passed, 1 when some failed.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 MOTO_CHECKOUT_DIR [pytest arguments...]" >&2
  exit 2
fi
moto_dir=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -d "$moto_dir/tests/test_iam" ]; then
  echo "error: $moto_dir/tests/test_iam not found: pass a checkout of getmoto/moto" >&2
  exit 2
fi
for module in moto boto3 pytest; do
  if ! python3 -c "import $module" 2>/dev/null; then
    echo "error: python3 cannot import $module (pip install 'moto[server]' pytest)" >&2
    exit 2
  fi
done
if [ ! -f "$here/dist/cli/main.js" ]; then
  echo "error: iamd is not built: run npm run build in $here" >&2
  exit 2
fi

log=${IAMD_LOG:-$(mktemp -t iamd-moto.XXXXXX.log)}
out=$(mktemp -t iamd-moto-out.XXXXXX)
IAMD_ROOT_ACCESS_KEY_ID=FOOBARKEY \
IAMD_ROOT_SECRET_ACCESS_KEY=FOOBARSECRET \
IAMD_DEFAULT_PASSWORD_POLICY=none \
IAMD_ACCESS_LOG=false \
  node "$here/bin/iamd.js" serve --memory --port 0 >"$out" 2>"$log" &
iamd_pid=$!
cleanup() {
  kill "$iamd_pid" 2>/dev/null || true
  wait "$iamd_pid" 2>/dev/null || true
  rm -f "$out"
}
trap cleanup EXIT

url=""
for _ in $(seq 1 150); do
  url=$(sed -n 's/^iamd listening on \(http[^ ]*\).*/\1/p' "$out" | head -n 1)
  [ -n "$url" ] && break
  if ! kill -0 "$iamd_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "error: iamd did not start; its log:" >&2
  cat "$log" >&2
  exit 1
fi
echo "iamd (memory mode) at $url; moto tests from $moto_dir" >&2

selection=${MOTO_TESTS_K:-"login_profile or password_policy or credential_report or password_last_used"}
cd "$moto_dir"
status=0
# Fake credentials for anything that would look for a profile; moto's helpers set their own.
AWS_ACCESS_KEY_ID=FOOBARKEY AWS_SECRET_ACCESS_KEY=FOOBARSECRET AWS_DEFAULT_REGION=us-east-1 \
TEST_SERVER_MODE=true TEST_SERVER_MODE_ENDPOINT="$url" \
  python3 -m pytest -p no:cacheprovider --color=no -q -rA \
    tests/test_iam/test_iam.py tests/test_iam/test_iam_password_last_used.py tests/test_iam/test_iam_access_integration.py \
    -k "$selection" "$@" || status=$?
exit "$status"
