"""The index is derived data: outbox updates equal a full rebuild, and crashes or damage never break search."""
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from vkref.core.entities import Finding
from vkref.library import Library
from vkref.store import repository as repo


def _snapshot(lib):
    """Everything search shows for a fixed set of queries: totals, hits with their text and facets, counts.

    Hits are compared as sorted lists: Whoosh's BM25 statistics count deleted documents until segments merge,
    so scores (and ties) after incremental updates may differ slightly from a fresh build; the documents,
    matches and counts may not.
    """
    out = []
    for q in ("", "MK-4", "vitamin K2 bone", "raloxifene", "zinc OR genistein", "osteoclast apoptosis"):
        page = lib.search(q, limit=1000)
        hits = sorted((h.kind, h.id, h.title, h.text, sorted(h.facets.items()), h.highlights) for h in page.hits)
        out.append((q, page.total, hits, page.facets))
    return out


def _new_finding(i, review_id="iwamoto-2006-ymj"):
    return Finding(id=f"test-{i:03d}", review_id=review_id,
                   statement=f"Zinc and menatetrenone together raised femoral calcium content in trial {i}.",
                   section="CONCLUSION", concepts={"agent": ["zinc", "mk4"], "population": ["ovx-rat"],
                                                   "species": ["rat"], "outcome": ["bone-calcium-content"],
                                                   "direction": ["beneficial"], "evidence": ["animal-study"]})


def test_incremental_updates_equal_full_rebuild(fresh_library):
    lib = fresh_library
    for i in range(5):
        lib.save_finding(_new_finding(i))
    lib.delete_finding("ymj-001")
    changed = replace(lib.get_finding("kjm-001"), statement="Alfacalcidol plus zinc: an edited statement.")
    lib.save_finding(changed)
    review = lib.get_review("yamaguchi-imm")
    lib.save_review(replace(review, year=2014))
    incremental = _snapshot(lib)
    assert lib.search("edited statement").total == 1
    assert lib.search("", year_from=2014, year_to=2014, limit=0).total > 40  # the year reached its findings
    lib.reindex()
    assert _snapshot(lib) == incremental


def test_crash_between_index_commit_and_outbox_cleanup(fresh_library, monkeypatch):
    lib = fresh_library
    lib.add_records([], [_new_finding(1)], sync=False)  # committed; the index has not seen it yet

    def boom(db, through):
        raise RuntimeError("simulated crash after the index commit")

    monkeypatch.setattr(repo, "outbox_cleanup", boom)
    with pytest.raises(RuntimeError):
        lib.search("trial 1")
    monkeypatch.undo()
    path = lib.path
    lib.close()
    assert repo.outbox_pending(Library.open.__globals__["Database"].open_sqlite(path / "library.sqlite"), 0)
    lib2 = Library.open(path)
    try:
        page = lib2.search('"trial 1"')
        assert [h.id for h in page.hits] == ["test-001"]  # applied exactly once
        assert lib2.info()["pending_changes"] == 0
    finally:
        lib2.close()


@pytest.mark.parametrize("damage", ["delete", "corrupt", "wrong-version", "other-library", "stale"])
def test_damaged_index_is_rebuilt_at_open(fresh_library, damage):
    lib = fresh_library
    before = _snapshot(lib)
    path = lib.path
    index_dir = path / "index"
    if damage == "stale":
        lib.save_finding(_new_finding(7))
        expected = None
    lib.close()
    if damage == "delete":
        shutil.rmtree(index_dir)
    elif damage == "corrupt":
        for f in index_dir.iterdir():
            if f.suffix in (".seg", ".toc") or f.name.startswith("_"):
                f.write_bytes(b"garbage" * 10)
    elif damage == "wrong-version":
        from vkref.search import schema

        old = schema.INDEX_FORMAT
        schema.INDEX_FORMAT = old + 100
        import vkref.search.index as idx

        idx.INDEX_FORMAT = old + 100
        try:
            Library.open(path).close()  # writes an index of another format
        finally:
            schema.INDEX_FORMAT = idx.INDEX_FORMAT = old
    elif damage == "other-library":
        from vkref.store import Database

        db = Database.open_sqlite(path / "library.sqlite")
        with db.session() as s:
            repo.set_meta(s, "uuid", "another-library")
        db.dispose()
    lib2 = Library.open(path)
    try:
        assert lib2.search("MK-4", limit=1).total > 0
        if damage == "stale":
            assert lib2.search('"trial 7"').total == 1
        else:
            assert _snapshot(lib2) == before
        assert lib2.info()["index"]["state"] == "ready"
    finally:
        lib2.close()


def test_background_rebuild_keeps_search_answering(fresh_library):
    path = fresh_library.path
    expected = _snapshot(fresh_library)
    fresh_library.close()
    shutil.rmtree(path / "index")
    lib = Library.open(path, background_rebuild=True)
    try:
        page = lib.search("MK-4 vertebral fracture", filters={"species": ["Human"]})
        if page.index_state == "rebuilding":
            assert "being rebuilt" in page.searched_as
        assert page.total > 0
        assert lib.wait_for_index(60)
        assert _snapshot(lib) == expected
    finally:
        lib.close()


KILL_SCRIPT = """
import sys, time
from vkref.library import Library
lib = Library.open(sys.argv[1])
def slow(done, total):
    print("progress", done, flush=True)
    time.sleep(30)
lib.reindex(progress=slow)
"""


def test_kill_during_rebuild_leaves_search_correct(fresh_library, tmp_path):
    path = fresh_library.path
    expected = _snapshot(fresh_library)
    fresh_library.close()
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # the rebuild is under way, in its temporary directory
        assert line.startswith("progress")
        assert list(path.glob("index.build-*"))
    finally:
        proc.kill()
        proc.wait()
    lib = Library.open(path)
    try:
        assert _snapshot(lib) == expected
        assert not list(path.glob("index.build-*"))
    finally:
        lib.close()


def test_facet_sidecars_are_written_and_a_damaged_one_is_ignored(fresh_library):
    lib = fresh_library
    before = _snapshot(lib)
    path = lib.path
    sidecars = list((path / "index").glob("vkref-facets-*.bin"))
    assert sidecars, "facet data of the index segments is saved beside them"
    lib.close()
    for f in sidecars:
        f.write_bytes(b"garbage" + f.read_bytes()[7:])
    lib2 = Library.open(path)
    try:
        assert _snapshot(lib2) == before
    finally:
        lib2.close()
    lib3 = Library.open(path)  # the sidecars were rewritten by the second open
    try:
        assert _snapshot(lib3) == before
        assert all(not f.read_bytes().startswith(b"garbage") for f in (path / "index").glob("vkref-facets-*.bin"))
    finally:
        lib3.close()
