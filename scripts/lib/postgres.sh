# Throwaway PostgreSQL clusters for tests and benchmarks.
#
# Sourced by scripts/test (functions only), or run as a script by tests that
# need a cluster of their own (the fault tests stop and restart theirs):
#
#   scripts/lib/postgres.sh start DIR   # prints KEY=VALUE lines (see below)
#   scripts/lib/postgres.sh stop DIR    # pg_ctl stop -m fast, then removes DIR
#   scripts/lib/postgres.sh crash DIR   # pg_ctl stop -m immediate (data kept)
#   scripts/lib/postgres.sh resume DIR  # starts a crashed/stopped cluster again
#
# A cluster lives entirely in DIR: data directory DIR/data, unix socket in
# DIR, log DIR/postgres.log. It listens on 127.0.0.1 on a free port with
# password (SCRAM) authentication over TCP, and has one login role `proteus`
# (CREATEDB) owning one database `proteus`. When run as root, initdb and the
# server run as the unprivileged `postgres` system user (the Debian package
# creates it), which owns DIR.
#
# What `postgres_start_cluster` sets (and `start` prints):
#   PROTEUS_TEST_POSTGRES_URL    postgresql://proteus:PASSWORD@127.0.0.1:PORT/proteus
#   PROTEUS_TEST_POSTGRES_BIN    directory of pg_ctl, initdb, psql, pgbench
#   PROTEUS_TEST_POSTGRES_DATA   the data directory (for pg_ctl -D)
#   PROTEUS_TEST_POSTGRES_DIR    DIR
#   PROTEUS_TEST_POSTGRES_PORT   the TCP port
#   PROTEUS_TEST_POSTGRES_RUNAS  user the server runs as ("" = the caller)
#   PROTEUS_TEST_POSTGRES_SCRIPT this file (so tests can start their own)

# Debian packages: server, contrib (pg_trgm), client library headers.
POSTGRES_PACKAGES=(postgresql postgresql-contrib libpq-dev)

# The newest installed server's bin directory.
postgres_bin_dir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        echo "postgres.sh: no PostgreSQL server found under /usr/lib/postgresql (install: ${POSTGRES_PACKAGES[*]})" >&2
        return 1
    fi
    echo "$dir"
}

# A TCP port on 127.0.0.1 that nothing listens on.
postgres_free_port() {
    local port i
    for i in $(seq 1 200); do
        # Below Linux's ephemeral range (32768-60999), where outgoing
        # connections would take ports between this check and the bind.
        port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "postgres.sh: no free port found" >&2
    return 1
}

# Runs a command as the cluster's user.
_postgres_as() {
    if [ -n "${_PG_RUNAS:-}" ]; then
        runuser -u "$_PG_RUNAS" -- "$@"
    else
        "$@"
    fi
}

# postgres_start_cluster DIR: creates and starts a cluster in DIR (which
# must not exist or be empty) and exports the PROTEUS_TEST_POSTGRES_* variables.
postgres_start_cluster() {
    local dir="$1"
    local bin port password
    bin=$(postgres_bin_dir) || return 1
    _PG_RUNAS=""
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
        _PG_RUNAS=postgres
    fi
    mkdir -p "$dir"
    [ -n "$_PG_RUNAS" ] && chown "$_PG_RUNAS" "$dir"
    chmod 700 "$dir"
    password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    # The superuser's password (never used by tests: local socket is trust).
    _postgres_as bash -c "umask 077; head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' > '$dir/superuser.pw'"
    _postgres_as "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/superuser.pw" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        echo "postgres.sh: initdb failed:" >&2; cat "$dir/initdb.log" >&2; return 1; }
    # The port may still be taken between the check and the bind: another.
    local attempt
    for attempt in 1 2 3 4 5; do
        port=$(postgres_free_port) || return 1
        echo "$port" > "$dir/port"
        _postgres_server_start "$dir" 2>"$dir/start.err" && break
        if [ "$attempt" -lt 5 ] && grep -q "Address already in use" "$dir/postgres.log" 2>/dev/null; then
            : > "$dir/postgres.log"
            continue
        fi
        cat "$dir/start.err" >&2
        return 1
    done
    _postgres_as "$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE proteus LOGIN CREATEDB PASSWORD '$password'" \
        -c "CREATE DATABASE proteus OWNER proteus" >/dev/null || {
        echo "postgres.sh: creating the test role and database failed" >&2; return 1; }
    export PROTEUS_TEST_POSTGRES_URL="postgresql://proteus:$password@127.0.0.1:$port/proteus"
    export PROTEUS_TEST_POSTGRES_BIN="$bin"
    export PROTEUS_TEST_POSTGRES_DATA="$dir/data"
    export PROTEUS_TEST_POSTGRES_DIR="$dir"
    export PROTEUS_TEST_POSTGRES_PORT="$port"
    export PROTEUS_TEST_POSTGRES_RUNAS="$_PG_RUNAS"
    export PROTEUS_TEST_POSTGRES_SCRIPT
    PROTEUS_TEST_POSTGRES_SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
}

