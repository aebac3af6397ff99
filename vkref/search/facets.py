"""Facet data of one index generation, held as bitsets keyed by document number (STYLE habit 6: computed
without Qt). Built per segment and cached by segment id, so a small incremental commit re-reads only the new
segment.

Counting follows docs/CONTRACT.md: several values of one facet are ORed, facets are ANDed, and each facet is counted
with every filter applied except its own (its own exclusions included), so a user can still widen it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from vkref.search import bitsets

FACET_ORDER = ("kind", "agent", "population", "species", "outcome", "direction", "evidence", "review", "year")
# One value per document and thousands of values in a large library: held as a per-document list and counted
# by walking the matching documents (a bitset per review would cost 12.5 KB each at 100,000 documents).
LIST_FACET = "review"
NO_YEAR = "none"  # the year value of undated records: counted and filterable, never inside a year range


@dataclass
class SegmentFacets:
    size: int
    postings: dict[tuple[str, str], int] = field(default_factory=dict)  # (facet, value) -> local bits
    keys: list[str] = field(default_factory=list)
    years: list[int | None] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)
    strengths: list[int] = field(default_factory=list)  # evidence order per document, smaller is stronger
    _codes: tuple | None = field(default=None, repr=False, compare=False)

    def review_codes(self) -> tuple[np.ndarray, list[str]]:
        """Each document's review as a number, and the reviews by number; computed once per segment."""
        if self._codes is None:
            self._codes = _numbered(self.reviews)
        return self._codes


def _numbered(values: list[str]) -> tuple[np.ndarray, list[str]]:
    numbers: dict[str, int] = {}
    codes = np.fromiter((numbers.setdefault(v, len(numbers)) for v in values), dtype=np.int32, count=len(values))
    return codes, list(numbers)


def read_segment(reader) -> SegmentFacets:
    """Read the stored facet data of the live documents of one segment reader."""
    size = reader.doc_count_all()
    seg = SegmentFacets(size, keys=[""] * size, years=[None] * size, reviews=[""] * size, strengths=[0] * size)
    lists: dict[tuple[str, str], list[int]] = {}
    for docnum, stored in reader.iter_docs():  # live documents only
        seg.keys[docnum] = stored.get("key", "")
        seg.years[docnum] = stored.get("year")
        seg.strengths[docnum] = stored.get("strength") or 0
        lists.setdefault(("kind", stored.get("kind", "")), []).append(docnum)
        for facet, values in (stored.get("facets") or {}).items():
            if facet == LIST_FACET:
                seg.reviews[docnum] = values[0] if values else ""
                continue
            for v in values:
                lists.setdefault((facet, v), []).append(docnum)
    return _finish(seg, lists)


def _finish(seg: SegmentFacets, lists: dict[tuple[str, str], list[int]]) -> SegmentFacets:
    seg.postings = {k: bitsets.from_docnums(v, seg.size) for k, v in lists.items()}
    return seg


def segment_from_docs(docs) -> SegmentFacets:
    """Facet data of in-memory index documents (the fallback scan while an index is rebuilt)."""
    seg = SegmentFacets(len(docs), keys=[d.key for d in docs], years=[d.year for d in docs],
                        reviews=[(d.facets.get(LIST_FACET) or [""])[0] for d in docs],
                        strengths=[d.strength for d in docs])
    lists: dict[tuple[str, str], list[int]] = {}
    for n, d in enumerate(docs):
        lists.setdefault(("kind", d.kind), []).append(n)
        for facet, values in d.facets.items():
            if facet != LIST_FACET:
                for v in values:
                    lists.setdefault((facet, v), []).append(n)
    return _finish(seg, lists)


