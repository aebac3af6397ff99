"""Primary studies as records: storage, change log (history, undo, redo), merging, search counts and words,
JSON and bundle exchange, and libraries made before studies existed (migration 0008)."""
from __future__ import annotations

import gzip
import json
import shutil

import pytest

from tests.conftest import REPO
from vkref.core.errors import DataError
from vkref.io import vkjson
from vkref.library import Library


def _studies_of_keys(lib, keys):
    """The distinct studies the findings among ``keys`` rest on, read record by record (not the count's map)."""
    fids = [k.split(":", 1)[1] for k in keys if k.startswith("finding:")]
    return fids, {s for fid in fids for s in lib.get_finding(fid).studies}


def test_the_bundled_library_has_its_studies_and_links(library):
    studies = library.studies()
    assert len(studies) >= 100
    assert library.get_finding("ymj-025").studies == ["hara-ymj37", "matsunaga-ymj36"]
    shown = library.study("matsunaga-ymj36")
    assert {"kjm-026", "ymj-025"} <= {f["id"] for f in shown["findings"]}
    assert shown["reviews"] == ["iwamoto-2003-kjm", "iwamoto-2006-ymj"]
    assert library.get_finding("ymj-023").studies == []  # no reference cited: the review's own synthesis


@pytest.mark.parametrize("query", ["Matsunaga", "ovariectomized", "alfacalcidol menatetrenone", "MK-7", ""])
def test_a_result_page_counts_the_studies_of_all_its_findings(library, query):
    page = library.search(query, limit=5)
    everything = library.search(query, limit=0, all_keys=True)
    fids, studies = _studies_of_keys(library, everything.keys)
    assert page.studies == {"findings": len(fids), "studies": len(studies)}
    assert page.to_dict()["studies"] == page.studies
    if fids:
        assert page.studies_line.startswith(f"{len(fids)} finding")
        assert page.studies_line.endswith(f"from {len(studies)} stud{'ies' if len(studies) != 1 else 'y'}")


def test_each_finding_hit_names_its_studies(library):
    page = library.search("Matsunaga", limit=50)
    for h in page.hits:
        expected = library.get_finding(h.id).studies if h.kind == "finding" else []
        assert [s["id"] for s in h.studies] == sorted(expected)
        assert all(s["label"] == library.get_study(s["id"]).label for s in h.studies)
    assert any(h.studies for h in page.hits)
    assert page.hits[0].to_dict()["studies"] == page.hits[0].studies


def test_the_count_follows_filters_and_kind(library):
    page = library.search("", filters={"kind": ["review"]})
    assert page.studies == {"findings": 0, "studies": 0} and page.studies_line == ""
    assert library.search("rats", exclude={"kind": ["finding"]}).studies == {"findings": 0, "studies": 0}
    rats = library.search("", filters={"species": ["Rat"]}, limit=0, all_keys=True)
    fids, studies = _studies_of_keys(library, rats.keys)
    assert rats.studies == {"findings": len(fids), "studies": len(studies)}


def test_a_new_study_is_stored_linked_searchable_and_undone_whole(fresh_library):
    lib = fresh_library
    made = lib.save_study({"label": "Shiraki 2000", "first_author": "Shiraki", "year": 2000,
                           "design": "randomized trial", "size": "n=241"})
    assert made["id"] == "shiraki-2000" and lib.get_study("shiraki-2000").year == 2000
    lib.link_studies("kjm-004", ["shiraki-2000"])
    assert "shiraki-2000" in lib.get_finding("kjm-004").studies
    assert [h.id for h in lib.search("Shiraki").hits] == ["kjm-004"]
    lib.reindex()  # a full rebuild writes the same words
    assert [h.id for h in lib.search("Shiraki").hits] == ["kjm-004"]
    history = lib.history("kjm-004")
    assert history[-1]["field"] == "studies" and "shiraki-2000" in history[-1]["new"]
    assert lib.history("shiraki-2000")[0]["field"] == "*"
    lib.undo()  # the link
    assert "shiraki-2000" not in lib.get_finding("kjm-004").studies
    assert lib.search("Shiraki").total == 0
    lib.undo()  # the study
    with pytest.raises(DataError):
        lib.get_study("shiraki-2000")
    lib.redo()
    lib.redo()
    assert "shiraki-2000" in lib.get_finding("kjm-004").studies and lib.get_study("shiraki-2000").size == "n=241"