# Starts the server of the cluster in DIR on its recorded port
# (shared_buffers: $POSTGRES_SHARED_BUFFERS, default 256MB).
_postgres_server_start() {
    local dir="$1" bin port
    bin=$(postgres_bin_dir) || return 1
    port=$(cat "$dir/port")
    _postgres_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c max_connections=300 -c shared_buffers=${POSTGRES_SHARED_BUFFERS:-256MB}" \
        start >/dev/null || {
        echo "postgres.sh: the server did not start:" >&2; tail -n 30 "$dir/postgres.log" >&2; return 1; }
}

# The user owning a cluster directory ("" when that is the caller).
_postgres_owner() {
    local runas
    runas=$(stat -c %U "$1")
    _PG_RUNAS=""
    if [ "$(id -u)" -eq 0 ] && [ "$runas" != root ]; then _PG_RUNAS="$runas"; fi
}

# postgres_crash_cluster DIR: stops the server at once (no shutdown
# checkpoint; clients see their connections drop), keeping the data.
postgres_crash_cluster() {
    local dir="$1" bin
    bin=$(postgres_bin_dir) || return 1
    _postgres_owner "$dir"
    _postgres_as "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null
}

# postgres_resume_cluster DIR: starts a stopped cluster again (same port).
postgres_resume_cluster() {
    _postgres_owner "$1"
    _postgres_server_start "$1"
}

# postgres_stop_cluster DIR: stops the server (if running) and removes DIR.
postgres_stop_cluster() {
    local dir="$1"
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    local bin
    bin=$(postgres_bin_dir) || return 1
    _postgres_owner "$dir"
    if [ -f "$dir/data/postmaster.pid" ]; then
        _postgres_as "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
            _postgres_as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

# For scripts/test: a cluster in a fresh temp directory, stopped and removed
# when the calling shell exits.
postgres_test_cluster() {
    _PG_TEST_DIR=$(mktemp -d /tmp/proteus-pg.XXXXXX)
    trap 'postgres_stop_cluster "$_PG_TEST_DIR"' EXIT
    postgres_start_cluster "$_PG_TEST_DIR" || return 1
    echo "PostgreSQL test cluster: 127.0.0.1:$PROTEUS_TEST_POSTGRES_PORT in $_PG_TEST_DIR"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
        start)
            [ -n "${2:-}" ] || { echo "usage: $0 start DIR" >&2; exit 2; }
            postgres_start_cluster "$2"
            for v in URL BIN DATA DIR PORT RUNAS SCRIPT; do
                name="PROTEUS_TEST_POSTGRES_$v"
                echo "$name=${!name}"
            done
            ;;
        stop|crash|resume)
            [ -n "${2:-}" ] || { echo "usage: $0 $1 DIR" >&2; exit 2; }
            "postgres_$1_cluster" "$2"
            ;;
        *)
            echo "usage: $0 start DIR | stop DIR | crash DIR | resume DIR" >&2
            exit 2
            ;;
    esac
fi
