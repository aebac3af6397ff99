"""The database: pragmas, migrations, refusal of newer databases, backups, validation of bundled data."""
import shutil
import sqlite3

import pytest

from vkref.core.errors import DataError, LibraryError
from vkref.library import Library
from vkref.store import Database


def test_sqlite_pragmas(tmp_path):
    db = Database.open_sqlite(tmp_path / "x.sqlite")
    db.migrate()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    db.dispose()


def test_newer_database_is_refused_and_untouched(built_library, tmp_path):
    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    con = sqlite3.connect(path / "library.sqlite")
    con.execute("UPDATE alembic_version SET version_num='9999'")
    con.commit()
    con.close()
    before = (path / "library.sqlite").read_bytes()
    with pytest.raises(LibraryError, match="newer version of vkref"):
        Library.open(path)
    assert (path / "library.sqlite").read_bytes() == before


def test_backup_before_migrating(built_library, tmp_path, monkeypatch):
    """Pretend the app knows a newer schema: the old file is copied to backups/ before upgrading."""
    import vkref.store.database as database

    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    versions = tmp_path / "migrations"
    shutil.copytree(database.MIGRATIONS_DIR, versions)
    (versions / "versions" / "0099_test.py").write_text(
        f'revision = "0099"\ndown_revision = "{database.HEAD_REVISION}"\nbranch_labels = None\ndepends_on = None\n'
        "from alembic import op\nimport sqlalchemy as sa\n"
        "def upgrade():\n    op.add_column('tag', sa.Column('colour', sa.String(20), nullable=True))\n"
        "def downgrade():\n    op.drop_column('tag', 'colour')\n")
    monkeypatch.setattr(database, "MIGRATIONS_DIR", versions)
    lib = Library.open(path)
    try:
        assert lib.db.current_revision() == "0099"
        backups = list((path / "backups").glob(f"library-schema{database.HEAD_REVISION}-*.sqlite"))
        assert len(backups) == 1
        con = sqlite3.connect(backups[0])
        assert con.execute("select version_num from alembic_version").fetchone()[0] == database.HEAD_REVISION
        assert con.execute("select count(*) from finding").fetchone()[0] >= 100
        con.close()
    finally:
        lib.close()


def _copy_db_sources(tmp_path):
    from vkref.core.paths import bundled_data_dir

    src = tmp_path / "db"
    shutil.copytree(bundled_data_dir(), src)
    return src


@pytest.mark.parametrize("edit, message", [
    (("agent: [mk4]", "agent: [no-such-agent]"), "unknown agent concept 'no-such-agent'"),
    (("    section:", "    sectionx:"), "is missing 'section'"),
    (("id: ymj-002", "id: ymj-001"), "finding id 'ymj-001' is already used"),
])
def test_bad_bundled_data_names_file_and_entry_and_imports_nothing(tmp_path, edit, message):
    src = _copy_db_sources(tmp_path)
    f = src / "reviews" / "iwamoto-2006-ymj.yaml"
    text = f.read_text()
    assert edit[0] in text
    f.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(DataError) as err:
        Library.open(tmp_path / "lib", bundled_data=src)
    assert "iwamoto-2006-ymj.yaml" in str(err.value) and message in str(err.value)
    # creation is one transaction with the bundled data: nothing at all was written, not even the schema
    con = sqlite3.connect(tmp_path / "lib" / "library.sqlite")
    assert con.execute("select count(*) from sqlite_master where type='table'").fetchone()[0] == 0
    con.close()


def test_unknown_parent_in_vocabulary_is_reported(tmp_path):
    src = _copy_db_sources(tmp_path)
    (src / "vocabulary" / "zz-bad.yaml").write_text("concepts:\n  - {id: x1, facet: agent, label: X, parent: nope}\n")
    with pytest.raises(DataError, match="concept 'x1' has unknown parent 'nope'"):
        Library.open(tmp_path / "lib", bundled_data=src)


def test_fast_path_head_matches_alembic_head():
    from vkref.store.database import HEAD_REVISION, head_revision

    assert HEAD_REVISION == head_revision()


def test_opening_an_up_to_date_library_does_not_import_alembic(built_library):
    import subprocess
    import sys

    code = (f"import sys; from vkref.library import Library; Library.open({str(built_library)!r}).close(); "
            "print('alembic' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr
