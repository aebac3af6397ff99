"""The evidence views over a search: the matrix (findings counted by two facets) and the clinician's answer card.

Both start from one finding search (``Library.search(..., kind="finding", limit=0, all_keys=True)``) and count
the selected findings' codes with the vocabulary's roll-up, exactly as the index does. The matrix reads the codes
from a columnar cache (two plain queries, kept until the next change), so it keeps up with the search at 10,000
findings; the answer card reads the selected findings in bulk (it needs doses, cautions and provenance).

Promises:

- A matrix cell counts what ``Library.search(query, kind="finding")`` totals with the same filters, where the row
  and column facets' filters are replaced by ``row`` and ``col`` (a broader concept counts what is coded under
  it). A filter on the row (or column) facet selects the rows: the filtered values and what is coded under them.
  (One edge is the search's own: a query whose cell search finds nothing is retried with a spelling
  correction, which the base search did not need; cells then count the query as typed.)
- The answer card never mixes species: an outcome's ``human`` part counts findings coded Human only, ``animal``
  findings of other organisms, ``in_vitro`` cell, tissue and in vitro work (which is never counted as either).
  Key findings come human first, then by strength of evidence; animal after human, in vitro last.
- Concepts are looked up through the vocabulary by id or label, so recoded or extended data needs no change here.
"""
from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from vkref.core.entities import Finding, Review
from vkref.core.errors import QueryError
from vkref.core.status import banner, review_status
from vkref.core.vocabulary import CONCEPT_FACETS
from vkref.io import evidence_render as R
from vkref.store import repository as repo


if TYPE_CHECKING:
    from vkref.library.library import Library
    from vkref.library.results import Hit, SearchPage

AXIS_FACETS = CONCEPT_FACETS + ("review", "year")
GROUPS = ("human", "animal", "in_vitro")
# strength of evidence, strongest first (concept ids or labels; anything else ranks after them)
STRENGTH = ("meta-analysis", "rct", "cct", "observational", "mechanistic")
KEY_FINDINGS = 10
_CHUNK = 500  # ids per bulk read (well under SQLite's limit on bound parameters)


def output_format(path: str, view: str) -> str:
    """The file format (``html`` or ``svg``) that an output file name asks for; a one-line UsageError for
    anything else (PNG and PDF need the desktop application)."""
    return R.output_kind(path, R.MATRIX_SUFFIXES if view == "matrix" else R.ANSWER_SUFFIXES)


def caption_line(caption: dict) -> str:
    return R.caption_text(caption)


DIRECTIONS = tuple(R.DIRECTION_STYLE)  # the known direction labels, in legend order


def direction_styles(labels) -> dict[str, tuple[str, str, str]]:
    """(colour, pattern name, letter) per direction label: the file renderers' colour-blind-safe styles, so the
    window draws what the exported files draw."""
    return R.styles_for(dict.fromkeys(labels))


# ---------------------------------------------------------------------------------------------- selection
@dataclass
class Selection:
    """The findings a search selects, in relevance order, with their reviews."""

    page: "SearchPage"
    findings: list[Finding]
    reviews: dict[str, Review]
    query: str
    filters: dict[str, list[str]]
    exclude: dict[str, list[str]]
    library_date: str
    years: dict = field(default_factory=dict)  # year_from / year_to of the search


def select(lib: "Library", query: str = "", filters=None, exclude=None, year_from=None, year_to=None) -> Selection:
    filters, exclude = _spec(filters), _spec(exclude)
    page = lib.search(query, filters=filters, exclude=exclude, kind="finding", year_from=year_from,
                      year_to=year_to, limit=0, all_keys=True, broader=False)
    ids = [k.split(":", 1)[1] for k in page.keys if k.startswith("finding:")]
    found = {f.id: f for f in _bulk(repo.get_findings, lib, ids)}
    findings = [found[i] for i in ids if i in found]
    reviews = {r.id: r for r in _bulk(repo.get_reviews, lib, list(dict.fromkeys(f.review_id for f in findings)))}
    return Selection(page, findings, reviews, query or "", filters, exclude, library_date(lib),
                     {"year_from": year_from, "year_to": year_to})


def _spec(spec) -> dict[str, list[str]]:
    return {facet: [values] if isinstance(values, str) else list(values) for facet, values in (spec or {}).items()}


