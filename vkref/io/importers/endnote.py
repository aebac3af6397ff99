"""EndNote XML (``<xml><records><record>...``), streamed through the hardened XML reader.

Written by hand over defusedxml: no maintained Python reader of EndNote XML exists. Values sit in
``<style>`` elements (sometimes several, sometimes none); the text of the whole element is taken either way.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element

from vkref.io.importers.model import RawRecord
from vkref.io.importers.xmlstream import all_text, find_text, records


def parse(stream: BinaryIO, name: str) -> Iterator[RawRecord]:
    for line, element in records(stream, name, ("record",)):
        yield RawRecord(line, _fields(element))


def _first(element: Element, *paths: str) -> str:
    return next((v for v in (find_text(element, p) for p in paths) if v), "")


def _kind(element: Element) -> list[str]:
    node = element.find("ref-type")
    return [node.get("name", "")] if node is not None else []


def _fields(e: Element) -> dict:
    accession = find_text(e, "accession-num")
    return {
        "title": _first(e, "titles/title", "titles/short-title", "titles/translated-title"),
        "authors": all_text(e, "contributors/authors/author") or all_text(e, "contributors/secondary-authors/author"),
        "journal": _first(e, "periodical/full-title", "titles/secondary-title", "journal"),
        "journal_abbrev": _first(e, "periodical/abbr-1", "titles/alt-title"),
        "year": _first(e, "dates/year", "dates/pub-dates/date"), "volume": find_text(e, "volume"),
        "issue": _first(e, "number", "issue"), "pages": find_text(e, "pages"),
        "doi": _first(e, "electronic-resource-num", "doi"),
        "pmid": accession if accession.isdigit() else "", "source_id": find_text(e, "rec-number"),
        "type": _kind(e), "summary": find_text(e, "abstract"),
        "keywords": [k for kw in all_text(e, "keywords/keyword") for k in kw.split(";")],
    }
