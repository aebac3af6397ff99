#!/usr/bin/env bash
# Set up everything vkref needs on a fresh machine: system libraries for Qt (Debian/Ubuntu, via apt-get when
# missing and we may install), a virtual environment in .venv and the project with its test extras.
# Idempotent: a second run only checks. Usage: scripts/bootstrap.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Libraries Qt's offscreen and xcb platform plugins load that are not inside the PySide6 wheel.
QT_DEBS="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0 \
libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 \
libxcb-randr0 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1 sqlite3 desktop-file-utils"
# (desktop-file-utils: tests/e2e/test_packaging.py runs desktop-file-validate on the .desktop entry)
# PostgreSQL server: tests/catalog/ start their own server (initdb and pg_ctl in a temporary directory) to test
# the shared catalog; vkref itself needs no server installed (the client library is inside the psycopg wheel).
QT_DEBS="$QT_DEBS postgresql"
if command -v dpkg-query >/dev/null 2>&1; then
  missing=""
  for p in $QT_DEBS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "bootstrap: installing system packages:$missing"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
      echo "bootstrap: please install these system packages:$missing" >&2
    fi
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.vkref-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing vkref (editable) with its dependencies and test tools into .venv:" \
       "PySide6, SQLAlchemy, Alembic, Whoosh, rapidfuzz, citation and file-format libraries, pytest, pytest-qt" \
       "(pip install -e '.[test]'; a few minutes the first time)"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi
