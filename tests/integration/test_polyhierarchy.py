"""The vocabulary as a poly-hierarchy: a concept under several parents counts, is found and is edited along every
path. Facet counts equal a plain recount; a search or filter by each parent finds the child's findings; a library
of schema 0006 keeps every parent (and its old vocabulary changes still undo); adding a parent is one undoable
batch; ``also_broader`` offers each parent's line."""
from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from vkref.core.errors import DataError
from vkref.core.vocabulary import CONCEPT_FACETS
from vkref.library import Library

REPO = Path(__file__).resolve().parents[2]
ALL = 10_000


def finding_ids(lib, query: str = "", **filters) -> set[str]:
    page = lib.search(query, filters={k: [v] for k, v in filters.items()}, kind="finding", limit=ALL, spell=False,
                      broader=False)
    return {h.id for h in page.hits}


def all_findings(lib) -> list:
    return [f for r in lib.reviews() for f in lib.findings_of(r.id)]


def coded_with(lib, facet: str, concept_ids: set[str]) -> set[str]:
    return {f.id for f in all_findings(lib) if set(f.concepts.get(facet, [])) & concept_ids}


def recode(lib, finding_id: str, facet: str, ids: list[str]) -> None:
    lib.edit(finding_id, {facet: json.dumps(ids)})


def above(vocab, cid: str) -> set[str]:
    """Every ancestor, found the plain way: recursion over each parent (no library code)."""
    out: set[str] = set()
    for p in vocab[cid].parents:
        out |= {p} | above(vocab, p)
    return out


def below(vocab, cid: str) -> set[str]:
    return {c.id for c in vocab.concepts.values() if cid in above(vocab, c.id)}


def multi_parent(vocab) -> list[str]:
    return sorted(c.id for c in vocab.concepts.values() if len(c.parents) > 1)


# ---------------------------------------------------------------------------- the bundled vocabulary


def test_the_bundled_vocabulary_has_concepts_with_several_parents(library):
    vocab = library.vocabulary
    many = multi_parent(vocab)
    assert {"natto", "elderly-women", "postmenopausal-osteoporosis", "elderly-osteoporosis",
            "glucocorticoid-osteoporosis", "liver-disease-osteoporosis", "hip-fracture-patients"} <= set(many)
    for cid in many:
        assert set(vocab.ancestors(cid)) == above(vocab, cid), cid
        for p in vocab[cid].parents:
            assert cid in vocab.children(p) and cid in vocab.descendants(p)


def test_the_bundled_vocabulary_keeps_its_invariants(library):
    vocab = library.vocabulary
    for c in vocab.concepts.values():
        assert c.id not in vocab.ancestors(c.id), c.id  # no cycle along any path
        assert len(set(c.parents)) == len(c.parents)
        assert all(vocab[p].facet == c.facet for p in c.parents)
    for facet in CONCEPT_FACETS:
        labels = Counter(c.label.casefold() for c in vocab.in_facet(facet))
        assert [label for label, n in labels.items() if n > 1] == [], facet


# ---------------------------------------------------------------------------- counting


def recount(lib, query: str = "") -> dict[str, Counter]:
    """Facet -> label -> findings, counted the straightforward way: each finding once under every concept it is
    coded with and every ancestor of those along any path."""
    vocab = lib.vocabulary
    wanted = finding_ids(lib, query)
    out = {facet: Counter() for facet in CONCEPT_FACETS}
    for f in all_findings(lib):
        if f.id not in wanted:
            continue
        for facet in CONCEPT_FACETS:
            ids = set(f.concepts.get(facet, []))
            for cid in set(ids):
                ids |= above(vocab, cid)
            out[facet].update(vocab[c].label for c in ids)
    return out


@pytest.mark.parametrize("query", ["", "osteoporosis", "natto", "bone mineral density"])
def test_facet_counts_equal_a_straightforward_recount(library, query):
    page = library.search(query, kind="finding", limit=0, spell=False, broader=False)
    expected = recount(library, query)
    for facet in CONCEPT_FACETS:
        assert {k: v for k, v in page.facets.get(facet, {}).items() if v} == dict(expected[facet]), facet


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from benchmarks.generate import generate

    path = tmp_path_factory.mktemp("poly") / "lib"
    generate(path, 1000, seed=19, procs=1, log=lambda m: None)
    lib = Library.open(path)
    yield lib
    lib.close()


