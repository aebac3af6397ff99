"""Document-set sidecars (vkref/search/docsets.py): every segment gets one when it is written, it holds exactly the
documents of the postings (deletions masked by the reader), and a damaged, truncated or foreign one is ignored:
the postings are read instead and the results stay the same."""
from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import query as Q

from vkref.core.entities import Finding
from vkref.search import bitsets, docsets
from vkref.search.analysis import terms
from vkref.search.schema import INDEX_FORMAT
from vkref.search.segcache import read_postings, segment_id

QUERIES = ["bone -fracture -rats -women", "osteo* -vitamin", "ca* OR bo* -calcium", "bone -st* -co*",
           '"vertebral fracture" -"bone mineral"', "menatetrenone"]


def _segments(lib):
    searcher = lib.search_service.index.searcher()
    return lib.search_service.index.directory, list(searcher.reader().leaf_readers())


def _edit(lib):
    """A new finding (a new segment) and deleted ones (deletions in the old segment)."""
    review = lib.reviews()[0]
    for f in lib.findings_of(review.id)[:3]:
        lib.delete_finding(f.id)
    lib.save_finding(Finding(id="docsets-new", review_id=review.id, statement="Menatetrenone osteocalcin probe.",
                             concepts={"agent": ["mk4"], "species": ["human"]}))
    lib.wait_for_index()


def _results(lib):
    out = []
    for q in QUERIES:
        page = lib.search(q, limit=50)
        out.append((page.total, [(h.kind, h.id, h.score) for h in page.hits], page.facets))
    return out


def test_every_segment_has_a_sidecar_holding_the_postings_documents(fresh_library):
    _edit(fresh_library)
    directory, leaves = _segments(fresh_library)
    assert len(leaves) > 1 and any(leaf.has_deletions() for leaf, _ in leaves)
    checked = 0
    for leaf, _ in leaves:
        docs = docsets.load(docsets.path_of(directory, segment_id(leaf)), leaf.doc_count_all(), INDEX_FORMAT)
        assert docs is not None
        deleted = bitsets.from_docnums(sorted(leaf.deleted_docs_set))
        gone = np.fromiter(leaf.deleted_docs_set, dtype=np.int32)
        for field in docsets.FIELDS:
            for btext in leaf.lexicon(field):
                ids, tfs = read_postings(leaf, field, leaf.schema[field].from_bytes(btext))
                assert docs.union(field, [btext]) & ~deleted == bitsets.from_docnums(ids)
                got_ids, got_tfs = docs.postings(field, btext)
                live = ~np.isin(got_ids, gone)
                assert got_ids[live].tolist() == ids and got_tfs[live].tolist() == tfs  # float32 both: exact
                checked += 1
        assert docs.union("text", [b"zzzunknown"]) == 0
    assert checked > 1000


