"""Phrase matching over the documents that hold every word of a phrase, all documents at once with NumPy.

Whoosh checks a phrase document by document through a tree of span matchers (a quoted pair of common words took
~2 s at 100,000 findings). Its rule (``SpanNear2`` as ``Phrase`` builds it: ordered, at least one position
apart, at most ``slop``) keeps, for each document, the spans that words 1..i form; a span ending at position e
extends with a position b of the next word exactly when ``1 <= b - e <= slop`` (a b at or before e overlaps the
span or precedes it), and the extended span ends at b. So a document matches when it holds a chain of positions
p1 < p2 < ... < pk, pi a position of word i, each step ``1 <= p(i+1) - p(i) <= slop``; this module follows the
ends of such chains as (document, position) keys for every candidate document together. Equality with Whoosh's
own matching is tested (tests/integration/test_docsets.py, tests/integration/test_equivalence.py).
"""
from __future__ import annotations

import numpy as np

from vkref.search import bitsets, whoosh_private

SHIFT = 32  # a key is document << SHIFT | position


def phrase_bits(leaf, field: str, words: list[str], slop: int, candidates: int) -> int | None:
    """The local documents of one segment, among ``candidates`` (a local bitset of documents holding every word),
    where ``words`` occur as a phrase with ``slop``; None where Whoosh's internals are not available."""
    size = leaf.doc_count_all()
    wanted = bitsets.to_mask(candidates, size)
    to_bytes = leaf.schema[field].to_bytes
    ends = None
    for word in words:
        got = whoosh_private.term_positions(leaf, field, to_bytes(word), wanted)
        if got is None:
            return None
        keys = (got[0] << SHIFT) | got[1]  # ascending: documents in order, positions in order within each
        ends = keys if ends is None else keys[_extends(ends, keys, slop)]
        if not len(ends):
            return 0
        wanted = np.zeros(size, dtype=bool)  # later words are decoded only where a chain is still open
        wanted[ends >> SHIFT] = True
    return bitsets.from_mask(wanted)


def _extends(ends: np.ndarray, keys: np.ndarray, slop: int) -> np.ndarray:
    """For each key (ascending), whether a chain ends 1 to ``slop`` positions before it in the same document:
    the nearest end before it is enough (``ends`` ascending; another document's end is 2**SHIFT away)."""
    before = np.searchsorted(ends, keys, side="left") - 1
    gap = keys - ends[np.maximum(before, 0)]
    return (before >= 0) & (gap >= 1) & (gap <= slop)