def test_renaming_a_study_reindexes_the_findings_resting_on_it(fresh_library):
    lib = fresh_library
    assert lib.search("Zeppelinstudy").total == 0
    lib.save_study({"label": "Zeppelinstudy et al."}, "binkley-ymj34")
    found = {h.id for h in lib.search("Zeppelinstudy", limit=50).hits}
    assert found == {f["id"] for f in lib.study("binkley-ymj34")["findings"]} >= {"kjm-015", "ymj-022"}


def test_merging_two_records_of_one_study_and_taking_it_back(fresh_library):
    lib = fresh_library
    before = {s["id"]: s["findings"] for s in lib.studies()}
    moved = {f["id"] for f in lib.study("otomo-ymj35")["findings"]}
    result = lib.merge_studies("binkley-ymj34", "otomo-ymj35")
    assert set(result["findings"]) == moved
    assert "otomo-ymj35" not in {s["id"] for s in lib.studies()}
    for fid in moved:
        assert lib.get_finding(fid).studies.count("binkley-ymj34") == 1
    lib.undo()
    assert {s["id"]: s["findings"] for s in lib.studies()} == before  # no study and no link lost
    lib.redo()
    assert "otomo-ymj35" not in {s["id"] for s in lib.studies()}
    lib.undo()
    assert {s["id"]: s["findings"] for s in lib.studies()} == before


def test_duplicate_study_records_are_proposed_and_merged(fresh_library):
    lib = fresh_library
    assert lib.study_duplicates() == []  # the bundled Hara, Iwamoto, Kobayashi studies are distinct studies
    a = lib.save_study({"label": "Shiraki 2000", "first_author": "Shiraki", "year": 2000})["id"]
    b = lib.save_study({"label": "Shiraki M et al.", "first_author": "SHIRAKI", "year": 2000})["id"]
    c = lib.save_study({"label": "Shiraki 2003", "first_author": "Shiraki", "year": 2003})["id"]
    lib.link_studies("kjm-004", [b])
    pairs = lib.study_duplicates()
    assert pairs == [{"a": a, "b": b, "reason": "the same first author and year"}]
    lib.merge_studies(a, b)
    assert lib.get_finding("kjm-004").studies.count(a) == 1 and b not in lib.get_finding("kjm-004").studies
    assert lib.study_duplicates() == [] and lib.get_study(c).year == 2003


def test_bad_study_input_writes_nothing(fresh_library):
    lib = fresh_library
    batches = len(lib.batches())
    with pytest.raises(DataError, match="unknown study 'nope'"):
        lib.link_studies("kjm-004", ["nope"])
    with pytest.raises(DataError, match="rest on it"):
        lib.delete_study("matsunaga-ymj36")
    with pytest.raises(DataError, match="label"):
        lib.save_study({"first_author": "Nobody"})
    with pytest.raises(DataError, match="unknown field"):
        lib.save_study({"label": "x", "colour": "red"})
    with pytest.raises(DataError, match="itself"):
        lib.merge_studies("hara-ymj37", "hara-ymj37")
    assert len(lib.batches()) == batches


def test_json_export_and_import_carry_studies(fresh_library, tmp_path, built_library):
    lib = fresh_library
    lib.save_study({"label": "Shiraki 2000", "first_author": "Shiraki", "year": 2000})
    lib.link_studies("kjm-004", ["shiraki-2000"])
    data = json.loads(lib.export("json"))
    assert {"shiraki-2000", "matsunaga-ymj36"} <= {s["id"] for s in data["studies"]}
    finding = next(f for f in data["findings"] if f["id"] == "kjm-004")
    assert "shiraki-2000" in finding["studies"]
    other_path = tmp_path / "other"
    shutil.copytree(built_library, other_path)
    target = tmp_path / "export.json"
    target.write_text(json.dumps(data), encoding="utf-8")
    with Library.open(other_path) as other:
        other.trash_finding("kjm-004")  # a finding the other library lacks comes in with its links
        other.import_files([target])
        assert other.get_study("shiraki-2000").first_author == "Shiraki"
        assert "shiraki-2000" in other.get_finding("kjm-004").studies


