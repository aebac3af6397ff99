"""A fresh process to its first result: nothing done at open that the first query does not need, and nothing
that keeps a library safe left out (issue: fresh process to first result at 100,000 findings)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vkref.library import Library, opening
from vkref.search import trust

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


# ---------------------------------------------------------------------------- index trust across processes


def trust_in_a_new_process(monkeypatch) -> list[Path]:
    """Forget what this process checked (its memory is read again from the file); return the files hashed."""
    monkeypatch.setattr(trust, "memory", trust.DigestMemory())
    read: list[Path] = []
    real = trust.digest
    monkeypatch.setattr(trust, "digest", lambda path, key: read.append(Path(path)) or real(path, key))
    return read


def same_device(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b).st_dev


def test_a_fresh_process_trusts_a_signed_index_without_reading_its_files(built_library, tmp_path, monkeypatch):
    path = copy_lib(built_library, tmp_path)
    index = path / "index"
    trust.user_key()
    if not same_device(index, trust.key_path()):
        pytest.skip("the test library is not on the key's file system")
    read = trust_in_a_new_process(monkeypatch)
    assert trust.Trust().problem(index) is None
    assert len(read) == len(trust.signed_names(index))  # a copy: new files, every one hashed once
    read = trust_in_a_new_process(monkeypatch)
    assert trust.Trust().problem(index) is None
    assert read == []
    with Library.open(path) as lib:
        assert lib.search("menatetrenone").total > 0
    assert read == []


def wait_for_a_newer_ctime(path: Path) -> None:
    """Until the file system's clock has moved past ``path``'s ctime (a coarse clock can hold it a few ms)."""
    probe = path.with_name("vkref-probe")
    while True:
        probe.write_bytes(b"")
        if os.stat(probe).st_ctime_ns > os.stat(path).st_ctime_ns:
            probe.unlink()
            return


def test_a_file_rewritten_in_place_with_its_old_size_and_mtime_is_hashed_again(built_library, tmp_path,
                                                                                monkeypatch):
    path = copy_lib(built_library, tmp_path)
    index = path / "index"
    assert trust.Trust().problem(index) is None
    target = max((index / n for n in trust.signed_names(index)), key=lambda p: p.stat().st_size)
    before = os.stat(target)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    wait_for_a_newer_ctime(target)
    with open(target, "r+b") as fh:  # the same inode
        fh.write(data)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(target)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    read = trust_in_a_new_process(monkeypatch)
    assert "not signed" in trust.Trust().problem(index)
    assert target in read


def test_files_on_another_file_system_are_always_hashed():
    trust.user_key()
    identity = trust._stat_key(trust.key_path())
    memory = trust.DigestMemory()
    assert memory.usable(identity) == (os.name == "posix")
    assert not memory.usable((identity[0] + 1, *identity[1:]))


# ---------------------------------------------------------------------------- reviews read on demand


def test_review_labels_from_one_query_are_those_of_the_full_summaries(fresh_library):
    from vkref.core.entities import Author, Review
    from vkref.library import documents as D, reviews
    from vkref.store import repository as repo

    lib = fresh_library
    lib.add_records([Review("zz-anon", "No authors at all", journal="Bone", year=2001),
                     Review("zz-twin-a", "Twin one", [Author("Iwamoto", "J"), Author("Zed")], "J Bone", "", 2006),
                     Review("zz-twin-b", "Twin two", [Author("Iwamoto", "K")], journal="J Bone", year=2006),
                     Review("zz-undated", "No year", [Author("", "X")], journal_abbrev="Osteo Int")], [])
    expected = D.review_label_map(repo.get_review_summaries(lib.db))
    assert reviews.labels(lib.db) == expected
    assert expected["zz-anon"] == "Anon 2001, Bone" and expected["zz-twin-b"] == "Iwamoto 2006, J Bone (2)"
    assert lib.review_label("zz-undated") == " n.d., Osteo Int"


def test_a_search_reads_only_the_reviews_of_its_page(built_library, tmp_path):
    with Library.open(copy_lib(built_library, tmp_path)) as lib:
        page = lib.search("menatetrenone", limit=3)
        assert lib._reviews._all is None  # not every review read
        assert set(lib._reviews._some) == {h.review["id"] for h in page.hits}
        full = {r.id: r for r in lib.reviews()}
        for hit in page.hits:
            assert hit.review == lib.review_ref(full[hit.review["id"]])
        assert len(lib._reviews) == len(full)  # iterating reads them all, once
