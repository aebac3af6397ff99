"""``vkref check [--repair] [--json]``: what it finds, what it repairs, and what it leaves to a backup."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from vkref.library import Library

from tests.conftest import REPO  # noqa: E402


def vkref(lib: Path, *args):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "vkref", "--library", str(lib), *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture
def lib(built_library, tmp_path) -> Path:
    path = tmp_path / "lib"
    shutil.copytree(built_library, path, ignore=shutil.ignore_patterns("running"))
    return path


def checks(result) -> dict:
    return {line["check"]: line for line in json.loads(result.stdout)["checks"]}


def test_a_sound_library_passes_every_check(lib):
    r = vkref(lib, "check", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    got = checks(r)
    assert set(got) == {"database", "schema", "index", "sidecars", "leftovers", "backups"}
    assert all(line["ok"] for line in got.values())
    assert "in step with the database" in got["index"]["detail"]


def test_index_out_of_step_is_found_and_rebuilt(lib):
    con = sqlite3.connect(lib / "library.sqlite")
    con.execute("UPDATE finding SET statement = statement || ' (edited behind vkref)'")  # no outbox row
    con.commit()
    con.close()
    r = vkref(lib, "check", "--json")
    assert r.returncode == 1
    assert "differ from the database" in checks(r)["index"]["detail"]
    r = vkref(lib, "check", "--repair", "--json")
    assert r.returncode == 0, r.stdout
    assert "rebuilt" in checks(r)["index"]["repair"]
    with Library.open(lib) as library:
        assert library.search('"edited behind vkref"').total == library.info()["findings"]


def test_missing_index_documents_are_counted(lib):
    with Library.open(lib) as library:
        some = library.findings_of(library.reviews()[0].id)[:3]
        library.search_service.index.apply(10 ** 9, [], [f"finding:{f.id}" for f in some])
    r = vkref(lib, "check", "--json")
    assert r.returncode == 1
    assert "documents, the database" in checks(r)["index"]["detail"]


def test_damaged_database_is_reported_with_a_backup_not_repaired(lib):
    with Library.open(lib) as library:
        library.db.backup("test")
    con = sqlite3.connect(lib / "library.sqlite")
    con.execute("PRAGMA foreign_keys=OFF")
    row = con.execute("SELECT * FROM finding LIMIT 1").fetchone()
    names = [d[0] for d in con.execute("SELECT * FROM finding LIMIT 1").description]
    values = dict(zip(names, row), id="orphan-1", review_id="no-such-review")
    con.execute(f"INSERT INTO finding ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                list(values.values()))
    con.commit()
    con.close()
    r = vkref(lib, "check", "--repair", "--json")
    assert r.returncode == 1
    db = checks(r)["database"]
    assert not db["ok"] and "no-such-review" not in db["detail"] and "refers to a missing review" in db["detail"]
    assert "library-test-" in db["repair"]  # names the backup to restore
    r = vkref(lib, "backups", "--json")
    name = json.loads(r.stdout)["backups"][0]["name"]
    r = vkref(lib, "restore", name)
    assert r.returncode == 0, r.stderr
    assert vkref(lib, "check").returncode == 0


def test_a_database_that_cannot_open_is_one_failed_check(lib):
    (lib / "library.sqlite").write_bytes(b"not a database at all" * 100)
    r = vkref(lib, "check")
    assert r.returncode == 1
    assert r.stdout.startswith("FAIL database") and "Traceback" not in r.stderr


def test_damaged_newest_backup_is_reported(lib):
    with Library.open(lib) as library:
        library.db.backup("old")
        newest = library.db.backup("new")
    newest.write_bytes(b"garbage" * 1000)
    got = checks(vkref(lib, "check", "--json"))
    assert not got["backups"]["ok"] and "library-old-" in got["backups"]["detail"]


def test_a_damaged_term_sidecar_is_found_and_written_again_on_repair(lib):
    """The term sidecars (which documents hold each term) carry a digest like the facet sidecars: `check` names
    a damaged one and `--repair` writes it again at once; searches meanwhile decode the segment instead."""
    from vkref.search import docsets

    sidecar = next(iter(sorted((lib / "index").glob(f"{docsets.PREFIX}*{docsets.SUFFIX}"))), None)
    assert sidecar is not None, "the index keeps a term sidecar beside its segment"
    good = sidecar.read_bytes()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0xFF
    sidecar.write_bytes(bytes(damaged))
    r = vkref(lib, "check", "--json")
    assert r.returncode == 1 and "1 sidecar(s) fail" in checks(r)["sidecars"]["detail"], r.stdout
    r = vkref(lib, "check", "--repair", "--json")
    assert r.returncode == 0, r.stdout
    assert sidecar.read_bytes() == good  # written again from the segment, byte for byte
    assert vkref(lib, "check", "--json").returncode == 0
