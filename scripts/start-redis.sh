#!/usr/bin/env bash
# Prints a Redis URL for the tests. Uses the server on 127.0.0.1:6379 when one
# answers; otherwise starts a throwaway one (no persistence) on
# 127.0.0.1:$VERIDOC_REDIS_PORT (default 56379). Idempotent.
set -euo pipefail
ping() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }
if ping 6379; then echo "redis://127.0.0.1:6379/15"; exit 0; fi
port="${VERIDOC_REDIS_PORT:-56379}"
if ! ping "$port"; then
  command -v redis-server >/dev/null || { echo "start-redis: no Redis installed (apt-get install redis-server)" >&2; exit 1; }
  dir=$(mktemp -d /tmp/veridoc-redis.XXXXXX)
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" \
    --logfile "$dir/redis.log" >/dev/null
  for _ in $(seq 50); do ping "$port" && break; sleep 0.1; done
fi
echo "redis://127.0.0.1:$port/15"
