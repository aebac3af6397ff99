"""A fresh process to its first result: nothing done at open that the first query does not need, and nothing
that keeps a library safe left out (issue: fresh process to first result at 100,000 findings)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from vkref.library import Library, opening

from tests.conftest import REPO  # noqa: E402


def copy_lib(built_library, tmp_path) -> Path:
    path = tmp_path / "lib"
    shutil.copytree(built_library, path, ignore=shutil.ignore_patterns("running"))
    return path


def counting_quick_checks(monkeypatch) -> list[int]:
    monkeypatch.setattr(opening, "ALWAYS_CHECK_BYTES", 0)  # behave as a large library does
    checked: list[int] = []
    real = opening.Database.quick_check
    monkeypatch.setattr(opening.Database, "quick_check", lambda self: checked.append(1) or real(self))
    return checked


def test_a_process_that_ends_without_closing_the_library_shut_down_cleanly(built_library, tmp_path, monkeypatch):
    """A script (or a benchmark worker) that opens, searches and ends without close() left its run file behind,
    so every next open of a large library read the whole database with quick_check."""
    path = copy_lib(built_library, tmp_path)
    checked = counting_quick_checks(monkeypatch)
    code = "import sys; from vkref.library import Library; print(Library.open(sys.argv[1]).search('MK-4').total)"
    r = subprocess.run([sys.executable, "-c", code, str(path)], cwd=REPO, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) > 0
    assert [p.name for p in (path / "running").iterdir()] == [opening.OPEN_LOCK]
    Library.open(path).close()
    assert checked == []
