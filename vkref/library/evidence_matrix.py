"""The evidence matrix: the findings a search selects, counted by two facets (``vkref matrix``, the Matrix tab).

One search gives the selected findings' keys; their codes come from :mod:`vkref.library.matrix_codes` (a columnar
read cached until the next change, counted with bitsets), so no record is loaded and the matrix keeps up with the
search at 10,000 findings. This module owns the axes (which values, in which order, under which parent), the
cells and the :class:`Matrix` that the command line prints and the window paints.

Promises:

- A matrix cell counts what ``Library.search(query, kind="finding")`` totals with the same filters, where the row
  and column facets' filters are replaced by ``row`` and ``col`` (a broader concept counts what is coded under
  it). A filter on the row (or column) facet selects the rows: the filtered values and what is coded under them.
  (One edge is the search's own: a query whose cell search finds nothing is retried with a spelling
  correction, which the base search did not need; cells then count the query as typed.)
- Concept axes are in tree order: a parent right above what is coded under it, each level by count then label;
  years newest first; reviews by count.
- ``Matrix.to_dict()`` is exactly the JSON of ``vkref matrix --json``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from vkref.core.errors import QueryError
from vkref.core.vocabulary import CONCEPT_FACETS
from vkref.io import evidence_render as R
from vkref.library import matrix_codes
from vkref.library.evidence import AXIS_FACETS, library_date, spec

if TYPE_CHECKING:
    from vkref.library.library import Library


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

    One search gives the selected findings' keys; their codes come from
    :func:`~vkref.library.matrix_codes.finding_codes` (a columnar read cached until the next change), so no record
    is loaded."""
    rows, cols = _check_axes(rows, cols)
    filters, exclude = spec(filters), spec(exclude)
    page = lib.search(query, filters=filters, exclude=exclude, kind="finding", year_from=year_from,
                      year_to=year_to, limit=0, all_keys=True, broader=False)
    allowed = {facet: _allowed(lib, facet, filters.get(facet)) for facet in (rows, cols)}
    tally = matrix_codes.encoded(lib, rows, cols, allowed[rows], allowed[cols]).tally(lib, page.keys)
    row_axis, col_axis = _axis(lib, rows, tally.rows), _axis(lib, cols, tally.cols)
    return Matrix(query or "", page.searched_as, page.total, row_axis, col_axis,
                  _cells(lib, tally, row_axis, col_axis), filters, exclude, library_date(lib))


def _cells(lib: "Library", tally, rows: Axis, cols: Axis) -> list[Cell]:
    """The non-empty cells, row by row in the axes' order."""
    return [Cell(rows.values[i], cols.values[j], *tally.cell_counts(lib, rows.ids[i], cols.ids[j]))
            for i in range(len(rows.ids)) for j in range(len(cols.ids)) if (rows.ids[i], cols.ids[j]) in tally.counts]


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
    """Concepts depth first, each level by count (then label): a parent right above what is coded under it."""
    vocab = lib.vocabulary
    parents = {v: (vocab[v].parent if vocab[v].parent in counts else None) for v in counts}
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
