"""Change batches, field-level history, undo/redo and record versions (the curation contract)."""
import json

import pytest

from tests.conftest import REPO

from vkref.core.entities import Author, Finding, Review
from vkref.core.errors import ConflictError, DataError, UsageError


def snapshot(lib):
    """Everything a user can see of the library: records with their fields, and what search returns."""
    from vkref.core import records as R

    reviews = {r.id: R.review_fields(r) for r in lib.reviews()}
    findings = {f.id: R.finding_fields(f) for r in lib.reviews() for f in lib.findings_of(r.id)}
    page = lib.search("", limit=1000, all_keys=True)
    return reviews, findings, sorted(page.keys), page.facets


def new_review(i):
    return Review(id=f"imp-{i}", title=f"Menaquinone-7 and quokkastiffness, trial {i}", year=2020 + i % 3,
                  authors=[Author("Knapen", "Marjo H J"), Author("Vermeer", "Cees")], doi=f"10.1000/trial.{i}")


def test_every_write_is_one_batch_with_field_changes(fresh_library):
    lib = fresh_library
    before = lib.get_finding("ymj-036")
    result = lib.edit("ymj-036", {"dose": "45 mg/day", "tags": '["checked"]'})
    after = lib.get_finding("ymj-036")
    assert after.dose == "45 mg/day" and after.tags == ["checked"]
    assert after.version == before.version + 1 == result["version"]
    changes = [c for c in lib.history("ymj-036") if c["batch"] == result["batch"]]
    assert sorted((c["field"], json.dumps(c["old"]), json.dumps(c["new"])) for c in changes) == \
        [("dose", json.dumps(before.dose), '"45 mg/day"'), ("tags", "[]", '["checked"]')]
    assert lib.batches()[0]["id"] == result["batch"] and lib.batches()[0]["kind"] == "edit"


def test_saving_the_same_record_again_changes_nothing(fresh_library):
    lib = fresh_library
    f = lib.get_finding("kjm-010")
    assert lib.save_finding(f) == 0
    assert lib.get_finding("kjm-010").version == f.version
    assert lib.can_undo() is None  # the bundled library is not an undo step, and nothing else happened


def test_undo_and_redo_a_whole_import_restore_database_and_index(fresh_library):
    lib = fresh_library
    before = snapshot(lib)
    reviews = [new_review(i) for i in range(30)]
    findings = [Finding(id=f"imp-{i}-f1", review_id=f"imp-{i}", statement=f"Quokkastiffness fell, trial {i}",
                        concepts={"agent": ["mk7"], "species": ["human"]}) for i in range(30)]
    batch = lib.add_records(reviews, findings)
    imported = snapshot(lib)
    assert len(imported[0]) == len(before[0]) + 30 and lib.search("quokkastiffness").total >= 60
    undo = lib.undo()
    assert undo["kind"] == "undo" and undo["changes"] == 60
    assert snapshot(lib) == before
    assert lib.search("quokkastiffness").total == 0
    assert lib.redo()["kind"] == "redo"
    assert snapshot(lib) == imported
    assert any(c["batch"] == batch for c in lib.history("imp-3"))


def test_undo_refuses_when_the_record_changed_since(fresh_library):
    lib = fresh_library
    lib.edit("kjm-010", {"dose": "first"})
    lib.edit("kjm-010", {"dose": "second"})
    assert lib.undo()["undid"].endswith("kjm-010")
    assert lib.get_finding("kjm-010").dose == "first"
    lib.edit("kjm-010", {"dose": "third"})  # a new batch: the redo stack is gone
    assert lib.redo() is None


def test_undo_conflict_writes_nothing(fresh_library):
    lib = fresh_library
    lib.add_records([new_review(1)], [])
    # someone edits the imported review in another batch, then undoes only... the older import
    lib.edit("imp-1", {"title": "Edited title"})
    from vkref.store import changes

    with lib._write_lock:
        # mark the edit as undone without taking it back: the import's undo must now see a conflict
        from vkref.store import models as M

        with lib.db.session() as s:
            s.get(M.ChangeBatch, lib.batches()[0]["id"]).state = "undone"
    with pytest.raises(ConflictError, match="imp-1"):
        changes.undo(lib.db)
    assert lib.get_review("imp-1").title == "Edited title"


