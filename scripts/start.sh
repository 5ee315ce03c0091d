#!/usr/bin/env bash
# Set up and start the app on the bundled sample municipality:
#   .venv with the project, the sample loaded into the default SQLite database
#   (data/geo_trygghet.sqlite) on the first run, then `geo-trygghet serve`.
# Extra arguments go to `geo-trygghet serve`, e.g.
#   ./scripts/start.sh --port 8600
#   ./scripts/start.sh --address 0.0.0.0 --cert cert.pem --key key.pem   (HTTPS for phones)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh

gt_venv ""

# The address the app is served at: $GEO_TRYGGHET_PUBLIC_URL, else localhost with serve's
# --port (default 8501), https with --cert.
gt_public_url() {
    local port=8501 scheme=http prev=""
    for arg in "$@"; do
        case "$prev" in --port) port="$arg" ;; esac
        case "$arg" in --port=*) port="${arg#--port=}" ;; --cert|--cert=*) scheme=https ;; esac
        prev="$arg"
    done
    echo "${GEO_TRYGGHET_PUBLIC_URL:-$scheme://localhost:$port}"
}
gt="$GT_VENV/bin/geo-trygghet"

if [ -n "${GEO_TRYGGHET_DATABASE_URL:-}" ]; then
    _gt_log "using GEO_TRYGGHET_DATABASE_URL; load the sample there yourself with: geo-trygghet sample load"
else
    db="data/geo_trygghet.sqlite"
    marker="data/.sample-loaded"   # what `sample load` printed (the demo logins)
    if [ ! -s "$db" ] || [ ! -s "$marker" ]; then
        _gt_log "loading the sample municipality into $db (first start only)"
        mkdir -p data
        "$gt" sample load >"$marker.tmp"
        mv "$marker.tmp" "$marker"
    fi
    # the links name the address this start serves (the marker was written with the default one)
    sed "s#http://localhost:8501#$(gt_public_url "$@")#g" "$marker" >&2
fi

exec "$gt" serve "$@"
