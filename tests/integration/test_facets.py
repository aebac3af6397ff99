"""Facet semantics (PRODUCT.md), checked against a brute-force computation over the library's records:
OR within a facet, AND across facets, each facet counted with every filter but its own, exclusions, year
range, and hierarchical roll-up (a parent counts each of its children's findings once)."""
import pytest

from vkref.core.vocabulary import CONCEPT_FACETS


def _records(library):
    """(kind, id, {facet: set(values as labels)}) for every finding and review, computed independently."""
    voc = library.vocabulary
    out = []
    by_review = {}
    for review in library.reviews():
        for f in library.findings_of(review.id):
            by_review.setdefault(review.id, []).append(f)
            facets = {facet: {voc[c].label for c in voc.with_ancestors(f.concepts.get(facet, []))}
                      for facet in CONCEPT_FACETS}
            facets["kind"] = {"finding"}
            facets["review"] = {library.review_label(review.id)}
            facets["year"] = {str(review.year)} if review.year else {"No year"}
            out.append(("finding", f.id, facets))
        mine = by_review.get(review.id, [])
        facets = {facet: {voc[c].label for f in mine for c in voc.with_ancestors(f.concepts.get(facet, []))}
                  for facet in ("agent", "population", "outcome")}
        # species: a review counts under the species most of its findings report ("Human" means human)
        per_species = {}
        for f in mine:
            for c in set(f.concepts.get("species", [])):
                per_species[c] = per_species.get(c, 0) + 1
        top = [c for c, n in per_species.items() if n == max(per_species.values())]
        facets["species"] = {voc[c].label for c in voc.with_ancestors(top)}
        for facet in ("agent", "population", "species", "outcome"):  # codes on the review itself
            facets[facet] |= {voc[c].label for c in voc.with_ancestors(review.concepts.get(facet, []))}
        facets.update({"direction": set(), "evidence": set(), "kind": {"review"},
                       "review": {library.review_label(review.id)},
                       "year": {str(review.year)} if review.year else {"No year"}})
        out.append(("review", review.id, facets))
    return out


def _expected(records, filters, exclude):
    def ok(facets, skip=None):
        for facet, values in filters.items():
            if facet != skip and not (facets[facet] & values):
                return False
        for facet, values in exclude.items():
            if facet != skip and facets[facet] & values:
                return False
        return True

    total = {(k, i) for k, i, f in records if ok(f)}
    counts = {}
    for facet in ("kind", "agent", "population", "species", "outcome", "direction", "evidence", "review", "year"):
        c = {}
        for _, _, f in records:
            if ok(f, skip=facet):
                for v in f[facet]:
                    c[v] = c.get(v, 0) + 1
        counts[facet] = c
    return total, counts


CASES = [
    ({}, {}),
    ({"species": {"Rat"}}, {}),
    ({"species": {"Human"}, "evidence": {"Randomized controlled trial", "Controlled clinical trial"}}, {}),
    ({"agent": {"Vitamin K2"}}, {}),
    ({"agent": {"Raloxifene", "Bisphosphonate"}, "species": {"Rat"}}, {}),
    ({"kind": {"finding"}}, {"species": {"Rat"}}),
    ({"outcome": {"Fracture"}}, {"direction": {"No significant effect"}}),
    ({"agent": {"MK-7 (menaquinone-7)"}, "population": {"Cell and tissue models"}}, {"evidence": {"In vitro study"}}),
]


@pytest.mark.parametrize("filters, exclude", CASES)
def test_counts_match_brute_force(library, filters, exclude):
    page = library.search("", filters={k: list(v) for k, v in filters.items()},
                          exclude={k: list(v) for k, v in exclude.items()}, limit=10000)
    total, counts = _expected(_records(library), filters, exclude)
    assert page.total == len(total)
    assert {(h.kind, h.id) for h in page.hits} == total
    assert page.facets == counts


def test_counts_with_a_text_query_follow_the_same_rules(library):
    base = library.search("osteocalcin", limit=10000)
    matched = {(h.kind, h.id) for h in base.hits}
    records = [r for r in _records(library) if (r[0], r[1]) in matched]
    filters = {"species": {"Human"}}
    page = library.search("osteocalcin", filters={"species": ["Human"]}, limit=10000)
    total, counts = _expected(records, filters, {})
    assert page.total == len(total) and page.facets == counts
    # the species facet is counted without its own filter, so the user can still widen it
    assert page.facets["species"] == base.facets["species"]


def test_or_within_and_across(library):
    rat = library.search("", filters={"species": ["Rat"]}, limit=0).total
    human = library.search("", filters={"species": ["Human"]}, limit=0).total
    either = library.search("", filters={"species": ["Rat", "Human"]}, limit=0).total
    assert max(rat, human) < either <= rat + human
    both = library.search("", filters={"species": ["Rat"], "evidence": ["Animal study"]}, limit=0).total
    assert both <= rat


