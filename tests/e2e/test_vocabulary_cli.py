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


def test_a_second_parent_is_added_and_removed_on_the_command_line(libdir):
    """``vkref concept parent ID --add P`` / ``--remove P``; the old form still moves; each change undoable."""
    def natto_findings(filter_):
        page = run_json("search", "natto", "--filter", filter_, "--kind", "finding", "--limit", "100", library=libdir)
        return {h["id"] for h in page["hits"]}

    added = run_json("concept", "parent", "mk7", "--add", "Fermented foods", library=libdir)["concept"]
    assert added["parents"] == ["long-chain-menaquinones", "fermented-foods"] and added["parent"] == added["parents"][0]
    listed = run("concept", "list", "--facet", "agent", library=libdir).stdout
    assert "mk7; " in listed and "also under fermented-foods" in listed
    assert "already under" in run("concept", "parent", "mk7", "--add", "fermented-foods", library=libdir,
                                  code=2).stderr
    assert "cycle" in run("concept", "parent", "fermented-foods", "--add", "mk7", library=libdir, code=2).stderr
    assert "one of" in run("concept", "parent", "mk7", "vitamin-k2", "--add", "natto", library=libdir, code=2).stderr
    removed = run_json("concept", "parent", "mk7", "--remove", "long-chain-menaquinones", library=libdir)["concept"]
    assert removed["parents"] == ["fermented-foods"]
    assert "not under" in run("concept", "parent", "mk7", "--remove", "vitamin-k2", library=libdir, code=2).stderr
    run("undo", library=libdir)
    run("undo", library=libdir)
    assert run_json("concept", "usage", "mk7", library=libdir)["parents"] == ["long-chain-menaquinones"]
    # natto sits under fermented foods and soy foods: a filter by either finds its findings
    assert natto_findings("agent=Soy foods") and natto_findings("agent=Soy foods") == natto_findings(
        "agent=Natto (fermented soybeans)")
