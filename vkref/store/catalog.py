"""The shared catalog: a library database on a PostgreSQL server, written by several curators at once.

What this module owns and promises:
- **URLs.** ``postgresql://`` (or ``postgres://``) URLs are driven by psycopg 3 (SQLAlchemy's
  ``postgresql+psycopg``); libpq itself reads the password file, the service file (``?service=NAME``), the
  ``PG*`` environment and ``sslmode``. :func:`safe_url` is the URL without its password (what may be shown or
  stored in settings).
- **A change log in commit order.** Every write transaction takes one transaction-level advisory lock
  (:func:`begin_write`) before it writes, so writers are serialised and the outbox ids (the catalog's change
  sequence) become visible in the order they were allocated: a client that has applied every change up to N
  never later finds a committed change below N. The same transaction sends ``NOTIFY`` (:func:`announce`),
  which PostgreSQL delivers only at commit, never for a rolled-back transaction.
- **Roles.** :func:`grant_roles` creates (when missing) a reader role that may only read (PostgreSQL itself
  refuses its writes) and a curator role that may read and write the records; both are group roles that
  login roles are made members of.
- **Clients.** :func:`record_client` keeps each client's position in ``catalog_client`` (for ``vkref info``
  and so that pruning spares what a live client still needs); :func:`prune` forgets changes older than the
  retention window. A client whose index is older than what was pruned rebuilds its index.
- **Notifications.** :class:`Listener` waits on ``LISTEN`` in a thread of its own, calls back on every
  notification, and reports the server going away and coming back (reconnecting with backoff).
"""
from __future__ import annotations

import os
import socket
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from vkref.core import logs
from vkref.core.errors import UsageError
from vkref.store import models as M

CHANNEL = "vkref_changes"
WRITE_LOCK_KEY = 0x766B726566  # "vkref": the one advisory lock every catalog write transaction takes
RETAIN_DAYS = float(os.environ.get("VKREF_CATALOG_RETAIN_DAYS", "14"))
CONNECT_TIMEOUT = 3  # seconds: a server away is noticed quickly
log = logs.get("catalog")


def client_library() -> dict:
    """The PostgreSQL client this build talks to a catalog with: psycopg, its implementation ("binary": the
    compiled one shipped in the psycopg-binary wheel, with libpq inside) and libpq's version."""
    import psycopg

    return {"psycopg": psycopg.__version__, "implementation": psycopg.pq.__impl__,
            "libpq": psycopg.pq.version()}


def is_catalog_url(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0].lower() in ("postgresql", "postgres", "postgresql+psycopg")


def engine_url(url: str) -> str:
    """The SQLAlchemy URL for a catalog URL given by a user (psycopg 3 driver)."""
    if not is_catalog_url(url):
        raise UsageError(f"catalog {url!r}: expected a postgresql:// URL, e.g. postgresql://host/vkref")
    scheme, rest = url.split(":", 1)
    try:
        make_url(f"postgresql+psycopg:{rest}")
    except Exception:
        raise UsageError(f"catalog {safe_url(url)!r} is not a valid postgresql:// URL") from None
    return f"postgresql+psycopg:{rest}"


def safe_url(url: str) -> str:
    """``url`` without its password (shown to users, kept in settings)."""
    try:
        parsed = make_url(url)
    except Exception:
        return url.split("@")[-1]
    # URL.set(password=None) keeps the password (None means "unchanged"): replace the field itself
    shown = parsed.set(drivername=parsed.drivername.split("+")[0])._replace(password=None)
    return shown.render_as_string(hide_password=False)


def has_password(url: str) -> bool:
    try:
        return make_url(url).password is not None
    except Exception:
        return False


def engine_options() -> dict:
    return {"pool_pre_ping": True, "pool_size": 3, "max_overflow": 4,
            "connect_args": {"connect_timeout": CONNECT_TIMEOUT, "application_name": "vkref"}}


# ------------------------------------------------------------------------ one write transaction


def begin_write(session: Session) -> None:
    """Serialise catalog writers (see the module docstring); released by the commit or rollback."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})


def announce(session: Session) -> None:
    """Wake the other clients; PostgreSQL delivers the notification at commit (never after a rollback)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:c, '')"), {"c": CHANNEL})


# ------------------------------------------------------------------------ roles and grants


def _ident(name: str) -> str:
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise UsageError(f"role {name!r}: use letters, digits, _ and - only")
    return '"' + name + '"'


def grant_roles(conn, reader: str | None, curator: str | None) -> list[str]:
    """Create the roles when missing and grant them what they may do. Returns what was done, one line each."""
    done = []
    for role, write in ((reader, False), (curator, True)):
        if not role:
            continue
        q = _ident(role)
        if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar():
            conn.exec_driver_sql(f"CREATE ROLE {q} NOLOGIN")
            done.append(f"created role {role}")
        dbname = conn.execute(text("SELECT current_database()")).scalar()
        for statement in _grants(q, write, '"' + dbname.replace('"', '""') + '"'):
            conn.exec_driver_sql(statement)
        done.append(f"granted {'curator (read and write)' if write else 'reader (read only)'} rights to {role}")
    return done


