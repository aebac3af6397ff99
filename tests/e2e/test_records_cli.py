"""End to end: the record commands as subprocesses (add-finding, duplicate, trash, untrash, revert, the status of a
review through edit) and what they promise: JSON by the contract, exit 2 with one line and nothing written."""
import json
import shutil
import subprocess
import sys

import pytest

REVIEW = "iwamoto-2006-cds"


def run(*args, library):
    cmd = [sys.executable, "-m", "vkref", "--library", str(library)] + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def ok_json(*args, library):
    r = run(*args, "--json", library=library)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def libdir(built_library, tmp_path):
    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    return path


def test_status_through_edit_reaches_search_json_cite_and_history(libdir):
    ok_json("edit", REVIEW, "--set", "status=expression of concern", "--set", "status_date=2023-11",
            "--set", "status_note=data questioned", library=libdir)
    hits = ok_json("search", "", "--filter", f"review={REVIEW}", "--limit", "50", library=libdir)["hits"]
    assert hits and {h["status"]["kind"] for h in hits} == {"expression-of-concern"}
    assert hits[0]["status"]["banner"] == "EXPRESSION OF CONCERN 2023-11: data questioned"
    other = ok_json("search", "", "--filter", "review=iwamoto-2003-kjm", "--limit", "5", library=libdir)["hits"]
    assert {h["status"] is None for h in other} == {True}
    cite = run("cite", REVIEW, library=libdir)
    assert cite.stdout.strip().endswith("[EXPRESSION OF CONCERN 2023-11: data questioned]")
    changes = ok_json("history", REVIEW, library=libdir)["changes"]
    assert {"status", "status_date", "status_note"} <= {c["field"] for c in changes}
    assert all(isinstance(c["change"], int) and c["change"] > 0 for c in changes)


def test_add_finding_refuses_bad_input_with_one_line_and_writes_nothing(libdir):
    before = ok_json("search", "", "--filter", f"review={REVIEW}", library=libdir)["total"]
    for sets, words in ((["statement=A rat study", "species=Human", "evidence=animal study"], "animal study"),
                        (["statement=Something", "agent=unobtainium"], "unobtainium"),
                        (["statement= "], "statement"), (["colour=red"], "unknown field")):
        r = run("add-finding", REVIEW, *[x for s in sets for x in ("--set", s)], library=libdir)
        assert r.returncode == 2 and words in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert "Traceback" not in r.stderr
    assert ok_json("search", "", "--filter", f"review={REVIEW}", library=libdir)["total"] == before


def test_add_duplicate_trash_untrash_and_revert(libdir):
    made = ok_json("add-finding", REVIEW, "--set", "statement=Vitamin K2 with alendronate kept more bone.",
                   "--set", "species=Human", "--set", "evidence=clinical study", "--set", "agent=MK-4;alendronate",
                   library=libdir)
    assert set(made) == {"id", "batch", "version"} and made["version"] == 1
    found = ok_json("search", "kept more bone", library=libdir)["hits"]
    assert found[0]["id"] == made["id"]
    copy = ok_json("duplicate", made["id"], library=libdir)["id"]
    ok_json("trash", copy, library=libdir)
    trash = ok_json("trash", library=libdir)
    assert trash["count"] == 1 and trash["trash"][0]["id"] == copy
    assert set(trash["trash"][0]) == {"id", "review_id", "statement", "deleted", "who", "batch", "change"}
    again = run("untrash", made["id"], library=libdir)
    assert again.returncode == 2 and "not in the trash" in again.stderr
    ok_json("untrash", copy, library=libdir)
    assert ok_json("trash", library=libdir)["count"] == 0
    ok_json("edit", copy, "--set", "dose=45 mg/day", library=libdir)
    dose = next(c for c in ok_json("history", copy, library=libdir)["changes"] if c["field"] == "dose")
    assert ok_json("revert", dose["change"], library=libdir)["field"] == "dose"
    assert run("revert", dose["change"], library=libdir).returncode == 2  # already taken back


def test_add_review_then_its_finding(libdir):
    made = ok_json("add-review", "--set", "title=Vitamin K2 and hip fracture: an umbrella review",
                   "--set", "authors=Doe, Jane; Roe, R", "--set", "year=2024", "--set", "keywords=MK-4;hip",
                   library=libdir)
    assert made["id"].startswith("doe-2024-") and made["version"] == 1
    cite = run("cite", made["id"], library=libdir).stdout
    assert cite.startswith("Doe J, Roe R. Vitamin K2 and hip fracture: an umbrella review.")
    finding = ok_json("add-finding", made["id"], "--set", "statement=Fewer hip fractures were pooled.",
                      library=libdir)
    hits = ok_json("search", "", "--filter", f"review={made['id']}", library=libdir)["hits"]
    assert {h["id"] for h in hits} == {made["id"], finding["id"]}
    bad = run("add-review", "--set", "year=soon", library=libdir)
    assert bad.returncode == 2 and "year" in bad.stderr
    empty = run("add-review", "--set", "journal=Bone", library=libdir)
    assert empty.returncode == 2 and "title is empty" in empty.stderr
