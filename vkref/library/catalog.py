"""A library whose database is a shared catalog on PostgreSQL (``--catalog URL``), and its upkeep.

What this module owns and promises:
- :func:`init_catalog` (``vkref catalog init URL``) creates or upgrades the catalog with the same Alembic
  revisions as a local library (a new catalog starts from the bundled library, as a new local library does)
  and, when asked, the reader and curator roles with their grants.
- :func:`open_library` opens a library on a catalog: the database is the catalog; this computer's search index
  lives in the library directory under ``catalog-<server>-<database>/`` and follows the catalog's change log
  (the outbox ids are the sequence; each index commit records the last one applied). Rows are not deleted once
  this index has applied them (other computers still need them); the log is pruned by age instead, and an
  index older than the pruned log is rebuilt.
- :class:`CatalogLink` keeps it in step: a :class:`~vkref.store.catalog.Listener` wakes it on every commit
  (``LISTEN/NOTIFY``) and it catches up by sequence, so a missed notification costs nothing; listeners given to
  :meth:`CatalogLink.subscribe` hear ``("changed", {"applied": n, "position": p})``, ``("offline", reason)``
  and ``("online", "")``.
  While the server is away the library answers searches from the local index and is read-only (writes fail
  with one line, nothing queued); when it is back the index catches up by itself.
"""
from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from vkref.core import logs
from vkref.core.errors import CatalogOfflineError, VkrefError
from vkref.store import Database, catalog as store_catalog, repository as repo

if TYPE_CHECKING:
    from vkref.library.library import Library

log = logs.get("catalog")
RECORD_EVERY = 10.0  # seconds between two records of this client's position in the catalog
OFFLINE = "catalog server unreachable"


def client_library() -> dict:
    """psycopg's version and implementation and libpq's version (``vkref --self-test`` checks they load)."""
    return store_catalog.client_library()


def local_dir(directory: Path, url: str) -> Path:
    """This computer's folder for one catalog inside the library directory (its index, its logs)."""
    shown = store_catalog.safe_url(url).split("://", 1)[-1].split("?", 1)[0]
    shown = shown.split("@", 1)[-1]
    return directory / ("catalog-" + (re.sub(r"[^A-Za-z0-9]+", "-", shown).strip("-")[:80] or "default"))


def connect(url: str, populate=None) -> Database:
    """The catalog's database, created or upgraded when the role may (else a one-line error)."""
    db = Database.open_catalog(url)
    try:
        db.migrate(populate=populate)
    except BaseException:
        db.dispose()
        raise
    return db


def url_problem(url: str) -> str | None:
    if not url:
        return None
    if not store_catalog.is_catalog_url(url):
        return f"{url!r} is not a postgresql:// URL"
    try:
        store_catalog.engine_url(url)
    except VkrefError as exc:
        return str(exc)
    if store_catalog.has_password(url):
        return ("the URL holds a password, which would be stored in plain settings: remove it and put it in "
                "~/.pgpass, a service file or PGPASSWORD")
    return None


def init_catalog(url: str, reader: str | None, curator: str | None, populate) -> dict:
    db = connect(url, populate)
    try:
        with db.engine.begin() as conn:
            done = store_catalog.grant_roles(conn, reader, curator)
        return {"catalog": store_catalog.safe_url(url), "schema": db.current_revision(),
                "reviews": repo.counts(db)["reviews"], "done": done}
    except VkrefError:
        raise
    except Exception as exc:
        raise db.known_error(exc) from exc
    finally:
        db.dispose()


