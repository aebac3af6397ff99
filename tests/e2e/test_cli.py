"""End to end: the ``vkref`` command as a subprocess on a temporary library (PRODUCT.md contract)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

FACETS = ["kind", "agent", "population", "species", "outcome", "direction", "evidence", "review", "year"]
HIT_KEYS = {"kind", "id", "score", "title", "text", "highlights", "source_id", "review", "facets", "status",
            "studies"}


def run(*args, library=None, env=None):
    cmd = [sys.executable, "-m", "vkref"] + (["--library", str(library)] if library else []) + list(args)
    e = dict(os.environ, **(env or {}))
    return subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=120)


@pytest.fixture
def libdir(built_library, tmp_path):
    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    return path


def test_search_json_contract(libdir):
    r = run("search", "raloxifene femoral neck", "--json", library=libdir)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert list(data) == ["query", "searched_as", "suggestion", "total", "elapsed_ms", "hits", "facets",
                          "also_broader", "studies"]
    assert data["query"] == "raloxifene femoral neck" and data["total"] >= 1
    assert list(data["facets"]) == FACETS
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert set(hit["review"]) >= {"id", "title", "authors", "journal", "year", "doi", "citation"}
    assert data["facets"]["agent"].get("Raloxifene", 0) >= 1
    assert sum(data["facets"]["kind"].values()) == data["total"]


def test_filters_and_exclusions(libdir):
    r = run("search", "vitamin K2", "--filter", "species=rat", "--filter", "species=Human", "--exclude",
            "evidence=in vitro", "--json", "--limit", "200", library=libdir)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    for hit in data["hits"]:
        if hit["kind"] == "finding":
            assert set(hit["facets"]["species"]) & {"Rat", "Human"}
            assert "In vitro study" not in hit["facets"]["evidence"]


def test_sort_evidence_and_no_spell(libdir):
    r = run("search", "MK-4 fracture", "--sort", "evidence", "--kind", "finding", "--json", library=libdir)
    assert r.returncode == 0, r.stderr
    first = json.loads(r.stdout)["hits"][0]["facets"]
    assert first["species"] == ["Human"] and first["evidence"][0] in ("Meta-analysis", "Randomized controlled trial")
    corrected = json.loads(run("search", "menatetreone", "--json", library=libdir).stdout)
    assert corrected["suggestion"] == "menatetrenone" and corrected["total"] > 0
    r = run("search", "menatetreone", "--no-spell", "--json", library=libdir)
    assert r.returncode == 0 and json.loads(r.stdout)["total"] == 0


def test_readable_table_by_default(libdir):
    r = run("search", "MK-4 vertebral fracture", library=libdir)
    assert r.returncode == 0 and "results for" in r.stdout and "searched as:" in r.stdout


def test_zero_hits_is_success(libdir):
    r = run("search", "xylophone", "--json", library=libdir)
    assert r.returncode == 0 and json.loads(r.stdout)["total"] == 0


@pytest.mark.parametrize("args", [["search", "*"], ["search", "x", "--filter", "species"],
                                  ["search", "x", "--filter", "species=dog"], ["search", "x", "--limit", "ten"],
                                  ["frobnicate"], ["search", "a" * 10000]])
def test_bad_input_exits_2_with_one_line(libdir, args):
    r = run(*args, library=libdir)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_unexpected_problem_exits_1_without_traceback(tmp_path):
    bad = tmp_path / "lib"
    bad.mkdir()
    (bad / "library.sqlite").write_bytes(b"this is not a database" * 100)
    r = run("search", "x", library=bad)
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_info_and_reindex(libdir):
    r = run("info", "--json", library=libdir)
    info = json.loads(r.stdout)
    assert info["reviews"] == 4 and info["findings"] >= 100 and info["index"]["state"] == "ready"
    r = run("reindex", library=libdir)
    assert r.returncode == 0 and "index rebuilt" in r.stdout


def test_deleting_the_index_does_not_break_search(libdir):
    before = json.loads(run("search", "raloxifene femoral neck", "--json", library=libdir).stdout)
    shutil.rmtree(libdir / "index")
    after = json.loads(run("search", "raloxifene femoral neck", "--json", library=libdir).stdout)
    assert (libdir / "index").is_dir()
    assert after["total"] == before["total"] and after["facets"] == before["facets"]


def test_vkref_home_and_first_run(tmp_path):
    home = tmp_path / "home"
    r = run("info", "--json", env={"VKREF_HOME": str(home)})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["library"] == str(home.resolve())
    assert (home / "library.sqlite").exists()


def test_search_json_offers_the_broader_concept(libdir):
    data = json.loads(run("search", "MK-4", "--json", "--limit", "0", library=libdir).stdout)
    offer = next(o for o in data["also_broader"] if o["label"] == "Vitamin K2")
    assert set(offer) == {"facet", "concept", "label", "narrower", "count", "query", "filters", "exclude"}
    args = ["search", offer["query"], "--json", "--limit", "0", "--filter", "kind=finding", "--filter", "agent=Vitamin K2"]
    for label in offer["exclude"]["agent"]:
        args += ["--exclude", f"agent={label}"]
    assert json.loads(run(*args, library=libdir).stdout)["total"] == offer["count"] > 0
