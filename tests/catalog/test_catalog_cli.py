"""End to end: ``vkref catalog init``, ``--catalog``/``VKREF_CATALOG``, ``vkref edit --if-version`` losing a race,
``vkref info`` on a catalog, and the server killed in the middle of an import batch."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.catalog.pgserver import wait_until
from tests.conftest import REPO


def vkref(*args, library, catalog=None, env=None, check=True, timeout=180):
    cmd = [sys.executable, "-m", "vkref", "--library", str(library)]
    cmd += ["--catalog", catalog] if catalog else []
    r = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})
    if check:
        assert r.returncode == 0, r.stderr
    return r


def test_catalog_init_makes_roles_and_reports(pg, tmp_path):
    url = pg.new_database("vkref_cli_init")
    r = vkref("catalog", "init", url, "--reader", "cli_reader", "--curator", "cli_curator", "--json",
              library=tmp_path)
    out = json.loads(r.stdout)
    assert out["schema"] and out["reviews"] > 0
    assert "created role cli_reader" in out["done"] and "created role cli_curator" in out["done"]
    assert "@" not in out["catalog"] or ":" not in out["catalog"].split("@")[0].split("//")[1]  # no password
    bad = vkref("catalog", "init", "mysql://x/y", library=tmp_path, check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_edit_if_version_loses_the_race_with_one_line(tmp_path, catalog_url):
    a, b = tmp_path / "a", tmp_path / "b"
    hit = json.loads(vkref("search", "--kind", "finding", "--limit", "1", "--json", library=a,
                           catalog=catalog_url).stdout)["hits"][0]["id"]
    history = json.loads(vkref("history", hit, "--json", library=a, catalog=catalog_url).stdout)
    version = max([c["version"] for c in history["changes"]] or [1])
    vkref("edit", hit, "--set", "dose=10 mg", "--if-version", version, library=a, catalog=catalog_url)
    lost = vkref("edit", hit, "--set", "dose=20 mg", "--if-version", version, library=b,
                 env={"VKREF_CATALOG": catalog_url}, check=False)
    assert lost.returncode == 2, lost.stderr
    line = lost.stderr.strip()
    assert len(line.splitlines()) == 1 and "conflict" in line and f"not {version}" in line, line
    again = vkref("edit", hit, "--set", "duration=2 years", "--if-version", version, "--json", library=b,
                  catalog=catalog_url, check=False)
    proposal = json.loads(again.stdout)  # the loser's edit, offered for merging
    assert again.returncode == 2 and proposal["version"] == version + 1 and proposal["conflicts"] == []
    assert proposal["merged"] == {"duration": "2 years"} and proposal["changed_by"][0]["fields"] == ["dose"]
    info = vkref("info", library=b, catalog=catalog_url).stdout
    assert "catalog:" in info and "lag 0" in info and "server 15" in info or "server" in info
    shown = json.loads(vkref("info", "--json", library=b, catalog=catalog_url).stdout)["catalog"]
    assert shown["sequence"] == shown["position"] and shown["role"] == "postgres"


IMPORTER = textwrap.dedent("""
    import sys
    from benchmarks.generate import Generator
    from vkref.library import Library
    lib = Library.open(sys.argv[1], catalog=sys.argv[2])
    reviews, findings = [], []
    for rs, fs in Generator(lib.vocabulary, 11).records(4000):
        reviews += rs
        findings += fs
    print("importing", flush=True)
    lib.add_records(reviews, findings, who="bulk import", label="killed import")
""")


def test_server_killed_in_the_middle_of_an_import_batch_leaves_no_partial_batch(pg, tmp_path, catalog_url,
                                                                               open_client):
    lib = open_client("watch")
    before = (lib.info()["reviews"], lib.info()["findings"], len(lib.batches(1000)))
    lib.close()
    script = tmp_path / "importer.py"
    script.write_text(IMPORTER)
    root = str(REPO)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "importer"), catalog_url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root,
                            env={**os.environ, "PYTHONPATH": root})
    import psycopg

    def import_writing() -> bool:  # the batch's transaction holds the write lock and is writing findings
        with psycopg.connect(catalog_url, autocommit=True) as conn:
            return bool(conn.execute(
                "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                "AND l.granted AND a.query ILIKE 'INSERT INTO finding%'").fetchone())

    try:
        assert wait_until(import_writing, timeout=120, step=0.02), proc.stderr.read() if proc.poll() else ""
        pg.stop("immediate")
    finally:
        pg.start()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "not reachable" in err, err[-2000:]  # the batch was cut off by the kill
    lib = open_client("after")
    assert (lib.info()["reviews"], lib.info()["findings"], len(lib.batches(1000))) == before
    assert not any(b["label"] == "killed import" for b in lib.batches(1000))
