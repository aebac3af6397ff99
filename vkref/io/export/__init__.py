"""Exporters: the one entry point :func:`export` that turns reviews and findings into a file's text.

Record formats (``ris``, ``bibtex``, ``csl-json``, ``csv``, ``citations``) hold the reviews; the evidence
formats (``evidence-csv``, ``evidence-md``, ``evidence-html``) hold the findings, each with the citation of
its review; ``json`` is the lossless library JSON of :mod:`vkref.io.vkjson` (reviews, findings and
vocabulary). An unknown format or style is a :class:`UsageError` whose one line lists the valid ones.
"""
from __future__ import annotations

import json
from typing import Callable

from vkref.core.entities import Finding, Review
from vkref.core.errors import UsageError
from vkref.core.vocabulary import Vocabulary
from vkref.io import vkjson
from vkref.io.citation import STYLES, check_style, format_citation
from vkref.io.export import bibtex, evidence, records

EXPORT_FORMATS = ("ris", "bibtex", "csl-json", "csv", "json", "evidence-csv", "evidence-md", "evidence-html",
                  "citations")
RECORD_FORMATS = {"ris": records.to_ris, "bibtex": bibtex.to_bibtex, "csl-json": records.to_csl_json,
                  "csv": records.to_csv}
EVIDENCE_FORMATS = {"evidence-csv": evidence.to_csv, "evidence-md": evidence.to_markdown,
                    "evidence-html": evidence.to_html}

__all__ = ["EXPORT_FORMATS", "STYLES", "export"]


def export(fmt: str, reviews: list[Review], findings: list[Finding], vocabulary: Vocabulary,
           style: str = "vancouver", citation_of: Callable[[Review], str] | None = None, studies=()) -> str:
    """The exported file as text. ``style`` is the citation style of ``citations`` and of the evidence
    tables' citation column; ``citation_of``, when given, cites a review in the evidence tables instead
    (the library passes its cached citations). ``studies``: the primary studies the findings rest on (JSON)."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    check_style(style)
    if fmt in RECORD_FORMATS:
        return RECORD_FORMATS[fmt](reviews)
    if fmt == "citations":
        return records.to_citations(reviews, style)
    if fmt == "json":
        doc = vkjson.dump(reviews, findings, vocabulary, studies=studies)
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    cite = citation_of or (lambda review: format_citation(review, style))
    return EVIDENCE_FORMATS[fmt](evidence.rows(findings, reviews, vocabulary, cite))
