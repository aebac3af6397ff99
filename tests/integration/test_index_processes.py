"""Index upkeep across processes and failures: rebuilds are never destroyed by another process, failures are
kept and reported, committed writes are reported done, damage heals, readers see other processes' commits."""
import errno
import io
import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO
from tests.integration.test_index_recovery import _new_finding, _snapshot
from vkref.core.errors import LibraryError
from vkref.library import Library
from vkref.store import repository as repo


@pytest.fixture
def libdir(built_library, tmp_path) -> Path:
    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    return path


def _vkref(*args, library, **kw):
    return subprocess.run([sys.executable, "-m", "vkref", "--library", str(library), *args],
                          capture_output=True, text=True, timeout=120, **kw)


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


# ---------------------------------------------------------------------- 1. a live rebuild is left alone
SLOW_REINDEX = """
import sys, time
from vkref.library import Library
lib = Library.open(sys.argv[1])
def slow(done, total):
    print("progress", done, flush=True)
    sys.stdin.readline()  # wait until the test has run another vkref
print("rebuilt", lib.reindex(progress=slow), flush=True)
lib.close()
"""


def test_another_process_does_not_destroy_a_running_rebuild(libdir):
    proc = subprocess.Popen([sys.executable, "-c", SLOW_REINDEX, str(libdir)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("progress")
        build = list(libdir.glob("index.build-*"))
        assert build
        info = _vkref("info", "--json", library=libdir)  # checks the index, cleans leftovers
        assert info.returncode == 0, info.stderr
        assert all(p.exists() for p in build), "the running rebuild's directory was deleted"
        proc.stdin.write("\n" * 5)
        proc.stdin.close()
        out = proc.stdout.read()
        assert proc.wait(60) == 0
        assert "rebuilt" in out
    finally:
        proc.kill()
        proc.wait()
    assert not list(libdir.glob("index.build-*"))
    assert json.loads(_vkref("info", "--json", library=libdir).stdout)["index"]["state"] == "ready"


# ---------------------------------------------------------------------- 2. failures are kept and reported
def test_index_write_errors_are_library_errors(libdir, monkeypatch):
    from whoosh.codec.whoosh3 import W3PerDocWriter
    from whoosh.writing import SegmentWriter

    lib = Library.open(libdir)
    try:
        monkeypatch.setattr(SegmentWriter, "add_document", _enospc)
        monkeypatch.setattr(W3PerDocWriter, "start_doc", _enospc)  # the full rebuild's writer (bulkwrite)
        with pytest.raises(LibraryError) as err:
            lib.reindex()
        assert "disk full" in str(err.value) and "\n" not in str(err.value)
        assert lib.index_state == "failed: disk full"
        assert lib.info()["index"]["state"] == "failed: disk full"
        with pytest.raises(LibraryError, match="disk full"):
            lib.search_service.index.apply(10**6, [], ["finding:ymj-001"])
        monkeypatch.undo()
        lib.reindex()
        assert lib.index_state == "ready"
    finally:
        lib.close()


ENOSPC_HOOK = """
import errno
import io
from whoosh.codec.whoosh3 import W3PerDocWriter
from whoosh.writing import SegmentWriter
def _full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")
SegmentWriter.add_document = _full
W3PerDocWriter.start_doc = _full  # the full rebuild's writer (vkref.search.bulkwrite) starts each document here
"""


def test_failed_background_rebuild_is_reported_not_ready(libdir, tmp_path, monkeypatch):
    from whoosh.writing import SegmentWriter

    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(ENOSPC_HOOK)  # the disk is "full" in the rebuild process too
    monkeypatch.setenv("PYTHONPATH", str(hook))
    monkeypatch.setattr(SegmentWriter, "add_document", _enospc)
    shutil.rmtree(libdir / "index")
    lib = Library.open(libdir, background_rebuild=True)
    try:
        assert not lib.wait_for_index(60)
        assert lib.index_state == "failed: disk full"
        assert lib.info()["index"]["state"] == "failed: disk full"
        page = lib.search("MK-4")
        assert page.total > 0, "searches keep answering from the scan"
        assert "could not be rebuilt (disk full)" in page.searched_as
        assert "being rebuilt" not in page.searched_as
    finally:
        lib.close()


# ---------------------------------------------------------------------- 3. rebuilds off the GUI thread
def test_background_rebuild_runs_in_a_child_process_and_the_scan_is_built_lazily(libdir):
    with Library.open(libdir) as lib:
        expected = _snapshot(lib)
    shutil.rmtree(libdir / "index")
    lib = Library.open(libdir, background_rebuild=True)
    try:
        child = lib.indexing._child
        assert child is not None and child.pid != os.getpid()
        assert not [t for t in threading.enumerate() if "reindex" in t.name]
        assert lib.search_service.fallback is not None and not lib.search_service.fallback.ready, \
            "the fallback scan is not built on the thread that opened the library"
        assert lib.search("MK-4 vertebral fracture").total > 0
        assert lib.wait_for_index(60)
        assert lib.index_state == "ready" and lib.search_service.fallback is None
        assert _snapshot(lib) == expected
    finally:
        lib.close()


# ---------------------------------------------------------------------- 4. other processes' commits are seen
EDIT = """
import sys
from dataclasses import replace
from vkref.library import Library
lib = Library.open(sys.argv[1])
lib.delete_finding("ymj-001")
f = lib.get_finding("kjm-001")
lib.save_finding(replace(f, statement="Alfacalcidol plus zinc: a statement edited elsewhere."))
lib.close()
"""


def test_a_running_process_sees_deletions_and_edits_of_another(libdir):
    lib = Library.open(libdir)
    try:
        total = lib.search("").total
        old_text = lib.get_finding("kjm-001").statement
        subprocess.run([sys.executable, "-c", EDIT, str(libdir)], check=True, timeout=120)
        assert lib.search("").total == total - 1
        assert lib.search("edited elsewhere").total == 1
        assert not [h for h in lib.search(old_text.split(":")[0], limit=1000).hits
                    if h.id == "kjm-001" and h.text == old_text]
        with Library.open(libdir) as fresh:
            assert _snapshot(lib) == _snapshot(fresh)
    finally:
        lib.close()


def test_fresh_searcher_after_another_writer_commits(libdir):
    """The pure-Whoosh case: a delete and re-add through a second open index must not leave 11 of 10."""
    from whoosh import index as windex

    from vkref.search.trust import Trust

    lib = Library.open(libdir)
    try:
        index = lib.search_service.index
        before = index.searcher().doc_count()
        ix2 = windex.open_dir(str(index.directory))
        with ix2.searcher() as s:
            doc = dict(s.document(key="finding:ymj-002"))
        w = ix2.writer()
        w.delete_by_term("key", "finding:ymj-002")
        w.add_document(**doc)
        w.commit(merge=False)
        Trust().sign(index.directory)  # as a vkref writer signs its commit (vkref.search.trust)
        assert index.searcher().doc_count() == before
    finally:
        lib.close()


# ---------------------------------------------------------------------- 5. the mark never moves back
def test_last_change_never_moves_backwards(libdir):
    a, b = Library.open(libdir), Library.open(libdir)
    try:
        a.save_finding(_new_finding(1))
        a.sync_index()
        high = a.search_service.index.last_change()
        b.search_service.index.apply(high - 1, [], [])  # an older writer commits late
        assert a.search_service.index.last_change() == high
        assert b.search_service.index.last_change() == high
    finally:
        a.close()
        b.close()


WRITER = """
import sys
from tests.integration.test_index_recovery import _new_finding
from vkref.library import Library
lib = Library.open(sys.argv[1])
for i in range(int(sys.argv[2]), int(sys.argv[2]) + 15):
    lib.add_records([], [_new_finding(i)])
lib.close()
"""


def test_two_writer_processes_leave_a_complete_index(libdir):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(libdir), str(start)], env=env)
             for start in (100, 200)]
    assert [p.wait(180) for p in procs] == [0, 0]
    with Library.open(libdir) as lib:
        ids = {h.id for h in lib.search("", limit=10_000).hits if h.id.startswith("test-")}
        assert ids == {f"test-{i:03d}" for i in [*range(100, 115), *range(200, 215)]}
        assert lib.search_service.index.last_change() == repo.outbox_max_id(lib.db)
        with Library.open(libdir) as again:
            lib.reindex()
            assert _snapshot(again) == _snapshot(lib)


