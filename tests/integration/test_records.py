"""Curating records one at a time through the Library API (no Qt): publication status and its banner, new and
duplicated findings, the species-evidence rule, the trash, reverting one change, and a library of schema 0002."""
from __future__ import annotations

import gzip
import json
import shutil

import pytest

from tests.conftest import REPO

from vkref.core.errors import ConflictError, DataError, UsageError
from vkref.library import Library

REVIEW = "iwamoto-2006-cds"
NEW = {"statement": "Menatetrenone given for two years lowered the vertebral fracture rate in a new trial.",
       "section": "Results", "dose": "45 mg/day", "tags": ["to-check"],
       "concepts": {"agent": ["menatetrenone"], "species": ["Humans"], "evidence": ["randomised controlled trial"],
                    "outcome": ["vertebral fracture"]}}


def _ids(page) -> list[str]:
    return [h.id for h in page.hits]


def test_a_retracted_review_shows_its_banner_on_its_findings_everywhere(fresh_library):
    lib = fresh_library
    lib.edit(REVIEW, {"status": "Retracted", "status_date": "2024-05-01", "status_note": "data integrity",
                      "status_notice": "Retraction notice, Curr Drug Saf 2024"})
    hits = lib.search("", filters={"review": [REVIEW]}, limit=100).hits
    assert hits and all(h.status and h.status["kind"] == "retracted" for h in hits)
    banner = "RETRACTED 2024-05-01: data integrity; Retraction notice, Curr Drug Saf 2024"
    assert hits[0].to_dict()["status"]["banner"] == banner
    other = lib.search("", filters={"review": ["iwamoto-2003-kjm"]}, limit=5).hits
    assert other and all(h.status is None for h in other)
    assert "[RETRACTED 2024-05-01" in lib.cite([REVIEW])[0]
    assert "[RETRACTED" in lib.cite([REVIEW], style="apa")[0]
    assert "RETRACTED 2024-05-01" in lib.export("evidence-csv", ids=["cds-001"])
    assert "N1  - RETRACTED 2024-05-01" in lib.export("ris", ids=[REVIEW])
    card = lib.answer("raloxifene vertebral fracture")
    assert any("RETRACTED 2024-05-01" in line for line in card.cautions)


def test_a_status_takes_known_values_only_and_an_unknown_one_writes_nothing(fresh_library):
    lib = fresh_library
    before = lib.get_review(REVIEW).version
    with pytest.raises(DataError, match="status must be one of"):
        lib.edit(REVIEW, {"status": "withdrawn-ish"})
    with pytest.raises(DataError, match="status_date"):
        lib.edit(REVIEW, {"status": "corrected", "status_date": "1 May 2024"})
    assert lib.get_review(REVIEW).version == before and lib.get_review(REVIEW).status == ""


def test_the_bundled_findings_resting_on_retracted_trials_are_flagged(library):
    flagged = {h.id for h in library.search("", filters={"review": ["iwamoto-2006-ymj"]}, limit=500).hits
               if h.status and h.status["kind"] == "source-retracted"}
    assert flagged == {"ymj-011", "ymj-012", "ymj-054", "ymj-055", "ymj-056"}


def test_a_finding_flagged_as_resting_on_a_retracted_study_says_so(fresh_library):
    lib = fresh_library
    lib.edit("ymj-036", {"source_retracted": "yes"})
    hit = next(h for h in lib.search("", filters={"review": ["iwamoto-2006-ymj"]}, limit=200).hits
               if h.id == "ymj-036")
    assert hit.status["kind"] == "source-retracted"
    assert "RESTS ON A RETRACTED STUDY" in lib.export("evidence-md", ids=["ymj-036"])
    lib.undo()
    assert lib.status("ymj-036") is None


def test_a_new_finding_is_coded_searchable_and_undoable(fresh_library):
    lib = fresh_library
    result = lib.new_finding(REVIEW, NEW)
    f = lib.get_finding(result["id"])
    assert f.review_id == REVIEW and f.concepts["species"] == ["human"] and f.concepts["evidence"] == ["rct"]
    assert result["id"] not in {x.id for x in lib.findings_of(REVIEW)} - {f.id}
    assert result["id"] in _ids(lib.search("new trial two years", limit=5))
    lib.undo()
    assert lib.get_finding(result["id"]) is None
    assert result["id"] not in _ids(lib.search("new trial two years", limit=5))


