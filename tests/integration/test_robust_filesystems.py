"""Read-only copies and full disks: a library must still open for searching, and writes are refused with a
one-line message that says why. Needs a read-only place: a read-only bind mount (as root) or chmod (as a
normal user); the full disk needs a small tmpfs (root). Skipped where neither can be made."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO  # noqa: E402
WRITE = ("import sys; from vkref.library import Library; from vkref.core.errors import VkrefError\n"
         "lib = Library.open(sys.argv[1]); r = lib.reviews()[0]; r.notes = 'changed'\n"
         "try:\n    lib.save_review(r)\nexcept VkrefError as e:\n    print(e)\n")


def _bundled_findings() -> int:
    from vkref.core import paths
    from vkref.io import bundled

    return len(bundled.load(paths.bundled_data_dir()).findings)


def vkref(*args):
    return subprocess.run([sys.executable, "-m", "vkref", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def try_write(path):
    return subprocess.run([sys.executable, "-c", WRITE, str(path)], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


def _mount(*args) -> bool:
    return os.geteuid() == 0 and subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def read_only_place(src: Path, tmp_path: Path):
    """``src`` as seen from a read-only directory."""
    if os.geteuid() != 0:
        for p in [src, *src.rglob("*")]:
            p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield src
        finally:
            for p in [src, *src.rglob("*")]:
                p.chmod(p.stat().st_mode | stat.S_IWUSR)
        return
    view = tmp_path / "ro"
    view.mkdir()
    if not _mount("--bind", str(src), str(view)):
        pytest.skip("cannot make a read-only bind mount here")
    try:
        if not _mount("-o", "remount,ro,bind", str(view)):
            pytest.skip("cannot remount read-only here")
        yield view
    finally:
        subprocess.run(["umount", str(view)], capture_output=True)


@pytest.mark.parametrize("index", ["intact", "missing"])
def test_read_only_library_opens_for_search_and_refuses_writes(built_library, tmp_path, index):
    src = tmp_path / "lib"
    shutil.copytree(built_library, src)
    if index == "missing":
        shutil.rmtree(src / "index")
    with read_only_place(src, tmp_path) as path:
        r = vkref("--library", path, "search", "raloxifene", "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["total"] > 0
        data = json.loads(vkref("--library", path, "info", "--json").stdout)
        assert data["read_only"] is True and data["findings"] == _bundled_findings()
        w = try_write(path)
        assert w.returncode == 0 and w.stdout.strip() == f"library {path} is read-only: changes cannot be saved"
    assert not (src / "index").exists() or index == "intact"  # nothing written into the read-only copy


def test_full_disk_still_searches_and_says_disk_full(built_library, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)):
        pytest.skip("cannot mount a small tmpfs here")
    try:
        path = disk / "lib"
        shutil.copytree(built_library, path)
        with open(disk / "filler", "wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        r = vkref("--library", path, "search", "raloxifene", "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["total"] > 0
        w = try_write(path)
        assert w.returncode == 0 and "disk full" in w.stdout
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