@pytest.mark.parametrize("query", ["", "bone", "postmenopausal"])
def test_facet_counts_of_a_generated_library_equal_a_recount(generated, query):
    coded = {c for f in all_findings(generated) for ids in f.concepts.values() for c in ids}
    assert coded & set(multi_parent(generated.vocabulary))  # the generator codes concepts with two parents
    page = generated.search(query, kind="finding", limit=0, spell=False, broader=False)
    expected = recount(generated, query)
    for facet in CONCEPT_FACETS:
        assert {k: v for k, v in page.facets.get(facet, {}).items() if v} == dict(expected[facet]), facet


def test_a_finding_reached_by_two_paths_counts_once(fresh_library):
    lib = fresh_library
    finding = next(f for f in all_findings(lib) if "postmenopausal-osteoporosis" in f.concepts.get("population", []))
    recode(lib, finding.id, "population", ["postmenopausal-osteoporosis"])
    # people <- postmenopausal women <- it, and people <- patients with osteoporosis <- it
    vocab = lib.vocabulary
    assert len([p for p in vocab.paths("postmenopausal-osteoporosis") if p[0] == "humans-all"]) >= 2
    page = lib.search("", filters={"population": ["People (clinical populations)"]}, kind="finding", limit=ALL,
                      spell=False, broader=False)
    assert [h.id for h in page.hits].count(finding.id) == 1 and page.total == len(page.hits)
    everyone = lib.search("", kind="finding", limit=0, spell=False, broader=False).facets["population"]
    assert everyone["People (clinical populations)"] == len(coded_with(lib, "population", {"humans-all"} |
                                                                        below(vocab, "humans-all")))


def test_short_abbreviations_stay_everyday_words(library):
    vocab = library.vocabulary
    for word in ("BP", "AD", "PD", "Ca", "GC", "bp", "ad", "pd", "ca", "gc"):
        assert not vocab.find_typed(word) and not vocab.find_all(word), word
    for name in vocab.names():  # every name a search expands in any case is not an everyday two-letter word
        assert name.casefold() not in {"bp", "ad", "pd", "ca", "gc"}, name


# ---------------------------------------------------------------------------- searching


def test_each_parent_finds_the_findings_of_a_child_with_several_parents(library):
    vocab = library.vocabulary
    for cid in multi_parent(vocab):
        facet = vocab[cid].facet
        mine = coded_with(library, facet, {cid})
        for p in vocab[cid].parents:
            label = vocab[p].label
            assert mine <= finding_ids(library, **{facet: label}), (cid, p)
            assert mine <= finding_ids(library, f'"{label}"'), (cid, p)  # the broader concept's name, typed


def test_a_new_parent_finds_the_child_at_once_and_undo_takes_it_back(fresh_library):
    lib = fresh_library
    mk4 = coded_with(lib, "agent", {"mk4"})
    assert mk4 and not mk4 <= finding_ids(lib, agent="Fermented foods")
    batches = len(lib.batches(500))
    result = lib.add_parent("mk4", "fermented-foods")
    assert result["concept"]["parents"] == ["vitamin-k2", "fermented-foods"]
    assert len(lib.batches(500)) == batches + 1
    assert mk4 <= finding_ids(lib, agent="Fermented foods") and mk4 <= finding_ids(lib, agent="Vitamin K2")
    assert mk4 <= finding_ids(lib, '"fermented foods"')
    assert "also under" in lib.batches(1)[0]["label"]
    lib.undo()
    assert lib.vocabulary["mk4"].parents == ("vitamin-k2",)
    assert not mk4 <= finding_ids(lib, agent="Fermented foods")
    lib.redo()
    assert lib.vocabulary["mk4"].parents == ("vitamin-k2", "fermented-foods")
    assert lib.history("mk4")


def test_removing_one_parent_keeps_the_others(fresh_library):
    lib = fresh_library
    natto = coded_with(lib, "agent", {"natto"})
    lib.remove_parent("natto", "Fermented foods")
    assert lib.vocabulary["natto"].parents == ("soy-foods",)
    assert natto <= finding_ids(lib, agent="Soy foods")
    assert not natto & (finding_ids(lib, agent="Fermented foods") - coded_with(lib, "agent", {"fermented-foods"}))
    lib.undo()
    assert lib.vocabulary["natto"].parents == ("fermented-foods", "soy-foods")


