#!/usr/bin/env bash
# Set up (first time) and open the vkref desktop application on its bundled library.
# Extra arguments go to vkref, e.g. scripts/run-app.sh --library /tmp/mylib
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/vkref "$@"
