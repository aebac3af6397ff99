"""Record exporters: reviews as RIS, CSL-JSON, CSV and formatted citations (BibTeX is in ``bibtex``).

Each function takes reviews and returns the whole file as text. Every value is written on one line (runs of
whitespace, line breaks included, become one space), empty fields are left out (RIS, CSL-JSON) or empty (CSV),
and the order of the records is the order given. What these files promise is that the importers, or rispy,
``json`` and ``csv`` themselves, read back the same title, authors, year, journal, DOI and PMID.
"""
from __future__ import annotations

import csv
import io
import json

import rispy
from rispy import RisWriter

from vkref.core.entities import Review
from vkref.core.status import banner, review_status
from vkref.io.citation import csl_item, format_citations

RIS_TYPES = {"journal-article": "JOUR", "book": "BOOK", "chapter": "CHAP", "report": "RPRT", "thesis": "THES"}
CSV_COLUMNS = ("id", "source_id", "type", "title", "authors", "journal", "journal_abbrev", "year", "volume",
               "issue", "pages", "doi", "pmid", "keywords", "abstract", "status")


def one_line(value) -> str:
    return " ".join(str(value).split()) if value not in (None, "") else ""


class _Writer(RisWriter):
    """rispy's writer without the "1." counter line it puts before each record."""

    def set_header(self, count: int) -> str:
        return ""


def _pages(pages: str) -> tuple[str, str]:
    first, _, last = pages.replace("\u2013", "-").partition("-")
    return first.strip(), last.strip()


def _ris_record(review: Review) -> dict:
    start, end = _pages(review.pages)
    fields = {"type_of_reference": RIS_TYPES.get(review.type, "GEN"), "authors": [str(a) for a in review.authors],
              "title": review.title, "secondary_title": review.journal, "journal_name": review.journal,
              "alternate_title2": review.journal_abbrev, "year": review.year, "volume": review.volume,
              "number": review.issue, "start_page": start, "end_page": end, "doi": review.doi,
              "accession_number": review.pmid, "id": review.source_id or review.id, "abstract": review.summary,
              "keywords": review.keywords, "notes": [banner(review_status(review))]}
    return {key: [one_line(v) for v in value if v] if isinstance(value, list) else one_line(value)
            for key, value in fields.items() if value not in ("", None, [], [""])}


def to_ris(reviews: list[Review]) -> str:
    """RIS: TY AU TI T2 JO JA PY VL IS SP EP DO AN (PMID) ID (source id, else vkref id) AB KW ER."""
    return rispy.dumps([_ris_record(r) for r in reviews], implementation=_Writer)


def to_csl_json(reviews: list[Review]) -> str:
    """A JSON array of CSL items (see :func:`vkref.io.citation.csl_item`)."""
    items = [{k: (one_line(v) if isinstance(v, str) else v) for k, v in csl_item(r).items()} for r in reviews]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _csv_row(review: Review) -> list[str]:
    values = {"authors": "; ".join(str(a) for a in review.authors), "keywords": "; ".join(review.keywords),
              "abstract": review.summary, "year": review.year, "status": banner(review_status(review))}
    return [one_line(values[c] if c in values else getattr(review, c)) for c in CSV_COLUMNS]


def to_csv(reviews: list[Review]) -> str:
    """One row per review under a header row; authors as "Family, Given" joined by "; "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(r) for r in reviews)
    return out.getvalue()


def to_citations(reviews: list[Review], style: str) -> str:
    """One formatted citation per line."""
    return "".join(line + "\n" for line in format_citations(reviews, style))
