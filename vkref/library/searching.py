"""A search as the fronts see it: check the arguments, turn facet labels into index values, ask the index and shape
its answer into a :class:`~vkref.library.results.SearchPage` (hits, labelled facets, what was searched).

The contract's semantics are in docs/CONTRACT.md; :meth:`vkref.library.Library.search` is the entry point.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Iterable

from vkref.core import validation
from vkref.core.entities import Review
from vkref.core.errors import QueryError
from vkref.core.status import status_of
from vkref.core.vocabulary import ALL_FACETS, CONCEPT_FACETS
from vkref.io.citation import vancouver
from vkref.library import documents as D
from vkref.library.broader import offers as broader_offers
from vkref.library.studies import result_count as study_count
from vkref.library.results import Hit, SearchPage

if TYPE_CHECKING:
    from vkref.library.library import Library

SORTS = ("relevance", "evidence", "year", "year-asc")


def search(lib: "Library", query: str, filters, exclude, kind, year_from, year_to, limit, offset, sort, all_keys,
           spell, broader) -> SearchPage:
    """:meth:`Library.search`: raises QueryError on bad input."""
    start = time.perf_counter()
    check_args(query, filters, exclude, kind, year_from, year_to, limit, offset, sort)
    lib._vocabulary_watch.check(lib)
    want = resolve(lib, filters or {})
    if kind is not None:
        want.setdefault("kind", set()).update(resolve(lib, {"kind": [kind]})["kind"])
    avoid = resolve(lib, exclude or {})
    raw, state, note = lib.indexing.query(query or "", filters=want, exclude=avoid, year_from=year_from,
                                          year_to=year_to, limit=limit, offset=offset, sort=sort,
                                          all_keys=all_keys, spell=spell)
    lib._reviews.prefetch(h.review_id or h.id for h in raw.hits)  # one query for the page's reviews
    links, labels = lib.study_links.of_hits()
    hits = [hit(lib, h, raw.plan, [{"id": s, "label": labels.get(s, s)} for s in links.get(h.id, ())]
                if h.kind == "finding" else []) for h in raw.hits]
    elapsed = round((time.perf_counter() - start) * 1000, 1)
    page = SearchPage(query or "", _searched_as(raw, note), raw.suggestion, raw.total, elapsed, hits,
                      _facets(lib, raw), raw.mode, state, raw.keys, raw.undated_outside)
    if broader and query and kind != "review" and not raw.suggestion and raw.mode == "all":
        page.also_broader = broader_offers(lib, query, raw.plan, filters, exclude, year_from, year_to)
    page.studies = study_count(lib, raw, want.get("kind"), avoid.get("kind"))
    return page


def check_args(query, filters, exclude, kind, year_from, year_to, limit, offset, sort) -> None:
    """The search arguments' types and ranges; a QueryError names the first one wrong."""
    validation.check_search_args(query, filters, exclude, kind, year_from, year_to, limit, offset, sort)
    if limit < 0 or offset < 0:
        raise QueryError("limit and offset must not be negative")
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}: use {', '.join(SORTS)}")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise QueryError(f"year range {year_from}-{year_to} is empty: the first year is after the last")


def _facets(lib: "Library", raw) -> dict[str, dict[str, int]]:
    """Facet counts by label, most first; years newest first with "No year" last."""
    return D.labelled_facets(raw.facets, lib.vocabulary, lib._review_labels)


def _searched_as(raw, note: str) -> str:
    searched_as = raw.searched_as + note
    if raw.undated_outside:
        n = raw.undated_outside
        searched_as += f" ({n} undated record{'s are' if n != 1 else ' is'} outside the year range)"
    return searched_as


def resolve(lib: "Library", spec: dict[str, Iterable[str]]) -> dict[str, set[str]]:
    """Facet labels or synonyms (case-insensitive) -> index values; unknown ones are a QueryError."""
    out: dict[str, set[str]] = {}
    for facet, values in spec.items():
        if isinstance(values, str):
            values = [values]
        if facet not in ALL_FACETS:
            raise QueryError(f"unknown facet {facet!r}: use one of {', '.join(ALL_FACETS)}")
        for value in values:
            out.setdefault(facet, set()).add(resolve_value(lib, facet, str(value)))
    return out


