#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at 127.0.0.1:5432 with trust auth and a
# database `test` (what the test suite expects), installing and starting it when
# needed. Prints what it did; exits non-zero when it cannot.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "postgres: not installed; installing from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! ready; then
    version=$(ls /etc/postgresql | sort -V | tail -1)
    echo "postgres: starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
ready || { echo "postgres: not answering at 127.0.0.1:5432" >&2; exit 1; }
# Trust auth and the `test` database, as on the machines this project runs on.
if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    echo "postgres: creating database test"
    su postgres -c "psql -q -c 'create database test'" || true
fi
psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null
echo "postgres: ready"
