"""Engine, sessions and schema migrations for one library database.

- SQLite by default: WAL journal, foreign keys on every connection, a busy timeout; any SQLAlchemy URL works
  (PostgreSQL included) because the models use nothing SQLite-only.
- Migrations are Alembic revisions shipped in the package and run programmatically at open. Before a
  migration of an existing SQLite file a backup copy is taken. A database stamped with a revision this app
  does not know (made by a newer vkref) is refused with a clear message and left untouched.
- One Session per unit of work (:meth:`Database.session`); callers get plain entities back, never a live Session.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from vkref.core.errors import LibraryError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest revision in MIGRATIONS_DIR. Opening a library at this revision never imports Alembic (≈0.4 s of
# start-up); tests/test_store.py checks that it matches Alembic's own idea of the head.
HEAD_REVISION = "0002"
_SHIPPED_MIGRATIONS = MIGRATIONS_DIR


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest revision, as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class Database:
    """One library database: engine, session factory, and its schema kept at the newest revision."""

    def __init__(self, url: str, *, sqlite_path: Path | None = None, backup_dir: Path | None = None):
        self.url = url
        self.sqlite_path = sqlite_path
        self.backup_dir = backup_dir
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open_sqlite(cls, path: Path, backup_dir: Path | None = None) -> "Database":
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{path}", sqlite_path=path, backup_dir=backup_dir)

    # ---------------------------------------------------------------- sessions
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                raise LibraryError(f"library database {self.describe()}: {_short(exc)}") from exc
            except BaseException:
                session.rollback()
                raise

    def describe(self) -> str:
        return str(self.sqlite_path) if self.sqlite_path else self.engine.url.render_as_string(hide_password=True)

    # ---------------------------------------------------------------- schema
    def current_revision(self) -> str | None:
        """The schema revision stamped in the database (None for a new, empty database)."""
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DatabaseError as exc:
            raise LibraryError(f"{self.describe()} is not a vkref library database ({_short(exc)})") from exc

    def migrate(self) -> str | None:
        """Bring the schema to the newest revision. Returns the backup path's name when one was taken."""
        current = self.current_revision()
        if current == HEAD_REVISION and MIGRATIONS_DIR == _SHIPPED_MIGRATIONS:
            return None  # the common case: no Alembic import at all
        from alembic import command
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config())
        head = script.get_current_head()
        if current == head:
            return None
        if current is not None:
            try:
                script.get_revision(current)
            except Exception:
                raise LibraryError(
                    f"{self.describe()} was written by a newer version of vkref (schema {current}); "
                    f"this version knows schema {head}: please update vkref"
                ) from None
        backup = self._backup(current) if current is not None else None
        cfg = alembic_config()
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return backup

    def _backup(self, revision: str) -> str | None:
        if self.sqlite_path is None or not self.sqlite_path.exists():
            return None
        target_dir = self.backup_dir or self.sqlite_path.parent
        target_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = target_dir / f"{self.sqlite_path.stem}-schema{revision}-{stamp}.sqlite"
        src = sqlite3.connect(self.sqlite_path)
        try:
            dst = sqlite3.connect(target)
            with dst:
                src.backup(dst)
            dst.close()
        finally:
            src.close()
        return target.name

    def dispose(self) -> None:
        self.engine.dispose()


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else exc.__class__.__name__
