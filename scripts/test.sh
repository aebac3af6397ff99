#!/usr/bin/env bash
# Set up (first time) and run the whole test suite: unit, search, store, CLI end to end and GUI (offscreen).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