@pytest.mark.parametrize("change, field, words", [
    ({"statement": "  "}, "statement", "empty"),
    ({"concepts": {"agent": ["unobtainium"]}}, "agent", "unknown agent"),
    ({"concepts": {"species": ["Human"], "evidence": ["animal study"]}}, "species", "animal study"),
    ({"concepts": {"species": ["Rat"], "evidence": ["RCT"]}}, "species", "study in people"),
    ({"concepts": {"direction": ["beneficial", "harmful"]}}, "direction", "one direction"),
])
def test_an_invalid_finding_is_refused_whole(fresh_library, change, field, words):
    lib = fresh_library
    fields = dict(NEW, review_id=REVIEW, **change)
    assert words in lib.finding_problems(fields)[field]
    batches = len(lib.batches())
    with pytest.raises(DataError, match=field):
        lib.new_finding(REVIEW, fields)
    assert len(lib.batches()) == batches


def test_the_cli_edit_refuses_codes_that_contradict_each_other(fresh_library):
    lib = fresh_library
    species = lib.get_finding("ymj-036").concepts.get("species")
    with pytest.raises(DataError, match="animal study"):
        lib.edit("ymj-036", {"species": "Human", "evidence": "animal study"})
    assert lib.get_finding("ymj-036").concepts.get("species") == species


def test_duplicate_trash_and_restore(fresh_library):
    lib = fresh_library
    copy = lib.duplicate_finding("cds-001")["id"]
    assert copy != "cds-001" and lib.get_finding(copy).statement == lib.get_finding("cds-001").statement
    place = [f.id for f in lib.findings_of(REVIEW)]
    lib.trash_finding(copy)
    assert lib.get_finding(copy) is None and [t["id"] for t in lib.trash()] == [copy]
    with pytest.raises(DataError, match="not in the trash"):
        lib.restore_finding("cds-001")
    lib.restore_finding(copy)
    assert lib.trash() == [] and [f.id for f in lib.findings_of(REVIEW)] == place
    assert lib.get_finding(copy).version == 3  # created, deleted, restored: versions only grow
    new = lib.duplicate_finding("cds-001")["id"]
    assert new not in (copy, "cds-001")


def test_a_trashed_id_is_never_given_to_a_new_finding(fresh_library):
    lib = fresh_library
    first = lib.new_finding(REVIEW, NEW)["id"]
    lib.trash_finding(first)
    second = lib.new_finding(REVIEW, NEW)["id"]
    assert second != first
    lib.undo()  # the creation of the second taken back: redo's business, not the trash's
    assert [t["id"] for t in lib.trash()] == [first]


def test_revert_one_change_and_refuse_when_it_was_changed_again(fresh_library):
    lib = fresh_library
    lib.edit("ymj-036", {"dose": "45 mg/day", "duration": "2 years"})
    dose = next(c for c in lib.history("ymj-036") if c["field"] == "dose")
    lib.revert(dose["change"])
    f = lib.get_finding("ymj-036")
    assert f.dose == "" and f.duration == "2 years"
    duration = next(c for c in lib.history("ymj-036") if c["field"] == "duration")
    lib.edit("ymj-036", {"duration": "3 years"})
    with pytest.raises(ConflictError, match="changed again"):
        lib.revert(duration["change"])
    with pytest.raises(UsageError, match="unknown change"):
        lib.revert(10 ** 9)


def test_reverting_a_creation_trashes_and_reverting_a_deletion_restores(fresh_library):
    lib = fresh_library
    fid = lib.new_finding(REVIEW, NEW)["id"]
    created = lib.history(fid)[0]
    lib.revert(created["change"])
    assert lib.get_finding(fid) is None
    deleted = lib.history(fid)[-1]
    assert deleted["field"] == "*" and deleted["new"] is None
    lib.revert(deleted["change"])
    assert lib.get_finding(fid).statement == NEW["statement"]


def test_a_schema_0002_library_migrates_and_its_old_changes_still_undo(tmp_path):
    """A frozen library of schema 0002 with a finding deleted and another edited before the upgrade."""
    lib_dir = tmp_path / "old"
    lib_dir.mkdir()
    with gzip.open(REPO / "tests" / "data" / "library-schema0002-edits.sqlite.gz") as src, \
            open(lib_dir / "library.sqlite", "wb") as dst:
        shutil.copyfileobj(src, dst)
    with Library.open(lib_dir) as lib:
        assert lib.db.current_revision() == lib.info()["schema_head"]
        assert lib.get_review(REVIEW).status == "" and lib.get_finding("ymj-036").source_retracted is False
        assert [t["id"] for t in lib.trash()] == ["ymj-035"]
        assert lib.undo()["undid"] == "edit: edit ymj-036"  # logged before the upgrade
        assert lib.get_finding("ymj-036").dose == ""
        lib.restore_finding("ymj-035")
        assert lib.get_finding("ymj-035") is not None and lib.trash() == []
        assert json.dumps(lib.history("ymj-035"))