class FacetTable:
    """All facet postings of one searcher generation as global bitsets, plus live documents."""

    def __init__(self, segments: list[tuple[SegmentFacets, int, int]]):
        """``segments``: (segment facets, doc offset, live local bits) in reader order."""
        self.postings: dict[tuple[str, str], int] = {}
        self.keys: list[str] = []
        self.years: list[int | None] = []
        self.reviews: list[str] = []
        self.strengths: list[int] = []
        self.live = 0
        self._segments = [seg for seg, _, _ in segments]
        for seg, offset, live in segments:
            self.live |= live << offset
            for k, bits in seg.postings.items():
                self.postings[k] = self.postings.get(k, 0) | (bits << offset)
            self.keys.extend(seg.keys)
            self.years.extend(seg.years)
            self.reviews.extend(seg.reviews)
            self.strengths.extend(seg.strengths or [0] * len(seg.keys))
        self.searchable = self.live & (self.get("kind", "finding") | self.get("kind", "review")
                                       | self.get("kind", "passage"))
        everything = (1 << len(self.keys)) - 1
        self.by_facet: dict[str, list[tuple[str, int]]] = {}
        for (facet, value), bits in self.postings.items():
            self.by_facet.setdefault(facet, []).append((value, bits if self.live == everything else bits & self.live))
        self._orders: dict[object, np.ndarray] = {}
        self._review_bits: dict[frozenset, int] = {}
        self._strengths: np.ndarray | None = None
        self._review_codes: tuple[np.ndarray, list[str]] | None = None
        self._positions: tuple[frozenset, list[tuple[str, int]]] | None = None

    def positions(self, keys: frozenset) -> list[tuple[str, int]]:
        """(key, document number) of each of ``keys`` held in this generation. The last set asked is kept: the
        library asks for the same few keys (the findings linked to studies) on every search."""
        held = self._positions
        if held is None or held[0] != keys:
            held = self._positions = (keys, [(k, d) for d, k in enumerate(self.keys) if k in keys])
        return held[1]

    def strength_column(self) -> np.ndarray:
        """Every document's evidence order (smaller is stronger) as an array; cached."""
        if self._strengths is None:
            self._strengths = np.array(self.strengths, dtype=np.int64)
        return self._strengths

    def order_by_year(self, newest_first: bool = True) -> np.ndarray:
        """Every document number sorted by year (newest or oldest first), then naturally by key; cached."""
        if newest_first not in self._orders:
            years = np.array([y or 0 for y in self.years] if newest_first else [y or 9999 for y in self.years],
                             dtype=np.int64)
            self._orders[newest_first] = np.lexsort((self._key_rank(), -years if newest_first else years))
        return self._orders[newest_first]

    def order_by_strength(self) -> np.ndarray:
        """Every document number, strongest evidence first, then newest first, then naturally by key; cached."""
        if "strength" not in self._orders:
            years = np.array([y or 0 for y in self.years], dtype=np.int64)
            self._orders["strength"] = np.lexsort((self._key_rank(), -years, self.strength_column()))
        return self._orders["strength"]

    def _key_rank(self) -> np.ndarray:
        """Each document's place in the natural order of keys ("imm-9" before "imm-10"): the tie-break of every
        order, computed once (the natural sort is most of an order's cost)."""
        if "keys" not in self._orders:
            keys = self.keys
            natural = np.array(sorted(range(len(keys)), key=lambda d: _natural(keys[d])), dtype=np.int64)
            rank = np.empty(len(keys), dtype=np.int64)
            rank[natural] = np.arange(len(keys), dtype=np.int64)
            self._orders["keys"] = rank
        return self._orders["keys"]

    def review_codes(self) -> tuple[np.ndarray, list[str]]:
        """Each document's review as a number, and the reviews by number; cached. Joined from the segments'
        own numbering, so a new generation renumbers labels, not documents."""
        if self._review_codes is None:
            numbers: dict[str, int] = {}
            parts = [np.empty(0, dtype=np.int32)]
            for seg in self._segments:
                codes, labels = seg.review_codes()
                local = np.array([numbers.setdefault(label, len(numbers)) for label in labels], dtype=np.int32)
                parts.append(local[codes] if len(codes) else codes)
            self._review_codes = (np.concatenate(parts), list(numbers))
        return self._review_codes

    def get(self, facet: str, value: str) -> int:
        return self.postings.get((facet, value), 0)

    def any_of(self, facet: str, values) -> int:
        if facet == LIST_FACET:
            wanted = frozenset(values)
            if wanted not in self._review_bits:
                if len(self._review_bits) > 64:
                    self._review_bits.clear()
                codes, labels = self.review_codes()
                chosen = np.array([label in wanted for label in labels], dtype=bool)
                self._review_bits[wanted] = bitsets.from_mask(chosen[codes]) if len(codes) else 0
            return self._review_bits[wanted]
        bits = 0
        for v in values:
            bits |= self.get(facet, v)
        return bits

    def year_range(self, year_from: int | None, year_to: int | None) -> int:
        bits = 0
        for value, vbits in self.by_facet.get("year", ()):
            if value == NO_YEAR:
                continue
            y = int(value)
            if (year_from is None or y >= year_from) and (year_to is None or y <= year_to):
                bits |= vbits
        return bits

    def count(self, base: int, facet: str) -> dict[str, int]:
        if facet == LIST_FACET:
            codes, labels = self.review_codes()
            found = np.bincount(codes[bitsets.to_array(base & self.live)], minlength=len(labels))
            return {labels[c]: int(found[c]) for c in np.flatnonzero(found).tolist() if labels[c]}
        out = {}
        for value, bits in self.by_facet.get(facet, ()):
            n = (base & bits).bit_count()
            if n:
                out[value] = n
        return out


def constrain(table: FacetTable, matched: int, filters: dict[str, set[str]], exclude: dict[str, set[str]],
              year_from: int | None, year_to: int | None) -> tuple[int, dict[str, dict[str, int]], int]:
    """Apply filters to ``matched``; return the final set, every facet's counts (own filter left out) and how
    many undated records the year range left out.

    A year range is not the year facet's own filter: it narrows every facet's counts, the year facet's too, so
    the facet never offers a year (or "No year") outside the range. Undated records are never inside a range;
    the third value says how many of them would otherwise have been shown."""
    per_facet: dict[str, int] = {}
    for facet in set(filters) | set(exclude):
        bits = table.any_of(facet, filters[facet]) if filters.get(facet) else -1
        if exclude.get(facet):
            bits &= ~table.any_of(facet, exclude[facet])
        per_facet[facet] = bits
    base = matched & table.searchable
    undated_outside = 0
    if year_from is not None or year_to is not None:
        unranged = base
        for bits in per_facet.values():
            unranged &= bits
        undated_outside = (unranged & table.get("year", NO_YEAR)).bit_count()
        base &= table.year_range(year_from, year_to)
    final = base
    for bits in per_facet.values():
        final &= bits
    counts: dict[str, dict[str, int]] = {}
    for facet in FACET_ORDER:
        if facet not in per_facet:
            counts[facet] = table.count(final, facet)
            continue
        others = base
        for other, bits in per_facet.items():
            if other != facet:
                others &= bits
        counts[facet] = table.count(others, facet)
    return final, counts, undated_outside


def _natural(key: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key)]
