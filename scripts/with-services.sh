#!/usr/bin/env bash
# Runs a command (the test suite) with a real PostgreSQL and a real S3 server,
# exporting where they are; stops the S3 server afterwards.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

export VERIDOC_TEST_POSTGRES_URL="${VERIDOC_TEST_POSTGRES_URL:-$("$here/start-postgres.sh")}"
export VERIDOC_TEST_REDIS_URL="${VERIDOC_TEST_REDIS_URL:-$("$here/start-redis.sh")}"
export S3_ACCESS_KEY="${S3_ACCESS_KEY:-veridoc-test}" S3_SECRET_KEY="${S3_SECRET_KEY:-veridoc-test-secret}"
read -r endpoint pid dir < <("$here/start-s3.sh")
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
export VERIDOC_TEST_S3_ENDPOINT="$endpoint"
# Tests fail, rather than skip, when a service is missing.
export VERIDOC_TEST_REQUIRE_SERVICES=1
echo "with-services: postgres ${VERIDOC_TEST_POSTGRES_URL%%\?*}, redis $VERIDOC_TEST_REDIS_URL, s3 http://$endpoint" >&2
"$@"
