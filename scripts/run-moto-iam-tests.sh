#!/usr/bin/env bash
# Runs moto's own IAM tests in moto's server mode against iamd, and prints pytest's verdict for
# each test. Two presets choose the tests (MOTO_TESTS_PRESET):
#   credentials  login profiles, the account password policy, the credential report (the default)
#   resources    roles, instance profiles, managed and inline policies, groups, SSH public keys
#                and signing certificates
#   mfa          virtual MFA devices and the account alias
#   sts          STS (tests/test_sts/test_sts.py)
#   all          every IAM and STS test file but those needing other services (CloudFormation)
#
#   scripts/run-moto-iam-tests.sh MOTO_CHECKOUT_DIR [extra pytest arguments...]
#
# MOTO_CHECKOUT_DIR is a checkout of https://github.com/getmoto/moto (it must hold
# tests/test_iam/). No moto code is part of iamd: bring your own checkout, e.g.
#   git clone --depth 1 https://github.com/getmoto/moto /tmp/moto
# Needs python3 with moto, boto3, pytest and freezegun (moto's group tests import it), and a
# built iamd (npm run build).
#
# iamd runs in memory mode (moto's helpers call POST /moto-api/reset between tests), with the
# built-in default password policy off (moto's tests use passwords such as "my-pass") and the
# root key moto's test helpers sign with, FOOBARKEY / FOOBARSECRET.
#
# Environment:
#   MOTO_TESTS_PRESET  credentials (default) or resources: which of moto's test files to run and
#                      the -k expression that picks the tests of that area from them
#   MOTO_TESTS_K       a pytest -k expression replacing the preset's
#   IAMD_LOG           where iamd's stderr goes (default: a temporary file, printed on failure)
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
for module in moto boto3 pytest freezegun; do
  if ! python3 -c "import $module" 2>/dev/null; then
    echo "error: python3 cannot import $module (pip install 'moto[server]' pytest freezegun)" >&2
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

preset=${MOTO_TESTS_PRESET:-credentials}
case "$preset" in
  credentials)
    files=(tests/test_iam/test_iam.py tests/test_iam/test_iam_password_last_used.py
           tests/test_iam/test_iam_access_integration.py)
    default_k="login_profile or password_policy or credential_report or password_last_used"
    ;;
  resources)
    # test_iam.py mixes every area; the other files hold one area each. "policy" would also pick
    # the account password policy (the credentials preset's), hence its exclusion.
    files=(tests/test_iam/test_iam.py tests/test_iam/test_iam_groups.py
           tests/test_iam/test_iam_policies.py tests/test_iam/test_iam_signing_certificates.py
           tests/test_iam/test_iam_response_attributes.py tests/test_iam/test_iam_access_integration.py)
    default_k="(role or instance_profile or policy or policies or group or ssh or signing or cert) and not password_policy"
    ;;
  mfa)
    files=(tests/test_iam/test_iam.py tests/test_iam/test_iam_account_aliases.py)
    default_k="mfa or alias"
    ;;
  sts)
    files=(tests/test_sts/test_sts.py)
    default_k="not nothing_deselected"
    ;;
  all)
    files=(tests/test_iam/test_iam.py tests/test_iam/test_iam_access_integration.py
           tests/test_iam/test_iam_account_aliases.py tests/test_iam/test_iam_groups.py
           tests/test_iam/test_iam_oidc.py tests/test_iam/test_iam_password_last_used.py
           tests/test_iam/test_iam_policies.py tests/test_iam/test_iam_resets.py
           tests/test_iam/test_iam_response_attributes.py tests/test_iam/test_iam_server_certificates.py
           tests/test_iam/test_iam_signing_certificates.py tests/test_sts/test_sts.py)
    default_k="not nothing_deselected"
    ;;
  *)
    echo "error: MOTO_TESTS_PRESET must be credentials, resources, mfa, sts or all, not '$preset'" >&2
    exit 2
    ;;
esac
selection=${MOTO_TESTS_K:-$default_k}
cd "$moto_dir"
status=0
# Fake credentials for anything that would look for a profile; moto's helpers set their own.
AWS_ACCESS_KEY_ID=FOOBARKEY AWS_SECRET_ACCESS_KEY=FOOBARSECRET AWS_DEFAULT_REGION=us-east-1 \
TEST_SERVER_MODE=true TEST_SERVER_MODE_ENDPOINT="$url" \
  python3 -m pytest -p no:cacheprovider --color=no -q -rA -W ignore::pytest.PytestUnknownMarkWarning \
    "${files[@]}" -k "$selection" "$@" || status=$?
exit "$status"
