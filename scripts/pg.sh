#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (no system service touched).
#
#   scripts/pg.sh start DIR [PORT]   initdb a new cluster (trust auth, superuser "geo"; as root
#                                    in a /tmp directory of its own named in DIR/cluster),
#                                    listen on 127.0.0.1:PORT (default 54329, or the next
#                                    free port); prints the SQLAlchemy URL
#   scripts/pg.sh stop DIR           stop the cluster and remove DIR
#
# Runs initdb/postgres as the "postgres" system user when started as root
# (PostgreSQL refuses to run as root).
set -euo pipefail

pg_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    fi
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

free_port() {
    python3 - "$1" <<'EOF'
import socket, sys
start = int(sys.argv[1])
for port in range(start, start + 200):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    raise SystemExit("no free port")
EOF
}

as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cmd="${1:-}"
dir="${2:-}"
case "$cmd" in
start)
    [ -n "$dir" ] || { echo "usage: $0 start DIR [PORT]" >&2; exit 2; }
    bindir="$(pg_bindir)" || { echo "pg.sh: PostgreSQL server binaries (initdb) not found; apt-get install postgresql" >&2; exit 1; }
    port="$(free_port "${3:-54329}")"
    mkdir -p "$dir"
    cluster="$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
        # DIR's parents may be closed to the postgres user (pytest's tmp dirs are): keep the
        # cluster in a directory of its own under /tmp and remember where.
        cluster="$(mktemp -d "${TMPDIR:-/tmp}/geo_trygghet_pg.XXXXXX")"
        chmod 755 "$cluster"
        chown postgres "$cluster"
    fi
    echo "$cluster" >"$dir/cluster"
    as_pg "$bindir/initdb" -D "$cluster/data" -A trust -U geo -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || as_pg "$bindir/initdb" -D "$cluster/data" -A trust -U geo -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
        -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c max_connections=200" \
        start >/dev/null || { cat "$cluster/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgresql+psycopg://geo@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -n "$dir" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
    cluster="$dir"
    [ -f "$dir/cluster" ] && cluster="$(cat "$dir/cluster")"
    if [ -d "$cluster/data" ] && bindir="$(pg_bindir)"; then
        as_pg "$bindir/pg_ctl" -D "$cluster/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$cluster" "$dir"
    ;;
*)
    echo "usage: $0 start DIR [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
