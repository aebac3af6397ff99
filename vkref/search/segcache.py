"""Per-segment caches of postings and field lengths, kept across index generations.

A Whoosh segment never changes once written (deletions are recorded beside it), so what vkref reads from it —
a term's document numbers and frequencies, a field's document lengths — stays valid until the segment is merged
away. Keeping these per segment means that after a commit (a new finding, a small new segment) only the new
segment is read again; the per-generation caches of the matcher and the scorer are rebuilt from memory
(issue 6: "a new finding searchable within 200 ms").
"""
from __future__ import annotations

import threading

ENTRY_BUDGET = 4_000_000  # postings held in all (≈ 60 bytes each)


class SegmentCache:
    def __init__(self):
        self._postings: dict[tuple, tuple[list[int], list[float]]] = {}
        self._lengths: dict[tuple, list[int] | None] = {}
        self._entries = 0
        self._lock = threading.Lock()

    def postings(self, leaf, segid: str | None, field: str, text: str) -> tuple[list[int], list[float]]:
        """Local document numbers and term frequencies of ``text`` in ``field`` of one segment."""
        key = (segid, field, text)
        hit = self._postings.get(key) if segid else None
        if hit is not None:
            return hit
        value = read_postings(leaf, field, text)
        if segid:
            with self._lock:
                self._postings[key] = value
                self._entries += len(value[0])
                while self._entries > ENTRY_BUDGET and len(self._postings) > 1:
                    old = self._postings.pop(next(iter(self._postings)))
                    self._entries -= len(old[0])
        return value

    def lengths(self, leaf, segid: str | None, field: str) -> list[int] | None:
        key = (segid, field)
        if segid and key in self._lengths:
            return self._lengths[key]
        value = read_lengths(leaf, field)
        if segid:
            with self._lock:
                self._lengths[key] = value
        return value

    def forget(self, live_segments: set[str]) -> None:
        """Drop what belongs to segments merged away."""
        with self._lock:
            for key in [k for k in self._postings if k[0] not in live_segments]:
                self._entries -= len(self._postings.pop(key)[0])
            for key in [k for k in self._lengths if k[0] not in live_segments]:
                del self._lengths[key]


def read_postings(leaf, field: str, text: str) -> tuple[list[int], list[float]]:
    """A term's postings in one segment, read a block at a time.

    Whoosh's matcher interface costs several Python calls per posting; its on-disk leaf matcher keeps each
    block's ids and weights as arrays, which are copied whole here. Any other matcher is read the slow way.
    """
    ids: list[int] = []
    tfs: list[float] = []
    if (field, text) not in leaf:
        return ids, tfs
    m = leaf.postings(field, text)
    if hasattr(m, "_read_ids") and hasattr(m, "_next_block") and hasattr(m, "_atend"):
        while not m._atend and m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            ids.extend(m._ids)
            tfs.extend(m._weights)
            m._next_block()
    else:
        for d, tf in m.items_as("weight"):
            ids.append(d)
            tfs.append(tf)
    return ids, tfs


def read_lengths(leaf, field: str) -> list[int] | None:
    """Every document's length of ``field`` in one segment, from its length column (None: no lengths)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    from whoosh.util.numeric import byte_to_length

    perdoc = getattr(leaf, "_perdoc", None)
    col = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc is not None else None
    if col is None:
        return None
    size = leaf.doc_count_all()
    values = list(col)
    return [byte_to_length(values[i]) if i < len(values) and values[i] else 0 for i in range(size)]


def segment_id(leaf) -> str | None:
    try:
        return leaf.segment().segment_id()
    except Exception:
        return None
