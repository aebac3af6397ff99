"""The search's result types: plain data, no Whoosh object, what :mod:`vkref.search` hands to the library.

:class:`RawResult` is one page (hits, facet counts by index value, the query as searched); the library turns it
into the contract's page (:mod:`vkref.library.searching`). Both engines, the index's and the fallback scan, make them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from vkref.search.query import QueryPlan


@dataclass
class RawHit:
    """One hit of a page, from the index's stored fields."""

    key: str
    kind: str
    id: str
    score: float
    title: str
    text: str
    coded: dict = field(default_factory=dict)  # facet -> concept ids as coded (not rolled up)
    review_id: str = ""
    counts: dict = field(default_factory=dict)  # a review's findings by direction concept id


@dataclass
class RawResult:
    """One page of results with its facet counts and what was searched (index values, not labels)."""

    total: int
    hits: list[RawHit]
    facets: dict[str, dict[str, int]]
    searched_as: str
    suggestion: str | None = None
    mode: str = "all"  # "all" words required | "any": records holding enough of them, by score | "filters" only
    plan: QueryPlan | None = None
    keys: list[str] = field(default_factory=list)  # every result key in order (for lazy GUI models)
    undated_outside: int = 0  # undated records a year range left out
    # which of the given keys are among the matches (the library counts the studies the matching findings rest
    # on); None: only ``keys`` and ``hits`` tell
    matched_among: Callable[[frozenset], list[str]] | None = field(default=None, compare=False, repr=False)