def _bulk(read, lib: "Library", ids: list[str]) -> list:
    out: list = []
    for start in range(0, len(ids), _CHUNK):
        out += read(lib.db, ids=ids[start:start + _CHUNK])
    return out


def library_date(lib: "Library") -> str:
    """The date of the library's newest change (for captions), or "" for an empty history."""
    newest = lib.batches(1)
    return newest[0]["created_at"][:10] if newest else ""


def values_of(lib: "Library", finding: Finding, review: Review | None, facet: str) -> list[str]:
    """The index values a finding is counted under in ``facet`` (concepts rolled up to their ancestors)."""
    if facet == "review":
        return [finding.review_id]
    if facet == "year":
        return [str(review.year)] if review is not None and review.year else []
    return lib.vocabulary.with_ancestors(c for c in finding.concepts.get(facet, []) if c in lib.vocabulary)


def _label_counts(lib: "Library", facet: str, counts: Counter) -> dict[str, int]:
    return {lib.facet_label(facet, v): n for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


# ---------------------------------------------------------------------------------------------- the matrix
@dataclass
class Axis:
    facet: str
    ids: list[str]  # index values, display order
    values: list[str]  # their labels, same order
    parents: dict[str, str | None]  # label -> the parent's label among ``values`` (None: a top-level value)

    def to_dict(self) -> dict:
        return {"facet": self.facet, "values": list(self.values)}


@dataclass
class Cell:
    row: str
    col: str
    findings: int
    direction: dict[str, int]
    species: dict[str, int]

    def to_dict(self) -> dict:
        return {"row": self.row, "col": self.col, "findings": self.findings, "direction": self.direction,
                "species": self.species}


@dataclass
class Matrix:
    """Findings counted by two facets. ``to_dict()`` is exactly the JSON of ``vkref matrix --json``; ``cells``
    lists the non-empty cells (a row and column not listed have no finding)."""

    query: str
    searched_as: str
    total: int
    rows: Axis
    cols: Axis
    cells: list[Cell]
    filters: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    library_date: str = ""

    @property
    def tree(self) -> dict[str, dict[str, str | None]]:
        """The hierarchy of both axes (value label -> parent label), for renderers that collapse and expand."""
        return {"rows": dict(self.rows.parents), "cols": dict(self.cols.parents)}

    def cell(self, row: str, col: str) -> Cell | None:
        return next((c for c in self.cells if c.row == row and c.col == col), None)

    def caption(self) -> dict:
        return {"query": self.query, "filters": self.filters, "exclude": self.exclude,
                "library_date": self.library_date, "total": self.total}

    def render(self, fmt: str) -> str:
        """The matrix as a file's text: ``svg`` or self-contained ``html`` (see :func:`output_format`)."""
        draw = R.matrix_svg if fmt == "svg" else R.matrix_html
        return draw(self.to_dict(), self.tree, self.caption())

    def to_dict(self) -> dict:
        return {"query": self.query, "rows": self.rows.to_dict(), "cols": self.cols.to_dict(),
                "cells": [c.to_dict() for c in self.cells]}


def matrix(lib: "Library", query: str = "", rows: str = "agent", cols: str = "outcome", filters=None,
           exclude=None, year_from: int | None = None, year_to: int | None = None) -> Matrix:
    """Count the findings a search selects by ``rows`` x ``cols`` (two different facets of AXIS_FACETS).

    One search gives the selected findings' keys; their codes come from :func:`finding_codes` (a columnar
    read cached until the next change), so no record is loaded."""
    rows, cols = _check_axes(rows, cols)
    filters, exclude = _spec(filters), _spec(exclude)
    page = lib.search(query, filters=filters, exclude=exclude, kind="finding", year_from=year_from,
                      year_to=year_to, limit=0, all_keys=True, broader=False)
    allowed = {facet: _allowed(lib, facet, filters.get(facet)) for facet in (rows, cols)}
    tally = _encoded(lib, rows, cols, allowed[rows], allowed[cols]).tally(lib, page.keys)
    row_axis, col_axis = _axis(lib, rows, tally.rows), _axis(lib, cols, tally.cols)
    cells = [tally.cell(lib, row_axis, col_axis, i, j) for i in range(len(row_axis.ids))
             for j in range(len(col_axis.ids)) if (row_axis.ids[i], col_axis.ids[j]) in tally.counts]
    return Matrix(query or "", page.searched_as, page.total, row_axis, col_axis, cells, filters, exclude,
                  library_date(lib))


# ---------------------------------------------------------------------------------------------- finding codes
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


def _encoded(lib: "Library", rows: str, cols: str, allowed_rows, allowed_cols) -> _Encoded:
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


def _check_axes(rows: str, cols: str) -> tuple[str, str]:
    rows, cols = (rows or "").strip().lower(), (cols or "").strip().lower()
    for name in (rows, cols):
        if name not in AXIS_FACETS:
            raise QueryError(f"unknown matrix facet {name!r}: use one of {', '.join(AXIS_FACETS)}")
    if rows == cols:
        raise QueryError(f"rows and columns are both {rows!r}: choose two different facets")
    return rows, cols


def _allowed(lib: "Library", facet: str, values: list[str] | None) -> set[str] | None:
    """The values a filter on an axis facet keeps: the filtered ones and everything coded under them."""
    if not values:
        return None
    out: set[str] = set()
    for value in values:
        vid = lib.resolve_value(facet, value)
        out.add(vid)
        if facet in CONCEPT_FACETS:
            out.update(lib.vocabulary.descendants(vid))
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

    def cell(self, lib: "Library", rows: Axis, cols: Axis, i: int, j: int) -> Cell:
        key = (rows.ids[i], cols.ids[j])
        direction, species = self.marks[key]
        return Cell(rows.values[i], cols.values[j], self.counts[key],
                    self._label_counts(lib, "direction", direction), self._label_counts(lib, "species", species))


def _axis(lib: "Library", facet: str, counts: Counter) -> Axis:
    if facet == "year":
        ids = sorted(counts, key=int, reverse=True)
        parents: dict[str, str | None] = {v: None for v in ids}
    elif facet == "review":
        ids = sorted(counts, key=lambda v: (-counts[v], lib.facet_label(facet, v)))
        parents = {v: None for v in ids}
    else:
        ids, parents = _tree_order(lib, facet, counts)
    label = lambda v: lib.facet_label(facet, v)  # noqa: E731
    return Axis(facet, ids, [label(v) for v in ids],
                {label(v): (label(parents[v]) if parents[v] else None) for v in ids})


def _tree_order(lib: "Library", facet: str, counts: Counter) -> tuple[list[str], dict[str, str | None]]:
    """Concepts depth first, each level by count (then label): a parent right above what is coded under it. A
    concept with several parents is placed once, under the first of them (primary first) that is on the axis."""
    vocab = lib.vocabulary
    parents = {v: next((p for p in vocab[v].parents if p in counts), None) for v in counts}
    children: dict[str | None, list[str]] = {}
    for v, p in parents.items():
        children.setdefault(p, []).append(v)
    order: list[str] = []
    stack = _by_count(children.get(None, []), counts, vocab)[::-1]
    while stack:
        v = stack.pop()
        order.append(v)
        stack.extend(_by_count(children.get(v, []), counts, vocab)[::-1])
    return order, parents


def _by_count(ids: Iterable[str], counts: Counter, vocab) -> list[str]:
    return sorted(ids, key=lambda v: (-counts[v], vocab[v].label.lower()))


# ---------------------------------------------------------------------------------------------- the answer card
@dataclass
class OutcomeLine:
    outcome: str
    human: dict[str, int]
    animal: dict[str, int]
    in_vitro: dict[str, int]

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "human": self.human, "animal": self.animal, "in_vitro": self.in_vitro}


