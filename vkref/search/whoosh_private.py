"""The one place that reads Whoosh's private internals, for speed; everything else uses its public API (the
full rebuild's writer, :mod:`vkref.search.bulkwrite`, writes through Whoosh's writer internals in the same way).

Four things are read: a posting-list matcher's current block (its id and weight arrays, copied whole instead of
several Python calls per posting), a segment's terms as stored (deleted documents included, for the document-set
sidecars of :mod:`vkref.search.docsets`), the positions of a term in chosen documents (for
:mod:`vkref.search.phrases`; blocks without such a document are skipped unread) and a segment's field-length
column. All belong to the on-disk format of whoosh-reloaded 2.7 (``whoosh.codec.whoosh3``), pinned in
``pyproject.toml`` as ``whoosh-reloaded>=2.7.5,<2.8`` for this reason. Every function checks the running version
against :data:`SUPPORTED` and the attributes it needs, and returns None when either is missing, so a Whoosh that
changed its internals makes vkref slower (the public path is taken), never wrong.
``tests/integration/test_budgets.py`` and ``tests/integration/test_docsets.py`` hold both paths equal.
"""
from __future__ import annotations

import numpy as np
import whoosh
from whoosh.reading import TermNotFound

SUPPORTED = (2, 7)  # major, minor of whoosh-reloaded whose internals are read here
_BLOCK_ATTRS = ("_atend", "_ids", "_weights", "_read_ids", "_read_weights", "_next_block")


def supported(version=None) -> bool:
    return tuple((version or whoosh.__version__)[:2]) == SUPPORTED


def block_postings(matcher) -> tuple[list[int], list[float]] | None:
    """Every (local) document number and weight of ``matcher``, read a block at a time, or None if this matcher
    or this Whoosh does not have the block internals."""
    if not supported() or not all(hasattr(matcher, a) for a in _BLOCK_ATTRS):
        return None
    ids: list[int] = []
    weights: list[float] = []
    while not matcher._atend and matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return ids, weights


_LEAF_ATTRS = ("_terms", "_text_to_bytes", "deleted_docs_set", "schema")


def leaf_postings(leaf, field: str, text: str) -> tuple[list[int], list[float]] | None:
    """A term's postings in one segment reader, a block at a time, deleted documents left out in one NumPy step,
    or None where the internals are not available. (``leaf.postings`` wraps a segment with deletions in a
    ``FilterMatcher``, which has no blocks: every edit of a large library sent its terms down the per-posting
    path, ~0.3 µs a posting.)"""
    if not supported() or not all(hasattr(leaf, a) for a in _LEAF_ATTRS):
        return None
    matcher = leaf._terms.matcher(field, leaf._text_to_bytes(field, text), leaf.schema[field].format)
    got = block_postings(matcher)
    deleted = leaf.deleted_docs_set
    if got is None or not deleted or not got[0]:
        return got
    ids = np.asarray(got[0], dtype=np.int64)
    keep = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
    return ids[keep].tolist(), np.asarray(got[1])[keep].tolist()


def length_column(leaf, field: str) -> np.ndarray | list[int] | None:
    """The stored length of ``field`` for every document of one segment, or None (no column, or internals not
    available: the caller then has no lengths, as for a field that stores none). The column's bytes are decoded
    in one vectorised step where its reader exposes them (:func:`_column_bytes`), else value by value."""
    if not supported():
        return None
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
        from whoosh.util.numeric import byte_to_length
    except ImportError:
        return None
    perdoc = getattr(leaf, "_perdoc", None)
    reader = getattr(perdoc, "_cached_reader", None)
    col = reader(_lenfield(field), LENGTHS_COLUMN) if reader is not None else None
    if col is None:
        return None
    size = leaf.doc_count_all()
    raw = _column_bytes(col)
    if raw is not None:
        out = np.zeros(size, dtype=np.int32)
        out[:min(size, len(raw))] = _length_table(byte_to_length)[raw[:size]]
        return out
    values = list(col)
    return [byte_to_length(values[i]) if i < len(values) and values[i] else 0 for i in range(size)]


_COLUMN_ATTRS = ("_dbfile", "_basepos", "_count", "_fixedlen", "_typecode")


def _column_bytes(col) -> np.ndarray | None:
    """A one-byte numeric column's stored bytes (``NumericColumn("B")``, as whoosh3 keeps field lengths)."""
    if not all(hasattr(col, a) for a in _COLUMN_ATTRS) or col._fixedlen != 1 or col._typecode != "B":
        return None
    return np.frombuffer(col._dbfile.get(col._basepos, col._count), dtype=np.uint8)


_TABLE: list = []


def _length_table(byte_to_length) -> np.ndarray:
    """Whoosh's one-byte length code decoded for all 256 values (0 stays 0)."""
    if not _TABLE:
        _TABLE.append(np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.int32))
    return _TABLE[0]


def raw_postings(leaf, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """A term's local document numbers (int32) and weights (float32) in one segment as stored, deleted documents
    included, a block at a time; None where the internals are not available."""
    if not supported() or not all(hasattr(leaf, a) for a in ("_terms", "schema")):
        return None
    try:
        matcher = leaf._terms.matcher(field, btext, leaf.schema[field].format)
    except (KeyError, TermNotFound):  # not a term of this segment
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
    got = block_postings(matcher)
    if got is None:
        return None
    return np.asarray(got[0], dtype=np.int32), np.asarray(got[1], dtype=np.float32)


def term_positions(leaf, field: str, btext: bytes, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The positions of a term in the documents of one segment where ``wanted`` (a boolean array over the local
    documents) is True: document numbers and positions, one entry per occurrence, in document then position
    order. Blocks without a wanted document are skipped unread; a posting's positions are decoded by the field
    format's own ``decode_positions``. None where the internals are not available."""
    if not supported() or not all(hasattr(leaf, a) for a in ("_terms", "schema")):
        return None
    fmt = leaf.schema[field].format
    try:
        matcher = leaf._terms.matcher(field, btext, fmt)
    except (KeyError, TermNotFound):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    if not all(hasattr(matcher, a) for a in _BLOCK_ATTRS + ("_read_values", "_values", "_maxid")):
        return None
    docs: list[int] = []
    positions: list[int] = []
    first = 0  # the smallest document number the current block can hold
    while not matcher._atend and matcher.is_active():
        last = matcher._maxid
        if wanted[first:last + 1].any():
            _block_positions(matcher, fmt, wanted, docs, positions)
        first = last + 1
        matcher._next_block()
    return np.asarray(docs, dtype=np.int64), np.asarray(positions, dtype=np.int64)


def _block_positions(matcher, fmt, wanted: np.ndarray, docs: list[int], positions: list[int]) -> None:
    if matcher._ids is None:
        matcher._read_ids()
    if matcher._values is None:
        matcher._read_values()
    for doc, value in zip(matcher._ids, matcher._values):
        if wanted[doc]:
            found = fmt.decode_positions(value)
            docs.extend([doc] * len(found))
            positions.extend(found)
