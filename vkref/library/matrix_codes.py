"""The matrix's columnar input: every finding's codes per axis facet, cached, and counted with bitsets.

:func:`finding_codes` reads each finding's index values per facet of ``AXIS_FACETS`` (concepts rolled up to their
ancestors, exactly as the index counts them) in two plain queries, and keeps them until the library's change mark
(the newest outbox id) or its vocabulary changes. :func:`encoded` turns them, for one choice of axes, into
bitsets, so that a cell of a matrix over a search is ``popcount(selected & row & column)``: integer operations in
C, no loop over findings (the window allows a 10,000-finding matrix 100 ms). The cache is per ``Library`` object
and thread-safe; :mod:`vkref.library.evidence_matrix` builds the axes and cells from the counts.
"""
from __future__ import annotations

import threading
import weakref
from collections import Counter
from typing import TYPE_CHECKING

from vkref.core.vocabulary import CONCEPT_FACETS
from vkref.store import repository as repo

if TYPE_CHECKING:
    from vkref.library.library import Library


class _Codes:
    """Each finding's index values per axis facet (concepts rolled up), read in two plain queries and kept
    until the library's change mark (the newest outbox id) or its vocabulary changes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.values: dict[str, dict[str, tuple[str, ...]]] = {}
        self.encoded: dict[tuple, _Encoded] = {}  # per choice of axes (and axis filters), newest last


_CODES: "weakref.WeakKeyDictionary[Library, _Codes]" = weakref.WeakKeyDictionary()
_CODES_LOCK = threading.Lock()


def finding_codes(lib: "Library") -> dict[str, dict[str, tuple[str, ...]]]:
    """finding id -> {facet: its index values} for every facet of AXIS_FACETS (the matrix's columnar input)."""
    with _CODES_LOCK:
        cache = _CODES.setdefault(lib, _Codes())
    with cache.lock:
        key = (repo.outbox_max_id(lib.db), id(lib.vocabulary))
        if cache.key != key:
            cache.values, cache.encoded, cache.key = _read_codes(lib), {}, key
        return cache.values


def encoded(lib: "Library", rows: str, cols: str, allowed_rows, allowed_cols) -> _Encoded:
    """The bitsets for one choice of axes (and the values axis filters allow, or None), reused while the codes
    are (the six most recent choices are kept)."""
    codes = finding_codes(lib)
    cache = _CODES[lib]
    key = (rows, cols, frozenset(allowed_rows) if allowed_rows is not None else None,
           frozenset(allowed_cols) if allowed_cols is not None else None)
    with cache.lock:
        enc = cache.encoded.pop(key, None)
        if enc is None or cache.values is not codes:
            enc = _Encoded(codes, rows, cols, allowed_rows, allowed_cols)
        cache.encoded[key] = enc
        while len(cache.encoded) > 6:
            cache.encoded.pop(next(iter(cache.encoded)))
        return enc


def _read_codes(lib: "Library") -> dict[str, dict[str, tuple[str, ...]]]:
    vocab = lib.vocabulary
    findings, codes = repo.finding_codes(lib.db)
    coded: dict[str, dict[str, list[str]]] = {}
    concepts = vocab.concepts
    for fid, cid in codes:
        concept = concepts.get(cid)
        if concept is not None:
            coded.setdefault(fid, {}).setdefault(concept.facet, []).append(cid)
    rolled: dict[tuple[str, ...], tuple[str, ...]] = {}  # the same code sets recur: roll each up once
    out = {}
    for fid, rid, year in findings:
        entry = {"review": (rid,), "year": (str(year),) if year else ()}
        mine = coded.get(fid, {})
        for facet in CONCEPT_FACETS:
            ids = tuple(sorted(c for c in mine.get(facet, ()) if c in vocab))
            if ids not in rolled:
                rolled[ids] = tuple(vocab.with_ancestors(ids))
            entry[facet] = rolled[ids]
        out[fid] = entry
    return out


def _keep(values, allowed: set[str] | None) -> tuple[str, ...]:
    return tuple(values) if allowed is None else tuple(v for v in values if v in allowed)


def _by_count_then_id(kv):
    return -kv[1], kv[0]


def _bitset(positions: list[int], size: int) -> int:
    buf = bytearray((size + 7) // 8)
    for p in positions:
        buf[p >> 3] |= 1 << (p & 7)
    return int.from_bytes(buf, "little")


class _Encoded:
    """For one choice of axes (and axis filters): every finding has a position, and every row, column,
    direction and species value the set of positions coded with it, as a Python int used as a bitset. A cell
    of a matrix over a search is then ``popcount(selected & row & column)``: integer operations in C, no loop
    over findings, which keeps a 10,000-finding matrix well inside the 100 ms the window allows."""

    def __init__(self, codes: dict, rows: str, cols: str, allowed_rows, allowed_cols):
        self.position = {"finding:" + fid: n for n, fid in enumerate(codes)}
        self.size = len(codes)
        tables: tuple[dict[str, list[int]], ...] = ({}, {}, {}, {})
        for n, entry in enumerate(codes.values()):
            for table, values in zip(tables, (_keep(entry[rows], allowed_rows), _keep(entry[cols], allowed_cols),
                                              entry["direction"], entry["species"])):
                for v in values:
                    table.setdefault(v, []).append(n)
        self.rows, self.cols, self.directions, self.species = (
            {v: _bitset(ps, self.size) for v, ps in table.items()} for table in tables)

    def selected(self, keys) -> int:
        return _bitset([p for p in map(self.position.get, keys) if p is not None], self.size)

    def tally(self, lib: "Library", keys) -> "_Tally":
        return _Tally(self, self.selected(keys))


class _Tally:
    """Findings per row value, column value and (row, column) pair, with each pair's directions and species."""

    def __init__(self, enc: _Encoded, selected: int):
        rows = {v: b & selected for v, b in enc.rows.items()}
        cols = {v: b & selected for v, b in enc.cols.items()}
        rows = {v: b for v, b in rows.items() if b}
        cols = {v: b for v, b in cols.items() if b}
        directions = [(v, b) for v, b in enc.directions.items() if b & selected]
        species = [(v, b) for v, b in enc.species.items() if b & selected]
        self.rows = Counter({v: b.bit_count() for v, b in rows.items()})
        self.cols = Counter({v: b.bit_count() for v, b in cols.items()})
        self.counts: dict[tuple[str, str], int] = {}
        self.marks: dict[tuple[str, str], tuple[dict, dict]] = {}
        col_items = list(cols.items())
        for r, rb in rows.items():
            for c, cb in col_items:
                both = rb & cb
                if both:
                    self.counts[(r, c)] = both.bit_count()
                    self.marks[(r, c)] = ({v: n for v, b in directions if (n := (both & b).bit_count())},
                                          {v: n for v, b in species if (n := (both & b).bit_count())})
        self._labels: dict[tuple[str, str], str] = {}

    def _label(self, lib: "Library", facet: str, value: str) -> str:
        key = (facet, value)
        if key not in self._labels:
            self._labels[key] = lib.facet_label(facet, value)
        return self._labels[key]

    def _label_counts(self, lib: "Library", facet: str, counts: dict) -> dict[str, int]:
        items = sorted(counts.items(), key=_by_count_then_id) if len(counts) > 1 else counts.items()
        return {self._label(lib, facet, v): n for v, n in items}

    def cell_counts(self, lib: "Library", row: str, col: str) -> tuple[int, dict[str, int], dict[str, int]]:
        """The findings of the cell (row value, column value) and their directions and species, by label."""
        key = (row, col)
        direction, species = self.marks[key]
        return (self.counts[key], self._label_counts(lib, "direction", direction),
                self._label_counts(lib, "species", species))
