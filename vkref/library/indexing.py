"""Index upkeep: how the search index follows the database, in one process and across several.

The database is the truth; the Whoosh index (``index/``) is derived from it and can always be rebuilt.

Outbox -> index commit -> cleanup
    Every write of a finding or review adds an outbox row in the same database transaction. :meth:`Indexing.sync`
    takes the index writer lock, *then* reads the index's mark (``last_change``) and the outbox rows above it,
    turns them into documents and commits them with the mark of the newest row in one Whoosh commit. Reading
    after the lock means two processes can never move the mark backwards. Rows at or below the mark are then
    deleted ("cleanup"); a crash between commit and cleanup is harmless, the rows are skipped next time.
    Cleanup is held back while any process rebuilds (see below), so a rebuild never misses a change.
    Before each search the index catches up when the outbox holds rows above its mark, so changes written by
    other processes are seen too.

Full rebuild
    :meth:`Indexing.reindex` holds the library's rebuild lock (one rebuild at a time across processes; a second
    one waits), reads the newest outbox id, writes every document into a temporary directory and swaps it in
    under the live index's writer lock, then applies whatever was written meanwhile. Temporary directories
    are removed only when no live process holds the rebuild lock. Waiting for another process's rebuild that
    left a usable index is enough: it is not done twice.

Background rebuild process
    The GUI opens a library with a damaged index at once: the rebuild runs in a child process
    (``sys.executable [-m vkref] --library DIR --rebuild-index``, which works in the frozen build too), because
    bulk indexing in a thread stalls the GUI thread through the GIL. Meanwhile searches answer from an
    in-memory scan (:mod:`vkref.search.fallback`) that is built at the first search, on the searching thread.
    The child reports its result as one JSON line; progress is read from its temporary directory.

Failure states (:attr:`Indexing.state`)
    ``ready``; ``rebuilding``; ``failed: REASON`` (a rebuild could not be written, e.g. "failed: disk full":
    kept until a later rebuild succeeds; searches keep answering from the scan); ``behind: REASON`` (changes
    are committed in the database but not yet in the index, e.g. its writer lock is held by another process;
    it catches up later). A committed write is never reported as failed because of the index. Anything
    unexpected raised while the index is read or written (zlib errors, "Block tag error", a ValueError from a
    damaged segment) marks the index damaged: it is rebuilt and the search is answered again.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable, NamedTuple

from vkref.core import logs, paths
from vkref.core.errors import CatalogOfflineError, VkrefError
from vkref.library import documents as D
from vkref.search.index import IndexDamaged, IndexWriteError
from vkref.search.schema import OWNER_PREFIX
from vkref.store import Database, passages as store_passages, repository as repo

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)
CHILD_FLAG = "--rebuild-index"  # the hidden command-line flag that runs :func:`child_main`
REBUILDING_NOTE = " [the search index is being rebuilt: results come from a slower scan]"
CATCH_UP_WAIT = 1.0  # seconds a search waits for another process's index commit before answering as is
# A write of at least this many records, and at least a third of the library, is indexed by a full rebuild
# rather than record by record: the rebuild's writer (vkref.search.bulkwrite) is several times faster a document
# than an incremental commit, which also reads each new review's findings and passages one query at a time.
BULK_MIN_RECORDS = 2000
BULK_SHARE = 1 / 3


def rebuild_procs() -> int:
    """Processes for a full rebuild: two where there are two cores (vkref.search.bulkwrite.SplitWriter)."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


class _Codes(NamedTuple):
    """What a review's document reads of each of its findings (a rebuild keeps these, not 100,000 findings)."""

    id: str
    concepts: dict[str, list[str]]