def test_deleted_and_recreated_records_keep_growing_versions(fresh_library):
    lib = fresh_library
    v = lib.get_finding("kjm-010").version
    assert lib.delete_finding("kjm-010")
    total = lib.search("", limit=0).total
    assert lib.get_finding("kjm-010") is None
    lib.undo()
    assert lib.get_finding("kjm-010").version > v
    assert lib.search("", limit=0).total == total + 1


def test_edit_checks_version_fields_and_codes(fresh_library):
    lib = fresh_library
    v = lib.get_review("iwamoto-2006-ymj").version
    with pytest.raises(ConflictError, match="version"):
        lib.edit("iwamoto-2006-ymj", {"notes": "x"}, if_version=v + 5)
    with pytest.raises(UsageError, match="unknown field"):
        lib.edit("iwamoto-2006-ymj", {"colour": "red"})
    with pytest.raises(DataError, match="unknown record"):
        lib.edit("no-such-id", {"notes": "x"})
    with pytest.raises(Exception, match="(?i)unknown"):
        lib.edit("ymj-036", {"species": '["Martian"]'})
    lib.edit("ymj-036", {"species": '["rats"]'})  # a synonym, as --filter takes it
    assert lib.get_finding("ymj-036").concepts["species"] == ["rat"]
    lib.edit("iwamoto-2006-ymj", {"year": "2007", "authors": json.dumps(["Iwamoto, Jun", "Sato, Yoshihiro"])},
             if_version=v)
    r = lib.get_review("iwamoto-2006-ymj")
    assert r.year == 2007 and [a.family for a in r.authors] == ["Iwamoto", "Sato"]
    assert lib.search("", filters={"year": ["2007"]}, kind="finding").total > 0


def test_bad_codes_are_data_errors_and_write_nothing(fresh_library):
    lib = fresh_library
    bad = Finding(id="x-1", review_id="iwamoto-2006-ymj", statement="s", concepts={"agent": ["no-such-concept"]})
    with pytest.raises(DataError, match="x-1"):
        lib.add_records([new_review(2)], [bad])
    assert lib.get_review("imp-2") is None and lib.can_undo() is None


def test_history_of_unknown_id_is_an_error(fresh_library):
    with pytest.raises(DataError):
        fresh_library.history("nothing-here")


def test_a_schema_0001_library_migrates_and_keeps_every_record(tmp_path):
    """A frozen copy of a library written by the release before change batches (schema 0001)."""
    import gzip
    import shutil
    from pathlib import Path

    from vkref.library import Library

    lib_dir = tmp_path / "old"
    lib_dir.mkdir()
    with gzip.open(REPO / "tests" / "data" / "library-schema0001.sqlite.gz") as src, \
            open(lib_dir / "library.sqlite", "wb") as dst:
        shutil.copyfileobj(src, dst)
    with Library.open(lib_dir) as lib:
        from vkref.store.database import HEAD_REVISION

        assert lib.db.current_revision() == HEAD_REVISION
        assert lib.info()["reviews"] == 4 and lib.info()["findings"] == 200  # the frozen copy's own count
        assert lib.get_finding("ymj-036").version == 1
        assert lib.search("", limit=1).total == 204
        lib.edit("ymj-036", {"dose": "45 mg/day"})
        assert lib.get_finding("ymj-036").version == 2
        assert lib.undo() is not None and lib.get_finding("ymj-036").dose == ""
    assert list((lib_dir / "backups").glob("*schema0001*"))


def test_tags_of_a_review_are_saved_and_undone(fresh_library):
    lib = fresh_library
    lib.edit("iwamoto-2006-ymj", {"tags": '["to read", "retraction check"]'})
    assert sorted(lib.get_review("iwamoto-2006-ymj").tags) == ["retraction check", "to read"]
    lib.undo()
    assert lib.get_review("iwamoto-2006-ymj").tags == []