def test_hierarchy_rolls_up_once(library):
    k2 = library.search("", filters={"agent": ["Vitamin K2"]}, kind="finding", limit=10000)
    mk4 = {h.id for h in library.search("", filters={"agent": ["MK-4"]}, kind="finding", limit=10000).hits}
    mk7 = {h.id for h in library.search("", filters={"agent": ["MK-7"]}, kind="finding", limit=10000).hits}
    ids = {h.id for h in k2.hits}
    assert mk4 and mk7 and (mk4 | mk7) <= ids
    page = library.search("", kind="finding", limit=0)
    assert page.facets["agent"]["Vitamin K2"] == len(ids)  # a finding with both MK-4 and MK-7 counts once


def test_filter_accepts_synonyms_case_insensitively(library):
    a = library.search("", filters={"agent": ["menatetrenone"]}, limit=0).total
    b = library.search("", filters={"agent": ["MK-4 (menatetrenone)"]}, limit=0).total
    c = library.search("", filters={"population": ["ovx"]}, limit=0).total
    assert a == b > 0 and c > 0


def test_human_rct_filter_never_shows_animal_or_cell_work(library):
    page = library.search("", filters={"species": ["Human"], "evidence": ["Randomized controlled trial",
                                                                      "Controlled clinical trial"]}, limit=10000)
    assert page.total > 0
    for hit in page.hits:
        assert set(hit.facets["species"]) == {"Human"}, hit.id


def test_year_range(library):
    all_ = library.search("", limit=0).total
    y2006 = library.search("", year_from=2006, year_to=2006, limit=10000)
    assert 0 < y2006.total < all_
    assert all(h.review.get("year") == 2006 for h in y2006.hits)
    assert library.search("", year_from=2030, limit=0).total == 0


def test_undated_records_have_a_no_year_value_and_a_range_says_it_left_them_out(library):
    everything = library.search("", limit=0)
    undated = everything.facets["year"]["No year"]
    assert undated > 0 and list(everything.facets["year"])[-1] == "No year"  # last, after the years
    only = library.search("", filters={"year": ["No year"]}, limit=10000)
    assert only.total == undated and all(h.review.get("year") is None for h in only.hits)
    assert library.search("", filters={"year": ["n.d."]}, limit=0).total == undated  # a synonym
    ranged = library.search("", year_from=2006, limit=0)
    assert ranged.undated_outside == undated
    assert f"{undated} undated records are outside the year range" in ranged.searched_as
    # the year facet offers only years inside the range: no 2003, no "No year"
    assert set(ranged.facets["year"]) == {"2006"}
    assert library.search("", limit=0).undated_outside == 0


def test_review_hits_count_their_findings_by_direction(library):
    """The counts a review row shows come from the index, and equal its findings' coded directions."""
    page = library.search("", kind="review", limit=100)
    assert page.hits
    voc = library.vocabulary
    for hit in page.hits:
        expected = {}
        for f in library.findings_of(hit.id):
            for c in set(f.concepts.get("direction", [])):
                expected[voc[c].label] = expected.get(voc[c].label, 0) + 1
        assert hit.findings == expected, hit.id
        assert "findings" not in hit.to_dict()  # the JSON of PRODUCT.md is unchanged
    assert any(len(h.findings) >= 3 for h in page.hits)
    assert all(h.findings == {} for h in library.search("", kind="finding", limit=20).hits)


def test_unknown_filter_value_is_a_query_error(library):
    from vkref.core.errors import QueryError

    with pytest.raises(QueryError, match="unknown species value 'dog'"):
        library.search("", filters={"species": ["dog"]})
    with pytest.raises(QueryError, match="unknown facet"):
        library.search("", filters={"colour": ["red"]})


def test_a_rat_model_review_is_not_counted_as_human(library):
    """Every bundled review holds some human and some animal findings; under Human only those that mostly
    report human evidence appear."""
    human_reviews = {h.id for h in library.search("", filters={"species": ["Human"]}, kind="review",
                                                  limit=100).hits}
    for review in library.reviews():
        findings = library.findings_of(review.id)
        human = sum("human" in f.concepts.get("species", []) for f in findings)
        rat = sum("rat" in f.concepts.get("species", []) for f in findings)
        if rat > human:
            assert review.id not in human_reviews


def test_counts_after_a_deletion_and_an_edit_match_brute_force(fresh_library):
    """A segment with deleted documents (a deleted finding; an edit deletes the old copy) is counted live."""
    lib = fresh_library
    review = lib.reviews()[0]
    gone, edited = lib.findings_of(review.id)[:2]
    lib.delete_finding(gone.id)
    edited.statement = edited.statement + " (edited)"
    lib.save_finding(edited, who="test")
    directory = lib.search_service.index.directory
    before = directory.stat().st_ino  # a rebuild (the answer to a damaged index) swaps in a new directory
    for filters in ({}, {"species": {"Human"}}):
        page = lib.search("", filters={k: list(v) for k, v in filters.items()}, limit=10000)
        total, counts = _expected(_records(lib), filters, {})
        assert ("finding", gone.id) not in {(h.kind, h.id) for h in page.hits}
        assert page.total == len(total) and page.facets == counts
    assert lib.index_state == "ready" and directory.stat().st_ino == before
