#!/usr/bin/env bash
# Set up and run the whole test suite:
#   .venv with the project and its test extras; PostgreSQL, Chromium, poppler and fonts
#   (apt-get, when missing); the lint and type gate (ruff, mypy); a throwaway PostgreSQL
#   cluster; then pytest over tests/ on SQLite and PostgreSQL with the browser tests in
#   headless Chromium.
# Extra arguments go to pytest, e.g.  ./scripts/test.sh -k walk -x
# Exit status: pytest's; "no tests collected" (5) and any skipped test are failures.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh
started=$SECONDS

gt_venv test

# --- system packages every test needs: PostgreSQL server, Chromium, poppler (pdftoppm looks
#     at the PDFs), a font for screenshots and PDFs. Installed with apt-get when missing.
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
have_pg || need+=(postgresql)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "${#need[@]}" -gt 0 ]; then
    sudo_cmd=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || { _gt_log "error: ${need[*]} missing and we are not root; run as root or install them with apt-get"; exit 1; }
        sudo_cmd=(sudo)
    fi
    _gt_log "installing ${need[*]} with apt-get"
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        "${need[@]}" >/dev/null
fi

# --- the lint and type gate, before any test -------------------------------------------
_gt_log "ruff check (lint) and mypy (types of the core)"
"$GT_VENV/bin/ruff" check --quiet . || { _gt_log "FAILED: ruff check found problems (ruff check --fix fixes many)"; exit 1; }
"$GT_VENV/bin/mypy" || { _gt_log "FAILED: mypy found type errors"; exit 1; }

# --- a throwaway PostgreSQL cluster, stopped on exit ------------------------------------
pgdir="$(mktemp -d -t geo_trygghet_pg.XXXXXX)"
cleanup() { scripts/pg.sh stop "$pgdir" || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
GEO_TRYGGHET_TEST_POSTGRES_URL="$(scripts/pg.sh start "$pgdir" 54329)"
_gt_log "PostgreSQL test cluster at $GEO_TRYGGHET_TEST_POSTGRES_URL"

export GEO_TRYGGHET_TEST_POSTGRES_URL
export GEO_TRYGGHET_REQUIRE_POSTGRES=1
export GEO_TRYGGHET_REQUIRE_BROWSER=1
export CHROMIUM=/usr/bin/chromium
# Never let a test fall back to a user's database or a downloaded browser.
unset GEO_TRYGGHET_DATABASE_URL
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export MPLBACKEND=Agg
export PYTHONHASHSEED=0

mkdir -p test-artifacts
junit="test-artifacts/junit.xml"
rm -f "$junit"
workers=(-n "${GEO_TRYGGHET_TEST_WORKERS:-2}" --dist loadgroup)
[ "${GEO_TRYGGHET_TEST_WORKERS:-2}" = 0 ] && workers=()

set +e
"$GT_PY" -m pytest "${workers[@]}" --durations=15 --junitxml="$junit" -o junit_family=xunit2 "$@"
status=$?
set -e

elapsed=$((SECONDS - started))
if [ "$status" = 5 ]; then
    _gt_log "FAILED: pytest collected no tests (exit 5 is not a success)"
    exit 1
fi
# A skipped test never counts as passing: everything the suite needs is installed above.
if [ -f "$junit" ]; then
    skipped="$("$GT_PY" - "$junit" <<'EOF'
import sys
import xml.etree.ElementTree as ET
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    for skip in case.findall("skipped"):
        if skip.get("type") != "pytest.xfail":
            print(f"  SKIPPED {case.get('classname')}::{case.get('name')}: {skip.get('message', '')[:160]}")
EOF
)"
    if [ -n "$skipped" ]; then
        _gt_log "FAILED: skipped tests count as failures here (something they need is missing):"
        printf '%s\n' "$skipped" >&2
        [ "$status" = 0 ] && status=1
    fi
fi
_gt_log "test suite finished in $((elapsed / 60)) min $((elapsed % 60)) s with exit status $status"
exit "$status"