@dataclass
class AnswerCard:
    """What the library holds on a question. ``to_dict()`` is exactly the JSON of ``vkref answer --json``."""

    query: str
    searched_as: str
    total: int
    species: dict[str, int]
    evidence: dict[str, int]
    direction: dict[str, int]
    outcomes: list[OutcomeLine]
    key_findings: list["Hit"]
    cautions: list[str]
    filters: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    library_date: str = ""

    def caption(self) -> dict:
        return {"query": self.query, "filters": self.filters, "exclude": self.exclude,
                "library_date": self.library_date, "total": self.total}

    def render(self, fmt: str = "html") -> str:
        """The card as a self-contained HTML page."""
        return R.answer_html(self.to_dict(), self.caption())

    def to_dict(self) -> dict:
        return {"query": self.query, "searched_as": self.searched_as, "total": self.total,
                "species": self.species, "evidence": self.evidence, "direction": self.direction,
                "outcomes": [o.to_dict() for o in self.outcomes],
                "key_findings": [h.to_dict() for h in self.key_findings], "cautions": self.cautions}


class Kinds:
    """Which group (human, animal, in vitro) a finding belongs to, and how strong its evidence is, from concepts
    looked up in the vocabulary (by id or label)."""

    def __init__(self, vocabulary):
        self.vocab = vocabulary
        self.human = self._family("species", "human")
        self.cells = self._family("species", "cell-culture") | self._family("species", "Cell or tissue culture")
        self.in_vitro = self._family("evidence", "in-vitro") | self._family("evidence", "In vitro study")
        self.rank = {}
        for n, name in enumerate(STRENGTH):
            for cid in self._family("evidence", name):
                self.rank.setdefault(cid, n)

    def _family(self, facet: str, name: str) -> set[str]:
        concept = self.vocab.find(name, facet)
        return {concept.id, *self.vocab.descendants(concept.id)} if concept else set()

    def groups(self, f: Finding) -> set[str]:
        species = set(f.concepts.get("species", []))
        if species & self.cells or set(f.concepts.get("evidence", [])) & self.in_vitro:
            return {"in_vitro"}
        out = {"human"} if species & self.human else set()
        return out | ({"animal"} if species - self.human - self.cells else set())

    def order(self, f: Finding) -> tuple[int, int]:
        groups = self.groups(f)
        group = next((n for n, g in enumerate(GROUPS) if g in groups), len(GROUPS))
        ranks = [self.rank[e] for e in f.concepts.get("evidence", []) if e in self.rank]
        return group, min(ranks, default=len(STRENGTH))