class CatalogLink:
    """The live link of one open library with its catalog (see the module docstring)."""

    def __init__(self, lib: "Library", url: str):
        self.lib, self.url = lib, url
        self.online = True
        self.reason = ""
        self._subscribers: list[Callable[[str, object], None]] = []
        self._recorded = 0.0
        self._client = store_catalog.client_id(lib.path)
        self._sync_lock = threading.Lock()
        self.listener = store_catalog.Listener(lib.db.engine.url.render_as_string(hide_password=False),
                                               self._changed, self._set_online)

    def start(self) -> "CatalogLink":
        self.listener.start()
        return self

    def stop(self) -> None:
        self.listener.stop()
        if self.online:
            save_snapshot(self.lib)  # the labels of reviews other curators added, for an offline start

    def subscribe(self, callback: Callable[[str, object], None]) -> None:
        """``callback(event, detail)`` from the listener's thread (a GUI hands it on to its own thread)."""
        self._subscribers.append(callback)

    def _tell(self, event: str, detail) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event, detail)
            except Exception:
                log.exception("catalog subscriber failed")

    # ------------------------------------------------------------------ following the change log
    def _changed(self) -> None:
        n = self.catch_up()
        if n:
            self._tell("changed", {"applied": n, "position": self._guard(self.lib.indexing.index.last_change)})

    def catch_up(self) -> int:
        """Apply the catalog's changes this index has not seen (rebuild when it is older than the pruned log).
        Returns how many were applied (-1: rebuilt)."""
        with self._sync_lock:
            try:
                lib = self.lib
                if lib.indexing.older_than_log():
                    lib.reindex()
                    n = -1
                else:
                    n = lib.sync_index()
                self._record_position()
                return n
            except CatalogOfflineError as exc:
                self._set_online(False, str(exc))
                return 0

    def _record_position(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._recorded < RECORD_EVERY:
            return
        self._recorded = now
        try:
            with self.lib.db.session() as s:
                store_catalog.record_client(s, self._client, self.lib.indexing.index.last_change())
        except VkrefError as exc:  # bookkeeping only
            log.info("catalog position not recorded: %s", exc)

    def prune(self, days: float = store_catalog.RETAIN_DAYS) -> int:
        with self.lib.db.session() as s:
            return store_catalog.prune(s, days)

    # ------------------------------------------------------------------ server away and back
    def _set_online(self, online: bool, reason: str = "") -> None:
        lib = self.lib
        was = self.online
        if online and not was:
            self._after_reconnect()
        self.online = online
        self.reason = "" if online else (reason or OFFLINE)
        lib.read_only = not online or not self.can_write
        lib.read_only_reason = OFFLINE if not online else ("" if self.can_write else "read-only role")
        if was != online:
            log.info("catalog %s %s", store_catalog.safe_url(self.url), "back" if online else "away")
            self._tell("online" if online else "offline", self.reason)

    can_write = True

    def _after_reconnect(self) -> None:
        """Back online: what was read from the snapshot (or before the outage) is read again."""
        lib = self.lib
        try:
            with lib.db.session() as s:
                facts = store_catalog.server_facts(s)
            self.can_write = facts["can_write"]
            lib.db.identity = f"{facts['role']}@{socket.gethostname()}"
            lib.reload_vocabulary()
            lib.refresh_reviews()
            save_snapshot(lib)
        except VkrefError as exc:
            log.info("catalog reconnection: %s", exc)

    # ------------------------------------------------------------------ information
    def describe(self) -> dict:
        out = {"url": store_catalog.safe_url(self.url), "online": self.online, "server_version": None,
               "role": None, "can_write": None, "sequence": None,
               "position": self._guard(self.lib.indexing.index.last_change), "lag": None}
        if not self.online:
            return out
        try:
            with self.lib.db.session() as s:
                out.update(store_catalog.server_facts(s))
            out["sequence"] = repo.outbox_max_id(self.lib.db)
        except VkrefError as exc:
            out["online"], out["error"] = False, str(exc)
            return out
        if out["position"] is not None:
            out["lag"] = max(0, out["sequence"] - out["position"])
        return out

    @staticmethod
    def _guard(read):
        try:
            return read()
        except Exception:
            return None


def open_library(cls, directory: Path, url: str, populate, background_rebuild: bool) -> "Library":
    """``Library.open(path, catalog=url)``: see the module docstring. With the server away, a computer that has
    used the catalog before opens read-only on its own index and the snapshot kept beside it."""
    local = local_dir(directory, url)
    local.mkdir(parents=True, exist_ok=True)
    try:
        db = connect(url, populate)
    except CatalogOfflineError as exc:
        return _open_offline(cls, local, url, exc)
    logs.setup(local)
    try:
        lib = cls(local, db)
        link = CatalogLink(lib, url)
        with db.session() as s:
            facts = store_catalog.server_facts(s)
        link.can_write = facts["can_write"]
        db.identity = f"{facts['role']}@{socket.gethostname()}"
        lib.read_only = not link.can_write
        lib.read_only_reason = "" if link.can_write else "read-only role"
        _attach(lib, link)
        lib.ensure_index(background=background_rebuild)
        link._record_position(force=True)
        if link.can_write:  # once per start of a curator's client: forget changes older than the retention window
            link.prune()
        save_snapshot(lib)
        link.start()
    except BaseException:
        db.dispose()
        raise
    return lib


def _attach(lib: "Library", link: CatalogLink) -> None:
    lib.catalog = link
    lib.indexing.shared = True
    lib.indexing.offline = lambda: not link.online
    lib.indexing.on_unreachable = lambda exc: link._set_online(False, str(exc))


def _open_offline(cls, local: Path, url: str, exc: CatalogOfflineError) -> "Library":
    """The server is away at start: this computer's index and snapshot, read-only, reconnecting by itself."""
    snapshot = load_snapshot(local)
    if snapshot is None:
        raise CatalogOfflineError(f"catalog {store_catalog.safe_url(url)} is not reachable and this computer has "
                                  "not opened it before: there is nothing to search yet") from exc
    logs.setup(local)
    db = Database.open_catalog(url)  # no connection is made until the server is back
    lib = cls(local, db, snapshot=snapshot)
    if lib.indexing.index.problem() is not None:
        lib.close()
        raise CatalogOfflineError(f"catalog {store_catalog.safe_url(url)} is not reachable and this computer's "
                                  "index of it is unusable: there is nothing to search until it is back") from exc
    link = CatalogLink(lib, url)
    link.online, link.reason = False, OFFLINE
    lib.read_only, lib.read_only_reason = True, OFFLINE
    _attach(lib, link)
    link.start()
    return lib


# ------------------------------------------------------------------------ the snapshot for starting offline


SNAPSHOT = "catalog-snapshot.json"


def save_snapshot(lib: "Library") -> None:
    """What opening needs besides the index (identity, vocabulary, review labels), kept beside the index."""
    from vkref.core import records as R

    data = {"library_id": lib.library_id,
            "concepts": [[c.id, c.facet, c.label, list(c.synonyms), c.parent]
                         for c in lib.vocabulary.concepts.values()],
            "reviews": [dict(R.review_fields(r), id=r.id) for r in lib._reviews.values()]}
    target = lib.path / SNAPSHOT
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:  # only the offline start needs it
        log.warning("catalog snapshot not written: %s", exc)


def load_snapshot(local: Path) -> dict | None:
    from vkref.core import records as R
    from vkref.core.vocabulary import Concept, Vocabulary

    try:
        data = json.loads((local / SNAPSHOT).read_text(encoding="utf-8"))
        vocabulary = Vocabulary.from_concepts(Concept(i, f, label, tuple(syn), parent)
                                              for i, f, label, syn, parent in data["concepts"])
        reviews = [R.review_from_fields(d["id"], d) for d in data["reviews"]]
        return {"library_id": data["library_id"], "vocabulary": vocabulary, "reviews": reviews}
    except (OSError, ValueError, KeyError, TypeError, VkrefError):
        return None
