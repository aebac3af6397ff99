"""Engine, sessions, schema migrations and backups for one library database.

- SQLite by default: WAL journal, foreign keys on every connection, a busy timeout; any SQLAlchemy URL works
  (PostgreSQL included) because the models use nothing SQLite-only.
- Migrations are Alembic revisions shipped in the package and run programmatically at open. Creating the
  schema, every migration and the first filling of a new database (``populate``) happen in ONE transaction
  that starts with ``BEGIN IMMEDIATE``: SQLite's DDL is transactional once pysqlite's own transaction handling
  is switched off, so a kill at any moment leaves the database as it was before, and the write lock taken
  up front serialises two processes creating or migrating the same library. Any number of revisions works.
- Before a migration of an existing SQLite file a backup copy is taken (:meth:`Database.backup`, rotating,
  the newest :data:`KEEP_BACKUPS` kept); if the migration fails and the file is not exactly as before, the
  backup is put back. A database stamped with a revision this app does not know (made by a newer vkref) is
  refused with a clear message and left untouched.
- A read-only database (``read_only=True``) is opened with SQLite's ``mode=ro`` (or ``immutable=1`` when even
  its -wal/-shm files cannot be created); it is never migrated.
- Every SQLite failure reaches callers as a one-line :class:`~vkref.core.errors.LibraryError` subclass: read-only,
  disk full, locked, or damaged. A damaged database (found by a failed statement or :meth:`quick_check`) is
  marked so, and every later session is refused: nothing is written into a damaged file.
- One Session per unit of work (:meth:`Database.session`); callers get plain entities back, never a live Session.
"""
from __future__ import annotations

import os
import re
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

from sqlalchemy import create_engine, event, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool

from vkref.core.errors import (CatalogOfflineError, ConflictError, DamagedLibraryError, DiskFullError, LibraryError,
                               ReadOnlyLibraryError, VkrefError)
