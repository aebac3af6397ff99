"""The Whoosh index on disk: derived data, always rebuildable from the database (STYLE habit 7).

Invariants
- The index holds one meta document (key ``__meta__``) recording the last outbox change applied, the library
  it belongs to and the index format. It is written in the same Whoosh commit as the changes it describes, so
  after any crash the index says exactly which changes it holds. The mark never moves backwards: it is read
  after the writer lock is taken (:meth:`SearchIndex.writing`) and a commit records the larger of the two.
- A full rebuild is written into a temporary sibling directory and swapped into place; a killed rebuild leaves
  either the old index or no index, never a half-built one under the real name. A rebuild holds the library's
  rebuild lock (an OS file lock, released by the OS when the process dies) for its whole run, so a temporary
  directory is removed only when no live process holds that lock: other processes never delete a running
  rebuild. The swap holds the live index's writer lock, so it never lands in the middle of another commit.
- Readers are per thread (a Whoosh Searcher must not be shared across threads). A reader is replaced by a fresh
  one whenever the index has a newer commit (from this or another process) or its directory was swapped:
  Whoosh's ``Searcher.refresh()`` would keep old segment readers with their old deletion sets.
- Every failure to write the index is a :class:`IndexWriteError` (a ``LibraryError`` with a short ``reason``
  such as "disk full"); anything else Whoosh raises while the index is written is :class:`IndexDamaged`.
- Facet sidecars (:mod:`vkref.search.sidecars`) carry a checksum of their content and are ignored (re-read
  from the index) when it does not match; they hold no pickles.
- Every commit and every rebuild writes the document-set sidecar (:mod:`vkref.search.docsets`) of each segment
  that has none, under the writer's locks; a missing or damaged one only means its postings are decoded instead
  (a damaged one is removed when read, so the next commit writes it again).
- Whoosh opens or re-reads a directory only after :mod:`vkref.search.trust` found every file it may read
  signed by this user's vkref (``_open_dir``, ``_verified``): a planted index is rebuilt, never unpickled.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from whoosh import index as windex
from whoosh.writing import LockError

from vkref.core.errors import LibraryError, VkrefError
from vkref.search import bitsets, bulkwrite, docsets, sidecars
from vkref.search.facets import FacetTable, SegmentFacets, read_segment
from vkref.search.schema import INDEX_FORMAT, META_KEY, OWNER_PREFIX, WRITER_OPTIONS, IndexDoc, make_schema
from vkref.search.segcache import SegmentCache, segment_id
from vkref.search.trust import Trust

Progress = Callable[[int, int], None]
SPLIT_SHARE = 0.9  # of the documents, written by the second process of a two-process rebuild: this one also reads
# them from the database and sends them (at 110,000 documents, 75% left this one at 37 s CPU and the child at 26 s)
PROGRESS_FILE = "vkref-progress.json"  # inside a rebuild's temporary directory: "done" and "total"
REASONS = {errno.ENOSPC: "disk full", errno.EACCES: "permission denied", errno.EPERM: "permission denied",
           errno.EROFS: "read-only file system", errno.EDQUOT: "disk quota exceeded"}


class IndexWriteError(LibraryError):
    """The index could not be written; ``reason`` is short ("disk full", "locked by another process")."""

    def __init__(self, directory: Path, reason: str):
        super().__init__(f"search index {directory} cannot be written: {reason}")
        self.reason = reason


class IndexDamaged(LibraryError):
    """Whoosh failed in an unexpected way while reading or writing the index: it is rebuilt."""


def os_reason(exc: OSError) -> str:
    return REASONS.get(exc.errno) or (exc.strerror or exc.__class__.__name__).lower()


class FileLock:
    """An exclusive advisory lock on a file (fcntl on POSIX, msvcrt on Windows), held while it is open.

    The operating system drops it when its process dies, so a lock that can be taken is held by no live
    process. Written here because Whoosh's own lock is private to its index directory.
    """

    def __init__(self, path: Path):
        self.path = path
        self._fh = None

    def acquire(self, timeout: float | None = 0.0) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds (None: as long as it takes)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._try():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def _try(self) -> bool:
        fh = open(self.path, "a+b")
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        return True

    @property
    def held(self) -> bool:
        return self._fh is not None

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()  # closing the handle releases the lock
            self._fh = None


class IndexCommit:
    """One Whoosh write under the writer lock (see :meth:`SearchIndex.writing`)."""

    def __init__(self, writer, last_change: int, guard):
        self.writer = writer
        self.last_change = last_change  # what the index held when the lock was taken
        self.written = False
        self._guard = guard

    def apply(self, last_change: int, upserts: Iterable[IndexDoc], deletes: Iterable[str]) -> None:
        """Delete ``deletes`` (keys), replace ``upserts``; the commit records ``last_change`` (never lower)."""
        self._guard(lambda: self._apply(list(upserts), list(deletes)))
        self.last_change = max(self.last_change, last_change)
        self.written = True

    def _apply(self, upserts: list[IndexDoc], deletes: list[str]) -> None:
        for key in deletes:
            if key.startswith(OWNER_PREFIX):
                self.writer.delete_by_term("owner", key[len(OWNER_PREFIX):])
            else:
                self.writer.delete_by_term("key", key)
        for doc in upserts:
            self.writer.delete_by_term("key", doc.key)  # update_document removes one copy only
            self.writer.add_document(**doc.fields())


class SearchIndex:
    """Owns one index directory: checks it, applies changes, rebuilds it and hands out searchers."""

    def __init__(self, directory: Path, library_id: str):
        self.directory = Path(directory)
        self.library_id = library_id
        self._ix = None
        self._identity = None  # (device, inode) of the directory self._ix was opened from
        self._local = threading.local()
        self._segment_cache: dict[str, SegmentFacets] = {}
        self._table_cache: tuple[object, FacetTable] | None = None
        self._meta_cache: tuple[object, dict] | None = None
        self.segments = SegmentCache(self.directory)  # postings, lengths, doc sets per segment, across generations
        self._lock = threading.RLock()
        self.rebuild_lock = FileLock(self.directory.with_name(self.directory.name + ".rebuild.lock"))
        # held by a writer from Whoosh's writer lock until its commit is signed; a FileLock object per use, as
        # threads of one process may wait on it at once
        self.sign_lock_path = self.directory.with_name(self.directory.name + ".sign.lock")
        self.trust = Trust()

    # ------------------------------------------------------------------ trust (vkref.search.trust)
    def untrusted(self, directory: Path | None = None) -> str | None:
        """Why Whoosh must not read ``directory`` (default: the live index), or None. A file not yet signed
        may belong to a commit under way in another process: wait for its sign lock and look again."""
        directory = directory or self.directory
        why = self.trust.problem(directory)
        if why is None or directory != self.directory:
            return why
        lock = FileLock(self.sign_lock_path)
        try:
            if not lock.acquire(30.0):
                return why
        except OSError:  # a read-only library directory: no commit can be under way
            return why
        try:
            return self.trust.problem(directory)
        finally:
            lock.release()

    def _open_dir(self):
        why = self.untrusted()
        if why:
            raise IndexDamaged(f"search index {self.directory} is not trusted: {why}")
        return windex.open_dir(str(self.directory))

    def _sign(self, directory: Path) -> None:
        try:
            self.trust.sign(directory)
        except OSError as exc:  # an unsigned index is rebuilt at the next open: nothing is lost
            raise IndexWriteError(directory, os_reason(exc)) from exc

    # ------------------------------------------------------------------ state
    def problem(self) -> str | None:
        """Why the index cannot be used as it is ("missing", "corrupt", ...), or None when it can."""
        self.cleanup_leftovers()
        try:
            if not self.directory.is_dir() or not any(self.directory.glob("_*.toc")):
                return "missing"
            why = self.untrusted()
            if why:
                return f"not trusted ({why})"
            ix = windex.open_dir(str(self.directory))
            with ix.searcher() as s:
                meta = (s.document(key=META_KEY) or {}).get("meta")
        except Exception as exc:  # any unreadable index is rebuilt, never fatal
            return f"corrupt ({exc.__class__.__name__})"
        if not meta:
            return "corrupt (no meta record)"
        if meta.get("format") != INDEX_FORMAT:
            return f"wrong version (format {meta.get('format')}, expected {INDEX_FORMAT})"
        if meta.get("library") != self.library_id:
            return "belongs to another library"
        with self._lock:
            self._ix, self._identity = ix, self._stat()
        return None

    def last_change(self) -> int:
        try:
            return int(self._meta().get("last_change", 0))
        except VkrefError:
            raise
        except Exception as exc:  # an unreadable meta record: the index is rebuilt
            raise IndexDamaged(f"search index {self.directory} is damaged ({exc.__class__.__name__})") from exc

    def _meta(self) -> dict:
        s = self.searcher()
        cached = self._meta_cache
        if cached is not None and cached[0] is s:
            return cached[1]
        meta = (s.document(key=META_KEY) or {}).get("meta") or {}
        self._meta_cache = (s, meta)
        return meta

    def _stat(self):
        try:
            st = os.stat(self.directory)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _index(self):
        """The open index; reopened when another process swapped a rebuilt directory into place."""
        with self._lock:
            if self._ix is not None and self._stat() != self._identity:
                self._ix = None
            if self._ix is None:
                try:
                    self._ix, self._identity = self._open_dir(), self._stat()
                except IndexDamaged:
                    raise
                except Exception as exc:
                    raise IndexDamaged(f"search index {self.directory} cannot be opened: "
                                       f"{exc.__class__.__name__}") from exc
            return self._ix

    def doc_count(self) -> int:
        return self.searcher().doc_count() - 1  # without the meta document

    def cleanup_leftovers(self, keep: Path | None = None) -> None:
        """Remove temporary directories of rebuilds whose process is gone (none while a rebuild runs)."""
        parent = self.directory.parent
        if not parent.exists():
            return
        mine = self.rebuild_lock.held
        if not mine and not self._lock_rebuild(0.0):
            return  # a live process is rebuilding: its directory is not a leftover
        try:
            for pattern in (".build-*", ".old-*"):
                for p in parent.glob(self.directory.name + pattern):
                    if p.is_dir() and p != keep:
                        shutil.rmtree(p, ignore_errors=True)
        finally:
            if not mine:
                self.rebuild_lock.release()

    def _lock_rebuild(self, timeout: float | None) -> bool:
        try:
            return self.rebuild_lock.acquire(timeout)
        except OSError:  # the library directory is read-only or gone: nothing can be cleaned or rebuilt
            return False

    def rebuild_running(self) -> bool:
        """True while some process (this one included) holds the rebuild lock."""
        if self.rebuild_lock.held:
            return True
        if self._lock_rebuild(0.0):
            self.rebuild_lock.release()
            return False
        return self.directory.parent.exists()

    @contextmanager
    def rebuilding(self) -> Iterator[bool]:
        """Hold the rebuild lock (waiting for another process's rebuild); yields whether it had to wait."""
        waited = not self._lock_rebuild(0.0)
        if waited and not self._lock_rebuild(None):
            raise IndexWriteError(self.directory, "the library directory cannot be written")
        try:
            yield waited
        finally:
            self.rebuild_lock.release()

    def build_progress(self) -> tuple[int, int] | None:
        """(done, total) of a rebuild under way in any process, read from its temporary directory."""
        for p in self.directory.parent.glob(self.directory.name + ".build-*/" + PROGRESS_FILE):
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
                return int(data["done"]), int(data["total"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return None

    # ------------------------------------------------------------------ writing
    @contextmanager
    def writing(self, timeout: float = 10.0) -> Iterator[IndexCommit]:
        """Hold the index writer lock for a read-then-commit. The yielded commit's ``last_change`` is read after
        the lock was taken, so no other process can commit in between; nothing applied: nothing committed."""
        ix = self._index()
        sign_lock = FileLock(self.sign_lock_path)
        if not self._guard(lambda: sign_lock.acquire(timeout)):
            raise IndexWriteError(self.directory, "locked by another process")
        try:
            # the sign lock is taken by every vkref writer first: no other commit can follow this read
            last_change = self._guard(lambda: self._locked_last_change(ix))
            # its new segment's files are not signed yet
            writer = self._guard(lambda: ix.writer(timeout=timeout, **WRITER_OPTIONS))
            try:
                job = IndexCommit(writer, last_change, self._guard)
                yield job
                if job.written:
                    self._guard(lambda: self._commit(writer, job.last_change))
                else:
                    writer.cancel()
                    self._drop_unsigned(writer)
            except BaseException:
                _cancel(writer)
                self._drop_unsigned(writer)
                raise
        finally:
            sign_lock.release()
        self._invalidate()

    def _guard(self, action):
        """Run a Whoosh write step; its failures become vkref's errors."""
        try:
            return action()
        except LockError:
            raise IndexWriteError(self.directory, "locked by another process") from None
        except OSError as exc:
            raise IndexWriteError(self.directory, os_reason(exc)) from exc
        except VkrefError:
            raise
        except Exception as exc:
            raise IndexDamaged(f"search index {self.directory} is damaged ({exc.__class__.__name__})") from exc

    def _drop_unsigned(self, writer) -> None:
        """Remove the files a cancelled writer left for its new segment (Whoosh leaves them to a later commit's
        clean-up): unsigned files would make the index look planted."""
        try:
            prefix = writer.newsegment.segment_id() + "."
            for path in self.directory.glob(prefix + "*"):
                path.unlink(missing_ok=True)
        except Exception:  # best effort: a later commit's clean-up removes them and the signature follows
            pass

    def _locked_last_change(self, ix) -> int:
        why = self.trust.problem(self.directory)  # another process's commit: checked before Whoosh reads it
        if why:
            raise IndexDamaged(f"search index {self.directory} is not trusted: {why}")
        with ix.searcher() as s:  # a fresh reader of the newest commit
            return int(((s.document(key=META_KEY) or {}).get("meta") or {}).get("last_change", 0))

    def _commit(self, writer, last_change: int) -> None:
        self._write_meta(writer, last_change)
        writer.commit()  # Whoosh's own merge policy: skipping merges gained nothing (benchmarks/EDITS.md)
        self._sign(self.directory)
        _write_docsets(self.directory, self._index())

    def apply(self, last_change: int, upserts: Iterable[IndexDoc], deletes: Iterable[str]) -> None:
        """One commit: delete ``deletes`` (keys), replace ``upserts``, record ``last_change`` (never lower)."""
        with self.writing() as job:
            job.apply(last_change, list(upserts), list(deletes))

    def _write_meta(self, writer, last_change: int) -> None:
        writer.delete_by_term("key", META_KEY)
        writer.add_document(key=META_KEY, kind="_meta", meta={
            "last_change": last_change, "library": self.library_id, "format": INDEX_FORMAT})

    def rebuild(self, batches: Iterable[list[IndexDoc]], last_change: int, total: int = 0,
                progress: Progress | None = None, procs: int = 1) -> int:
        """Build a complete new index in a temporary directory and swap it in. Returns documents written.

        The caller holds :meth:`rebuilding`. Failures to write are :class:`IndexWriteError`."""
        tmp = self.directory.with_name(f"{self.directory.name}.build-{os.getpid()}-{uuid.uuid4().hex[:6]}")
        try:
            self._guard(lambda: self.directory.parent.mkdir(parents=True, exist_ok=True))
            self.cleanup_leftovers()
            self._guard(tmp.mkdir)
            done = self._guard(lambda: self._build(tmp, batches, last_change, total, progress, procs))
            self._guard(lambda: self._swap(tmp))
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return done

    def _build(self, tmp: Path, batches, last_change: int, total: int, progress, procs: int) -> int:
        ix = windex.create_in(str(tmp), make_schema())
        # a second process writes the first part of the documents (their total is known ahead, passages aside)
        writer = bulkwrite.writer(ix, procs, int(total * SPLIT_SHARE), **WRITER_OPTIONS)
        done = 0
        try:
            for batch in batches:
                for doc in batch:
                    writer.add_document(**doc.fields())
                done += len(batch)
                _write_progress(tmp, done, total)
                if progress:
                    progress(done, total)
            self._write_meta(writer, last_change)
            writer.commit()
        except BaseException:
            _cancel(writer)
            raise
        _write_docsets(tmp, ix)
        ix.close()
        (tmp / PROGRESS_FILE).unlink(missing_ok=True)
        self._sign(tmp)
        return done

    def _swap(self, tmp: Path) -> None:
        with self._lock:
            self.close()
            live = self._live_writer_lock()  # waits for a commit of another process to finish
            try:
                old = None
                if self.directory.exists():
                    old = self.directory.with_name(f"{self.directory.name}.old-{uuid.uuid4().hex[:6]}")
                    os.replace(self.directory, old)
                os.replace(tmp, self.directory)
                self.trust.moved(tmp, self.directory)
            finally:
                if live is not None:
                    live.release()
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            self._ix = None
            self._segment_cache.clear()
            self._table_cache = None
            self.segments = SegmentCache(self.directory)
        self._invalidate()

    def _live_writer_lock(self):
        """The writer lock of the index being replaced, or None when it has none (missing or unreadable).
        Not on Windows, which cannot rename a directory while a file in it is open."""
        if os.name == "nt":
            return None
        if self.untrusted() is not None:
            return None  # never opened: an untrusted directory is only renamed away
        try:
            lock = windex.open_dir(str(self.directory)).lock("WRITELOCK")
        except Exception:
            return None
        deadline = time.monotonic() + 30.0
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise LockError("the index stayed locked by another process")
            time.sleep(0.05)
        return lock

    # ------------------------------------------------------------------ reading
    def _invalidate(self) -> None:
        self._local.__dict__.pop("searcher", None)

    def searcher(self):
        """This thread's searcher of the newest commit: a fresh one after any commit or swap, in this process
        or another (``Searcher.refresh()`` would reuse segment readers with their old deletion sets)."""
        ix = self._index()
        held = getattr(self._local, "searcher", None)
        if held is not None and held[0] is ix and held[1].up_to_date():
            return held[1]
        why = self.untrusted()  # a newer commit, maybe from another process: checked before Whoosh reads it
        if why:
            raise IndexDamaged(f"search index {self.directory} is not trusted: {why}")
        s = ix.searcher()  # the old one is left to the garbage collector: a caller may still be reading it
        self._local.searcher = (ix, s)
        return s

    def facet_table(self, searcher) -> FacetTable:
        """Facet bitsets for this searcher's generation, re-reading only segments not seen before."""
        reader = searcher.reader()
        with self._lock:
            if self._table_cache is not None and self._table_cache[0] is reader:
                return self._table_cache[1]
            parts = []
            for leaf, offset in searcher.reader().leaf_readers():
                segid = segment_id(leaf)
                seg = self._segment_cache.get(segid) if segid else None
                if seg is None and segid:
                    seg = self._load_sidecar(segid, leaf.doc_count_all())
                if seg is None:
                    seg = read_segment(leaf)
                    if segid:
                        self._save_sidecar(segid, seg)
                if segid:
                    self._segment_cache[segid] = seg
                live = (1 << seg.size) - 1
                if leaf.has_deletions():
                    live &= ~bitsets.from_docnums(sorted(leaf.deleted_docs_set), seg.size)
                parts.append((seg, offset, live))
            live_segments = {segment_id(leaf) for leaf, _ in searcher.reader().leaf_readers()}
            for segid in [k for k in self._segment_cache if k not in live_segments]:
                del self._segment_cache[segid]  # merged away
            self.segments.forget(live_segments)
            for path in self.directory.glob(sidecars.PREFIX + "*"):
                if sidecars.segment_of(path) not in live_segments:  # merged away, or an older format
                    path.unlink(missing_ok=True)
            docsets.remove_stale(self.directory, live_segments)
            table = FacetTable(parts)
            self._table_cache = (reader, table)  # only the newest generation is kept
            return table

    def stored(self, keys: Iterable[str]) -> dict[str, dict]:
        """The stored fields of the documents with these keys (those present)."""
        s = self.searcher()
        out = {}
        for key in keys:
            doc = s.document(key=key)
            if doc is not None:
                out[key] = dict(doc)
        return out

    def damaged_sidecars(self) -> list[Path]:
        """Facet and term sidecars of live segments that fail their checksum or format (they are ignored when
        read: facets are counted and postings decoded from the segment instead)."""
        s = self.searcher()
        bad = []
        for leaf, _offset in s.reader().leaf_readers():
            segid, size = segment_id(leaf), leaf.doc_count_all()
            if not segid:
                continue
            if self._sidecar(segid).exists() and self._load_sidecar(segid, size) is None:
                bad.append(self._sidecar(segid))
            terms = docsets.path_of(self.directory, segid)
            if terms.exists() and docsets.load(terms, size, INDEX_FORMAT) is None:
                bad.append(terms)
        return bad

    def write_missing_sidecars(self) -> None:
        """Write the term sidecars of live segments that have none (after ``vkref check --repair`` removed a
        damaged one); facet sidecars are written again by the next search that counts facets."""
        _write_docsets(self.directory, self._index())

    # ------------------------------------------------------------------ facet sidecars (search/sidecars.py)
    def _sidecar(self, segid: str) -> Path:
        return sidecars.path_of(self.directory, segid)

    def _load_sidecar(self, segid: str, size: int) -> SegmentFacets | None:
        return sidecars.load(self._sidecar(segid), size, INDEX_FORMAT)

    def _save_sidecar(self, segid: str, seg: SegmentFacets) -> None:
        sidecars.save(self._sidecar(segid), seg, INDEX_FORMAT)

    def close(self) -> None:
        held = getattr(self._local, "searcher", None)
        if held is not None:
            held[1].close()
        self._local = threading.local()
        if self._ix is not None:
            self._ix.close()
        self._ix = None
        self._meta_cache = None


def _write_docsets(directory: Path, ix) -> None:
    """The document-set sidecars (:mod:`vkref.search.docsets`) of the segments a commit made."""
    with ix.reader() as reader:
        docsets.write_missing(directory, reader, INDEX_FORMAT, segment_id)


def _cancel(writer) -> None:
    try:
        writer.cancel()
    except Exception:  # a writer whose commit failed half-way may not cancel: release its lock at least
        try:
            writer.writelock.release()
        except Exception:
            pass


def _write_progress(tmp: Path, done: int, total: int) -> None:
    try:
        (tmp / PROGRESS_FILE).write_text(json.dumps({"done": done, "total": total}), encoding="utf-8")
    except OSError:  # progress is a courtesy; the build itself reports a full disk
        pass