def _grants(q: str, write: bool, db: str) -> list[str]:
    tables = "SELECT, INSERT, UPDATE, DELETE" if write else "SELECT"
    out = [f"GRANT CONNECT ON DATABASE {db} TO {q}", f"GRANT USAGE ON SCHEMA public TO {q}",
           f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {q}",
           f"GRANT {tables} ON ALL TABLES IN SCHEMA public TO {q}",
           f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {tables} ON TABLES TO {q}",
           # a reader records only how far its own index has read (bookkeeping, never the records)
           f"GRANT INSERT, UPDATE ON catalog_client TO {q}",
           f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {q}"]
    if write:
        out += [f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {q}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {q}"]
    return out


# ------------------------------------------------------------------------ server facts and clients


def server_facts(session: Session) -> dict:
    row = session.execute(text("SELECT current_setting('server_version'), current_user, "
                               "has_table_privilege('review', 'INSERT')")).one()
    return {"server_version": row[0], "role": row[1], "can_write": bool(row[2])}


def client_id(library_dir) -> str:
    return f"{socket.gethostname()}:{library_dir}"[:200]


def record_client(session: Session, cid: str, position: int) -> None:
    row = session.get(M.CatalogClient, cid)
    now = datetime.now(timezone.utc)
    if row is None:
        session.add(M.CatalogClient(id=cid, position=position, seen_at=now))
    else:
        row.position, row.seen_at = max(row.position, position), now


def prune(session: Session, days: float = RETAIN_DAYS) -> int:
    """Forget changes older than ``days`` that every client seen within that window has applied. Returns the
    sequence number everything up to which is now forgotten (stored as ``outbox_cleaned_through``)."""
    since = datetime.now(timezone.utc) - timedelta(days=days)
    old = session.scalar(select(func.max(M.Outbox.id)).where(M.Outbox.created_at < since)) or 0
    live = session.scalar(select(func.min(M.CatalogClient.position)).where(M.CatalogClient.seen_at >= since))
    through = min(old, live) if live is not None and days > 0 else old
    if through <= 0:
        return 0
    session.execute(delete(M.Outbox).where(M.Outbox.id <= through))
    row = session.get(M.Meta, "outbox_cleaned_through")
    if row is None:
        session.add(M.Meta(key="outbox_cleaned_through", value=str(through)))
    elif int(row.value or 0) < through:
        row.value = str(through)
    return through


# ------------------------------------------------------------------------ LISTEN / NOTIFY


class Listener:
    """``LISTEN`` on its own connection in a daemon thread.

    ``on_change()`` is called for every notification and after every (re)connection (changes may have been
    missed meanwhile: the caller catches up by sequence); ``on_online(bool)`` when the server goes away or
    comes back. Reconnects with exponential backoff (0.25 s doubling to :attr:`max_backoff`)."""

    max_backoff = 5.0
    poll = 0.5  # how often the thread looks at its stop flag and at the connection

    def __init__(self, url: str, on_change: Callable[[], None], on_online: Callable[[bool], None]):
        self._dsn = url.replace("postgresql+psycopg:", "postgresql:", 1)
        self._on_change, self._on_online = on_change, on_online
        self._stop = threading.Event()
        self.online: bool | None = None
        self._thread = threading.Thread(target=self._run, name="vkref-catalog-listener", daemon=True)

    def start(self) -> "Listener":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff = 0.25
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.25
            except Exception as exc:  # the server went away (or never came): report and try again later
                log.info("catalog listener: %s", logs.one_line(exc))
                self._set_online(False)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(self._dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                             application_name="vkref listener") as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._set_online(True)
            self._changed()  # whatever was written while we were not listening
            while not self._stop.is_set():
                # notifies() yields until its timeout unless stopped: stop at the first, so a change is applied
                # at once; then take what else has already arrived (one catch-up applies all of it)
                got = any(True for _ in conn.notifies(timeout=self.poll, stop_after=1))
                if got:
                    for _ in conn.notifies(timeout=0.005, stop_after=1000):
                        pass
                    self._changed()
                elif conn.closed or conn.broken:
                    raise psycopg.OperationalError("connection lost")
                else:
                    conn.execute("SELECT 1")  # notices a dead server even when nothing is written

    def _changed(self) -> None:
        try:
            self._on_change()
        except Exception:  # the callback's trouble is its own (logged there); the listener keeps listening
            log.exception("catalog change callback failed")

    def _set_online(self, online: bool) -> None:
        if self.online is online:
            return
        self.online = online
        try:
            self._on_online(online)
        except Exception:
            log.exception("catalog online callback failed")


def classify(orig: BaseException) -> str:
    """A psycopg error as :func:`vkref.store.database.classify` names failures."""
    state = getattr(getattr(orig, "diag", None), "sqlstate", None) or getattr(orig, "sqlstate", None) or ""
    if state == "42501":
        return "denied"  # insufficient_privilege: a reader's write
    if state == "25006":
        return "readonly"  # read_only_sql_transaction (a standby server)
    if state.startswith("08") or state in ("57P01", "57P02", "57P03") or \
            (not state and type(orig).__name__ == "OperationalError"):
        return "offline"
    if state == "53100":
        return "full"
    return "other"


def reason(exc: BaseException) -> str:
    """The short cause of a connection failure ("Connection refused", "server closed the connection...")."""
    text = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text.rsplit("failed: ", 1)[-1].strip()[:160]