def resolve_value(lib: "Library", facet: str, value: str) -> str:
    """:meth:`Library.resolve_value`: a facet value as typed -> the value the index holds."""
    v = value.strip()
    if facet not in ALL_FACETS:
        raise QueryError(f"unknown facet {facet!r}: use one of {', '.join(ALL_FACETS)}")
    if facet in CONCEPT_FACETS:
        return lib.vocabulary.resolve(facet, v).id
    if facet == "kind":
        if v.lower() not in ("finding", "review", "passage"):
            raise QueryError(f"unknown kind {value!r}: use finding, review or passage")
        return v.lower()
    if facet == "year":
        if v.lower() in (D.NO_YEAR, D.NO_YEAR_LABEL.lower(), "n.d.", "undated"):
            return D.NO_YEAR
        if not v.isdigit():
            raise QueryError(f"year {value!r} is not a number (or \"No year\")")
        return str(int(v))
    return _review_value(lib, value, v)


def _review_value(lib: "Library", value: str, v: str) -> str:
    labels = lib._review_labels
    for rid, r in lib._reviews.items():  # every review read once, in id order as the labels are
        label = labels.get(rid, rid)
        if v.lower() in (rid.lower(), label.lower(), r.title.lower(), r.doi.lower(), r.source_id.lower()):
            return rid
    raise QueryError(f"unknown review {value!r}: give its id, label, title or DOI")


def facet_label(lib: "Library", facet: str, value: str) -> str:
    return D.facet_label(facet, value, lib.vocabulary, lib._review_labels)


def hit(lib: "Library", raw, plan, studies: list[dict] | None = None) -> Hit:
    """A page hit from what the index stored (no database look-up per hit); ``studies``: those a finding rests
    on, as ``{"id", "label"}``."""
    from vkref.search import highlights

    terms = plan.highlight_terms if plan else set()
    facets_of = CONCEPT_FACETS if raw.kind == "finding" else D.REVIEW_FACETS
    facets = {f: [lib.vocabulary[c].label for c in raw.coded.get(f, []) if c in lib.vocabulary]
              for f in facets_of}
    review = lib._reviews.get(raw.review_id or raw.id)
    status = status_of(review, raw.kind == "finding" and raw.id in lib._flagged) if review else None
    return Hit(raw.kind, raw.id, raw.score, raw.title, raw.text, highlights(raw.text, terms) or
               highlights(raw.title, terms), (review.source_id or None) if review else None,
               review_ref(review) if review else {}, facets, status, direction_counts(lib.vocabulary, raw.counts),
               list(studies or []))


def direction_counts(vocabulary, counts: dict[str, int]) -> dict[str, int]:
    """Direction concept id -> n as labels, in the vocabulary's order of the direction facet."""
    order = {c.id: n for n, c in enumerate(vocabulary.in_facet("direction"))} if counts else {}
    return {vocabulary[c].label: n for c, n in sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))
            if c in vocabulary}


def review_ref(review: Review) -> dict:
    """A hit's review: id, title, authors, journal, year, DOI and its Vancouver citation."""
    return {"id": review.id, "title": review.title, "authors": [a.display for a in review.authors],
            "journal": review.journal, "year": review.year, "doi": review.doi or None,
            "citation": vancouver(review)}


def highlight(lib: "Library", text: str, query: str, whole: bool = True) -> str:
    """``text`` HTML-escaped with the query's terms in ``<mark>`` (for detail views)."""
    from html import escape

    from vkref.search import highlights

    try:
        terms = lib.search_service.builder.plan(query).highlight_terms if query.strip() else set()
    except QueryError:
        terms = set()
    marked = highlights(text, terms, top=1, whole=whole) if terms else []
    return marked[0] if marked else escape(text, quote=False)