def answer(lib: "Library", query: str, filters=None, exclude=None, key_findings: int = KEY_FINDINGS,
           year_from: int | None = None, year_to: int | None = None) -> AnswerCard:
    """The answer card for a question: counts, outcome lines per species group, key findings and cautions."""
    sel = select(lib, query, filters, exclude, year_from, year_to)
    kinds = Kinds(lib.vocabulary)
    summary = {facet: _label_counts(lib, facet, Counter(v for f in sel.findings
                                                        for v in values_of(lib, f, None, facet)))
               for facet in ("species", "evidence", "direction")}
    outcomes = _outcome_lines(lib, sel.findings, kinds)
    cautions = _cautions(lib, sel, kinds, outcomes)
    return AnswerCard(sel.query, sel.page.searched_as, sel.page.total, summary["species"], summary["evidence"],
                      summary["direction"], outcomes, _key_hits(lib, sel, kinds, key_findings), cautions,
                      sel.filters, sel.exclude, sel.library_date)


def _outcome_lines(lib: "Library", findings: list[Finding], kinds: Kinds) -> list[OutcomeLine]:
    """One line per outcome as coded; each group's direction counts come from that group's findings only."""
    tally: dict[str, dict[str, Counter]] = {}
    for f in findings:
        groups = kinds.groups(f)
        directions = values_of(lib, f, None, "direction")
        for outcome in dict.fromkeys(f.concepts.get("outcome", [])):
            if outcome not in lib.vocabulary:
                continue
            line = tally.setdefault(outcome, {g: Counter() for g in GROUPS})
            for g in groups:
                line[g].update(directions or ["(direction not coded)"])
    order = sorted(tally, key=lambda o: (-sum(tally[o]["human"].values()), -sum(sum(c.values()) for c in
                                                                                tally[o].values()),
                                         lib.vocabulary[o].label.lower()))
    return [OutcomeLine(lib.vocabulary[o].label, *(_direction_labels(lib, tally[o][g]) for g in GROUPS))
            for o in order]


