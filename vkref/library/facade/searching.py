"""Searching on the facade: the search page, facet values and labels, hits' review references, highlighting.

The work lives in :mod:`vkref.library.searching` (arguments, labels, shaping) and
:mod:`vkref.library.indexing` (asking the index).
"""
from __future__ import annotations

from typing import Iterable

from vkref.core.entities import Review
from vkref.library import searching
from vkref.library.results import Hit, SearchPage


class Searching:
    """Searches shaped for the fronts (:mod:`vkref.library.searching`)."""

    def search(self, query: str = "", filters: dict[str, Iterable[str]] | None = None,
               exclude: dict[str, Iterable[str]] | None = None, kind: str | None = None,
               year_from: int | None = None, year_to: int | None = None, limit: int = 20, offset: int = 0,
               sort: str = "relevance", all_keys: bool = False, spell: bool = True, broader: bool = True
               ) -> SearchPage:
        """Search findings and reviews. See docs/CONTRACT.md for the semantics; raises QueryError on bad input.

        ``sort``: ``relevance`` (ties: strongest evidence first), ``evidence`` (strongest evidence first: human,
        animal, in vitro, then meta-analysis > RCT > controlled trial > observational > expert; ties by score),
        ``year`` or ``year-asc``. ``spell=False``: a query that finds nothing is not retried with a corrected
        spelling. Undated records are never inside a year range; ``undated_outside`` counts those left out.
        ``also_broader`` lists findings coded only with a broader concept than one the query names
        (:mod:`vkref.library.broader`; not when only partial matches were found); ``broader=False`` skips it."""
        return searching.search(self, query, filters, exclude, kind, year_from, year_to, limit, offset, sort,
                                all_keys, spell, broader)

    def _resolve(self, spec: dict[str, Iterable[str]]) -> dict[str, set[str]]:
        """Facet labels or synonyms (case-insensitive) -> index values; unknown ones are a QueryError."""
        return searching.resolve(self, spec)

    def resolve_value(self, facet: str, value: str) -> str:
        """A facet value as typed (a label or synonym, any case; a review's id, label, title or DOI) -> the
        value the index holds. Unknown facets and values raise a one-line :class:`QueryError`."""
        return searching.resolve_value(self, facet, value)

    def facet_label(self, facet: str, value: str) -> str:
        return searching.facet_label(self, facet, value)

    def _hit(self, raw, plan) -> Hit:
        """A page hit from what the index stored (no database look-up per hit)."""
        return searching.hit(self, raw, plan)

    def _direction_counts(self, counts: dict[str, int]) -> dict[str, int]:
        """Direction concept id -> n as labels, in the vocabulary's order of the direction facet."""
        return searching.direction_counts(self.vocabulary, counts)

    def review_ref(self, review: Review) -> dict:
        return searching.review_ref(review)

    def highlight(self, text: str, query: str, whole: bool = True) -> str:
        """``text`` HTML-escaped with the query's terms in ``<mark>`` (for detail views)."""
        return searching.highlight(self, text, query, whole)