class Indexing:
    """Keeps one library's index in step with its database (see the module docstring)."""

    def __init__(self, library_dir: Path, db: Database, service, vocabulary, lock: threading.RLock,
                 on_reviews_changed: Callable[[], None]):
        self.library_dir = library_dir
        self.db = db
        self.service = service  # vkref.search.SearchService
        self.vocabulary = vocabulary
        self._lock = lock  # the library's write lock
        self._on_reviews_changed = on_reviews_changed
        self._child: subprocess.Popen | None = None
        self._failure: str | None = None  # "failed: ..." after a rebuild that could not be written
        self._behind: str | None = None  # "behind: ..." after a sync that could not be written
        self._progress = (0, 0)
        self.background = False  # rebuild in a child process (GUI) rather than before returning
        self._checked_token = None  # the database's change token when catch_up last found nothing to do
        # a shared catalog (vkref.library.catalog): other computers' indexes need the outbox rows too, so they are
        # never deleted once applied here; ``offline`` (set by the catalog link) skips catching up before a search
        self.shared = False
        self.offline: Callable[[], bool] = lambda: False
        self.on_unreachable: Callable[[BaseException], None] = lambda exc: None

    @property
    def index(self):
        return self.service.index

    # ------------------------------------------------------------------ state
    @property
    def state(self) -> str:
        self._poll()
        if self._child is not None:
            return "rebuilding"
        return self._failure or self._behind or "ready"

    @property
    def rebuild_progress(self) -> tuple[int, int]:
        if self._child is not None:
            return self.index.build_progress() or (0, 0)
        return self._progress

    def describe(self) -> dict:
        """The ``index`` part of :meth:`Library.info`: path, state, documents, last change."""
        state = self.state
        problem = self.index.problem() if state in ("ready",) or state.startswith("behind") else None
        usable = problem is None and state != "rebuilding" and self.service.fallback is None
        return {"path": str(self.index.directory), "state": problem or state,
                "documents": self._guarded(self.index.doc_count, 0) if usable else 0,
                "last_change": self._guarded(self.index.last_change, None) if usable else None}

    def _guarded(self, read, default):
        try:
            return read()
        except VkrefError:
            return default
        except Exception as exc:  # damage found by a read: the index is rebuilt
            self._damaged(exc)
            return default

    # ------------------------------------------------------------------ opening
    def ensure(self, background: bool = False) -> str | None:
        """Check the index; rebuild it when unusable, else apply pending changes. Returns the problem found."""
        self.background = background and not self.shared  # the rebuild process opens local libraries only
        problem = self._problem()
        if problem is None:
            self.sync()
        elif background:
            self.start_background_rebuild()
        else:
            self.reindex()
        return problem

    def older_than_log(self) -> bool:
        """Whether changes this index never applied were already forgotten (a shared catalog's pruned log):
        only a rebuild brings it up to date. Cheap (no full check of the index, see :meth:`_problem`)."""
        try:
            return self.index.last_change() < repo.outbox_cleaned_through(self.db)
        except IndexDamaged:
            return True

    def _problem(self) -> str | None:
        problem = self.index.problem()
        if problem is not None:
            return problem
        try:
            if self.index.last_change() < repo.outbox_cleaned_through(self.db):
                return "stale (older than changes already cleaned from the outbox)"
        except VkrefError:
            raise
        except Exception as exc:
            return f"corrupt ({exc.__class__.__name__})"
        return None

    # ------------------------------------------------------------------ outbox -> index
    def catch_up(self) -> None:
        """Before a search: apply changes written since the index was last brought up to date (one cheap query
        when there are none; other processes writing the same library are seen too)."""
        token = self.db.change_token()  # taken first: a write after it changes it again
        if token is not None and token == self._checked_token:
            return  # the database files have not changed since the last check: nothing to catch up
        try:
            behind = repo.outbox_max_id(self.db) > self.index.last_change()
        except IndexDamaged as exc:
            self._damaged(exc)
            return
        if behind:
            self.sync(timeout=CATCH_UP_WAIT)
        self._checked_token = token if not behind or self._behind is None else None

    def sync(self, timeout: float = 10.0) -> int:
        """Apply outbox changes the index has not seen; then forget them. Returns how many were applied.

        Index trouble is recorded in :attr:`state` and logged, never raised: the database holds the changes
        and the index catches up later (a damaged index is rebuilt)."""
        with self._lock:
            try:
                applied, reviews_changed = self._apply_pending(timeout)
            except IndexWriteError as exc:
                self._behind = f"behind: {exc.reason}"
                log.warning("index not updated: %s", exc)
                return 0
            except IndexDamaged as exc:
                self._damaged(exc)
                return 0
            self._behind = None
            self._clean_outbox()
            if reviews_changed:  # labels and citations; a finding's change does not touch them
                self._on_reviews_changed()
            return applied

    def _apply_pending(self, timeout: float) -> tuple[int, bool]:
        """Every pending round goes into ONE apply with one document per key (the newest read): Whoosh's
        delete_by_term does not reach a document added earlier in the same writer, so a record changed again
        between two rounds (another writer, another process) would otherwise be indexed twice."""
        applied, reviews_changed, last = 0, False, None
        final: dict[str, object] = {}  # key -> document, or None for a delete
        with self.index.writing(timeout) as job:
            pending = repo.outbox_pending(self.db, job.last_change)  # read after the lock: nothing is missed
            while pending:
                reviews_changed |= any(e == "review" and op != "refresh" for _, e, _, op in pending)
                upserts, deletes = self.changes_to_docs(pending)
                final.update((key, None) for key in deletes)
                final.update((doc.key, doc) for doc in upserts)
                applied += len(pending)
                last = pending[-1][0]
                pending = repo.outbox_pending(self.db, last)
            if last is not None:  # the commit records the newest row
                job.apply(last, [d for d in final.values() if d is not None],
                          [k for k, d in final.items() if d is None])
        return applied, reviews_changed

    def _clean_outbox(self) -> None:
        """Forget rows the index holds; not while a rebuild runs (it re-applies rows above its own mark)."""
        if self.shared or self.index.rebuild_running():
            return
        if repo.outbox_pending(self.db, -1, limit=1):
            repo.outbox_cleanup(self.db, self.index.last_change())

    def changes_to_docs(self, pending):
        finding_ids = {eid for _, entity, eid, _ in pending if entity == "finding"}
        # a review changed itself ("upsert"/"delete"): its findings carry its year and label, re-index them too
        review_ids = {eid for _, entity, eid, op in pending if entity == "review" and op != "refresh"}
        findings = {f.id: f for f in repo.get_findings(self.db, finding_ids)}
        # a review whose findings changed: only its own document (facets are the union of its findings')
        refresh = {eid for _, entity, eid, op in pending if entity == "review" and op == "refresh"}
        refresh |= {f.review_id for f in findings.values()}
        refresh -= review_ids
        reviews = {r.id: r for r in repo.get_reviews(self.db, review_ids | refresh)}
        upserts, deletes = [], []
        for fid in finding_ids:
            f = findings.get(fid)
            if f is None:
                deletes.append(f"finding:{fid}")
            elif f.review_id in reviews:
                upserts.append(D.finding_doc(f, reviews[f.review_id], self.vocabulary))
            # else its review went between the two reads (another writer's undo or merge, committed after
            # these rows): that writer's newer outbox rows bring the finding's new state in the next round
        for rid in review_ids:
            self._review_changes(rid, reviews.get(rid), finding_ids, upserts, deletes)
        for rid in refresh:
            if rid in reviews:
                upserts.append(D.review_doc(reviews[rid], repo.get_findings(self.db, review_id=rid), self.vocabulary))
        return upserts, deletes

    def _review_changes(self, rid, review, finding_ids, upserts, deletes) -> None:
        deletes.append(f"{OWNER_PREFIX}{rid}")  # its passages are written again from its full text
        if review is None:
            deletes.append(f"review:{rid}")
            return
        findings = repo.get_findings(self.db, review_id=rid)
        upserts.append(D.review_doc(review, findings, self.vocabulary))
        upserts.extend(D.passage_docs(review, store_passages.of_review(self.db, rid)))
        # a review's year or label reaches its findings' facets
        upserts.extend(D.finding_doc(f, review, self.vocabulary) for f in findings if f.id not in finding_ids)

    # ------------------------------------------------------------------ after a bulk write
    def after_bulk_write(self, records: int) -> bool:
        """Bring the index up to date after one write of ``records`` new records: by a full rebuild when the
        write is large beside the library (see :data:`BULK_MIN_RECORDS`), in the background process when the
        library rebuilds there (the GUI), else here; returns False when the caller should sync instead.
        Index trouble is kept in :attr:`state`, never raised: the write is committed."""
        if records < BULK_MIN_RECORDS or self.shared:
            return False
        counts = repo.counts(self.db)
        if records < BULK_SHARE * (counts["reviews"] + counts["findings"]):
            return False
        if self.background:
            self._start_background_rebuild()
            return True
        try:
            self.reindex(procs=rebuild_procs())
        except IndexWriteError:
            self._use_fallback()  # kept in the state; searches answer from the scan until a rebuild succeeds
        return True

    # ------------------------------------------------------------------ full rebuild
    def iter_documents(self, batch: int = 2000):
        reviews = {r.id: r for r in repo.get_reviews(self.db)}
        by_review: dict[str, list[_Codes]] = {}
        for chunk in repo.iter_findings(self.db, batch):
            docs = []
            for f in chunk:
                review = reviews.get(f.review_id)
                if review is None:  # written after the reviews were read (another process or catalog client):
                    continue  # its outbox row is newer than the rebuild's mark, so the catch-up indexes it
                by_review.setdefault(f.review_id, []).append(_Codes(f.id, f.concepts))  # all a review doc reads
                docs.append(D.finding_doc(f, review, self.vocabulary))
            yield docs
        ordered = list(reviews.values())
        for i in range(0, len(ordered), batch):  # in batches: a large import's 100,000 reviews are one library
            yield [D.review_doc(r, by_review.get(r.id, []), self.vocabulary) for r in ordered[i:i + batch]]
        held = store_passages.of_reviews(self.db, store_passages.reviews_with_passages(self.db))
        for rid, passages in held.items():
            if rid in reviews:  # as above: a newer review's passages come with the catch-up
                yield D.passage_docs(reviews[rid], passages)

    def reindex(self, progress: Progress | None = None, procs: int = 1) -> int:
        """Rebuild the whole index from the database (into a temporary directory, then swapped in).

        Raises :class:`~vkref.core.errors.LibraryError` when it cannot be written; :attr:`state` keeps it."""
        with self._lock:
            try:
                n = self._rebuild(progress, procs)
            except IndexWriteError as exc:
                self._failure = f"failed: {exc.reason}"
                log.error("index rebuild failed: %s", exc)
                raise
            self._failure = None
            self.service.fallback = None
            self.sync()
            return n

    def _rebuild(self, progress: Progress | None, procs: int) -> int:
        with self.index.rebuilding() as waited:
            if waited and self._problem() is None:
                return self.index.doc_count()  # another process has just rebuilt it from the same database
            last = repo.outbox_max_id(self.db)  # read before the documents: later changes get re-applied
            total = sum(repo.counts(self.db)[k] for k in ("reviews", "findings"))

            def report(done, all_):
                self._progress = (done, all_)
                if progress:
                    progress(done, all_)

            n = self.index.rebuild(self.iter_documents(), last, total, report, procs)
            if not self.shared:  # under the rebuild lock: no other rebuild needs these rows
                repo.outbox_cleanup(self.db, last)
            return n

    def _damaged(self, exc: BaseException) -> None:
        """Something unexpected came out of the index: it is derived data, so rebuild it."""
        log.error("search index damaged (%s: %s): rebuilding it", exc.__class__.__name__, exc)
        if self._child is not None:
            return
        self.index.close()
        if self.background:
            self.start_background_rebuild()
            return
        try:
            self.reindex()
        except IndexWriteError:
            self._use_fallback()  # the failure is kept in the state; searches still answer

    # ------------------------------------------------------------------ background rebuild process
    def start_background_rebuild(self) -> None:
        """Rebuild the index in a separate process; searches are answered from the in-memory scan meanwhile."""
        with self._lock:
            if self._child is not None:
                return
            self.index.close()  # the old index is not used meanwhile (and Windows cannot swap open files)
            self._use_fallback()
            self._failure = None
            self._child = subprocess.Popen(child_command(self.library_dir), stdin=subprocess.DEVNULL,
                                           stdout=subprocess.PIPE, env=child_env(),
                                           creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))

    def _use_fallback(self) -> None:
        self.service.use_fallback(lambda: [d for batch in self.iter_documents() for d in batch])

    def _poll(self) -> None:
        """Notice a finished rebuild process: take its index into use, or keep its failure."""
        child = self._child
        if child is None or child.poll() is None:
            return
        with self._lock:
            if self._child is not child:
                return
            out, _ = child.communicate()
            self._child = None
            result = _child_result(out, child.returncode)
            if result.get("ok") and self.index.problem() is None:
                self.service.fallback = None
                self._failure = None
                self.sync()
            else:
                self._failure = f"failed: {result.get('reason') or 'the rebuild process stopped'}"
                log.error("background index rebuild %s (%s)", self._failure, result.get("message", ""))

    def wait(self, timeout: float | None = None) -> bool:
        child = self._child
        if child is not None:
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        return self.state == "ready"

    # ------------------------------------------------------------------ searching
    def query(self, text: str, **kwargs):
        """The service's raw result, with the index state and the note for ``searched_as``.

        Catches up first; a damaged index is rebuilt and the search answered again (a second failure is a
        bug, not damage, and is raised)."""
        if self.state != "rebuilding" and self.service.fallback is None and not self.offline():
            try:
                self.catch_up()
            except CatalogOfflineError as exc:  # the server is away: answer from this computer's index
                self.on_unreachable(exc)
        raw = self._run_guarded(lambda: self.service.query(text, **kwargs), retry=True)
        return raw, *self._page_state()

    def _run_guarded(self, action, retry: bool = False):
        try:
            return action()
        except IndexDamaged as exc:
            self._damaged(exc)
        except VkrefError:
            raise
        except Exception as exc:
            if self.service.fallback is not None:
                raise  # the in-memory scan is not the index
            self._damaged(exc)
        return action() if retry else None

    def _page_state(self) -> tuple[str, str]:
        if self.service.fallback is None:
            return "ready", ""
        state = self.state
        if state == "rebuilding":
            return state, REBUILDING_NOTE
        reason = state.partition(": ")[2] or state
        return state, f" [the search index could not be rebuilt ({reason}): results come from a slower scan]"

    def close(self) -> None:
        """A background rebuild keeps running and swaps its index in; the next open uses it."""
        self.service.close()


