"""The search caches' byte budgets (vkref/search/budgets.py) hold, and their per-entry costs are not under-counted;
the private-internals fast path of Whoosh (vkref/search/whoosh_private.py) reads what the public API reads."""
from __future__ import annotations

import gc
import tracemalloc
from array import array

import pytest

from vkref.search import budgets, segcache, whoosh_private


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
    ids = array("I", range(100_000, 100_000 + n))  # what a Whoosh block holds: machine ints and floats
    weights = array("f", [1.0 + (i % 7) for i in range(n)])

    def postings():
        out_ids, out_tfs = [], []
        out_ids.extend(ids)  # as read_postings copies blocks
        out_tfs.extend(weights)
        return out_ids, out_tfs

    assert _allocated(postings) / n <= budgets.POSTING_BYTES


def test_a_scored_document_costs_no_more_than_its_estimate():
    n = 200_000
    assert _allocated(lambda: {d: d * 0.37 + 1.5 for d in range(100_000, 100_000 + n)}) / n <= budgets.SCORE_BYTES


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
    assert sum(held) * budgets.POSTING_BYTES > 3 * cache.budget  # the budget was really tested
    real = sum(len(v[0]) for v in cache._postings.values()) * budgets.POSTING_BYTES
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
    assert sum(map(len, scorer.cache.values())) * budgets.SCORE_BYTES == scorer.bytes
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
            assert lengths == [leaf.doc_field_length(d, field, 0) or 0 for d in range(leaf.doc_count_all())]


def test_another_whoosh_version_takes_the_public_path(library, monkeypatch):
    searcher, leaves = _leaves(library)
    leaf = leaves[0][0]
    text = _terms(leaf)[0]
    expected = segcache.read_postings(leaf, "text", text)
    lengths = segcache.read_lengths(leaf, "text")
    monkeypatch.setattr(whoosh_private, "SUPPORTED", (9, 9))
    assert not whoosh_private.supported()
    assert whoosh_private.block_postings(leaf.postings("text", text)) is None
    assert segcache.read_postings(leaf, "text", text) == expected
    assert segcache.read_lengths(leaf, "text") == lengths


@pytest.mark.parametrize("version, ok", [((2, 7, 5), True), ((2, 7, 9), True), ((2, 8, 0), False), ((3, 0), False)])
def test_supported_versions(version, ok):
    assert whoosh_private.supported(version) is ok
