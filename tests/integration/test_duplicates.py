"""Duplicate detection (identifiers, blocked fuzzy titles, vetoes), merge with undo, "not a duplicate"."""
import random

import pytest

from vkref.core.entities import Author, Finding, Review
from vkref.library.duplicates import find_duplicates, score


def rev(rid, title, year=2006, family="Iwamoto", given="Jun", doi="", pmid="", type_="journal-article",
        journal="Yonsei Med J"):
    return Review(id=rid, title=title, year=year, authors=[Author(family, given)], doi=doi, pmid=pmid,
                  type=type_, journal_abbrev=journal)


BASE = rev("a", "Effects of vitamin K2 on the development of osteopenia in rats as the models of osteoporosis",
           doi="10.3349/ymj.2006.47.2.157", pmid="16642543")


@pytest.mark.parametrize("variant, reason", [
    (rev("b", BASE.title.upper() + "."), "title"),                                      # case, trailing period
    (rev("b", BASE.title.replace("K2", "K<sub>2</sub>")), "title"),                     # HTML markup
    (rev("b", BASE.title.replace("osteopenia", "osteopénia"), given="J."), "title"),    # diacritics, initials
    (rev("b", BASE.title, year=2007), "year ±1"),                                       # one year apart
    (rev("b", "Something else", pmid="16642543"), "same PMID"),                          # identifier wins
    (rev("b", BASE.title.replace(" ", "  ").replace("-", "–"), doi="10.3349/YMJ.2006.47.2.157"), "same DOI"),
])
def test_variants_of_one_record_are_found(variant, reason):
    pairs = find_duplicates([BASE, variant])
    assert len(pairs) == 1 and reason in pairs[0].to_dict()["reason"]


@pytest.mark.parametrize("other", [
    rev("b", BASE.title, doi="10.1000/another"),                 # a different DOI vetoes
    rev("b", BASE.title, pmid="999"),                            # a different PMID vetoes
    rev("b", "Erratum: " + BASE.title, type_="erratum"),         # a notice is not the article
    rev("b", BASE.title, year=2009),                             # years too far apart
    rev("b", BASE.title, family="Sato"),                         # another first author
    rev("b", "Effects of vitamin K1 on bleeding in newborns"),   # another title
])
def test_non_duplicates_are_not_proposed(other):
    assert find_duplicates([BASE, other]) == []


def test_declared_distinct_pairs_are_never_proposed():
    other = rev("b", BASE.title.upper())
    assert find_duplicates([BASE, other], {("a", "b")}) == []


def test_blocking_finds_planted_duplicates_among_many():
    rng = random.Random(7)
    words = ("vitamin menaquinone bone density fracture osteoporosis trial rats women calcium turnover "
             "osteocalcin carboxylation cohort randomized elderly serum hip spine dietary intake").split()
    reviews = []
    for i in range(3000):
        title = " ".join(rng.sample(words, 6)) + f" study {i}"
        reviews.append(rev(f"r{i}", title, year=1990 + i % 30, family=f"Author{i % 500}"))
    planted = []
    for i in range(0, 3000, 60):
        r = reviews[i]
        reviews.append(rev(f"dup{i}", r.title.title() + ".", year=r.year, family=r.authors[0].family))
        planted.append(tuple(sorted((r.id, f"dup{i}"))))
    found = {(p.a, p.b) for p in find_duplicates(reviews)}
    recall = len(found & set(planted)) / len(planted)
    assert recall == 1.0
    assert len(found - set(planted)) <= len(planted) * 0.05  # few false candidates


def test_score_reasons_name_what_agreed():
    p = score(BASE, rev("b", BASE.title.lower()))
    assert p.reasons[:3] == ["title 100", "year", "first author"] and "journal" in p.reasons


def test_merge_moves_findings_keeps_aliases_and_undoes(fresh_library):
    lib = fresh_library
    keep = rev("imp-keep", "Menaquinone-7 and bone loss in postmenopausal women", year=2013, family="Knapen",
               given="Marjo", doi="10.1007/s00198-013-2325-6")
    other = rev("imp-other", "Menaquinone-7 and bone loss in postmenopausal women.", year=2013, family="Knapen",
                given="M", pmid="23525894")
    other.summary = "A three-year trial of 180 ug MK-7 a day."
    finding = Finding(id="imp-other-f1", review_id="imp-other", statement="MK-7 slowed the loss of BMD.",
                      concepts={"agent": ["mk7"], "species": ["human"]})
    lib.add_records([keep, other], [finding])
    pairs = [p.to_dict() for p in lib.find_duplicates()]
    assert any({p["a"], p["b"]} == {"imp-keep", "imp-other"} for p in pairs)
    result = lib.merge("imp-keep", "imp-other", choose=["pmid"])
    merged = lib.get_review("imp-keep")
    assert lib.get_review("imp-other") is None and result["findings_moved"] == 1
    assert merged.summary == other.summary and merged.pmid == "23525894" and merged.doi == keep.doi
    assert "id:imp-other" in merged.aliases
    assert lib.get_finding("imp-other-f1").review_id == "imp-keep"
    assert lib.search("", filters={"review": ["imp-keep"]}, kind="finding").total == 1
    lib.undo()
    assert lib.get_review("imp-other").summary == other.summary
    assert lib.get_finding("imp-other-f1").review_id == "imp-other"
    assert lib.get_review("imp-keep").pmid == ""
    lib.mark_distinct("imp-keep", "imp-other")
    assert not any({p.a, p.b} == {"imp-keep", "imp-other"} for p in lib.find_duplicates())
    lib.undo()  # "not a duplicate" is a change like any other
    assert any({p.a, p.b} == {"imp-keep", "imp-other"} for p in lib.find_duplicates())


def test_the_same_records_exported_by_two_tools_are_paired_exactly():
    """citation-js's biblatex test file and its CSL-JSON conversion hold the same 27 records (the BibTeX key is
    the CSL id: the labels). Titles lose subtitles, types change (report -> other), pages change form."""
    from dataclasses import replace as _r

    from tests.conftest import SHARED
    from vkref.io import importers

    base = SHARED / "data" / "biblio"
    if not base.exists():
        pytest.skip("shared bibliographic files not present")
    a = [_r(r.review, id=f"a{i}") for i, r in
         enumerate(importers.read_file(base / "bibtex" / "citation-js__biblatex-input.bib").records)]
    b = [_r(r.review, id=f"b{i}") for i, r in
         enumerate(importers.read_file(base / "csl-json" / "citation-js__biblatex-csl.json").records)]
    truth = {tuple(sorted((x.id, y.id))) for x in a for y in b if x.source_id and x.source_id == y.source_id}
    found = {(p.a, p.b) for p in find_duplicates(a + b) if p.a[0] != p.b[0]}
    assert len(truth) >= 25
    assert found == truth  # precision 1.0 and recall 1.0 on this labelled set


def test_a_merge_takes_a_backup_first(fresh_library):
    lib = fresh_library
    lib.add_records([rev("x-1", "Vitamin K2 and bone", doi="10.1/x"), rev("x-2", "Vitamin K2 and bone.")], [])
    before = set((lib.path / "backups").glob("*merge*")) if (lib.path / "backups").exists() else set()
    lib.merge("x-1", "x-2")
    assert len(set((lib.path / "backups").glob("*merge*")) - before) == 1
