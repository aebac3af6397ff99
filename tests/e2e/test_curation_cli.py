"""End to end: the librarian's commands as subprocesses on real files (the curation contract)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import SHARED

BIBLIO = SHARED / "data" / "biblio"
MEDLINE = BIBLIO / "medline" / "biopython__pubmed_result1.txt"
pytestmark = pytest.mark.skipif(not BIBLIO.exists(), reason="shared bibliographic files not present")


def run(*args, library, check=True, timeout=180):
    cmd = [sys.executable, "-m", "vkref", "--library", str(library)] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def run_json(*args, library):
    return json.loads(run(*args, "--json", library=library).stdout)


@pytest.fixture
def libdir(built_library, tmp_path):
    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    return path


def _records_in(path):
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("PMID-"))


def test_import_reports_by_the_contract_and_undo_takes_it_back(libdir):
    n = _records_in(MEDLINE)
    before = run_json("search", "", "--kind", "review", library=libdir)["total"]
    report = run_json("import", MEDLINE, "--tag", "pubmed-run-1", library=libdir)
    assert list(report) == ["batch", "files", "imported", "duplicates", "skipped", "candidates"]
    f = report["files"][0]
    assert f["format"] == "medline" and f["records"] == n and isinstance(f["candidates"], list)
    assert f["records"] == f["imported"] + f["duplicates"] + f["skipped"]
    assert report["imported"] == f["imported"] > 0 and report["batch"]
    after = run_json("search", "", "--kind", "review", library=libdir)
    assert after["total"] == before + f["imported"]
    # imported records are coded from their MeSH headings: a species filter keeps them
    human = run_json("search", "", "--kind", "review", "--filter", "species=Human", "--limit", "200",
                     library=libdir)
    assert any(h["source_id"] and h["source_id"].isdigit() for h in human["hits"])
    # the same file again: every record is a duplicate, nothing is created twice
    again = run_json("import", MEDLINE, library=libdir)
    assert again["imported"] == 0 and again["duplicates"] == f["imported"]
    assert run_json("search", "", "--kind", "review", library=libdir)["total"] == after["total"]
    run("undo", library=libdir)  # the second import (it merged nothing new: possibly an empty step)
    undo = run_json("undo", library=libdir)
    assert undo["kind"] == "undo"
    assert run_json("search", "", "--kind", "review", library=libdir)["total"] == before


def test_history_shows_the_import_of_a_record(libdir):
    report = run_json("import", MEDLINE, library=libdir)
    hits = run_json("search", "", "--kind", "review", "--limit", "500", library=libdir)["hits"]
    imported = [h for h in hits if h["source_id"] and h["source_id"].isdigit()]
    history = run_json("history", imported[0]["id"], library=libdir)
    assert history["changes"][0]["batch"] == report["batch"] and history["changes"][0]["field"] == "*"


def test_unreadable_files_are_refused_with_one_line_and_nothing_written(libdir, tmp_path):
    png = tmp_path / "picture.ris"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    bad_json = tmp_path / "not-csl.json"
    bad_json.write_text('{"hello": "world"}')
    truncated = tmp_path / "cut.xml"
    truncated.write_text('<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>')
    for path in (png, bad_json, truncated):
        r = run("import", MEDLINE, path, library=libdir, check=False)  # one bad file: the good one waits too
        assert r.returncode == 2, (path, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and path.name in lines[0] and "Traceback" not in r.stderr
    assert run_json("search", "", "--kind", "review", library=libdir)["total"] == 4


def test_export_a_selection_and_import_it_into_an_empty_library(libdir, tmp_path):
    run("import", MEDLINE, library=libdir)
    for fmt, suffix in (("ris", "ris"), ("bibtex", "bib"), ("csl-json", "json")):
        out = tmp_path / f"selection.{suffix}"
        run("export", "--kind", "review", "--format", fmt, "-o", out, library=libdir)
        empty = tmp_path / f"empty-{fmt}"
        src = run_json("search", "", "--kind", "review", "--limit", "500", library=libdir)
        report = run_json("import", out, library=empty)
        # the new library starts from the bundled reviews, which are duplicates of themselves
        assert report["imported"] + report["duplicates"] == src["total"], fmt
        dst = run_json("search", "", "--kind", "review", "--limit", "500", library=empty)
        key = lambda h: (h["review"]["title"].rstrip("."), h["review"]["year"], (h["review"]["doi"] or "").lower())
        assert sorted(map(key, dst["hits"])) == sorted(map(key, src["hits"])), fmt


def test_evidence_table_and_citations(libdir):
    md = run("export", "MK-4", "--kind", "finding", "--filter", "species=Human", "--format", "evidence-md",
             library=libdir).stdout
    total = run_json("search", "MK-4", "--kind", "finding", "--filter", "species=Human", library=libdir)["total"]
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert len(rows) == total + 2  # header and rule
    for style in ("vancouver", "ama", "apa"):
        line = run("cite", "iwamoto-2006-ymj", "--style", style, library=libdir).stdout.strip()
        assert "Iwamoto" in line and "2006" in line
    r = run("cite", "no-such-review", library=libdir, check=False)
    assert r.returncode == 2 and "no-such-review" in r.stderr


def test_edit_with_version_conflict(libdir):
    v = run_json("edit", "kjm-010", "--set", "dose=45 mg/day", library=libdir)["version"]
    r = run("edit", "kjm-010", "--set", "dose=1 mg", "--if-version", str(v - 1), library=libdir, check=False)
    assert r.returncode == 2 and "version" in r.stderr
    assert run_json("edit", "kjm-010", "--set", "dose=1 mg", "--if-version", str(v), library=libdir)["version"] \
        == v + 1


def _big_medline(path, n):
    """A MEDLINE file of ``n`` records made from a real one with new PMIDs."""
    text = MEDLINE.read_text(encoding="utf-8").strip().split("\n\n")
    out = []
    for i in range(n):
        rec = text[i % len(text)]
        out.append(rec.replace("PMID- ", f"PMID- 9{i:07d}", 1).replace("TI  - ", f"TI  - Copy {i}: ", 1))
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")


@pytest.mark.parametrize("delay", [0.8, 1.6, 2.4])
def test_a_killed_import_leaves_the_library_as_before(libdir, tmp_path, delay):
    big = tmp_path / "big.txt"
    _big_medline(big, 3000)
    proc = subprocess.Popen([sys.executable, "-m", "vkref", "--library", str(libdir), "import", str(big)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    total = run_json("search", "", "--kind", "review", library=libdir)["total"]
    assert total in (4, 4 + 3000)  # all or nothing
    info = run_json("info", library=libdir)
    assert info["reviews"] == total


def test_two_databases_duplicates_and_the_prisma_summary(libdir, tmp_path):
    ovid = [BIBLIO / "ris" / f"asreview__ovid_{n}.ris" for n in ("zotero", "psycinfo")]
    report = run_json("import", *ovid, library=libdir)
    assert [f["duplicates"] for f in report["files"]] == [0, 6] and report["candidates"] == 0
    variant = tmp_path / "other-db.ris"  # the first Ovid record as another database words it, without a DOI
    variant.write_text("TY  - JOUR\nTI  - The influence of self criticism on depressive symptoms among ambulatory "
                       "patients with inflammatory bowel disease\nAU  - Trindade, I.\nPY  - 2020\nER  -\n",
                       encoding="utf-8")
    text = run("import", variant, library=libdir).stdout
    assert "record 1 (" in text and "may duplicate" in text and "1 possible duplicate imported" in text
    summary = run_json("prisma", library=libdir)
    assert (summary["identified"], summary["duplicates_removed"], summary["remaining"]) == (13, 6, 7)
    assert summary["pairs_to_decide"] == 1 and [s["records"] for s in summary["sources"]] == [6, 6, 1]
    pair = run_json("duplicates", library=libdir)["pairs"][0]
    run("distinct", pair["a"], pair["b"], library=libdir)
    printed = run("prisma", library=libdir).stdout
    assert "Records identified: 13" in printed and "Records remaining: 7" in printed
    assert "still to decide: 0 (declared not duplicates: 1)" in printed