def test_searches_with_and_without_sidecars_agree(fresh_library):
    _edit(fresh_library)
    with_sidecars = _results(fresh_library)
    directory, leaves = _segments(fresh_library)
    assert fresh_library.search_service.index.segments.docs(leaves[0][0], segment_id(leaves[0][0])) is not None
    path = fresh_library.path
    fresh_library.close()
    for sidecar in directory.glob(docsets.PREFIX + "*" + docsets.SUFFIX):
        raw = bytearray(sidecar.read_bytes())
        raw[len(raw) // 2] ^= 0x5A  # one flipped byte anywhere fails the digest
        sidecar.write_bytes(bytes(raw))
    from vkref.library import Library

    lib = Library.open(path)
    try:
        _, leaves = _segments(lib)
        assert all(lib.search_service.index.segments.docs(leaf, segment_id(leaf)) is None for leaf, _ in leaves)
        assert _results(lib) == with_sidecars
        assert not list(directory.glob(docsets.PREFIX + "*"))  # the damaged ones were removed ...
        lib.save_finding(Finding(id="docsets-again", review_id=lib.reviews()[0].id, statement="Osteocalcin."))
        lib.wait_for_index()
        directory, leaves = _segments(lib)  # ... and the next commit wrote every segment's again
        assert all(docsets.load(docsets.path_of(directory, segment_id(leaf)), leaf.doc_count_all(), INDEX_FORMAT)
                   for leaf, _ in leaves)
    finally:
        lib.close()


@pytest.mark.parametrize("damage", ["truncated", "empty", "other size", "other format", "not a sidecar"])
def test_a_sidecar_that_does_not_fit_is_ignored(library, tmp_path, damage):
    directory, leaves = _segments(library)
    leaf = leaves[0][0]
    source = docsets.path_of(directory, segment_id(leaf))
    size, fmt = leaf.doc_count_all(), INDEX_FORMAT
    assert docsets.load(source, size, fmt) is not None
    raw = source.read_bytes()
    path = tmp_path / source.name
    path.write_bytes({"truncated": raw[:len(raw) - 9], "empty": b"", "not a sidecar": b"\x80\x04K\x01." * 40}
                     .get(damage, raw))
    size += damage == "other size"
    fmt += damage == "other format"
    assert docsets.load(path, size, fmt) is None


def test_a_sidecar_is_rewritten_for_a_new_segment_only(fresh_library):
    directory, leaves = _segments(fresh_library)
    before = {p.name: p.stat().st_mtime_ns for p in directory.glob(docsets.PREFIX + "*")}
    assert len(before) == len(leaves)
    _edit(fresh_library)
    directory, leaves = _segments(fresh_library)
    after = {p.name: p.stat().st_mtime_ns for p in directory.glob(docsets.PREFIX + "*")}
    live = {docsets.path_of(directory, segment_id(leaf)).name for leaf, _ in leaves}
    assert live <= set(after)
    assert all(after[name] == before[name] for name in before if name in after)


def test_phrases_match_what_whoosh_matches(fresh_library):
    """vkref/search/phrases.py against Whoosh's own Phrase: pairs and runs of words taken from the texts, with
    every slop from 0 to 4, repeated words, words out of order, across a segment with deletions."""
    _edit(fresh_library)
    engine = fresh_library.search_service.engine
    searcher = fresh_library.search_service.index.searcher()
    matcher = engine._matcher(searcher)
    rnd = random.Random(5)
    reviews = fresh_library.reviews()[:40]
    texts = [r.summary for r in reviews] + [f.statement for r in reviews[:10] for f in fresh_library.findings_of(r.id)]
    phrases = []
    for text in texts:
        words = terms(text)
        if len(words) < 4:
            continue
        i = rnd.randrange(len(words) - 3)
        phrases += [words[i:i + 2], words[i:i + 4], [words[i + 1], words[i]], [words[i], words[i]],
                    [words[i], words[i + 2]]]
    compared = matched = 0
    for words in phrases:
        for field in ("text", "title", "body"):
            for slop in range(5):
                q = Q.Phrase(field, words, slop=slop)
                expected = bitsets.from_docnums(searcher.docs_for_query(q))
                assert matcher._compute(q) == expected, (field, words, slop)
                compared += 1
                matched += expected != 0
    assert compared > 1000 and matched > 100


def test_another_whoosh_version_writes_the_same_sidecar_and_matches_phrases_through_whoosh(library, monkeypatch):
    from vkref.search import whoosh_private

    _, leaves = _segments(library)
    leaf = next(leaf for leaf, _ in leaves if not leaf.has_deletions())
    private = docsets.segment_entries(leaf)
    engine = library.search_service.engine
    searcher = library.search_service.index.searcher()
    q = Q.Phrase("text", terms("vitamin K2"), slop=1)
    expected = bitsets.from_docnums(searcher.docs_for_query(q))
    monkeypatch.setattr(whoosh_private, "SUPPORTED", (9, 9))
    public = docsets.segment_entries(leaf)
    assert public.keys() == private.keys()
    assert all(public[k][0].tolist() == private[k][0].tolist() and public[k][1].tolist() == private[k][1].tolist()
               for k in private)
    matcher = engine._matcher(searcher)
    assert matcher._phrase(q, matcher._leaf(Q.Term("text", terms("vitamin")[0]))) is None  # left to Whoosh
    assert expected and matcher._compute(q) == expected
