"""Plain row data for the results table, taken from the hits ``Library.search`` returns. No Qt, no database.

A row shows what the library's index stored for a hit (title, text, coded facets, source review) and nothing
re-derived here: a review's facets are the ones its hit carries (its findings' agents, populations, species and
outcomes); direction and evidence describe findings only, so a review row shows, instead of a direction, its
findings counted by direction as the library's index counted them (``Hit.findings``).
"""
from __future__ import annotations

from dataclasses import dataclass, field


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
    citation: str = ""  # the source review's Vancouver citation
    findings: tuple[tuple[str, int], ...] = ()  # a review's findings by direction label, from its hit
    status: str = ""  # the banner of a retracted, doubtful or corrected source ("" for none)
    status_label: str = ""  # the row's short prefix: "Retracted", "Concern", "Corrected", "Retracted source"

    def direction_counts(self) -> str:
        """"12 beneficial · 2 harmful · 1 mixed" (a review row's Direction cell)."""
        return " · ".join(f"{n} {short_direction(label).lower()}" for label, n in self.findings)

    def labels(self, facet: str) -> str:
        return ", ".join(self.facets.get(facet, ()))


def row_from_hit(hit, review_label) -> Row:
    """A row from a :class:`~vkref.library.results.Hit`; ``review_label(review_id)`` gives the source label."""
    review = hit.review or {}
    review_id = review.get("id", "")
    text = hit.text if hit.kind in ("finding", "passage") else (review.get("title") or hit.title)
    facets = {facet: tuple(values) for facet, values in hit.facets.items()}
    return Row(f"{hit.kind}:{hit.id}", hit.kind, hit.id, text, facets, review.get("year"),
               review_label(review_id) if review_id else "", review_id, review.get("citation", ""),
               tuple(getattr(hit, "findings", {}).items()), *_status(getattr(hit, "status", None)))


ROW_LABELS = {"retracted": "Retracted", "expression-of-concern": "Concern", "corrected": "Corrected",
              "source-retracted": "Retracted source"}  # the short prefix of a results row


def _status(status: dict | None) -> tuple[str, str]:
    return (status["banner"], ROW_LABELS.get(status["kind"], status["label"])) if status else ("", "")


def short_direction(label: str) -> str:
    """A direction label as a badge shows it ("Mixed", "No effect", "Descriptive")."""
    from vkref.ui.colours import DIRECTION_SHORT

    return DIRECTION_SHORT.get(label, label.split(" (")[0])


def finding_with_citation(row: Row) -> str:
    """What "Copy finding with citation" puts on the clipboard."""
    return f"{row.text}\n{row.citation}" if row.citation else row.text
