"""PubMed XML (efetch ``PubmedArticleSet`` with ``PubmedArticle`` and ``PubmedBookArticle``), streamed.

Reads journal articles from ``MedlineCitation/Article`` and books or chapters from ``BookDocument``; inline
markup (``<i>``, ``<sup>``, MathML) in titles and abstracts is flattened to its text.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element

from vkref.core.entities import Author
from vkref.io.importers.model import RawRecord
from vkref.io.importers.xmlstream import all_text, find_text, records, text

_RECORDS = ("PubmedArticle", "PubmedBookArticle")


def parse(stream: BinaryIO, name: str) -> Iterator[RawRecord]:
    for line, element in records(stream, name, _RECORDS):
        yield RawRecord(line, _book(element) if element.tag == "PubmedBookArticle" else _article(element))


def _authors(parent: Element | None) -> list[Author]:
    found = []
    for a in parent.iterfind("AuthorList/Author") if parent is not None else []:
        family, collective = find_text(a, "LastName"), find_text(a, "CollectiveName")
        given = find_text(a, "ForeName") or find_text(a, "Initials")
        if family or collective:
            found.append(Author(family, given) if family else Author(collective))
    return found


def _year(date: Element | None) -> str:
    return (find_text(date, "Year") or find_text(date, "MedlineDate")) if date is not None else ""


def _abstract(parent: Element | None) -> str:
    if parent is None:
        return ""
    parts = []
    for node in parent.iterfind("Abstract/AbstractText"):
        label = node.get("Label")
        parts.append(f"{label}: {text(node)}" if label else text(node))
    return " ".join(p for p in parts if p)


def _ids(element: Element, path: str) -> dict[str, str]:
    return {node.get("IdType", ""): text(node) for node in element.iterfind(path)}


def _article(element: Element) -> dict:
    citation = element.find("MedlineCitation")
    citation = citation if citation is not None else Element("MedlineCitation")
    article = citation.find("Article")
    article = article if article is not None else Element("Article")
    ids = _ids(element, "PubmedData/ArticleIdList/ArticleId")
    locations = {n.get("EIdType", ""): text(n) for n in article.iterfind("ELocationID")}
    pmid = find_text(citation, "PMID") or ids.get("pubmed", "")
    issue = article.find("Journal/JournalIssue")
    return {
        "title": find_text(article, "ArticleTitle") or find_text(article, "VernacularTitle"),
        "authors": _authors(article), "journal": find_text(article, "Journal/Title"),
        "journal_abbrev": find_text(article, "Journal/ISOAbbreviation") or find_text(citation,
                                                                                      "MedlineJournalInfo/MedlineTA"),
        "year": _year(issue.find("PubDate") if issue is not None else None) or _year(article.find("ArticleDate")),
        "volume": find_text(article, "Journal/JournalIssue/Volume"),
        "issue": find_text(article, "Journal/JournalIssue/Issue"),
        "pages": find_text(article, "Pagination/MedlinePgn") or find_text(article, "Pagination/StartPage"),
        "doi": ids.get("doi") or locations.get("doi", ""), "pmid": pmid, "source_id": pmid,
        "type": all_text(article, "PublicationTypeList/PublicationType"), "summary": _abstract(article),
        "keywords": all_text(citation, "KeywordList/Keyword"),
        "mesh": all_text(citation, "MeshHeadingList/MeshHeading/DescriptorName"),
    }


def _book(element: Element) -> dict:
    document = element.find("BookDocument")
    document = document if document is not None else Element("BookDocument")
    ids = _ids(element, "PubmedBookData/ArticleIdList/ArticleId")
    pmid = find_text(document, "PMID") or ids.get("pubmed", "")
    chapter = find_text(document, "ArticleTitle")
    kinds = all_text(document, "PublicationType") or (["chapter"] if chapter else ["book"])
    return {
        "title": chapter or find_text(document, "Book/BookTitle"),
        "authors": _authors(document) or _authors(document.find("Book")),
        "journal": find_text(document, "Book/BookTitle") if chapter else "",
        "year": _year(document.find("Book/PubDate")), "volume": find_text(document, "Book/Volume"),
        "pages": find_text(document, "Pagination/MedlinePgn"), "doi": ids.get("doi", ""), "pmid": pmid,
        "source_id": pmid, "type": kinds, "summary": _abstract(document),
        "keywords": all_text(document, "KeywordList/Keyword"),
    }
