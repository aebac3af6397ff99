"""End to end: ``vkref concept ...`` as subprocesses on a copy of the bundled library."""
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


def test_list_usage_merge_and_undo_by_the_contract(libdir):
    listed = run_json("concept", "list", "--facet", "species", library=libdir)["concepts"]
    assert {c["facet"] for c in listed} == {"species"}
    assert set(listed[0]) == {"id", "facet", "label", "synonyms", "parent", "depth", "children", "findings",
                              "findings_with_narrower", "reviews", "parents"}
    assert "ambiguous" in run("concept", "usage", "mice", library=libdir, code=2).stderr  # species, population
    mouse = run_json("concept", "usage", "mice", "--facet", "species", library=libdir)  # a synonym names it
    assert mouse["id"] == "mouse" and mouse["findings"] > 0
    found = run_json("search", "", "--filter", "species=Mouse", "--kind", "finding", "--limit", "500",
                     library=libdir)
    assert found["total"] == mouse["findings"]
    merged = run_json("concept", "merge", "Rat", "Mouse", library=libdir)
    assert merged["findings_recoded"] == mouse["findings"] and merged["batch"]
    assert "Mouse" in merged["concept"]["synonyms"]
    after = run_json("search", "", "--filter", "species=Mouse", "--kind", "finding", "--limit", "500",
                     library=libdir)  # the old label filters by the kept concept now
    assert {h["id"] for h in found["hits"]} <= {h["id"] for h in after["hits"]}
    assert all(h["facets"]["species"] == ["Rat"] for h in after["hits"] if h["id"] in
               {x["id"] for x in found["hits"]})
    assert run_json("undo", library=libdir)["undid"] == "vocabulary: merge 'Mouse' into 'Rat'"
    assert run_json("concept", "usage", "mouse", library=libdir)["findings"] == mouse["findings"]


def test_edits_and_refusals(libdir):
    made = run_json("concept", "add", "agent", "Vitamin K2 analogue", "--parent", "vitamin K2", "--synonym",
                    "K2 analog", library=libdir)["concept"]
    assert made["id"] == "vitamin-k2-analogue" and made["parent"] == "vitamin-k2"
    renamed = run_json("concept", "rename", made["id"], "Vitamin K2 analogues", library=libdir)["concept"]
    assert renamed["label"] == "Vitamin K2 analogues"
    assert run_json("concept", "synonym", "remove", made["id"], "K2 analog", library=libdir)["concept"]["synonyms"] == []
    assert run_json("concept", "parent", made["id"], "--none", library=libdir)["concept"]["parent"] is None
    before = run_json("history", "vitamin-k2", library=libdir)["changes"]
    refused = run("concept", "parent", "vitamin-k2", "mk4", library=libdir, code=2)
    assert refused.stderr.count("\n") == 1 and "cycle" in refused.stderr and not refused.stdout
    assert run_json("history", "vitamin-k2", library=libdir)["changes"] == before
    assert run_json("concept", "delete", made["id"], library=libdir)["deleted"]["id"] == made["id"]
    assert "unknown concept" in run("concept", "usage", made["id"], library=libdir, code=2).stderr
