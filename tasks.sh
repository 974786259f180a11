#!/usr/bin/env bash
# Set up and run the project's jobs on a fresh clone: ./tasks.sh demo | test | bench | lint
# Each command first makes .venv (Python >= 3.11) and installs the project into it.
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=.venv

setup() {
    if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "tasks.sh: need Python >= 3.11 as \$PYTHON or python3" >&2
        exit 2
    fi
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    # Reinstall only when the dependency list changed (the stamp holds its hash).
    local want have
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    have=$(cat "$VENV/.installed" 2>/dev/null || true)
    if [ "$want" != "$have" ]; then
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev,postgres]'
        echo "$want" > "$VENV/.installed"
    fi
    # The word tables and language model, decoded once per machine (quick when done):
    # without it the first extraction in each language pays 0.5-3 s.
    "$VENV/bin/scraper" clean --prepare -q
}

lint() {
    "$VENV/bin/ruff" check scraper cleaners tests bench
    "$VENV/bin/ruff" format --check scraper cleaners tests bench
    "$VENV/bin/mypy"
}

case "${1:-}" in
    demo)
        setup
        # The main job on something bundled: extract an article from a fixture page.
        "$VENV/bin/scraper" extract fixtures/pages/it-wordpress-news.html \
            --base-url https://www.gazzettadelvaldarno.it/2024/06/18/tramvia-bagno-a-ripoli-cantieri-settembre/ --format json
        ;;
    test)
        setup
        lint
        "$VENV/bin/python" -m pytest -q "${@:2}"
        ;;
    lint)
        setup
        lint
        ;;
    bench)
        setup
        "$VENV/bin/python" bench/extract_bench.py "${2:-../shared/bench}"
        ;;
    *)
        echo "usage: ./tasks.sh demo | test [pytest args] | lint | bench [DATA_DIR]" >&2
        exit 2
        ;;
esac