from vkref.store import catalog as _catalog

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest revision in MIGRATIONS_DIR. Opening a library at this revision never imports Alembic (≈0.4 s of
# start-up); tests/integration/test_store.py checks that it matches Alembic's own idea of the head.
HEAD_REVISION = "0008"
_SHIPPED_MIGRATIONS = MIGRATIONS_DIR
KEEP_BACKUPS = 5
# How long a second process waits for another one's creation or migration before giving up.
MIGRATION_WAIT_MS = 600_000
_STAMP = "%Y%m%d-%H%M%S-%f"
_BACKUP_RE = re.compile(r"-(\d{8}-\d{6}-\d{6})\.sqlite$")

Populate = Callable[[Session], None]


def _sqlite_pragmas(dbapi_connection, _record, read_only: bool = False) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    if not read_only:
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


def sqlite_url(path: Path, read_only: bool = False, immutable: bool = False) -> str:
    if not (read_only or immutable):
        return f"sqlite:///{path}"
    mode = "immutable=1" if immutable else "mode=ro"
    return f"sqlite:///file:{quote(str(path))}?{mode}&uri=true"


class Database:
    """One library database: engine, session factory, and its schema kept at the newest revision."""

    def __init__(self, url: str, *, sqlite_path: Path | None = None, backup_dir: Path | None = None,
                 read_only: bool = False):
        self.url = url
        self.sqlite_path = sqlite_path
        self.backup_dir = backup_dir
        self.read_only = read_only
        self.read_only_reason = "read-only" if read_only else ""  # or "disk full", set by who opens it
        self.damaged: str | None = None  # set once corruption is seen; every later session is refused
        self.identity = ""  # a shared catalog's "role@computer", added to the author of every change batch
        catalog = url.startswith("postgresql")
        self.engine: Engine = create_engine(url, future=True, **(_catalog.engine_options() if catalog else {}))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", lambda c, r: _sqlite_pragmas(c, r, read_only))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open_catalog(cls, url: str) -> "Database":
        """A shared catalog on a PostgreSQL server (see :mod:`vkref.store.catalog`)."""
        return cls(_catalog.engine_url(url))

    @classmethod
    def open_sqlite(cls, path: Path, backup_dir: Path | None = None, *, read_only: bool = False,
                    immutable: bool = False) -> "Database":
        if not (read_only or immutable):
            path.parent.mkdir(parents=True, exist_ok=True)
        return cls(sqlite_url(path, read_only, immutable), sqlite_path=path, backup_dir=backup_dir,
                   read_only=read_only or immutable)

    # ---------------------------------------------------------------- sessions
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error (raised as a one-line LibraryError)."""
        if self.damaged:
            raise DamagedLibraryError(self.damaged)
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except DBAPIError as exc:
                _quiet_rollback(session)
                if isinstance(exc, OperationalError) or classify(exc) != "other":
                    raise self.known_error(exc) from exc
                raise  # a constraint or programming error is a bug: the crash handler reports it
            except StaleDataError as exc:  # UPDATE ... AND version = ? touched nothing: another writer won
                session.rollback()
                raise ConflictError(f"library database {self.describe()}: a record was changed by someone "
                                    "else meanwhile; nothing was saved (reload and try again)") from exc
            except BaseException:
                session.rollback()
                raise

    def describe(self) -> str:
        if self.sqlite_path:
            return str(self.sqlite_path)
        return _catalog.safe_url(self.engine.url.render_as_string(hide_password=False))

    def where(self) -> str:
        """The library as a user names it: its directory (SQLite) or the database URL."""
        return str(self.sqlite_path.parent) if self.sqlite_path else self.describe()

    # ---------------------------------------------------------------- errors
    def known_error(self, exc: BaseException) -> LibraryError:
        """The one-line error a user sees for a database failure; corruption also marks the database damaged."""
        kind = classify(exc)
        if kind == "readonly" and self.read_only_reason == "disk full":
            kind = "full"
        if kind == "readonly":
            return ReadOnlyLibraryError(f"library {self.where()} is read-only: changes cannot be saved")
        if kind == "full":
            return DiskFullError(f"library {self.where()}: disk full, the change was not saved "
                                 "(free some space and try again; searching still works)")
        if kind == "corrupt":
            return DamagedLibraryError(self.mark_damaged(_short(exc)))
        if kind == "offline":
            return CatalogOfflineError(f"catalog {self.describe()} is not reachable ({_catalog.reason(exc)}): "
                                       "changes cannot be saved, nothing was saved; searching goes on from "
                                       "this computer's index")
        if kind == "denied":
            return ReadOnlyLibraryError(f"catalog {self.describe()}: your database role may only read it, "
                                        "nothing was saved")
        if kind == "locked":
            return LibraryError(f"library database {self.describe()} is locked by another program: try again")
        return LibraryError(f"library database {self.describe()}: {_short(exc)}")

    def mark_damaged(self, detail: str) -> str:
        """Record that the database is damaged (no more writes) and return the message that says so."""
        if self.damaged is None:
            self.damaged = f"library database {self.describe()} is damaged ({detail}); {self.restore_advice()}"
        return self.damaged

    def restore_advice(self) -> str:
        newest = self.backups()[:1]
        if newest:
            return (f"restore the newest backup {newest[0].name} from {newest[0].parent} "
                    f"(vkref.library.opening.restore_backup)")
        return "no backup exists: move the library directory away and start again from the bundled library"

    def quick_check(self) -> str | None:
        """SQLite's ``PRAGMA quick_check``: None when the file is sound, else the first problem found (and the
        database is marked damaged)."""
        if self.engine.dialect.name != "sqlite":
            return None
        try:
            with self.engine.connect() as conn:
                rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check(5)")]
        except DBAPIError as exc:
            if classify(exc) != "corrupt":
                raise self.known_error(exc) from exc
            rows = [_short(exc)]
        if rows == ["ok"]:
            return None
        self.mark_damaged("; ".join(rows)[:200])
        return rows[0]

    def change_token(self) -> tuple | None:
        """Something that changes whenever any process commits to this SQLite database: the size and
        modification time of the file and of its write-ahead log (None where no such cheap sign exists).
        A commit appends to the -wal file, so its size changes even within one tick of a coarse clock."""
        if self.sqlite_path is None:
            return None
        out = []
        for path in (self.sqlite_path, Path(f"{self.sqlite_path}-wal")):
            try:
                st = os.stat(path)
                out.append((st.st_size, st.st_mtime_ns, st.st_ino))
            except FileNotFoundError:
                out.append(None)
            except OSError:
                return None
        return tuple(out)

    def integrity_check(self) -> list[str]:
        """SQLite's full ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``: the problems found
        (empty when sound). Unlike :meth:`quick_check` it also verifies indexes against their tables."""
        if self.engine.dialect.name != "sqlite":
            return []
        try:
            with self.engine.connect() as conn:
                rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check(20)")]
                fks = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
        except DBAPIError as exc:
            if classify(exc) != "corrupt":
                raise self.known_error(exc) from exc
            return [_short(exc)]
        problems = [] if rows == ["ok"] else rows
        problems += [f"row {row[1]} of {row[0]} refers to a missing {row[2]}" for row in fks[:20]]
        return problems

    # ---------------------------------------------------------------- schema
    def current_revision(self) -> str | None:
        """The schema revision stamped in the database (None for a new, empty database)."""
        try:
            with self.engine.connect() as conn:
                return _revision(conn)
        except DBAPIError as exc:
            kind = classify(exc)
            if kind == "corrupt" and "not a database" in str(exc):
                raise DamagedLibraryError(self.mark_damaged("not a vkref library database")) from exc
            raise self.known_error(exc) from exc

    def migrate(self, populate: Populate | None = None) -> str | None:
        """Bring the schema to the newest revision and, when ``populate`` is given and the database holds no
        records, fill it, all in one transaction. Returns the name of the backup taken, if any."""
        current = self.current_revision()
        shipped = MIGRATIONS_DIR == _SHIPPED_MIGRATIONS
        if current == HEAD_REVISION and shipped and (populate is None or not self._is_empty()):
            return None  # the common case: no Alembic import, no write lock
        if self.read_only:
            raise ReadOnlyLibraryError(f"library {self.where()} is read-only and needs an upgrade of its "
                                       f"database (schema {current}): open a writable copy once to upgrade it")
        backup: list[Path] = []
        try:
            with self._ddl_connection() as conn:
                self._migrate_locked(conn, populate, backup)
        except VkrefError:  # known problems (bad bundled data, a newer schema...) keep their own message
            self._restore_after_failure(current, backup)
            raise
        except Exception as exc:  # a failing migration script, whatever it raised: rolled back, then reported
            self._restore_after_failure(current, backup)
            if isinstance(exc, DBAPIError) and classify(exc) in ("readonly", "full", "corrupt", "locked"):
                raise self.known_error(exc) from exc
            kept = f" (backup {backup[0].name} kept)" if backup else ""
            raise LibraryError(f"upgrading library database {self.describe()} failed, nothing was changed"
                               f"{kept}: {_short(exc)}") from exc
        return backup[0].name if backup else None

    def _is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return _is_empty(conn)

    def _migrate_locked(self, conn: Connection, populate: Populate | None, backup: list[Path]) -> None:
        """Inside the write-locked transaction: re-read the state (another process may have just done the
        work), migrate, fill, and check foreign keys before the commit."""
        from alembic import command
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config())
        head = script.get_current_head()
        current = _revision(conn)
        if current is None:
            _drop_leftovers(conn, self.describe())
        elif current != head:
            _check_known(script, current, head, self.describe())
            # a second connection reads the file while this one holds the write lock (nothing changed yet);
            # backing up from the locked connection itself would wait on its own lock
            taken = self.backup(f"schema{current}-to-{head}")
            backup.extend([taken] if taken else [])
        if current != head:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        if populate is not None and _is_empty(conn):
            with Session(bind=conn, expire_on_commit=False) as session:
                populate(session)
                session.flush()
        _check_foreign_keys(conn, self.describe())

    @contextmanager
    def _ddl_connection(self) -> Iterator[Connection]:
        """A connection whose transaction really covers DDL: pysqlite's implicit transactions are switched
        off and ``BEGIN IMMEDIATE`` is issued by hand (the pysqlite recipe in SQLAlchemy's documentation)."""
        if self.engine.dialect.name != "sqlite":  # PostgreSQL: DDL is transactional; one migrator at a time
            with self.engine.begin() as conn:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _catalog.WRITE_LOCK_KEY})
                yield conn
            return
        engine = create_engine(self.url, future=True, poolclass=NullPool)
        event.listen(engine, "connect", _ddl_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        try:
            with engine.begin() as conn:
                yield conn
        finally:
            engine.dispose()

    def _restore_after_failure(self, revision: str | None, backup: list[Path]) -> None:
        """The transaction was rolled back; should the file still differ from before, put the backup back."""
        if not backup:
            return
        try:
            sound = self.quick_check() is None and self.current_revision() == revision
        except LibraryError:
            sound = False
        if not sound:
            self.engine.dispose()
            restore_file(backup[0], self.sqlite_path)
            self.damaged = None

    # ---------------------------------------------------------------- backups
    def backup(self, reason: str) -> Path | None:
        """Copy the database to ``backups/library-<reason>-<time>.sqlite`` (SQLite's online backup, so it is
        consistent while others write) and keep the newest :data:`KEEP_BACKUPS`. None when there is nothing
        to back up (not SQLite, or no file yet)."""
        if self.sqlite_path is None or not self.sqlite_path.exists() or self.sqlite_path.stat().st_size == 0:
            return None
        try:
            src = sqlite3.connect(f"file:{quote(str(self.sqlite_path))}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise self.known_error(exc) from exc
        try:
            return self._write_backup(src, reason)
        finally:
            src.close()

    def _write_backup(self, src: sqlite3.Connection, reason: str) -> Path:
        target_dir = self.backup_dir or self.sqlite_path.parent
        target_dir.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", reason).strip("-")[:40] or "backup"
        target = target_dir / f"{self.sqlite_path.stem}-{slug}-{datetime.now().strftime(_STAMP)}.sqlite"
        partial = target.with_name(target.name + ".partial")
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
            finally:
                dst.close()
            os.replace(partial, target)  # a killed backup never leaves a file under a backup's name
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise self.known_error(exc) from exc
        for old in self.backups()[KEEP_BACKUPS:]:
            old.unlink(missing_ok=True)
        return target

    def backups(self) -> list[Path]:
        """This database's backups, newest first."""
        if self.sqlite_path is None:
            return []
        return list_backups(self.backup_dir or self.sqlite_path.parent, self.sqlite_path.stem)

    def dispose(self) -> None:
        self.engine.dispose()


# -------------------------------------------------------------------- helpers


def list_backups(directory: Path, stem: str = "library") -> list[Path]:
    """Backup files of a database named ``stem`` in ``directory``, newest first (by the time in the name)."""
    if not directory.is_dir():
        return []
    found = [(m.group(1), p) for p in directory.glob(f"{stem}-*.sqlite") if (m := _BACKUP_RE.search(p.name))]
    return [p for _, p in sorted(found, reverse=True)]


def restore_file(backup: Path, target: Path) -> None:
    """Put ``backup`` in place of the SQLite file ``target`` atomically (its stale -wal/-shm removed first)."""
    tmp = target.with_name(target.name + ".restoring")
    src = sqlite3.connect(f"file:{quote(str(backup))}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, target)


def check_file(path: Path) -> str | None:
    """``PRAGMA quick_check`` of a SQLite file opened read-only: None when sound, else the problem."""
    try:
        con = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in con.execute("PRAGMA quick_check(5)")]
        finally:
            con.close()
    except sqlite3.Error as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows)


def classify(exc: BaseException) -> str:
    """What kind of failure ``exc`` is: readonly, full, corrupt, locked, offline, denied or other."""
    orig = getattr(exc, "orig", None) or exc
    if type(orig).__module__.startswith("psycopg"):
        return _catalog.classify(orig)
    name = getattr(orig, "sqlite_errorname", "") or ""
    message = str(orig).lower()
    if name.startswith("SQLITE_READONLY") or "readonly database" in message or "read-only" in message:
        return "readonly"
    if name == "SQLITE_FULL" or "disk is full" in message or isinstance(orig, OSError) and orig.errno == 28:
        return "full"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in message \
            or "not a database" in message:
        return "corrupt"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in message:
        return "locked"
    return "other"


def _ddl_pragmas(dbapi_connection, record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN IMMEDIATE instead
    _sqlite_pragmas(dbapi_connection, record)
    # Foreign keys off during a migration (SQLite's documented procedure for schema changes: a table rebuilt by
    # batch mode must not cascade deletes); they are checked with PRAGMA foreign_key_check before the commit.
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    dbapi_connection.execute(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _is_empty(conn: Connection) -> bool:
    from vkref.store import models as M

    return not any(conn.execute(select(func.count()).select_from(t)).scalar()
                   for t in (M.Review.__table__, M.Concept.__table__))


def _check_known(script, current: str, head: str, where: str) -> None:
    try:
        script.get_revision(current)
    except Exception:
        raise LibraryError(f"{where} was written by a newer version of vkref (schema {current}); "
                           f"this version knows schema {head}: please update vkref") from None


def _drop_leftovers(conn: Connection, where: str) -> None:
    """Tables without a schema stamp: what an older vkref left when killed while creating the schema. When all
    are empty they are dropped (and created again properly); holding any data, the file is refused."""
    names = [n for n in inspect(conn).get_table_names() if not n.startswith("sqlite_")]
    if conn.dialect.name != "sqlite":  # transactional DDL leaves no half-made schema: never drop others' tables
        if names:
            raise LibraryError(f"{where} holds tables ({', '.join(sorted(names)[:3])}) but no vkref schema: "
                               "give an empty database for a new catalog")
        return
    for name in names:
        if conn.exec_driver_sql(f'SELECT EXISTS (SELECT 1 FROM "{name}")').scalar():
            raise DamagedLibraryError(f"{where} holds data but no schema version: it is not a vkref library "
                                      "database, or a damaged one")
    for name in names:
        conn.exec_driver_sql(f'DROP TABLE "{name}"')


def _check_foreign_keys(conn: Connection, where: str) -> None:
    if conn.dialect.name != "sqlite":
        return
    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if bad:
        raise LibraryError(f"upgrading {where} would break {len(bad)} references (first in table {bad[0][0]}): "
                           "nothing was changed")


def _quiet_rollback(session: Session) -> None:
    try:
        session.rollback()
    except SQLAlchemyError:  # a damaged file may fail the rollback too; the original error is what counts
        pass


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else exc.__class__.__name__
