"""The one place that reads Whoosh's private internals, for speed; everything else uses its public API.

Two things are read: a posting-list matcher's current block (its id and weight arrays, copied whole instead of
several Python calls per posting) and a segment's field-length column. Both belong to the on-disk format of
whoosh-reloaded 2.7 (``whoosh.codec.whoosh3``), pinned in ``pyproject.toml`` as ``whoosh-reloaded>=2.7.5,<2.8``
for this reason. Every function checks the running version against :data:`SUPPORTED` and the attributes it needs,
and returns None when either is missing, so a Whoosh that changed its internals makes vkref slower (the public,
per-posting path is taken), never wrong. ``tests/integration/test_budgets.py`` holds both paths equal.
"""
from __future__ import annotations

import whoosh

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


def length_column(leaf, field: str) -> list[int] | None:
    """The stored length of ``field`` for every document of one segment, or None (no column, or internals not
    available: the caller then has no lengths, as for a field that stores none)."""
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
    values = list(col)
    return [byte_to_length(values[i]) if i < len(values) and values[i] else 0 for i in range(size)]
