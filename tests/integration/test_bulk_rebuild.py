"""The full rebuild's own segment writer (vkref/search/bulkwrite.py) writes what Whoosh's writer writes: the same
terms, postings, block statistics, field lengths and stored fields for the same documents; and a library rebuilt
by it (in one process or two) answers a query mix exactly as one rebuilt by Whoosh's writer: same totals, hit
order, scores and facet counts."""
from __future__ import annotations

import pytest
from whoosh import index as windex

from benchmarks.generate import generate
from benchmarks.queries import QUERIES
from vkref.search import analysis, bulkwrite
from vkref.search.schema import WRITER_OPTIONS, make_schema

pytestmark = pytest.mark.slow

EXTRA = ["MK-4 -rats", "vitamin k2 OR raloxifene", "osteo*", "\"vertebral fracture\" OR hip", "bone",
         "patients therapy falls epilepsy", "menaquinone-7 45 mg/day"]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from vkref import Library

    path = tmp_path_factory.mktemp("bulk") / "lib"
    generate(path, 600, seed=3, procs=1, log=lambda m: None)
    lib = Library.open(path)
    yield lib
    lib.close()


def _build(directory, docs, bulk: bool):
    directory.mkdir()
    ix = windex.create_in(str(directory), make_schema())
    writer = bulkwrite.BulkWriter(ix, **WRITER_OPTIONS) if bulk else ix.writer(**WRITER_OPTIONS)
    for fields in docs:
        writer.add_document(**fields)
    writer.commit()
    return windex.open_dir(str(directory)).reader()


def _postings(reader, field, term):
    m = reader.postings(field, term)
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


def _term_stats(reader, field, term):
    ti = reader.term_info(field, term)
    return (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(), ti.min_id(),
            ti.max_id())


def test_same_segment_as_whoosh_writer(library, tmp_path):
    docs = [d.fields() for batch in library.indexing.iter_documents() for d in batch]
    docs.append({"key": "x", "kind": "finding", "title": "", "text": "A", "body": "b c", "spell": "",
                 "fulltext": " ".join(["bone"] * 300)})  # a length of 1 (length byte 0) and a long one
    old = _build(tmp_path / "whoosh", docs, bulk=False)
    new = _build(tmp_path / "bulk", docs, bulk=True)
    terms = list(old.all_terms())
    assert terms == list(new.all_terms())
    assert len(terms) > 1000
    for field, term in terms:
        assert _term_stats(old, field, term) == _term_stats(new, field, term), (field, term)
        assert _postings(old, field, term) == _postings(new, field, term), (field, term)
    assert old.doc_count_all() == new.doc_count_all() == len(docs)
    for n in range(len(docs)):
        assert old.stored_fields(n) == new.stored_fields(n)
        for field in ("title", "text", "body", "fulltext"):
            assert old.doc_field_length(n, field) == new.doc_field_length(n, field)
    for field in ("title", "text", "body", "fulltext"):
        assert old.field_length(field) == new.field_length(field)
        assert old.max_field_length(field) == new.max_field_length(field)


@pytest.mark.parametrize("text", ["MK-4 and vitamin K2 (45 mg/day) lowered ovariectomy-induced loss of 25(OH)D",
                                  "NF-κB in the μg range; 4.92% of the women, 1α-hydroxyvitamin D3", ""])
def test_positions_match_the_analyzers(text):
    for stem, ana in ((True, analysis.VkrefAnalyzer()), (False, analysis.SpellAnalyzer())):
        expected: dict[str, list[int]] = {}
        for t in ana(text, positions=True):
            expected.setdefault(t.text, []).append(t.pos)
        assert analysis.positions(text, stem=stem) == expected


def _answers(lib):
    out = []
    for text, filters in [(q.text, q.filters) for q in QUERIES] + [(t, {}) for t in EXTRA]:
        page = lib.search(text, filters=filters, limit=40)
        out.append((text, page.total, [(h.kind, h.id, round(h.score, 9)) for h in page.hits], page.facets))
    return out


def test_same_search_results_as_whoosh_writer(library, monkeypatch):
    library.reindex()
    bulk = _answers(library)
    library.reindex(procs=2)
    two = _answers(library)
    assert len(library.search_service.index.searcher().reader().leaf_readers()) == 2
    monkeypatch.setattr(bulkwrite, "usable", lambda schema: False)  # Whoosh's own writer
    library.reindex()
    whoosh = _answers(library)
    assert sum(total for _, total, _, _ in whoosh) > 0
    for a, b, c in zip(whoosh, bulk, two):
        assert a == b
        assert a == c