@pytest.mark.parametrize("child, parent, reason", [
    ("vitamin-k2", "mk7", "cycle"),  # below it along one path
    ("postmenopausal-women", "postmenopausal-osteoporosis", "cycle"),  # below it by its second parent only
    ("natto", "soy-foods", "already under"),
    ("natto", "human", "its parent must be one too"),
    ("natto", "natto", "own parent"),
])
def test_refused_parents_write_nothing(fresh_library, child, parent, reason):
    lib = fresh_library
    batches = len(lib.batches(500))
    with pytest.raises(DataError, match=reason):
        lib.add_parent(child, parent)
    assert len(lib.batches(500)) == batches


def test_a_cycle_through_a_second_parent_is_refused(fresh_library):
    lib = fresh_library
    lib.add_concept("population", "Women in trials", parent=["women", "osteoporosis-patients"], concept_id="wt")
    assert lib.vocabulary["wt"].parents == ("women", "osteoporosis-patients")
    with pytest.raises(DataError, match="cycle"):
        lib.add_parent("osteoporosis-patients", "wt")  # wt is below osteoporosis-patients by its second parent
    with pytest.raises(DataError, match="cycle"):
        lib.update_concept("women", parents=["humans-all", "wt"])


def test_merging_a_parent_keeps_the_childs_other_parents(fresh_library):
    lib = fresh_library
    lib.merge_concepts("fermented-foods", "soy-foods")
    assert lib.vocabulary["natto"].parents == ("fermented-foods",)
    lib.undo()
    assert lib.vocabulary["natto"].parents == ("fermented-foods", "soy-foods")


def test_also_broader_offers_each_parents_line(fresh_library):
    lib = fresh_library
    # a finding coded only with the second parent
    finding = next(f for f in all_findings(lib) if "human" in f.concepts.get("species", [])
                   and "osteoporosis" not in f.statement.lower())
    recode(lib, finding.id, "population", ["postmenopausal-women"])
    page = lib.search("postmenopausal osteoporosis", limit=0)
    offered = {o.concept: o for o in page.also_broader}
    assert "postmenopausal-women" in offered
    offer = offered["postmenopausal-women"]
    listed = lib.search(offer.query, filters=offer.filters, exclude=offer.exclude, limit=ALL, spell=False,
                        broader=False)
    assert listed.total == offer.count and finding.id in {h.id for h in listed.hits}


# ---------------------------------------------------------------------------- schema 0006


def test_a_schema_0006_library_keeps_every_parent_and_its_old_vocabulary_changes_undo(tmp_path):
    """A frozen library made by the vkref before the poly-hierarchy (schema 0006), in which natto was moved under
    vitamin K2 and a concept was added before the upgrade."""
    lib_dir = tmp_path / "old"
    lib_dir.mkdir()
    with gzip.open(REPO / "tests" / "data" / "library-schema0006-vocabulary.sqlite.gz") as src, \
            open(lib_dir / "library.sqlite", "wb") as dst:
        shutil.copyfileobj(src, dst)
    with sqlite3.connect(lib_dir / "library.sqlite") as con:
        before = dict(con.execute("SELECT id, parent_id FROM concept"))
    with Library.open(lib_dir) as lib:
        assert lib.db.current_revision() == lib.info()["schema_head"]
        vocab = lib.vocabulary
        assert {c.id: c.parent for c in vocab.concepts.values()} == before
        assert all(len(c.parents) <= 1 for c in vocab.concepts.values())
        assert vocab["natto"].parents == ("vitamin-k2",)
        natto = coded_with(lib, "agent", {"natto"})
        assert natto <= finding_ids(lib, agent="Vitamin K2")
        lib.add_parent("natto", "fermented-foods")
        assert natto <= finding_ids(lib, agent="Fermented foods")
        lib.undo()
        assert "women-taking-warfarin" in lib.vocabulary
        lib.undo()  # the concept added before the upgrade
        assert "women-taking-warfarin" not in lib.vocabulary
        lib.undo()  # the move made before the upgrade
        assert lib.vocabulary["natto"].parents == ("fermented-foods",)
        assert json.dumps(lib.history("natto"))
    with sqlite3.connect(lib_dir / "library.sqlite") as con:
        links = set(con.execute("SELECT concept_id, parent_id FROM concept_parent"))
        assert {(c, p) for c, p in before.items() if p and c != "women-taking-warfarin"} - {("natto", "vitamin-k2")} \
            <= links
        assert con.execute("SELECT count(*) FROM change WHERE entity='concept' AND field='parent'").fetchone() == (0,)

