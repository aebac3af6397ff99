"""Plain row data for the results table, built from the facade's records. No Qt here.

A row is fetched once per result key ("finding:<id>" or "review:<id>") and cached by the table model;
the search worker pre-builds the first rows of a page so the GUI thread rarely touches the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vkref.core.vocabulary import CONCEPT_FACETS

ROW_FACETS = ("agent", "population", "outcome", "direction", "evidence", "species")


@dataclass(frozen=True)
class Row:
    key: str
    kind: str  # "finding" | "review"
    id: str
    text: str  # the finding's statement, or the review's title
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year: int | None = None
    source: str = ""  # the review's short label ("Iwamoto 2006, Yonsei Med J")
    review_id: str = ""

    def labels(self, facet: str) -> str:
        return ", ".join(self.facets.get(facet, ()))


def missing_row(key: str) -> Row:
    kind, _, rid = key.partition(":")
    return Row(key, kind, rid, "(this record is no longer in the library)")


def build_row(library, key: str) -> Row:
    """Fetch one result row through the facade (a couple of small database reads)."""
    kind, _, rid = key.partition(":")
    vocab = library.vocabulary
    if kind == "finding":
        f = library.get_finding(rid)
        if f is None:
            return missing_row(key)
        review = library.get_review(f.review_id)
        facets = {fa: tuple(vocab[c].label for c in f.concepts.get(fa, []) if c in vocab) for fa in CONCEPT_FACETS}
        return Row(key, kind, rid, f.statement, facets, review.year if review else None,
                   library.review_label(f.review_id), f.review_id)
    review = library.get_review(rid)
    if review is None:
        return missing_row(key)
    coded: dict[str, dict[str, None]] = {}
    for f in library.findings_of(rid):
        for fa in CONCEPT_FACETS:
            for c in f.concepts.get(fa, []):
                if c in vocab:
                    coded.setdefault(fa, {})[vocab[c].label] = None
    facets = {fa: tuple(v) for fa, v in coded.items()}
    return Row(key, kind, rid, review.title, facets, review.year, library.review_label(rid), rid)