# ---------------------------------------------------------------------- 6. committed writes are reported done
def test_a_committed_write_is_done_although_the_index_is_not(libdir, monkeypatch):
    from whoosh.writing import SegmentWriter

    lib = Library.open(libdir)
    try:
        monkeypatch.setattr(SegmentWriter, "add_document", _enospc)
        lib.add_records([], [_new_finding(5)])  # no exception: the data is in
        assert lib.get_finding("test-005") is not None
        assert lib.index_state == "behind: disk full"
        monkeypatch.undo()
        assert lib.search('"trial 5"').total == 1  # caught up before the search
        assert lib.index_state == "ready"
    finally:
        lib.close()


# ---------------------------------------------------------------------- 7. damage heals
def _corrupt(index_dir: Path, seed: int) -> None:
    rng = random.Random(seed)
    files = sorted(p for p in index_dir.iterdir() if p.suffix == ".seg" or p.name.endswith((".trm", ".pst")))
    files = files or sorted(p for p in index_dir.iterdir() if p.is_file() and not p.name.startswith("vkref-"))
    for _ in range(3):
        path = rng.choice(files)
        data = bytearray(path.read_bytes())
        if len(data) <= 1024:
            continue
        at = rng.randrange(0, len(data) - 1024)
        data[at:at + 1024] = rng.randbytes(1024)
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("seed", range(6))
def test_random_segment_damage_is_rebuilt(libdir, seed):
    with Library.open(libdir) as lib:
        expected = _snapshot(lib)
    _corrupt(libdir / "index", seed)
    for f in (libdir / "index").glob("vkref-facets-*.bin"):
        f.unlink()  # facets come from the damaged segment too
    damaged_inode = (libdir / "index").stat().st_ino
    with Library.open(libdir) as lib:
        _snapshot(lib)  # no raw zlib.error / "Block tag error" / ValueError reaches the caller
        if (libdir / "index").stat().st_ino != damaged_inode:
            assert _snapshot(lib) == expected  # the damage was found and the rebuilt index is complete
        # Whoosh keeps no checksums: damage that still decodes can return wrong results without an error,
        # and only damage that raises can be found; each seed's damage differs with the segment names
        assert lib.info()["index"]["state"] == "ready"


