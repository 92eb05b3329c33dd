#!/usr/bin/env bash
# Installs what the test suites drive besides npm packages, from Debian's packages: PostgreSQL's
# server binaries (the tests start their own server in a temporary folder), Chromium (the console's
# browser tests) and openssl (a TLS test certificate). boto3 and the AWS CLI come with the project's
# machines; their absence fails here rather than letting a suite skip.
set -euo pipefail
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
need=()
for bin in /usr/lib/postgresql/*/bin/initdb; do [ -x "$bin" ] || need+=(postgresql); break; done
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -c 'import boto3, botocore' || { echo "python3 with boto3 is required by the client suites" >&2; exit 1; }
command -v aws >/dev/null || { echo "the aws CLI is required by the client suites" >&2; exit 1; }
