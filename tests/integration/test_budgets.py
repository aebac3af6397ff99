"""The search caches' byte budgets (vkref/search/budgets.py) hold, and their per-entry costs are not under-counted;
the private-internals fast path of Whoosh (vkref/search/whoosh_private.py) reads what the public API reads."""
from __future__ import annotations

import gc
import tracemalloc
from array import array

import numpy as np
import pytest

from vkref.search import budgets, scoring, segcache, whoosh_private


def _allocated(make):
    """Bytes still allocated by what ``make()`` returns (kept alive while measuring)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = make()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return after - before


def test_a_posting_costs_no_more_than_its_estimate():
    n = 200_000
    ids = list(array("I", range(100_000, 100_000 + n)))  # what read_postings returns: a block's ints and floats
    weights = list(array("f", [1.0 + (i % 7) for i in range(n)]))
    assert _allocated(lambda: segcache._columns((ids, weights))) <= budgets.entry_bytes(n, budgets.POSTING_BYTES)


def test_a_scored_document_costs_no_more_than_its_estimate():
    n = 200_000
    ids = np.arange(100_000, 100_000 + n, dtype=np.int32)
    table = _allocated(lambda: scoring.Table(ids.copy(), ids * 0.37 + 1.5))
    assert table <= budgets.entry_bytes(n, budgets.SCORE_BYTES)


@pytest.mark.parametrize("make", [lambda i: segcache._columns(([i], [1.0])),
                                  lambda i: scoring.Table(np.array([i], dtype=np.int32), np.array([1.0]))])
def test_a_small_entry_costs_no_more_than_its_estimate(make):
    """Most cached terms are rare: the fixed cost of an entry (arrays, key, dict slot) dominates them."""
    n = 5_000
    cost = _allocated(lambda: {("segment-id", "text", f"word{i}"): make(i) for i in range(n)})
    assert cost / n <= budgets.entry_bytes(1, max(budgets.POSTING_BYTES, budgets.SCORE_BYTES))


def _leaves(library):
    searcher = library.search_service.index.searcher()
    return searcher, list(searcher.reader().leaf_readers())


def _terms(reader, field="text", n=4000):
    return [t for _, t in zip(range(n), reader.lexicon(field))]


def test_a_filled_postings_cache_stays_within_its_budget(library, monkeypatch):
    searcher, leaves = _leaves(library)
    cache = segcache.SegmentCache()
    cache.budget = 20_000  # small enough that the bundled library's terms overflow it many times
    held = []
    for leaf, _ in leaves:
        sid = segcache.segment_id(leaf)
        for text in _terms(leaf):
            held.append(len(cache.postings(leaf, sid, "text", text)[0]))
            assert cache.bytes <= cache.budget or len(cache._postings) == 1
    assert sum(budgets.entry_bytes(n, budgets.POSTING_BYTES) for n in held) > 3 * cache.budget  # the budget was really tested
    real = sum(budgets.entry_bytes(len(v[0]), budgets.POSTING_BYTES) for v in cache._postings.values())
    assert real == cache.bytes


def test_score_and_leaf_caches_stay_within_their_budgets(library, monkeypatch):
    monkeypatch.setitem(budgets.BUDGETS, "scores", 30_000)
    monkeypatch.setitem(budgets.BUDGETS, "leaf_sets", 2_000)
    engine = library.search_service.engine
    for word in ("bone", "vitamin", "fracture", "rats", "osteoclast", "calcium", "density", "women", "serum",
                 "turnover", "strength", "dose"):
        library.search(word, limit=5)
    searcher = library.search_service.index.searcher()
    matcher = engine._matchers[id(searcher.reader())]
    scorer = engine._scorers[id(matcher)]
    assert matcher.bytes <= 2_000 or len(matcher.cache) == 1
    assert scorer.bytes <= 30_000 or len(scorer.cache) == 1
    assert sum(budgets.entry_bytes(len(v), budgets.SCORE_BYTES) for v in scorer.cache.values()) == scorer.bytes
    assert matcher.bytes == sum(budgets.bitset_bytes(v) for v in matcher.cache.values())


def test_private_fast_path_equals_the_public_api(library):
    assert whoosh_private.supported()  # the pinned Whoosh: the fast path is the one in use
    searcher, leaves = _leaves(library)
    for leaf, _ in leaves:
        for field in ("text", "title", "body"):
            for text in _terms(leaf, field, 60):
                fast = whoosh_private.block_postings(leaf.postings(field, text))
                assert fast is not None
                assert fast == segcache.read_postings_public(leaf.postings(field, text))
            lengths = whoosh_private.length_column(leaf, field)
            assert isinstance(lengths, np.ndarray)  # the column's bytes, decoded at once
            assert lengths.tolist() == [leaf.doc_field_length(d, field, 0) or 0 for d in range(leaf.doc_count_all())]


def test_fast_path_leaves_out_deleted_documents(fresh_library):
    """A segment with deletions: the block path reads past Whoosh's FilterMatcher and drops them itself."""
    lib = fresh_library
    review = lib.reviews()[0]
    for f in lib.findings_of(review.id)[:3]:
        lib.delete_finding(f.id)
    searcher, leaves = _leaves(lib)
    assert any(leaf.has_deletions() for leaf, _ in leaves)
    for leaf, _ in leaves:
        for text in _terms(leaf, "text", 300):
            fast = whoosh_private.leaf_postings(leaf, "text", text)
            assert fast is not None
            assert fast == segcache.read_postings_public(leaf.postings("text", text))


def test_another_whoosh_version_takes_the_public_path(library, monkeypatch):
    searcher, leaves = _leaves(library)
    leaf = leaves[0][0]
    text = _terms(leaf)[0]
    expected = segcache.read_postings(leaf, "text", text)
    lengths = segcache.read_lengths(leaf, "text")
    monkeypatch.setattr(whoosh_private, "SUPPORTED", (9, 9))
    assert not whoosh_private.supported()
    assert whoosh_private.block_postings(leaf.postings("text", text)) is None
    assert whoosh_private.leaf_postings(leaf, "text", text) is None
    assert segcache.read_postings(leaf, "text", text) == expected
    assert list(segcache.read_lengths(leaf, "text")) == list(lengths)


@pytest.mark.parametrize("version, ok", [((2, 7, 5), True), ((2, 7, 9), True), ((2, 8, 0), False), ((3, 0), False)])
def test_supported_versions(version, ok):
    assert whoosh_private.supported(version) is ok


def test_opening_a_reader_does_not_copy_the_index_into_memory(fresh_library):
    """Segments are separate files (schema.WRITER_OPTIONS): Whoosh copies every part of a compound segment into
    memory when it opens a reader, which made a 100,000-finding index cost ~300 MB before the first search."""
    from whoosh import index as windex

    lib = fresh_library
    lib.reindex()
    directory = lib.search_service.index.directory
    assert not list(directory.glob("*.seg"))  # no compound segment files
    on_disk = sum(p.stat().st_size for p in directory.iterdir() if p.is_file())
    ix = windex.open_dir(str(directory))
    searcher = _allocated(lambda: ix.searcher())
    assert searcher < on_disk / 4
