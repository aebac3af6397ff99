"""What the evidence views share: the findings a search selects, how a finding is grouped and ranked, and how the
views' files and captions are named.

The evidence matrix (:mod:`vkref.library.evidence_matrix`, counting in :mod:`vkref.library.matrix_codes`) and the
answer card (:mod:`vkref.library.answer_card`, cautions in :mod:`vkref.library.answer_cautions`) both start from one
finding search (``Library.search(..., kind="finding", limit=0, all_keys=True)``) and count the selected findings'
codes with the vocabulary's roll-up, exactly as the index does. This module owns the pieces both use, and the
index's evidence order (:mod:`vkref.library.documents` ranks documents with :class:`Kinds`).

Promises:

- :func:`select` returns the findings ``Library.search(query, kind="finding")`` selects, in relevance order, with
  their reviews, read in bulk.
- :class:`Kinds` never mixes species: ``human`` is findings coded Human only, ``animal`` findings of other
  organisms, ``in_vitro`` cell, tissue and in vitro work (which is never counted as either); its order puts human
  first, then animal, in vitro last, and within a group the stronger evidence first (:data:`STRENGTH`).
- Concepts are looked up through the vocabulary by id or label, so recoded or extended data needs no change here.
- :func:`output_format`, :func:`caption_line` and :func:`direction_styles` are the file renderers'
  (:mod:`vkref.io.evidence_render`), so the window and the command line name, caption and colour files alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vkref.core.entities import Finding, Review
from vkref.core.vocabulary import CONCEPT_FACETS
from vkref.io import evidence_render as R
from vkref.store import repository as repo


if TYPE_CHECKING:
    from vkref.library.library import Library
    from vkref.library.results import SearchPage

AXIS_FACETS = CONCEPT_FACETS + ("review", "year")
GROUPS = ("human", "animal", "in_vitro")
# strength of evidence, strongest first (concept ids or labels; anything else ranks after them)
STRENGTH = ("meta-analysis", "rct", "cct", "observational", "mechanistic")
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
    """The findings the finding search selects, in relevance order, and their reviews, read in bulk."""
    filters, exclude = spec(filters), spec(exclude)
    page = lib.search(query, filters=filters, exclude=exclude, kind="finding", year_from=year_from,
                      year_to=year_to, limit=0, all_keys=True, broader=False)
    ids = [k.split(":", 1)[1] for k in page.keys if k.startswith("finding:")]
    found = {f.id: f for f in _bulk(repo.get_findings, lib, ids)}
    findings = [found[i] for i in ids if i in found]
    reviews = {r.id: r for r in _bulk(repo.get_reviews, lib, list(dict.fromkeys(f.review_id for f in findings)))}
    return Selection(page, findings, reviews, query or "", filters, exclude, library_date(lib),
                     {"year_from": year_from, "year_to": year_to})


def spec(given) -> dict[str, list[str]]:
    """Filters or exclusions as {facet: [values]} (a single value may be given as a string)."""
    return {facet: [values] if isinstance(values, str) else list(values) for facet, values in (given or {}).items()}


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


# ---------------------------------------------------------------------------------------------- groups and strength
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
