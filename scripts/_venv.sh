# Shared bootstrap for scripts/start.sh and scripts/test.sh (sourced, not run).
#
#   gt_venv [EXTRAS]   create .venv (Python 3.11+) if missing and install the
#                      project with `pip install -c requirements.lock -e .[EXTRAS]`,
#                      only when pyproject.toml, requirements.lock or EXTRAS changed
#                      since the last install (a stamp file in .venv remembers).
#
# After it returns, $GT_ROOT is the repository root, $GT_PY the venv's python.

GT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GT_VENV="$GT_ROOT/.venv"
GT_PY="$GT_VENV/bin/python"

_gt_log() { printf '\033[1m[geo_trygghet]\033[0m %s\n' "$*" >&2; }

_gt_find_python() {
    local candidate
    for candidate in "${GT_PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; raise SystemExit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

_gt_hash() {
    # Hash of the files that decide what gets installed, plus the extras.
    { cat "$GT_ROOT/pyproject.toml" "$GT_ROOT/requirements.lock" 2>/dev/null; printf '%s' "$1"; } \
        | sha256sum | cut -d' ' -f1
}

# A .venv that cannot serve this checkout: its Python no longer runs (removed or upgraded
# interpreter), or it was made in another folder (a moved or copied checkout: pyvenv.cfg, the
# scripts' #! lines and the editable install all name the old path).
_gt_venv_broken() {
    [ -d "$GT_VENV" ] || return 1
    "$GT_PY" -c 'import sys' >/dev/null 2>&1 || return 0
    grep -q -- "-m venv $GT_VENV\$" "$GT_VENV/pyvenv.cfg" 2>/dev/null || return 0
    return 1
}

gt_venv() {
    local extras="${1:-}" python spec stamp want
    if _gt_venv_broken; then
        _gt_log "the .venv here no longer runs for this checkout (moved folder or another Python): rebuilding it"
        rm -rf "$GT_VENV"
    fi
    if [ ! -x "$GT_PY" ]; then
        if ! python="$(_gt_find_python)"; then
            _gt_log "error: Python 3.11 (or 3.12/3.13) is needed; install it and run again (or set GT_PYTHON=/path/to/python3.11)"
            return 1
        fi
        _gt_log "creating .venv with $python ($("$python" --version 2>&1))"
        rm -rf "$GT_VENV"
        if ! "$python" -m venv "$GT_VENV"; then
            rm -rf "$GT_VENV"
            _gt_log "error: '$python -m venv' failed; on Debian/Ubuntu install the venv module: apt-get install python3-venv"
            return 1
        fi
    fi
    want="$(_gt_hash "$extras")"
    stamp="$GT_VENV/.geo_trygghet-installed-${extras:-base}"
    # A venv installed with the test extras also serves the plain app.
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    if [ -z "$extras" ] && [ -f "$GT_VENV/.geo_trygghet-installed-test" ] \
        && [ "$(cat "$GT_VENV/.geo_trygghet-installed-test")" = "$(_gt_hash test)" ]; then
        return 0
    fi
    spec="."
    [ -n "$extras" ] && spec=".[$extras]"
    _gt_log "installing geo_trygghet${extras:+ [$extras]} into .venv (first run takes a few minutes)"
    local constraints=()
    [ -f "$GT_ROOT/requirements.lock" ] && constraints=(-c "$GT_ROOT/requirements.lock")
    (cd "$GT_ROOT" && PIP_DISABLE_PIP_VERSION_CHECK=1 "$GT_PY" -m pip install -q \
        "${constraints[@]}" -e "$spec") \
        2> >(grep -v "^WARNING: Location 'file:.*' is ignored" >&2)
    rm -f "$GT_VENV"/.geo_trygghet-installed-*
    printf '%s\n' "$want" >"$stamp"
}
