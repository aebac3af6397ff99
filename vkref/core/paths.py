"""Where things live — the one module that knows (STYLE habit 10).

Library directory, in order of precedence:
1. an explicit ``--library DIR`` / ``Library.open(DIR)``;
2. the ``VKREF_HOME`` environment variable;
3. portable mode: a file named ``vkref-portable`` next to the executable keeps the library in ``library/``
   beside it (USB-stick use);
4. the platform's user data directory (platformdirs), e.g. ``~/.local/share/vkref`` on Linux.

Inside a library directory: ``library.sqlite`` (the database), ``index/`` (the search index), ``backups/``
(rotating database backups), ``logs/`` and ``running/`` (which processes have it open).

Bundled data (the curated library sources in ``db/``) is found next to the frozen executable, or in the
source checkout, or where ``VKREF_BUNDLED_DATA`` points.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "vkref"
PORTABLE_MARKER = "vkref-portable"
DB_FILENAME = "library.sqlite"
INDEX_DIRNAME = "index"
BACKUP_DIRNAME = "backups"
# One file per process that has the library open (removed at close): a file left by a dead process means an
# unclean shutdown, and the database is checked at the next open.
RUN_DIRNAME = "running"


def frozen_root() -> Path | None:
    """The bundle directory of a PyInstaller build, or None when running from source."""
    root = getattr(sys, "_MEIPASS", None)
    return Path(root) if root else None


def executable_dir() -> Path:
    return Path(sys.executable).resolve().parent


def portable_dir() -> Path | None:
    """The library directory of a portable install, when the marker file is present."""
    if frozen_root() is None:
        return None
    exe_dir = executable_dir()
    if (exe_dir / PORTABLE_MARKER).exists():
        return exe_dir / "library"
    return None


def default_library_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def library_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Resolve the library directory by the precedence in the module docstring."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("VKREF_HOME")
    if env:
        return Path(env).expanduser().resolve()
    portable = portable_dir()
    if portable is not None:
        return portable
    return default_library_dir()


def source_root() -> Path:
    """The repository root when running from a source checkout."""
    return Path(__file__).resolve().parents[2]


def bundled_data_dir() -> Path:
    """The directory holding ``vocabulary/`` and ``reviews/`` of the bundled library."""
    env = os.environ.get("VKREF_BUNDLED_DATA")
    if env:
        return Path(env)
    root = frozen_root()
    if root is not None:
        return root / "db"
    return source_root() / "db"


def resources_dir() -> Path:
    root = frozen_root()
    return (root if root is not None else source_root()) / "resources"
