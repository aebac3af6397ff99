"""Per-segment caches of postings and field lengths, kept across index generations.

A Whoosh segment never changes once written (deletions are recorded beside it), so what vkref reads from it —
a term's document numbers and frequencies, a field's document lengths — stays valid until the segment is merged
away. Keeping these per segment means that after a commit (a new finding, a small new segment) only the new
segment is read again; the per-generation caches of the matcher and the scorer are rebuilt from memory, which
keeps a new finding searchable quickly. A term's documents and frequencies are read from the segment's
document-set sidecar where it has one (:mod:`vkref.search.docsets`, memory-mapped), else decoded from Whoosh's
posting blocks. Postings are held as NumPy columns (int32 document numbers, float32
frequencies: 8 bytes a posting, a ninth of the Python lists they replace) and what is held is bounded in bytes
(:mod:`vkref.search.budgets`).
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from vkref.search import docsets, whoosh_private
from vkref.search.budgets import BUDGETS, POSTING_BYTES, entry_bytes
from vkref.search.schema import INDEX_FORMAT

Postings = tuple[np.ndarray, np.ndarray]  # local document numbers (int32, ascending), frequencies (float32)


class SegmentCache:
    def __init__(self, directory: Path | None = None):
        self.directory = directory  # where the segments' document-set sidecars are (None: not read)
        self._postings: dict[tuple, Postings] = {}
        self._lengths: dict[tuple, np.ndarray | None] = {}
        self._docs: dict[str, docsets.SegmentDocs | None] = {}  # segment id -> its mapped sidecar (None: none)
        self.bytes = 0  # what the postings held cost (budgets.entry_bytes)
        self.budget = BUDGETS["postings"]
        self._lock = threading.Lock()

    def postings(self, leaf, segid: str | None, field: str, text: str) -> Postings:
        """Local document numbers and term frequencies of ``text`` in ``field`` of one segment."""
        key = (segid, field, text)
        hit = self._postings.get(key) if segid else None
        if hit is not None:
            return hit
        docs = self.docs(leaf, segid) if field in docsets.FIELDS else None
        value = _live(leaf, docs.postings(field, leaf.schema[field].to_bytes(text))) if docs is not None \
            else _columns(read_postings(leaf, field, text))
        if segid:
            with self._lock:
                self._postings[key] = value
                self.bytes += entry_bytes(len(value[0]), POSTING_BYTES)
                while self.bytes > self.budget and len(self._postings) > 1:
                    old = self._postings.pop(next(iter(self._postings)))
                    self.bytes -= entry_bytes(len(old[0]), POSTING_BYTES)
        return value

    def lengths(self, leaf, segid: str | None, field: str) -> np.ndarray | None:
        """Every document's length of ``field`` in one segment (int32), None for a field without lengths."""
        key = (segid, field)
        if segid and key in self._lengths:
            return self._lengths[key]
        value = read_lengths(leaf, field)
        value = None if value is None else np.asarray(value, dtype=np.int32)
        if segid:
            with self._lock:
                self._lengths[key] = value
        return value

    def docs(self, leaf, segid: str | None) -> docsets.SegmentDocs | None:
        """The document-set sidecar of one segment (:mod:`vkref.search.docsets`), or None: the caller reads the
        postings. A missing one is looked for again in the next generation (:meth:`forget`)."""
        if not segid or self.directory is None:
            return None
        if segid in self._docs:
            return self._docs.get(segid)
        found = docsets.load(docsets.path_of(self.directory, segid), leaf.doc_count_all(), INDEX_FORMAT,
                             remove_damaged=True)  # the next commit writes it again
        with self._lock:
            self._docs[segid] = found
        return found

    def forget(self, live_segments: set[str]) -> None:
        """Drop what belongs to segments merged away, and forget which sidecars were missing."""
        with self._lock:
            self._docs = {k: v for k, v in self._docs.items() if k in live_segments and v is not None}
            for key in [k for k in self._postings if k[0] not in live_segments]:
                self.bytes -= entry_bytes(len(self._postings.pop(key)[0]), POSTING_BYTES)
            for key in [k for k in self._lengths if k[0] not in live_segments]:
                del self._lengths[key]


def _live(leaf, value: Postings) -> Postings:
    """A sidecar's postings (deleted documents included) without the segment's deleted documents."""
    if not leaf.has_deletions() or not len(value[0]):
        return value
    deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int32, count=len(leaf.deleted_docs_set))
    keep = ~np.isin(value[0], deleted)
    return value[0][keep], value[1][keep]


def _columns(value: tuple[list[int], list[float]]) -> Postings:
    return np.asarray(value[0], dtype=np.int32), np.asarray(value[1], dtype=np.float32)


def read_postings(leaf, field: str, text: str) -> tuple[list[int], list[float]]:
    """A term's postings in one segment: a block at a time where Whoosh's internals allow
    (:func:`~vkref.search.whoosh_private.block_postings`), else posting by posting through the public API."""
    if (field, text) not in leaf:
        return [], []
    fast = whoosh_private.leaf_postings(leaf, field, text)
    if fast is not None:
        return fast
    m = leaf.postings(field, text)
    fast = whoosh_private.block_postings(m)
    return fast if fast is not None else read_postings_public(m)


def read_postings_public(matcher) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    tfs: list[float] = []
    for d, tf in matcher.items_as("weight"):
        ids.append(d)
        tfs.append(tf)
    return ids, tfs


def read_lengths(leaf, field: str) -> list[int] | None:
    """Every document's length of ``field`` in one segment (None: the field keeps no lengths): from its length
    column where Whoosh's internals allow, else document by document through the public API."""
    fast = whoosh_private.length_column(leaf, field)
    if fast is not None or whoosh_private.supported():
        return fast
    if field not in leaf.schema or not leaf.schema[field].scorable:
        return None
    return [leaf.doc_field_length(d, field, 0) or 0 for d in range(leaf.doc_count_all())]


def segment_id(leaf) -> str | None:
    try:
        return leaf.segment().segment_id()
    except Exception:
        return None
