"""Duplicate detection (identifiers, blocked fuzzy titles, vetoes), merge with undo, "not a duplicate"."""
import json
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
    (rev("b", BASE.title, family="Iwamoto J"), "first author"),                         # unsplit name
    (rev("b", BASE.title, family="van Iwamoto"), "first author"),                       # a particle
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


def test_labelled_set_precision_of_automatic_merges_and_recall_of_proposals():
    """Real cross-tool exports plus generated variants (benchmarks/dupes_eval.py; figures in CURATION.md)."""
    from benchmarks.dupes_eval import evaluate
    from tests.conftest import SHARED

    base = SHARED / "data" / "biblio"
    if not base.exists():
        pytest.skip("shared bibliographic files not present")
    result = evaluate(base)
    assert result["true_pairs"] >= 1000 and result["erratum_pairs"] >= 50 and result["auto_merged"] >= 50
    assert result["auto_precision"] == 1.0
    assert result["proposed_recall"] >= 0.95
    assert result["errata_paired"] == 0


RIS_RECORD = """TY  - JOUR
TI  - {title}
AU  - {author}
PY  - {year}
T2  - Osteoporosis International
{extra}ER  -

"""


def ris(path, *records):
    path.write_text("".join(RIS_RECORD.format(**{"extra": "", **r}) for r in records), encoding="utf-8")
    return path


MK7 = {"title": "Menaquinone-7 supplementation and bone loss in postmenopausal women: a three-year trial",
       "author": "Knapen, Marjo H. J.", "year": 2013, "extra": "DO  - 10.1007/s00198-013-2325-6\n"}
OTHER = {"title": "Vitamin K2 and fracture healing in rats", "author": "Iwamoto, Jun", "year": 2006}


def test_the_same_search_from_two_databases_leaves_each_study_once(fresh_library):
    from tests.conftest import SHARED

    lib = fresh_library
    ovid = [SHARED / "data" / "biblio" / "ris" / f"asreview__ovid_{n}.ris" for n in ("zotero", "psycinfo")]
    if not ovid[0].exists():
        pytest.skip("shared bibliographic files not present")
    before = len(lib._reviews)
    report = lib.import_files(ovid).to_dict()
    first, second = report["files"]
    assert first["imported"] == first["records"] == 6 and second["duplicates"] == 6 and second["imported"] == 0
    assert len(lib._reviews) == before + 6
    summary = lib.prisma_summary()
    assert (summary["identified"], summary["duplicates_removed"], summary["remaining"]) == (12, 6, 6)
    assert [s["records"] for s in summary["sources"]] == [6, 6]
    assert "Duplicates removed: 6" in lib.prisma_text()
    lib.undo()
    assert lib.prisma_summary()["identified"] == 0  # an undone import is no longer in the flow


def test_a_doubtful_record_is_imported_listed_and_decided_once(fresh_library, tmp_path):
    lib = fresh_library
    lib.import_files([ris(tmp_path / "pubmed.ris", MK7, OTHER)])
    doubtful = {**MK7, "title": MK7["title"].replace("three-year", "3-year"), "author": "Knapen, M.", "year": 2014,
                "extra": ""}  # no DOI, another title wording and year: a person decides
    report = lib.import_files([ris(tmp_path / "embase.ris", doubtful)]).to_dict()
    f = report["files"][0]
    assert (f["imported"], f["duplicates"]) == (1, 0) and report["candidates"] == 1  # imported, not merged
    cand = f["candidates"][0]
    assert cand["record"] == 1 and "year ±1" in cand["reason"] and cand["score"] < 100
    kept = cand["duplicate_of"]
    assert lib.get_review(kept).doi == "10.1007/s00198-013-2325-6" and lib.get_review(cand["id"]) is not None
    assert lib.prisma_summary()["pairs_to_decide"] >= 1
    lib.mark_distinct(kept, cand["id"])
    assert not any({p.a, p.b} == {kept, cand["id"]} for p in lib.find_duplicates())
    again = lib.import_files([ris(tmp_path / "embase.ris", doubtful)], dry_run=True).to_dict()
    assert again["files"][0]["duplicates"] == 1 and again["candidates"] == 0


