"""End to end: ``vkref study ...`` and the study count of ``vkref search`` as subprocesses on a copy of the
bundled library."""
import json
import shutil
import subprocess
import sys

import pytest


def run(*args, library, code=0):
    cmd = [sys.executable, "-m", "vkref", "--library", str(library)] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert r.returncode == code, r.stderr
    return r


def run_json(*args, library):
    return json.loads(run(*args, "--json", library=library).stdout)


@pytest.fixture
def libdir(built_library, tmp_path):
    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    return path


def test_search_says_how_many_studies_its_findings_rest_on(libdir):
    data = run_json("search", "Matsunaga", "--limit", "50", library=libdir)
    assert list(data)[-1] == "studies"
    shown = {h["id"] for h in data["hits"] if h["kind"] == "finding"}
    # every finding's studies, from the lossless JSON export (the findings' own field)
    exported = json.loads(run("export", "--format", "json", library=libdir).stdout)
    resting = {f["id"]: set(f["studies"]) for f in exported["findings"]}
    assert data["studies"]["findings"] == len(shown)
    assert data["studies"]["studies"] == len({s for fid in shown for s in resting.get(fid, ())})
    lines = run("search", "Matsunaga", library=libdir).stdout.splitlines()
    assert lines[0].endswith(f"{data['studies']['findings']} findings from {data['studies']['studies']} studies")
    assert any("study: Matsunaga et al." in line for line in lines)  # each hit names its study


def test_list_show_add_link_merge_undo_by_the_contract(libdir):
    listed = run_json("study", "list", "hara", library=libdir)
    assert listed["count"] == len(listed["studies"]) >= 2
    assert set(listed["studies"][0]) == {"id", "label", "first_author", "year", "design", "population", "size",
                                         "note", "version", "findings"}
    shown = run_json("study", "show", "binkley-ymj34", library=libdir)
    assert {"kjm-015", "ymj-022"} <= {f["id"] for f in shown["findings"]}
    assert shown["reviews"] == ["iwamoto-2003-kjm", "iwamoto-2006-ymj"]
    made = run_json("study", "add", "--set", "label=Shiraki 2000", "--set", "first_author=Shiraki",
                    "--set", "year=2000", "--set", "size=n=241", library=libdir)
    assert made["id"] == "shiraki-2000" and made["batch"]
    linked = run_json("study", "link", "kjm-004", "shiraki-2000", library=libdir)
    assert "shiraki-2000" in linked["studies"]
    assert [h["id"] for h in run_json("search", "Shiraki", library=libdir)["hits"]] == ["kjm-004"]
    merged = run_json("study", "merge", "binkley-ymj34", "otomo-ymj35", library=libdir)
    assert merged["findings"] == ["ymj-022"]
    assert "binkley-ymj34" in run("study", "show", "binkley-ymj34", library=libdir).stdout
    run("undo", library=libdir)
    assert run_json("study", "show", "otomo-ymj35", library=libdir)["findings"][0]["id"] == "ymj-022"
    unlinked = run_json("study", "unlink", "kjm-004", "shiraki-2000", library=libdir)
    assert "shiraki-2000" not in unlinked["studies"]
    assert run_json("study", "delete", "shiraki-2000", library=libdir)["batch"]


@pytest.mark.parametrize("args, says", [
    (("study", "show", "nope"), "unknown study 'nope'"),
    (("study", "link", "kjm-004", "nope"), "unknown study 'nope'"),
    (("study", "link", "no-such-finding", "hara-ymj37"), "unknown finding"),
    (("study", "delete", "matsunaga-ymj36"), "rest on it"),
    (("study", "add", "--set", "colour=red"), "--set 'colour=red'"),
    (("study", "edit", "hara-ymj37", "--set", "year=soon"), "a year is a number"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(libdir, args, says):
    before = run("history", "hara-ymj37", library=libdir).stdout
    r = run(*args, library=libdir, code=2)
    assert says in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert run("history", "hara-ymj37", library=libdir).stdout == before