def test_sidecar_with_a_valid_archive_and_wrong_bitsets_is_not_trusted(libdir):
    with Library.open(libdir) as lib:
        expected = _snapshot(lib)
    for path in (libdir / "index").glob("vkref-facets-*.bin"):
        raw = path.read_bytes()
        digest, body = raw[:64], raw[64:]
        with np.load(io.BytesIO(body), allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        arrays["bits"] = arrays["bits"] ^ np.uint8(0b1011)
        out = io.BytesIO()
        np.savez(out, **arrays)
        path.write_bytes(digest + out.getvalue())  # the old checksum: the archive itself is well formed
    with Library.open(libdir) as lib:
        assert _snapshot(lib) == expected


def test_damage_found_by_a_search_is_rebuilt_and_the_search_answered(libdir):
    with Library.open(libdir) as lib:
        expected = _snapshot(lib)
    for path in (p for p in (libdir / "index").iterdir() if p.suffix in (".seg", ".pst", ".trm")):
        data = bytearray(path.read_bytes())
        start, end = len(data) // 10, len(data) * 9 // 10
        data[start:end] = random.Random(7).randbytes(end - start)
        path.write_bytes(bytes(data))
    for f in (libdir / "index").glob("vkref-facets-*.bin"):
        f.unlink()
    with Library.open(libdir) as lib:
        assert _snapshot(lib) == expected
        assert lib.info()["index"]["state"] == "ready"


def test_a_rebuild_skips_records_written_after_it_began_and_the_catch_up_indexes_them(fresh_library,
                                                                                         monkeypatch):
    """A review and its finding are written while a rebuild reads the database (by another process, or a
    colleague on a shared catalog): the rebuild read the reviews before they existed and the findings after.
    It must not fail on the finding whose review it has not seen (it did: KeyError, "index damaged", and a
    catalog client could not open); the catch-up after the rebuild, from the mark read first, indexes both."""
    from vkref.core.entities import Review

    lib = fresh_library
    review = Review(id="late-review", title="A review written while the index was rebuilt", year=2026)
    finding = replace(_new_finding(900, review_id="late-review"), statement="Quetzalberry trial finding.")
    real_reviews = repo.get_reviews
    written = []

    def reviews_then_a_write(db, ids=None):
        before = real_reviews(db, ids)
        if not written:  # the rebuild has read the reviews: now the other writer commits
            written.append(lib.add_records([review], [finding]))
        return before

    monkeypatch.setattr(repo, "get_reviews", reviews_then_a_write)
    lib.reindex()
    monkeypatch.undo()
    assert written
    assert [h.id for h in lib.search("quetzalberry").hits] == [finding.id]
    assert "late-review" in {h.id for h in lib.search("written while the index was rebuilt", kind="review").hits}


def test_a_catch_up_skips_a_finding_whose_review_went_between_its_reads(fresh_library, monkeypatch):
    """A catch-up reads the pending findings, then their reviews; another writer's undo removes a review and
    its findings in between. The round must not fail (it did: KeyError, and a curator's client stopped
    following the catalog); the undo's own outbox rows, newer, remove the finding in the next round."""
    from vkref.core.entities import Review

    lib = fresh_library
    lib.add_records([Review(id="gone-review", title="A review undone while its finding was indexed", year=2026)],
                    [replace(_new_finding(901, review_id="gone-review"), statement="Zanzibarberry finding.")])
    assert [h.id for h in lib.search("zanzibarberry").hits] == ["test-901"]
    real_reviews = repo.get_reviews

    def reviews_after_the_undo(db, ids=None):
        return [r for r in real_reviews(db, ids) if r.id != "gone-review"]

    pending = [(1, "finding", "test-901", "upsert"), (2, "review", "gone-review", "refresh")]
    monkeypatch.setattr(repo, "get_reviews", reviews_after_the_undo)
    upserts, deletes = lib.indexing.changes_to_docs(pending)
    monkeypatch.undo()
    assert "test-901" not in {d.id for d in upserts if d.kind == "finding"}
    lib.undo()  # the other writer's undo, committed: its rows remove both
    assert lib.search("zanzibarberry").total == 0
