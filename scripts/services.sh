#!/usr/bin/env bash
# Makes sure the servers the tests talk to are installed and running — PostgreSQL (for the storage
# contract suite and the multi-node tests) and NATS with JetStream (the bus between nodes) — from
# Debian's packages, on a fresh machine too. Source it: it exports BACKSTOP_TEST_POSTGRES and
# BACKSTOP_TEST_NATS. Servers already running on the standard ports are used as they are.
set -euo pipefail

PG_PORT=5432
NATS_PORT=4222
PG_URL="postgres://backstop:backstop@127.0.0.1:${PG_PORT}/backstop_test"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
    echo "installing $* (Debian packages)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_port() {
    local port=$1 what=$2
    for _ in $(seq 1 60); do
        port_open "$port" && return 0
        sleep 0.5
    done
    echo "error: $what did not start listening on 127.0.0.1:$port" >&2
    return 1
}

# --- PostgreSQL -------------------------------------------------------------------------------
if ! port_open "$PG_PORT"; then
    command -v pg_ctlcluster >/dev/null || apt_install postgresql
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
    if [ -z "$version" ]; then
        version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
        as_root pg_createcluster "$version" main
    fi
    echo "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_port "$PG_PORT" PostgreSQL
fi

pg_admin() {
    # A superuser session: over TCP where the server trusts local connections, else as the
    # postgres system user over the socket (Debian's default peer authentication).
    if psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
        psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -tAc "$1"
    else
        as_root runuser -u postgres -- psql -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -tAc "$1"
    fi
}

if ! psql "$PG_URL" -tAc "SELECT 1" >/dev/null 2>&1; then
    echo "creating the PostgreSQL role and database for the tests"
    if [ "$(pg_admin "SELECT 1 FROM pg_roles WHERE rolname = 'backstop'")" != 1 ]; then
        pg_admin "CREATE ROLE backstop LOGIN PASSWORD 'backstop'"
    fi
    if [ "$(pg_admin "SELECT 1 FROM pg_database WHERE datname = 'backstop_test'")" != 1 ]; then
        pg_admin "CREATE DATABASE backstop_test OWNER backstop"
    fi
    psql "$PG_URL" -tAc "SELECT 1" >/dev/null
fi
# Each test run starts from an empty database: the contract tests' schemas and the multi-node
# tests' tables of earlier runs are dropped — one schema per transaction, so that however many
# earlier runs left behind (runs that were killed clean nothing up), the lock table holds out.
psql "$PG_URL" -qtA -c "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'contract\_%' OR nspname LIKE 'nodes\_%'" |
    while read -r schema; do
        if [ -n "$schema" ]; then
            psql "$PG_URL" -v ON_ERROR_STOP=1 -qtA -c "SET client_min_messages = warning; DROP SCHEMA \"$schema\" CASCADE" >/dev/null
        fi
    done
export BACKSTOP_TEST_POSTGRES="$PG_URL"
echo "PostgreSQL: $BACKSTOP_TEST_POSTGRES"

# --- NATS with JetStream ---------------------------------------------------------------------
if ! port_open "$NATS_PORT"; then
    command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || apt_install nats-server
    bin="$(command -v nats-server || echo /usr/sbin/nats-server)"
    store="${HOME}/.cache/backstop/nats"
    mkdir -p "$store"
    echo "starting NATS (JetStream) on 127.0.0.1:$NATS_PORT"
    nohup "$bin" -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$store" >"$store/server.log" 2>&1 &
    disown || true
    wait_port "$NATS_PORT" NATS
fi
export BACKSTOP_TEST_NATS="nats://127.0.0.1:${NATS_PORT}"
echo "NATS: $BACKSTOP_TEST_NATS"