def test_a_bundle_carries_studies(fresh_library, tmp_path, built_library):
    lib = fresh_library
    sid = lib.save_study({"label": "Shiraki 2000", "first_author": "Shiraki"})["id"]
    assert sid == "shiraki"  # no year: the id is the author's name
    lib.link_studies("kjm-004", [sid])
    bundle = tmp_path / "share.vkref"
    manifest = lib.export_bundle(bundle, query="Shiraki")
    assert manifest["counts"]["studies"] >= 1
    other_path = tmp_path / "other"
    shutil.copytree(built_library, other_path)
    with Library.open(other_path) as other:
        report = other.import_bundle(bundle, prefer="bundle")
        assert report["studies"]["added"] == 1
        assert sid in other.get_finding("kjm-004").studies
        other.undo()
        assert sid not in other.get_finding("kjm-004").studies and other.studies("Shiraki") == []


def test_a_library_json_whose_finding_names_an_absent_study_is_refused():
    body = {"format": "vkref-library", "version": 1, "vocabulary": [],
            "reviews": [{"id": "r1", "title": "A review"}],
            "findings": [{"id": "f1", "review_id": "r1", "statement": "Something.", "studies": ["s9"]}]}
    with pytest.raises(DataError, match="study 's9' is not in the file"):
        vkjson.load(json.dumps(body), source="x.json")


def test_an_old_library_migrates_and_takes_the_bundled_studies(tmp_path):
    """A frozen library written before studies were records (schema 0002) opens at schema 0008, then takes the
    bundled studies and their links in one undoable batch."""
    from vkref.store.database import HEAD_REVISION

    lib_dir = tmp_path / "old"
    lib_dir.mkdir()
    with gzip.open(REPO / "tests" / "data" / "library-schema0002.sqlite.gz") as src, \
            open(lib_dir / "library.sqlite", "wb") as dst:
        shutil.copyfileobj(src, dst)
    with Library.open(lib_dir) as lib:
        assert lib.db.current_revision() == HEAD_REVISION
        findings = lib.info()["findings"]
        assert lib.studies() == [] and lib.search("").studies["studies"] == 0
        report = lib.adopt_bundled_studies()
        assert report["studies"] >= 100 and report["findings"] >= 100
        assert lib.info()["findings"] == findings
        linked = [f for f in lib.search("Matsunaga", limit=50).hits if lib.get_finding(f.id).studies]
        assert linked
        assert lib.adopt_bundled_studies()["batch"] == 0  # already there: nothing written
        lib.undo()
        assert lib.studies() == []
        lib.redo()
        assert len(lib.studies()) == report["studies"]


def test_a_library_at_schema_0006_migrates_keeping_every_record(built_library, tmp_path):
    """The revision before this one: the study tables are added, nothing else changes."""
    import sqlalchemy as sa
    from alembic import command

    from vkref.store.database import HEAD_REVISION, alembic_config

    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    with Library.open(path) as lib:
        before = (lib.info()["findings"], lib.info()["reviews"])
    engine = sa.create_engine(f"sqlite:///{path / 'library.sqlite'}")
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    engine.dispose()
    with Library.open(path) as lib:
        assert lib.db.current_revision() == HEAD_REVISION
        assert (lib.info()["findings"], lib.info()["reviews"]) == before
        assert lib.studies() == []
        assert lib.adopt_bundled_studies()["findings"] >= 100
        assert lib.get_finding("kjm-026").studies == ["matsunaga-ymj36"]


def test_the_scan_used_while_the_index_rebuilds_counts_the_same(fresh_library):
    lib = fresh_library
    indexed = lib.search("ovariectomized").studies
    assert indexed["studies"] > 1
    lib.search_service.use_fallback([d for batch in lib.iter_documents() for d in batch])
    try:
        assert lib.search_service.fallback is not None
        assert lib.search("ovariectomized").studies == indexed
    finally:
        lib.search_service.fallback = None
