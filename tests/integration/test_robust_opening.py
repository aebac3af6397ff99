"""Opening a library safely: killed first runs and migrations, failed migrations, damaged and corrupt databases,
simultaneous first runs, rotating backups and restoring them. Kill tests run vkref as subprocesses on real
library directories."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from vkref.core.errors import DamagedLibraryError, LibraryError
from vkref.library import Library, opening

from tests.conftest import REPO  # noqa: E402


def _bundled_counts() -> tuple[int, int]:
    from vkref.core import paths
    from vkref.io import bundled

    data = bundled.load(paths.bundled_data_dir())
    return len(data.findings), len(data.vocabulary.concepts)


FINDINGS, CONCEPTS = _bundled_counts()
from vkref.store.database import HEAD_REVISION as HEAD  # noqa: E402  (the schema a new library has)
SLOW_STEP = "import time, pathlib; pathlib.Path({marker!r}).write_text('x'); time.sleep(60)\n"


def vkref(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "vkref", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, timeout=timeout)


def info(path):
    r = vkref("--library", path, "info", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def copy_lib(built_library, tmp_path, name="lib") -> Path:
    """A copy of a cleanly closed library (without the run files of a process that has the original open: a
    copy with them looks like a library whose process died, which is what the unclean-shutdown tests make)."""
    path = tmp_path / name
    shutil.copytree(built_library, path, ignore=shutil.ignore_patterns("running"))
    return path


def migrations_with(tmp_path, extra: str | None = None, slow_0001_marker: Path | None = None) -> Path:
    """A copy of the shipped migrations; optionally 0001 paused after its first table, or a test revision after the head."""
    import vkref.store.database as database

    target = tmp_path / "migrations"
    shutil.copytree(database.MIGRATIONS_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    if slow_0001_marker is not None:
        first = target / "versions" / "0001_initial_schema.py"
        src = first.read_text()
        at = src.index("    op.create_table('library_meta'")
        first.write_text(src[:at] + "    " + SLOW_STEP.format(marker=str(slow_0001_marker)) + src[at:])
    if extra is not None:
        (target / "versions" / "0099_test.py").write_text(
            f'revision = "0099"\ndown_revision = "{HEAD}"\nbranch_labels = None\ndepends_on = None\n'
            "from alembic import op\nimport sqlalchemy as sa\n"
            "def upgrade():\n" + textwrap.indent(extra, "    ") + "\ndef downgrade():\n    pass\n")
    return target


def open_with_migrations(path: Path, migrations: Path) -> subprocess.Popen:
    code = ("import sys, pathlib; import vkref.store.database as d; d.MIGRATIONS_DIR = pathlib.Path(sys.argv[1]);"
            "from vkref.library import Library; Library.open(sys.argv[2]).close()")
    return subprocess.Popen([sys.executable, "-c", code, str(migrations), str(path)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_when(proc: subprocess.Popen, marker: Path, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the marked step was never reached"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def columns(db_path: Path, table: str) -> set[str]:
    con = sqlite3.connect(db_path)
    try:
        return {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
    finally:
        con.close()


# ---------------------------------------------------------------------------- item 1: atomic creation/migration


def test_first_run_killed_inside_schema_creation_leaves_a_library_that_opens(tmp_path):
    marker = tmp_path / "reached"
    lib = tmp_path / "lib"
    proc = open_with_migrations(lib, migrations_with(tmp_path, slow_0001_marker=marker))
    kill_when(proc, marker)
    data = info(lib)  # the shipped migrations: a normal second run
    assert (data["schema_revision"], data["reviews"], data["findings"]) == (HEAD, 4, FINDINGS)


def test_database_bricked_by_an_older_killed_first_run_is_healed(tmp_path):
    """Empty tables without a schema stamp (what the old non-transactional creation left) are re-created."""
    lib = tmp_path / "lib"
    lib.mkdir()
    con = sqlite3.connect(lib / "library.sqlite")
    con.execute("CREATE TABLE concept (id VARCHAR(100) PRIMARY KEY)")
    con.commit()
    con.close()
    assert info(lib)["findings"] == FINDINGS


@pytest.mark.parametrize("trial", range(3))
def test_first_run_killed_at_a_random_moment_leaves_nothing_or_everything(tmp_path, trial):
    lib = tmp_path / "lib"
    proc = subprocess.Popen([sys.executable, "-m", "vkref", "--library", str(lib), "info"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.Random(trial).uniform(0.4, 2.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    data = info(lib)
    assert (data["reviews"], data["findings"], data["concepts"]) == (4, FINDINGS, CONCEPTS)


def test_migration_killed_midway_leaves_the_old_schema_and_all_data(built_library, tmp_path):
    path = copy_lib(built_library, tmp_path)
    marker = tmp_path / "reached"
    extra = ("op.add_column('tag', sa.Column('colour', sa.String(20), nullable=True))\n"
             + SLOW_STEP.format(marker=str(marker)))
    proc = open_with_migrations(path, migrations_with(tmp_path, extra))
    kill_when(proc, marker)
    assert "colour" not in columns(path / "library.sqlite", "tag")
    data = info(path)
    assert (data["schema_revision"], data["findings"]) == (HEAD, FINDINGS)


def test_failed_migration_changes_nothing_and_keeps_its_backup(built_library, tmp_path, monkeypatch):
    import vkref.store.database as database

    path = copy_lib(built_library, tmp_path)
    extra = "op.add_column('tag', sa.Column('colour', sa.String(20), nullable=True))\nraise RuntimeError('boom')"
    monkeypatch.setattr(database, "MIGRATIONS_DIR", migrations_with(tmp_path, extra))
    with pytest.raises(LibraryError, match="nothing was changed.*boom"):
        Library.open(path)
    assert "colour" not in columns(path / "library.sqlite", "tag")
    assert len(list((path / "backups").glob(f"library-schema{HEAD}-to-0099-*.sqlite"))) == 1
    monkeypatch.undo()
    with Library.open(path) as lib:
        assert lib.db.current_revision() == HEAD and lib.search("").total == FINDINGS + 4


def test_failed_migration_that_damaged_the_file_restores_the_backup(built_library, tmp_path, monkeypatch):
    """Should the rolled-back file still differ from before (simulated here), the backup is put back."""
    import vkref.store.database as database

    path = copy_lib(built_library, tmp_path)
    monkeypatch.setattr(database, "MIGRATIONS_DIR", migrations_with(tmp_path, "raise RuntimeError('boom')"))
    real = database.Database.quick_check
    calls = []
    monkeypatch.setattr(database.Database, "quick_check",
                        lambda self: calls.append(1) or ("damaged" if len(calls) == 2 else real(self)))
    db_path = path / "library.sqlite"
    con = sqlite3.connect(db_path)
    before = con.execute("select count(*) from finding").fetchone()[0]
    con.close()
    with pytest.raises(LibraryError, match="boom"):
        Library.open(path)
    assert len(calls) == 2  # once at open, once after the failure
    con = sqlite3.connect(db_path)
    assert con.execute("select count(*) from finding").fetchone()[0] == before
    con.close()


# ---------------------------------------------------------------------------- item 2: damaged, never re-created


@pytest.mark.parametrize("damage", ["missing", "emptied"])
def test_library_without_its_database_is_refused_not_recreated(built_library, tmp_path, damage):
    path = copy_lib(built_library, tmp_path)
    db = path / "library.sqlite"
    if damage == "missing":
        db.unlink()
    else:
        db.write_bytes(b"")
    index_before = sorted(p.name for p in (path / "index").iterdir())
    r = vkref("--library", path, "search", "vitamin")
    assert r.returncode == 1
    assert "damaged" in r.stderr and ("missing" if damage == "missing" else "empty") in r.stderr
    assert "no backup exists" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not db.exists() or db.stat().st_size == 0
    assert sorted(p.name for p in (path / "index").iterdir()) == index_before


def test_damaged_library_names_its_newest_backup_and_restoring_it_works(built_library, tmp_path):
    path = copy_lib(built_library, tmp_path)
    with Library.open(path) as lib:
        lib.db.backup("first")
        newest = lib.db.backup("before import")
    (path / "library.sqlite").unlink()
    r = vkref("--library", path, "info")
    assert r.returncode == 1 and newest.name in r.stderr and "restore_backup" in r.stderr
    opening.restore_backup(path, newest.name)
    assert info(path)["findings"] == FINDINGS


def test_garbage_database_file_is_reported_as_damaged(built_library, tmp_path):
    path = copy_lib(built_library, tmp_path)
    (path / "library.sqlite").write_bytes(b"this is not a database" * 100)
    r = vkref("--library", path, "search", "vitamin")
    assert r.returncode == 1 and "not a SQLite database" in r.stderr and "internal error" not in r.stderr


# ---------------------------------------------------------------------------- item 3: corruption is detected


def corrupt_page(db_path: Path, page: int, seed: int) -> None:
    size = 4096
    data = bytearray(db_path.read_bytes())
    rnd = random.Random(seed)
    data[(page - 1) * size:page * size] = bytes(rnd.randrange(256) for _ in range(size))
    db_path.write_bytes(bytes(data))


@pytest.mark.parametrize("seed", range(8))
def test_page_corruption_is_reported_with_the_way_out(built_library, tmp_path, seed):
    path = copy_lib(built_library, tmp_path)
    db = path / "library.sqlite"
    pages = db.stat().st_size // 4096
    corrupt_page(db, random.Random(seed).randrange(2, pages + 1), seed)
    r = vkref("--library", path, "search", "vitamin K2 fracture")
    assert r.returncode == 1, r.stdout[:200]
    assert "damaged" in r.stderr and "internal error" not in r.stderr
    assert "backup" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_damaged_database_refuses_further_writes(fresh_library):
    db = fresh_library.db
    db.mark_damaged("test")
    with pytest.raises(DamagedLibraryError, match="is damaged"):
        with db.session():
            pass


def test_unclean_shutdown_triggers_quick_check_of_a_large_database(built_library, tmp_path, monkeypatch):
    """Above the always-check size, the check runs only after a process died with the library open."""
    monkeypatch.setattr(opening, "ALWAYS_CHECK_BYTES", 0)
    path = copy_lib(built_library, tmp_path)
    checked = []
    real = opening.Database.quick_check
    monkeypatch.setattr(opening.Database, "quick_check", lambda self: checked.append(1) or real(self))
    Library.open(path).close()
    assert checked == []  # clean: no run file left behind
    proc = subprocess.Popen([sys.executable, "-c", "import sys, time; from vkref.library import Library; "
                             "lib = Library.open(sys.argv[1]); print('open', flush=True); time.sleep(60)",
                             str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    proc.kill()
    proc.wait()
    Library.open(path).close()
    assert checked == [1]


# ---------------------------------------------------------------------------- item 5: simultaneous first runs


@pytest.mark.parametrize("trial", range(3))
def test_two_simultaneous_first_runs_both_succeed(tmp_path, trial):
    lib = tmp_path / "lib"
    procs = [subprocess.Popen([sys.executable, "-m", "vkref", "--library", str(lib), "info", "--json"], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        assert json.loads(out)["findings"] == FINDINGS


# ---------------------------------------------------------------------------- item 6: backups


def test_backups_rotate_and_restore(built_library, tmp_path):
    path = copy_lib(built_library, tmp_path)
    with Library.open(path) as lib:
        made = [lib.db.backup(f"import batch {n}") for n in range(7)]
        kept = lib.db.backups()
        assert kept == made[:1:-1] and len(kept) == 5  # the five newest, newest first
        assert all("import-batch" in p.name for p in kept)
        finding = lib.search("", kind="finding", limit=1).hits[0].id
        lib.delete_finding(finding)
    opening.restore_backup(path, made[-1].name)
    with Library.open(path) as lib:
        assert lib.get_finding(finding) is not None
        assert lib.search("", kind="finding").total == FINDINGS
    assert (path / "library.sqlite.replaced-1").exists()


def test_restore_refuses_unknown_or_damaged_backups(built_library, tmp_path):
    path = copy_lib(built_library, tmp_path)
    with pytest.raises(LibraryError, match="no backup"):
        opening.restore_backup(path, "../library.sqlite")
    (path / "backups").mkdir()
    (path / "backups" / "library-x-20260101-000000-000000.sqlite").write_bytes(b"junk" * 2000)
    with pytest.raises(DamagedLibraryError, match="damaged too"):
        opening.restore_backup(path, "library-x-20260101-000000-000000.sqlite")


def test_a_library_copied_while_open_in_this_process_can_be_restored(built_library, library, tmp_path):
    """The session's `library` fixture holds built_library open: a copy carries its run file (our own pid),
    which must count as stale in the copy."""
    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    assert list((path / "running").glob(f"{os.getpid()}-*"))  # the situation this test is about
    with Library.open(path) as lib:
        lib.db.backup("test")
    name = sorted(p.name for p in (path / "backups").glob("library-test-*.sqlite"))[-1]
    opening.restore_backup(path, name)
    assert info(path)["findings"] == FINDINGS
