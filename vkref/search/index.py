"""The Whoosh index on disk: derived data, always rebuildable from the database (STYLE habit 7).

Invariants
- The index holds one meta document (key ``__meta__``) recording the last outbox change applied, the library
  it belongs to and the index format. It is written in the same Whoosh commit as the changes it describes, so
  after any crash the index says exactly which changes it holds.
- A full rebuild is written into a temporary sibling directory and swapped into place; a killed rebuild leaves
  either the old index or no index, never a half-built one under the real name.
- Readers are per thread (a Whoosh Searcher must not be shared across threads) and refreshed after commits.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as windex
from whoosh.writing import LockError

from vkref.core.errors import LibraryError
from vkref.search import bitsets
from vkref.search.facets import FacetTable, SegmentFacets, read_segment
from vkref.search.schema import INDEX_FORMAT, META_KEY, IndexDoc, make_schema
from vkref.search.segcache import SegmentCache, segment_id

Progress = Callable[[int, int], None]
SIDECAR_PREFIX = "vkref-facets-"


class SearchIndex:
    """Owns one index directory: checks it, applies changes, rebuilds it and hands out searchers."""

    def __init__(self, directory: Path, library_id: str):
        self.directory = Path(directory)
        self.library_id = library_id
        self._ix = None
        self._local = threading.local()
        self._segment_cache: dict[str, SegmentFacets] = {}
        self._table_cache: tuple[object, FacetTable] | None = None
        self.segments = SegmentCache()  # postings and lengths per segment, kept across generations
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ state
    def problem(self) -> str | None:
        """Why the index cannot be used as it is ("missing", "corrupt", ...), or None when it can."""
        self.cleanup_leftovers()
        try:
            if not windex.exists_in(str(self.directory)):
                return "missing"
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
        self._ix = ix
        return None

    def last_change(self) -> int:
        return int(self._meta().get("last_change", 0))

    def _meta(self) -> dict:
        # through this thread's searcher, refreshed (opening a fresh reader re-opens every segment file)
        return (self.searcher().document(key=META_KEY) or {}).get("meta") or {}

    def _index(self):
        if self._ix is None:
            try:
                self._ix = windex.open_dir(str(self.directory))
            except Exception as exc:
                raise LibraryError(f"search index {self.directory} cannot be opened: {exc}") from exc
        return self._ix

    def doc_count(self) -> int:
        with self._index().searcher() as s:
            return s.doc_count() - 1  # without the meta document

    def cleanup_leftovers(self) -> None:
        """Remove temporary directories of rebuilds that were killed."""
        parent = self.directory.parent
        if not parent.exists():
            return
        for p in parent.glob(self.directory.name + ".build-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in parent.glob(self.directory.name + ".old-*"):
            shutil.rmtree(p, ignore_errors=True)

    # ------------------------------------------------------------------ writing
    def apply(self, last_change: int, upserts: Iterable[IndexDoc], deletes: Iterable[str]) -> None:
        """One commit: delete ``deletes`` (keys), replace ``upserts``, record ``last_change``."""
        ix = self._index()
        try:
            writer = ix.writer(timeout=10.0)
        except LockError as exc:
            raise LibraryError(f"search index {self.directory} is locked by another process") from exc
        try:
            for key in deletes:
                writer.delete_by_term("key", key)
            for doc in upserts:
                writer.delete_by_term("key", doc.key)  # update_document removes one copy only
                writer.add_document(**doc.fields())
            self._write_meta(writer, last_change)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        self._invalidate()

    def _write_meta(self, writer, last_change: int) -> None:
        writer.delete_by_term("key", META_KEY)
        writer.add_document(key=META_KEY, kind="_meta", meta={
            "last_change": last_change, "library": self.library_id, "format": INDEX_FORMAT})

    def rebuild(self, batches: Iterable[list[IndexDoc]], last_change: int, total: int = 0,
                progress: Progress | None = None, procs: int = 1) -> int:
        """Build a complete new index in a temporary directory and swap it in. Returns documents written."""
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        self.cleanup_leftovers()
        tmp = self.directory.with_name(f"{self.directory.name}.build-{os.getpid()}-{uuid.uuid4().hex[:6]}")
        tmp.mkdir()
        done = 0
        try:
            ix = windex.create_in(str(tmp), make_schema())
            kwargs = {"procs": procs, "limitmb": 128} if procs > 1 else {"limitmb": 128}
            writer = ix.writer(**kwargs)
            try:
                for batch in batches:
                    for doc in batch:
                        writer.add_document(**doc.fields())
                    done += len(batch)
                    if progress:
                        progress(done, total)
                self._write_meta(writer, last_change)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            ix.close()
            self._swap(tmp)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return done

    def _swap(self, tmp: Path) -> None:
        with self._lock:
            self.close()
            old = None
            if self.directory.exists():
                old = self.directory.with_name(f"{self.directory.name}.old-{uuid.uuid4().hex[:6]}")
                os.replace(self.directory, old)
            os.replace(tmp, self.directory)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            self._ix = None
            self._segment_cache.clear()
            self._table_cache = None
            self.segments = SegmentCache()
        self._invalidate()

    # ------------------------------------------------------------------ reading
    def _invalidate(self) -> None:
        self._local.__dict__.pop("searcher", None)

    def searcher(self):
        """This thread's searcher, refreshed to the newest commit."""
        ix = self._index()
        held = getattr(self._local, "searcher", None)
        if held is None or held[0] is not ix:
            s = ix.searcher()
        else:
            s = held[1].refresh()
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
                live = (bitsets.from_docnums(leaf.all_doc_ids(), seg.size)
                        if leaf.has_deletions() else (1 << seg.size) - 1)
                parts.append((seg, offset, live))
            live_segments = {segment_id(leaf) for leaf, _ in searcher.reader().leaf_readers()}
            for segid in [k for k in self._segment_cache if k not in live_segments]:
                del self._segment_cache[segid]  # merged away
            self.segments.forget(live_segments)
            for path in self.directory.glob(SIDECAR_PREFIX + "*.json"):
                if path.stem[len(SIDECAR_PREFIX):] not in live_segments:
                    path.unlink(missing_ok=True)
            table = FacetTable(parts)
            self._table_cache = (reader, table)  # only the newest generation is kept
            return table

    # ------------------------------------------------------------------ facet sidecars
    # A segment never changes once written, so its facet data is saved beside it the first time it is read
    # (JSON; bitsets as hex) and a new process loads it instead of unpickling every stored document
    # (issue 6: 110,000 documents took ~10 s to read, the sidecar ~0.3 s). Whoosh's clean-up ignores these
    # files; sidecars of merged-away segments are removed above.
    def _sidecar(self, segid: str) -> Path:
        return self.directory / f"{SIDECAR_PREFIX}{segid}.json"

    def _load_sidecar(self, segid: str, size: int) -> SegmentFacets | None:
        try:
            data = json.loads(self._sidecar(segid).read_text(encoding="utf-8"))
            if data.get("format") != INDEX_FORMAT or data.get("size") != size:
                return None
            return SegmentFacets(size, {(f, v): int(h, 16) for f, v, h in data["postings"]},
                                 data["keys"], data["years"], data["reviews"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _save_sidecar(self, segid: str, seg: SegmentFacets) -> None:
        data = {"format": INDEX_FORMAT, "size": seg.size, "keys": seg.keys, "years": seg.years,
                "reviews": seg.reviews, "postings": [[f, v, format(b, "x")] for (f, v), b in seg.postings.items()]}
        target = self._sidecar(segid)
        tmp = target.with_name(target.name + ".tmp")
        try:
            tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, target)
        except OSError:  # a read-only or full disk: facets are simply read from the index next time
            try:
                tmp.unlink(missing_ok=True)
            except OSError:  # a read-only file system refuses even the unlink of a file that is not there
                pass

    def close(self) -> None:
        held = getattr(self._local, "searcher", None)
        if held is not None:
            held[1].close()
        self._local = threading.local()
        if self._ix is not None:
            self._ix.close()
        self._ix = None
