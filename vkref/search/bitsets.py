"""Document sets as Python integers (bit *n* set = document number *n* is in the set), and their conversion to
and from NumPy arrays of document numbers.

Intersections, unions and counts of big ints run in C, so a facet count over 100,000 documents is one ``&`` and
one ``bit_count()``. Conversions go through ``np.packbits``/``np.unpackbits`` (~1 ms for 100,000 documents,
about 20x the pure-Python loop they replace).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np


def from_docnums(docnums: Iterable[int], size_hint: int = 0) -> int:
    """The bitset of ``docnums`` (any iterable of non-negative ints, or an integer array)."""
    nums = docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, dtype=np.int64)
    if not len(nums):
        return 0
    mask = np.zeros(max(int(nums.max()) + 1, size_hint), dtype=bool)
    mask[nums] = True
    return from_mask(mask)


def from_mask(mask: np.ndarray) -> int:
    """The bitset of a boolean array (bit n set where ``mask[n]``)."""
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


def to_mask(bits: int, size: int) -> np.ndarray:
    """A boolean array of ``size`` entries, True where the bit is set (bits at or past ``size`` are dropped)."""
    if bits < 0:
        raise ValueError("an unbounded (negative) bitset has no finite list of documents")
    nbytes = max((bits.bit_length() + 7) // 8, (size + 7) // 8)
    raw = np.frombuffer(bits.to_bytes(nbytes, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little", count=size).view(bool)


def to_array(bits: int) -> np.ndarray:
    """Set bits in ascending order, as an int64 array."""
    if bits < 0:
        raise ValueError("an unbounded (negative) bitset has no finite list of documents")
    if not bits:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(to_mask(bits, bits.bit_length()))


def to_docnums(bits: int) -> list[int]:
    """Set bits in ascending order."""
    return to_array(bits).tolist()
