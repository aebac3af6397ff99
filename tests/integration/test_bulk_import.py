"""A large import (vkref/library/importing.py with vkref/store/bulk.py and Indexing.after_bulk_write): its rows
are written by multi-row INSERTs and the index is rebuilt once instead of record by record. The library it
leaves behind is the one the record-by-record path leaves: same reviews, history, undo and search answers."""
from __future__ import annotations

import shutil

import pytest

from benchmarks import medline
from vkref.library import indexing

pytestmark = pytest.mark.slow

QUERIES = ["vitamin k2", "bone mineral density", "MK-4 fracture", "review", "osteocalcin -rats"]


def _open_copy(built_library, path):
    from vkref.library import Library

    shutil.copytree(built_library, path)
    return Library.open(path)


def _state(lib):
    reviews = sorted((r.id, r.title, r.year, tuple(a.family for a in r.authors), tuple(r.keywords),
                      tuple(sorted((k, tuple(v)) for k, v in r.concepts.items()))) for r in lib.reviews())
    answers = []
    for q in QUERIES:
        page = lib.search(q, limit=50)
        answers.append((page.total, [(h.kind, h.id, round(h.score, 9)) for h in page.hits], page.facets))
    return reviews, answers


@pytest.fixture(scope="module")
def xml(tmp_path_factory):
    return medline.write(tmp_path_factory.mktemp("pubmed") / "pubmed.xml", 60, seed=4)


def test_a_large_import_is_the_same_library_as_record_by_record(built_library, tmp_path, xml, monkeypatch):
    slow = _open_copy(built_library, tmp_path / "slow")
    bulk = _open_copy(built_library, tmp_path / "bulk")
    try:
        rebuilt = []
        real = indexing.Indexing.reindex
        monkeypatch.setattr(indexing.Indexing, "reindex", lambda self, *a, **k: rebuilt.append(1) or real(self, *a, **k))
        report_slow = slow.import_files([xml])
        assert not rebuilt  # 60 records: record by record
        monkeypatch.setattr(indexing, "BULK_MIN_RECORDS", 10)
        monkeypatch.setattr(indexing, "BULK_SHARE", 0.01)
        report_bulk = bulk.import_files([xml])
        assert rebuilt == [1]  # one full rebuild
        assert report_bulk.to_dict() == report_slow.to_dict()
        assert report_bulk.imported == 60
        assert bulk.index_state == "ready"
        assert bulk.info()["index"]["documents"] == slow.info()["index"]["documents"]
        reviews, answers = _state(bulk)
        slow_reviews, slow_answers = _state(slow)
        assert reviews == slow_reviews
        # as many hits; their scores and so the first page may differ, as the statistics of an index updated in
        # place still count the documents it replaced, until a merge or rebuild
        assert [(t, f) for t, _, f in answers] == [(t, f) for t, _, f in slow_answers]
        slow.reindex()
        assert _state(bulk) == _state(slow)
        rid = report_bulk.review_ids[7]
        assert [(c["field"], c["version"]) for c in bulk.history(rid)] == \
            [(c["field"], c["version"]) for c in slow.history(rid)]
        assert bulk.undo()["changes"] == slow.undo()["changes"] == 60
        assert _state(bulk) == _state(slow)
        assert bulk.get_review(rid) is None
        assert bulk.redo()["kind"] == "redo"
        assert bulk.get_review(rid) is not None and bulk.search(bulk.get_review(rid).title).total > 0
    finally:
        slow.close()
        bulk.close()
