"""Turns the raw fields a format reader found into a :class:`Review` (the one place fields are cleaned).

Field names in a raw record: title, authors (list of :class:`Author` or strings), journal, journal_abbrev,
year, volume, issue, pages, doi, pmid, source_id, type (a list of the file's own type words, most telling
first or in file order), summary, keywords, mesh. A record without a title raises :class:`RecordProblem`.
"""
from __future__ import annotations

import re

from vkref.core.entities import Author, Review
from vkref.io.importers import clean


class RecordProblem(Exception):
    """A record that cannot become a review (its reason is reported, the file goes on)."""


# The file's own type words (RIS TY, BibTeX entry type, PubMed PT, CSL type, EndNote ref-type, WoS PT/DT),
# lower-cased, mapped to vkref's types. Notice types outrank the rest: a PubMed record typed both "Journal
# Article" and "Published Erratum" is an erratum.
_TYPES = {
    "erratum": "erratum", "published erratum": "erratum", "correction": "erratum",
    "retraction of publication": "retraction", "retraction": "retraction", "retracted publication": "retraction",
    "comment": "comment", "letter": "comment", "editorial": "comment",
    "review": "review", "systematic review": "review", "meta-analysis": "review", "jour": "journal-article",
    "journal article": "journal-article", "article": "journal-article", "article-journal": "journal-article",
    "jfull": "journal-article", "ejour": "journal-article", "mgzn": "magazine-article",
    "article-magazine": "magazine-article", "magazine article": "magazine-article", "j": "journal-article",
    "news": "news-article", "article-newspaper": "news-article", "newspaper article": "news-article",
    "book": "book", "ebook": "book", "edbook": "book", "b": "book", "s": "book", "mvbook": "book",
    "edited book": "book", "collection": "book", "proceedings": "book", "mvcollection": "book",
    "chap": "chapter", "echap": "chapter", "chapter": "chapter", "inbook": "chapter", "incollection": "chapter",
    "book section": "chapter", "bookinbook": "chapter", "suppbook": "chapter",
    "conf": "conference-paper", "cpaper": "conference-paper", "inproceedings": "conference-paper",
    "conference": "conference-paper", "paper-conference": "conference-paper", "c": "conference-paper",
    "conference paper": "conference-paper", "conference proceedings": "conference-paper",
    "thes": "thesis", "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
    "rprt": "report", "report": "report", "techreport": "report", "technical report": "report",
    "pat": "patent", "patent": "patent", "p": "patent", "elec": "webpage", "webpage": "webpage",
    "online": "webpage", "data": "dataset", "dataset": "dataset", "misc": "other", "gen": "other",
}
_RANK = {"erratum": 0, "retraction": 1, "comment": 2, "review": 3}
_SPACES = re.compile(r"\s+")


def review_type(values) -> str:
    """The vkref type of a record from its type words; notices and reviews first, then the first known word."""
    if isinstance(values, str):
        values = [values]
    known = [_TYPES[k] for k in (_SPACES.sub(" ", str(v)).strip().lower() for v in values or []) if k in _TYPES]
    if not known:
        return "journal-article" if not values else "other"
    ranked = [t for t in known if t in _RANK]
    return min(ranked, key=_RANK.get) if ranked else known[0]


def _authors(values) -> list[Author]:
    out = []
    for value in values or []:
        person = value if isinstance(value, Author) else clean.author(value)
        if person is not None and person.family:
            out.append(Author(clean.text(person.family), clean.text(person.given)))
    return out


def build(fields: dict) -> Review:
    """The review a raw record describes; :class:`RecordProblem` when it has no title."""
    title = clean.title(fields.get("title"))
    if not title:
        raise RecordProblem("no title")
    return Review(
        id="", title=title, authors=_authors(fields.get("authors")),
        journal=clean.strip_markup(fields.get("journal")), journal_abbrev=clean.text(fields.get("journal_abbrev")),
        year=clean.year(fields.get("year")), volume=clean.text(fields.get("volume")),
        issue=clean.text(fields.get("issue")), pages=clean.text(fields.get("pages")),
        doi=clean.doi(fields.get("doi")), pmid=clean.pmid(fields.get("pmid")),
        source_id=clean.text(fields.get("source_id")), type=review_type(fields.get("type")),
        summary=clean.strip_markup(fields.get("summary")), keywords=clean.words(fields.get("keywords")),
        mesh=clean.words(fields.get("mesh")),
    )