# ---------------------------------------------------------------------- the child process
def child_command(library_dir: Path) -> list[str]:
    if getattr(sys, "frozen", False):  # the frozen executable is the CLI itself
        return [sys.executable, "--library", str(library_dir), CHILD_FLAG]
    return [sys.executable, "-m", "vkref", "--library", str(library_dir), CHILD_FLAG]


def child_env() -> dict[str, str]:
    """The parent's environment; unfrozen, the child imports the same vkref package as the parent."""
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        import vkref

        root = str(Path(vkref.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def child_main(library: str | None) -> int:
    """Run in the child: rebuild the index of the library at ``library`` and print one JSON line."""
    from vkref.library.library import Library

    directory = paths.library_dir(library)
    logs.setup(directory)
    lib = Library(directory, Database.open_sqlite(directory / paths.DB_FILENAME))
    try:
        result = {"ok": True, "documents": lib.indexing.reindex(procs=rebuild_procs())}
    except IndexWriteError as exc:
        result = {"ok": False, "reason": exc.reason, "message": str(exc)}
    except VkrefError as exc:
        result = {"ok": False, "reason": str(exc), "message": str(exc)}
    except Exception as exc:  # reported to the parent, which keeps the failure in its state
        report = logs.write_crash_report(context="vkref background index rebuild")
        result = {"ok": False, "reason": f"internal error ({exc.__class__.__name__})", "message": str(report)}
    finally:
        lib.close()
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


def _child_result(out: bytes | None, returncode: int) -> dict:
    for line in reversed((out or b"").decode("utf-8", "replace").splitlines()):
        try:
            result = json.loads(line)
        except ValueError:
            continue
        if isinstance(result, dict):
            return result
    return {"ok": False, "reason": f"the rebuild process stopped (exit status {returncode})"}