def test_after_a_merge_the_next_import_of_the_other_record_matches_keep(fresh_library, tmp_path):
    lib = fresh_library
    lib.import_files([ris(tmp_path / "a.ris", MK7)])
    variant = {**MK7, "title": "Menaquinone 7 supplementation & bone loss in post-menopausal women",
               "extra": "DO  - 10.9999/other-copy\n"}  # a second DOI (a preprint, say): never merged by itself
    report = lib.import_files([ris(tmp_path / "b.ris", variant)]).to_dict()
    assert report["imported"] == 1 and report["candidates"] == 0  # a different DOI vetoes the pair
    keep = next(r.id for r in lib._reviews.values() if r.doi == "10.1007/s00198-013-2325-6")
    other = next(r.id for r in lib._reviews.values() if r.doi == "10.9999/other-copy")
    lib.merge(keep, other)
    assert lib.prisma_summary()["duplicates_merged"] == 1
    again = lib.import_files([ris(tmp_path / "b.ris", variant)]).to_dict()
    assert again["duplicates"] == 1 and again["imported"] == 0 and again["batch"] is None  # it added nothing
    assert lib.prisma_summary()["duplicates_on_import"] == 1  # but it counts: its records were identified
    lib.undo()  # the merge
    assert lib.prisma_summary()["duplicates_merged"] == 0 and lib.get_review(other) is not None


def test_an_erratum_of_the_same_title_is_never_merged_on_import(fresh_library, tmp_path):
    lib = fresh_library
    lib.import_files([ris(tmp_path / "a.ris", OTHER)])
    erratum = [{"type": "erratum", "title": OTHER["title"], "author": [{"family": "Iwamoto", "given": "Jun"}],
                "issued": {"date-parts": [[2006]]}}]
    (tmp_path / "b.json").write_text(json.dumps(erratum), encoding="utf-8")
    report = lib.import_files([tmp_path / "b.json"]).to_dict()
    assert report["imported"] == 1 and report["duplicates"] == 0 and report["candidates"] == 0
    assert lib.get_review(lib.import_files([tmp_path / "b.json"], dry_run=True).files[0].preview[0]
                          ["duplicate_of"]).type == "erratum"  # the erratum's own second import matches it


def test_an_exact_duplicate_on_import_keeps_the_other_database_record_id_as_an_alias(fresh_library, tmp_path):
    lib = fresh_library
    lib.import_files([ris(tmp_path / "pubmed.ris", {**MK7, "extra": MK7["extra"] + "ID  - 23525894\n"})])
    report = lib.import_files([ris(tmp_path / "embase.ris", {**MK7, "extra": MK7["extra"] + "ID  - L52545\n"})])
    assert report.duplicates == 1 and report.batch
    kept = next(r for r in lib._reviews.values() if r.doi == "10.1007/s00198-013-2325-6")
    assert kept.source_id == "23525894" and "source:L52545" in kept.aliases
    assert any(c["field"] == "aliases" and c["batch"] == report.batch for c in lib.history(kept.id))


def test_merging_all_exact_pairs_keeps_the_curated_review_of_each_group(fresh_library):
    lib = fresh_library
    curated = rev("zz-curated", "Vitamin K2 and bone", doi="10.1/k2")
    finding = Finding(id="zz-curated-f1", review_id="zz-curated", statement="MK-4 lowered fracture risk.",
                      concepts={"agent": ["mk4"], "species": ["human"]})
    copies = [rev("aa-import", "Vitamin K2 and bone.", doi="10.1/K2"), rev("mm-import", "Other", pmid="77",
                                                                          doi="10.1/k2")]
    apart = rev("bb-apart", "Vitamin K2 and bone", pmid="77")  # same PMID as mm-import, declared distinct below
    lib.add_records([curated, *copies, apart], [finding])
    lib.mark_distinct("bb-apart", "zz-curated")
    result = lib.merge_exact_duplicates()
    assert sorted(result["merged"]) == [["zz-curated", "aa-import"], ["zz-curated", "mm-import"]]
    assert lib.get_review("bb-apart") is not None and lib.get_finding("zz-curated-f1").review_id == "zz-curated"
    assert {"id:aa-import", "id:mm-import"} <= set(lib.get_review("zz-curated").aliases)
    lib.undo()
    assert all(lib.get_review(r) is not None for r in ("aa-import", "mm-import", "zz-curated"))


