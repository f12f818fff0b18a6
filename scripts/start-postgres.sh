#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1 (trust auth, data in a temp dir) and prints its URL.
# Installs Debian's postgresql package when it is missing. Needs root (it runs the server as `postgres`).
# Usage: eval "$(scripts/start-postgres.sh [port])"  → exports TEST_DATABASE_URL and PG_DATA_DIR
set -euo pipefail
port="${1:-55432}"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "installing postgresql from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
data=$(mktemp -d /tmp/gatehouse-pg.XXXXXX)
chown postgres:postgres "$data"
su postgres -c "$bindir/initdb -D '$data' -A trust -U postgres --no-sync" >/dev/null
su postgres -c "$bindir/pg_ctl -D '$data' -l '$data/server.log' -w -o \"-h 127.0.0.1 -p $port -k '$data' -c fsync=off\" start" >&2
echo "export TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$port/postgres"
echo "export PG_DATA_DIR=$data"
echo "export PG_BIN_DIR=$bindir"
