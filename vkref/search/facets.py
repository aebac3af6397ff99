"""Facet data of one index generation, held as bitsets keyed by document number (STYLE habit 6: computed
without Qt). Built per segment and cached by segment id, so a small incremental commit re-reads only the new
segment.

Counting follows PRODUCT.md: several values of one facet are ORed, facets are ANDed, and each facet is counted
with every filter applied except its own (its own exclusions included), so a user can still widen it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vkref.search import bitsets

FACET_ORDER = ("kind", "agent", "population", "species", "outcome", "direction", "evidence", "review", "year")


@dataclass
class SegmentFacets:
    size: int
    postings: dict[tuple[str, str], int] = field(default_factory=dict)  # (facet, value) -> local bits
    keys: list[str] = field(default_factory=list)
    years: list[int | None] = field(default_factory=list)


def read_segment(reader) -> SegmentFacets:
    """Read the stored facet data of the live documents of one segment reader."""
    size = reader.doc_count_all()
    seg = SegmentFacets(size, keys=[""] * size, years=[None] * size)
    lists: dict[tuple[str, str], list[int]] = {}
    for docnum, stored in reader.iter_docs():  # live documents only
        seg.keys[docnum] = stored.get("key", "")
        seg.years[docnum] = stored.get("year")
        lists.setdefault(("kind", stored.get("kind", "")), []).append(docnum)
        for facet, values in (stored.get("facets") or {}).items():
            for v in values:
                lists.setdefault((facet, v), []).append(docnum)
    seg.postings = {k: bitsets.from_docnums(v) for k, v in lists.items()}
    return seg


class FacetTable:
    """All facet postings of one searcher generation as global bitsets, plus live documents."""

    def __init__(self, segments: list[tuple[SegmentFacets, int, int]]):
        """``segments``: (segment facets, doc offset, live local bits) in reader order."""
        self.postings: dict[tuple[str, str], int] = {}
        self.keys: list[str] = []
        self.years: list[int | None] = []
        self.live = 0
        for seg, offset, live in segments:
            self.live |= live << offset
            for k, bits in seg.postings.items():
                self.postings[k] = self.postings.get(k, 0) | (bits << offset)
            self.keys.extend(seg.keys)
            self.years.extend(seg.years)
        self.searchable = self.live & (self.get("kind", "finding") | self.get("kind", "review"))
        self.by_facet: dict[str, list[tuple[str, int]]] = {}
        for (facet, value), bits in self.postings.items():
            self.by_facet.setdefault(facet, []).append((value, bits & self.live))

    def get(self, facet: str, value: str) -> int:
        return self.postings.get((facet, value), 0)

    def any_of(self, facet: str, values) -> int:
        bits = 0
        for v in values:
            bits |= self.get(facet, v)
        return bits

    def year_range(self, year_from: int | None, year_to: int | None) -> int:
        bits = 0
        for value, vbits in self.by_facet.get("year", ()):
            y = int(value)
            if (year_from is None or y >= year_from) and (year_to is None or y <= year_to):
                bits |= vbits
        return bits

    def count(self, base: int, facet: str) -> dict[str, int]:
        out = {}
        for value, bits in self.by_facet.get(facet, ()):
            n = (base & bits).bit_count()
            if n:
                out[value] = n
        return out


def constrain(table: FacetTable, matched: int, filters: dict[str, set[str]], exclude: dict[str, set[str]],
              year_from: int | None, year_to: int | None) -> tuple[int, dict[str, dict[str, int]]]:
    """Apply filters to ``matched``; return the final set and every facet's counts (own filter left out)."""
    per_facet: dict[str, int] = {}
    for facet in set(filters) | set(exclude):
        bits = table.any_of(facet, filters[facet]) if filters.get(facet) else -1
        if exclude.get(facet):
            bits &= ~table.any_of(facet, exclude[facet])
        per_facet[facet] = bits
    if year_from is not None or year_to is not None:
        per_facet["year"] = per_facet.get("year", -1) & table.year_range(year_from, year_to)
    base = matched & table.searchable
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
    return final, counts