def test_a_review_cannot_be_declared_distinct_from_itself(fresh_library):
    from vkref.core.errors import UsageError

    lib = fresh_library
    lib.add_records([rev("self-1", "Vitamin K2 and bone")], [])
    with pytest.raises(UsageError, match="same review"):
        lib.mark_distinct("self-1", "self-1")


def test_merging_reviews_that_no_import_brought_leaves_the_prisma_flow_alone(fresh_library):
    lib = fresh_library
    for r in (rev("hand-1", "Vitamin K2 and bone", doi="10.1/hand"), rev("hand-2", "Vitamin K2 and bone.")):
        lib.save_review(r)  # typed in by hand, not imported
    lib.merge("hand-1", "hand-2")
    summary = lib.prisma_summary()
    assert (summary["identified"], summary["duplicates_merged"], summary["remaining"]) == (0, 0, 0)


def test_a_full_text_and_its_file_come_from_one_record(fresh_library, tmp_path):
    lib = fresh_library
    lib.add_records([rev("ft-keep", "Vitamin K2 and bone", doi="10.1/ft"), rev("ft-other", "Vitamin K2 and bone."),
                     rev("ft-bare", "Vitamin K2 and bone!", year=2007)], [])
    for rid, words in (("ft-keep", "Menaquinone-4 lowered fractures."), ("ft-other", "Menaquinone-7 kept BMD.")):
        (tmp_path / f"{rid}.txt").write_text(f"Results\n\n{words} " * 20, encoding="utf-8")
        lib.attach_fulltext(rid, tmp_path / f"{rid}.txt")
    other = lib.get_review("ft-other")
    lib.merge("ft-keep", "ft-other", choose=["fulltext"])
    kept = lib.get_review("ft-keep")
    assert (kept.fulltext, kept.fulltext_file) == (other.fulltext, other.fulltext_file)
    lib.merge("ft-bare", "ft-keep")  # KEEP has no full text: OTHER's text and file both
    bare = lib.get_review("ft-bare")
    assert (bare.fulltext, bare.fulltext_file) == (other.fulltext, other.fulltext_file)


@pytest.mark.parametrize("meanwhile", ["edit", "new finding"])
def test_a_merge_fails_whole_when_the_other_review_changed_after_it_was_read(fresh_library, monkeypatch, meanwhile):
    """Another window or curator edits the review being merged away, or adds a finding to it, between the
    merge's read and its write: the merge must not delete that change unseen; it fails whole, nothing written."""
    from vkref import Library
    from vkref.core.errors import ConflictError

    lib = fresh_library
    lib.add_records([rev("m-keep", "Vitamin K2 and bone", doi="10.1/m"), rev("m-other", "Vitamin K2 and bone.")],
                    [Finding(id="m-other-f1", review_id="m-other", statement="MK-4 kept bone mass in rats.",
                             concepts={"agent": ["mk4"], "species": ["rat"]})])
    backup = lib.db.backup

    def colleague_writes_first(reason):  # the merge has read both reviews and the findings it moves
        other = Library.open(lib.path)
        try:
            if meanwhile == "edit":
                other.edit("m-other", {"notes": "checked against the journal"})
            else:
                other.new_finding("m-other", {"statement": "MK-4 kept bone strength in rats.",
                                              "concepts": {"species": ["rat"]}})
        finally:
            other.close()
        return backup(reason)

    monkeypatch.setattr(lib.db, "backup", colleague_writes_first)
    with pytest.raises(ConflictError):
        lib.merge("m-keep", "m-other")
    assert lib.get_review("m-other") is not None and len(lib.findings_of("m-other")) == 1 + (meanwhile != "edit")
    assert lib.get_finding("m-other-f1").review_id == "m-other"
