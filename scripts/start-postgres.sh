#!/usr/bin/env bash
# Prints a PostgreSQL admin URL for the tests. Uses the server on 127.0.0.1:5432
# when one answers; otherwise initialises a throwaway cluster (trust auth,
# fsync off) and starts it on 127.0.0.1:$VERIDOC_PG_PORT (default 55432).
# Idempotent: a cluster it started earlier is reused.
# VERIDOC_PG_OWN=1 forces the throwaway cluster.
set -euo pipefail

url_for() { echo "postgres://postgres@127.0.0.1:$1/postgres?sslmode=disable"; }

# VERIDOC_PG_OWN=1 skips the shared server and always uses a cluster of our own.
if [ "${VERIDOC_PG_OWN:-}" != 1 ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null \
  && psql "$(url_for 5432)" -qAtc 'select 1' >/dev/null 2>&1; then
  url_for 5432
  exit 0
fi

port="${VERIDOC_PG_PORT:-55432}"
dir="${VERIDOC_PG_DIR:-/tmp/veridoc-pg}"
if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
  url_for "$port"
  exit 0
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "start-postgres: no PostgreSQL server installed (apt-get install postgresql)" >&2; exit 1; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust --no-sync >/dev/null
fi
as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null
url_for "$port"