def _direction_labels(lib: "Library", counts: Counter) -> dict[str, int]:
    return {(lib.facet_label("direction", v) if v in lib.vocabulary else v): n
            for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def _key_hits(lib: "Library", sel: Selection, kinds: Kinds, n: int) -> list["Hit"]:
    """The ``n`` strongest findings as search hits: fetched by their position in the relevance order, in runs
    of neighbouring positions, so each is the very hit ``vkref search`` shows (score and highlights)."""
    position = {k.split(":", 1)[1]: p for p, k in enumerate(sel.page.keys)}
    chosen = sorted(sel.findings, key=lambda f: (*kinds.order(f), position[f.id]))[:n]
    hits = {}
    for start, stop in _runs(sorted(position[f.id] for f in chosen)):
        page = lib.search(sel.query, filters=sel.filters, exclude=sel.exclude, kind="finding",
                          limit=stop - start, offset=start, broader=False, **sel.years)
        hits.update({h.id: h for h in page.hits})
    return [hits[f.id] for f in chosen if f.id in hits]


def _runs(positions: list[int], gap: int = 8) -> list[tuple[int, int]]:
    runs: list[list[int]] = []
    for p in positions:
        if runs and p - runs[-1][1] <= gap:
            runs[-1][1] = p + 1
        else:
            runs.append([p, p + 1])
    return [(a, b) for a, b in runs]


# ---------------------------------------------------------------------------------------------- cautions
def _cautions(lib: "Library", sel: Selection, kinds: Kinds, outcomes: list[OutcomeLine]) -> list[str]:
    """One line each: doubtful sources, unverified records, outcomes without human evidence, human evidence
    that disagrees."""
    return (_status_cautions(lib, sel) + _source_cautions(lib, sel) + _unverified(lib, sel)
            + _non_human_only(outcomes) + _conflicts(outcomes))


def _status_cautions(lib: "Library", sel: Selection) -> list[str]:
    """First of all: retracted, doubtful or corrected sources, and findings resting on a retracted study."""
    out = []
    for rid in dict.fromkeys(f.review_id for f in sel.findings):
        review = sel.reviews.get(rid)
        line = banner(review_status(review)) if review is not None else ""
        if line:
            out.append(f"{lib.review_label(rid)}: {line}")
    flagged = [f.id for f in sel.findings if f.source_retracted]
    if flagged:
        shown = ", ".join(flagged[:3]) + (f" and {len(flagged) - 3} more" if len(flagged) > 3 else "")
        out.append(f"Retracted study: {_plural(len(flagged), 'finding')} ({shown}) rest on a primary study "
                   "that was retracted")
    return out


def _source_cautions(lib: "Library", sel: Selection) -> list[str]:
    out = []
    for rid in dict.fromkeys(f.review_id for f in sel.findings):
        review = sel.reviews.get(rid)
        if review is not None and review.caution.strip():
            out.append(f"Source: {lib.review_label(rid)}: {review.caution.strip()}")
    by_text: dict[str, list[str]] = {}
    for f in sel.findings:
        if f.caution.strip():
            by_text.setdefault(f.caution.strip(), []).append(f.id)
    for text, ids in by_text.items():
        shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        out.append(f"{_plural(len(ids), 'finding')} ({shown}): {text}")
    return out


def _unverified(lib: "Library", sel: Selection, shown: int = 5) -> list[str]:
    """Reviews (and their findings) whose verification is not "confirmed": one line per review, the first
    ``shown`` of them, then one line for the rest."""
    lines, doubtful_of = [], Counter(f.review_id for f in sel.findings if f.provenance.verification != "confirmed")
    for rid in dict.fromkeys(f.review_id for f in sel.findings):
        review = sel.reviews.get(rid)
        status = review.provenance.verification if review is not None else "unknown"
        doubtful = doubtful_of[rid]
        if status == "confirmed" and not doubtful:
            continue
        what = f"record {status}, not confirmed" if status != "confirmed" else "record confirmed"
        lines.append(f"Unverified: {lib.review_label(rid)}: {what}; {_plural(doubtful, 'finding')} from it "
                     "not confirmed against the source")
    if len(lines) > shown + 1:
        lines = lines[:shown] + [f"Unverified: {len(lines) - shown} more reviews are not confirmed against "
                                 "their sources"]
    return lines


def _non_human_only(outcomes: list[OutcomeLine]) -> list[str]:
    """One line per kind of non-human evidence: the outcomes that have only that kind, with their counts."""
    kinds: dict[str, list[str]] = {}
    for line in outcomes:
        if line.human or not (line.animal or line.in_vitro):
            continue
        what = " and ".join(name for name, part in (("animal", line.animal), ("cell or in vitro", line.in_vitro))
                            if part)
        n = sum(line.animal.values()) + sum(line.in_vitro.values())
        kinds.setdefault(what, []).append(f"{line.outcome} ({n})")
    return [f"{what.capitalize()} evidence only, no human finding: {', '.join(items)}"
            for what, items in kinds.items()]


def _conflicts(outcomes: list[OutcomeLine]) -> list[str]:
    out = []
    for line in outcomes:
        if len(line.human) > 1:
            parts = ", ".join(f"{d} {n}" for d, n in line.human.items())
            out.append(f"{line.outcome}: human findings disagree ({parts})")
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
