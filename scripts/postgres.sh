#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the store tests and print its URL.
#
#   eval "$(scripts/postgres.sh)"        # start (or reuse) it; exports SCRAPER_TEST_PG_URL
#   scripts/postgres.sh stop             # stop it
#   scripts/postgres.sh restart          # fast restart (sessions cut), same port; waits until up
#
# SCRAPER_PG_DATA picks the data directory (default /tmp/tidyscrape-pg): the
# store fault tests start a private server that way and restart it, so that
# no other user of the shared one loses a connection.
#
# Safe to run again: an installed server is not reinstalled, a running one is
# reused, the role and database are created only when missing.  Installs
# Debian's `postgresql` package only when no server binaries are present.
# The server runs as the `postgres` user when we are root (CI runs as root;
# PostgreSQL refuses to run as root), from a data directory under /tmp,
# listening on 127.0.0.1 only: 5432 if free, else the next free port.
# Only the `export ...` line goes to stdout; progress goes to stderr.
set -euo pipefail

DATA=${SCRAPER_PG_DATA:-/tmp/tidyscrape-pg}
ROLE=tidyscrape
PASSWORD=tidyscrape
DB=tidyscrape_test

say() { echo "postgres.sh: $*" >&2; }

server_bin() {
    # The newest installed major version's binaries (Debian: /usr/lib/postgresql/<v>/bin).
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
    fi
}

install_server() {
    if [ "$(id -u)" -ne 0 ]; then
        say "PostgreSQL server binaries are missing; run as root or: sudo apt-get install -y postgresql"
        exit 1
    fi
    say "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
}

BIN=$(server_bin)
if [ -z "$BIN" ]; then
    install_server
    BIN=$(server_bin)
    [ -n "$BIN" ] || { say "no server binaries after installing postgresql"; exit 1; }
fi

# Run a command as the server's owner: `postgres` when we are root, else ourselves.
if [ "$(id -u)" -eq 0 ]; then
    OWNER=postgres
    as_owner() { runuser -u postgres -- "$@"; }
else
    OWNER=$(id -un)
    as_owner() { "$@"; }
fi

if [ "${1:-}" = "stop" ]; then
    if [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
    else
        say "not running"
    fi
    exit 0
fi

if [ "${1:-}" = "restart" ]; then
    # What a failover or an upgrade does to the crawl: every session is cut.
    # pg_ctl reuses the options of the last start (postmaster.opts: port,
    # listen address, socket directory); -l keeps the server off our stdout.
    if [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -m fast -w -t 60 restart >&2
        exit 0
    fi
    say "no server running in $DATA"
    exit 1
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ ! -f "$DATA/PG_VERSION" ]; then
    say "creating a cluster in $DATA"
    mkdir -p "$DATA"
    chown "$OWNER" "$DATA"
    chmod 700 "$DATA"
    # Local socket connections by the owner only (peer); TCP needs a password.
    as_owner "$BIN/initdb" -D "$DATA" -U "$OWNER" --auth-local=peer \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
elif [ "$(cat "$DATA/PG_VERSION")" != "$(basename "$(dirname "$BIN")")" ]; then
    say "$DATA holds PostgreSQL $(cat "$DATA/PG_VERSION"), not $(basename "$(dirname "$BIN")"); remove it or set SCRAPER_PG_DATA"
    exit 1
fi

if as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    PORT=$(sed -n 4p "$DATA/postmaster.pid")
    say "already running on port $PORT"
else
    PORT=5432
    while port_busy "$PORT"; do
        PORT=$((PORT + 1))
    done
    say "starting on 127.0.0.1:$PORT"
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA" >&2 || {
        say "the server did not start; its log:"
        tail -n 20 "$DATA/server.log" >&2
        exit 1
    }
fi

psql_admin() { as_owner "$BIN/psql" -h "$DATA" -p "$PORT" -U "$OWNER" -d postgres -qtAX "$@"; }

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
    psql_admin -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE $DB OWNER $ROLE"
fi

echo "export SCRAPER_TEST_PG_URL=postgresql://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
