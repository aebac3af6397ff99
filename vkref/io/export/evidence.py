"""Evidence tables: one row per finding, with its coded facets as vocabulary labels and its review's citation,
as CSV, Markdown or a self-contained HTML page.

Promises: the columns are :data:`COLUMNS` in that order; several concepts of one facet are joined by "; ";
every field is written on one line; Markdown cells escape ``|`` and backslashes; the HTML page needs no
other file (inline CSS, no scripts) and every record field in it passes through ``html.escape``.
"""
from __future__ import annotations

import csv
import html
import io
from typing import Callable

from vkref.core.entities import Finding, Review
from vkref.core.errors import DataError
from vkref.core.status import banner, status_of
from vkref.core.vocabulary import Vocabulary
from vkref.io.export.records import one_line

COLUMNS = ("finding", "statement", "population", "agent", "outcome", "direction", "evidence", "species", "dose",
           "duration", "n", "effect size", "caution", "citation")
_FACET_COLUMNS = ("population", "agent", "outcome", "direction", "evidence", "species")
_CSS = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;width:100%;font-size:.9em}"
        "th,td{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}"
        "th{background:#f0f0f0;position:sticky;top:0}tr:nth-child(even) td{background:#fafafa}")


def _labels(finding: Finding, facet: str, vocabulary: Vocabulary) -> str:
    ids = finding.concepts.get(facet, [])
    return "; ".join(vocabulary[c].label if c in vocabulary else c for c in ids)


def _caution(finding: Finding, review: Review) -> str:
    """The banner of a retracted, doubtful or corrected source first, then the cautions."""
    line = banner(status_of(review, finding.source_retracted))
    return "; ".join(c for c in (line, finding.caution, review.caution) if c)


def rows(findings: list[Finding], reviews: list[Review], vocabulary: Vocabulary,
         citation_of: Callable[[Review], str]) -> list[list[str]]:
    """The table body; a finding whose review is not among ``reviews`` is a :class:`DataError`."""
    by_id = {r.id: r for r in reviews}
    cited: dict[str, str] = {}
    out = []
    for f in findings:
        review = by_id.get(f.review_id)
        if review is None:
            raise DataError(f"finding {f.id}: its review {f.review_id!r} is not among the exported reviews")
        if review.id not in cited:
            cited[review.id] = citation_of(review)
        facets = [_labels(f, facet, vocabulary) for facet in _FACET_COLUMNS]
        row = [f.id, f.statement, *facets, f.dose, f.duration, f.sample_size, f.effect_size,
               _caution(f, review), cited[review.id]]
        out.append([one_line(v) for v in row])
    return out


def to_csv(table: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(table)
    return out.getvalue()


def _md_cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|")


def to_markdown(table: list[list[str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table]
    return "\n".join(lines) + "\n"


def to_html(table: list[list[str]], title: str = "vkref evidence table") -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "\n".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in table)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}'
            f"</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
            f"<p>{len(table)} findings</p>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n"
            "</table>\n</body>\n</html>\n")
