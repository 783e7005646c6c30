#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server and TESSERA_TEST_POSTGRES_URL pointing at it:
#   scripts/with-postgres.sh npm test
# Installs Debian's postgresql when its server binaries are missing (CI starts from a clean
# machine, as root). PostgreSQL refuses to run as root, so the server runs as `postgres`, from a
# data directory under /tmp, on loopback only, with trust authentication; it is stopped and
# deleted when the command ends, however it ends.
set -uo pipefail

PG_PORT="${TESSERA_PG_PORT:-55432}"

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

BIN="$(pg_bin)"
if [ -z "$BIN" ]; then
  echo "with-postgres: installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null || { echo "with-postgres: apt-get install postgresql failed" >&2; exit 1; }
  BIN="$(pg_bin)"
fi
[ -n "$BIN" ] || { echo "with-postgres: no PostgreSQL server binaries found" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

DATA="$(mktemp -d /tmp/tessera-pg.XXXXXX)"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
stop() {
  as_postgres "$BIN/pg_ctl" -D "$DATA/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$DATA"
}
trap stop EXIT
trap 'exit 130' INT TERM

as_postgres "$BIN/initdb" -D "$DATA/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null || { echo "with-postgres: initdb failed" >&2; exit 1; }
# Tests open many small pools in parallel; durability does not matter for a throwaway server.
as_postgres "$BIN/pg_ctl" -D "$DATA/data" -l "$DATA/server.log" -w -t 60 -o \
  "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $DATA -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { echo "with-postgres: the server did not start:" >&2; cat "$DATA/server.log" >&2; exit 1; }

export TESSERA_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
echo "with-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') at $TESSERA_TEST_POSTGRES_URL" >&2
"$@"
