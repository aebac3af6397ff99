"""Handing records on: select what to export (everything, a search, or given ids) and format it.

Record formats (RIS, BibTeX, CSL-JSON, CSV, citations) hold reviews: a finding that a search selects brings its
review. Evidence tables hold findings: a review that a search selects brings its findings. The lossless JSON
holds the selected reviews with all their findings, the vocabulary and provenance. Formatting itself is
:mod:`vkref.io.export`; this module only chooses the records.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from vkref.core.entities import Finding, Review
from vkref.core.errors import DataError

if TYPE_CHECKING:
    from vkref.library.library import Library

FINDING_FORMATS = ("evidence-csv", "evidence-md", "evidence-html")


def select(lib: "Library", query: str = "", filters=None, exclude=None, kind: str | None = None,
           ids: Iterable[str] | None = None) -> tuple[list[Review], list[Finding]]:
    """The reviews and findings a selection names, in library order (reviews by id, findings as filed)."""
    ids = list(ids or [])
    if ids:
        review_ids, finding_ids = _by_id(lib, ids)
    elif not query and not filters and not exclude and kind is None:
        return lib.reviews(), [f for r in lib.reviews() for f in lib.findings_of(r.id)]
    else:
        page = lib.search(query, filters=filters, exclude=exclude, kind=kind, limit=0, all_keys=True,
                          broader=False)
        review_ids = [k.split(":", 1)[1] for k in page.keys if k.startswith("review:")]
        finding_ids = [k.split(":", 1)[1] for k in page.keys if k.startswith("finding:")]
    findings = [f for f in (lib.get_finding(i) for i in finding_ids) if f is not None]
    for rid in review_ids:
        findings += [f for f in lib.findings_of(rid) if f.id not in set(finding_ids)]
    wanted = dict.fromkeys(review_ids + [f.review_id for f in findings])
    reviews = [r for r in (lib.get_review(i) for i in wanted) if r is not None]
    return sorted(reviews, key=lambda r: r.id), list({f.id: f for f in findings}.values())


def _by_id(lib: "Library", ids: list[str]) -> tuple[list[str], list[str]]:
    reviews, findings = [], []
    for i in ids:
        if lib.get_review(i) is not None:
            reviews.append(i)
        elif lib.get_finding(i) is not None:
            findings.append(i)
        else:
            raise DataError(f"unknown record id {i!r}")
    return reviews, findings


def export(lib: "Library", fmt: str, query: str = "", filters=None, exclude=None, kind: str | None = None,
           ids: Iterable[str] | None = None, style: str = "vancouver") -> str:
    from vkref.io.export import export as render

    reviews, findings = select(lib, query, filters, exclude, kind, ids)
    if fmt == "json":  # lossless: every finding of every selected review, and the studies they rest on
        findings = [f for r in reviews for f in lib.findings_of(r.id)]
        return render(fmt, reviews, findings, lib.vocabulary, style=style, studies=studies_of(lib, findings))
    return render(fmt, reviews, findings, lib.vocabulary, style=style)


def studies_of(lib: "Library", findings) -> list:
    """The studies these findings rest on, each once, in the order first named."""
    from vkref.store import studies as store

    ids = dict.fromkeys(sid for f in findings for sid in f.studies)
    return [s for s in (store.get(lib.db, sid) for sid in ids) if s is not None]


def cite(lib: "Library", ids: Iterable[str], style: str = "vancouver") -> list[str]:
    from vkref.io.citation import format_citation

    out = []
    for i in ids:
        review = lib.get_review(i)
        if review is None:
            finding = lib.get_finding(i)
            review = lib.get_review(finding.review_id) if finding else None
        if review is None:
            raise DataError(f"unknown record id {i!r}")
        out.append(format_citation(review, style))
    return out
