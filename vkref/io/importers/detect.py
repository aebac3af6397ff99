"""Recognising a file's format from its first bytes; the file name is only a hint for ambiguous content."""
from __future__ import annotations

import re

from vkref.io.importers.decode import bom_encoding, utf16_without_bom

_RIS = re.compile(r"^TY  -", re.MULTILINE)
_WOS = re.compile(r"^(?:FN |PT [A-Z]\s*$)", re.MULTILINE)
# MEDLINE and RIS share the "XX  - " look: tags only one of them uses tell them apart.
_MEDLINE = re.compile(r"^(?:PMID|FAU |STAT|OWN |DP  |TA  |JT  |MH  |PT  |PG  |VI  |IP  |AID |LID )-", re.MULTILINE)
_RIS_TAGS = re.compile(r"^(?:ER|T1|JF|JO|PY|Y1|SP|EP|VL|KW|N2|UR|DO|A1|T2)  -", re.MULTILINE)
_MEDLINE_WEAK = re.compile(r"^(?:TI  |AB  |AU  )-", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_CSV_HEADER = re.compile(r"\b(?:title|abstract|authors?|doi|pmid|year)\b", re.IGNORECASE)
_HINTS = {".ris": "ris", ".enw": "ris", ".bib": "bibtex", ".bibtex": "bibtex", ".nbib": "medline",
          ".medline": "medline", ".json": "csl-json", ".csv": "csv", ".tsv": "csv"}


def head_text(head: bytes) -> str:
    """The head decoded leniently (enough to recognise a format), without BOM and leading blanks."""
    encoding = bom_encoding(head) or utf16_without_bom(head) or "utf-8"
    text = head.decode(encoding, errors="replace")
    return text.lstrip("\ufeff \t\r\n").replace("\r\n", "\n").replace("\r", "\n")


def _xml_format(text: str) -> str | None:
    if re.search(r"<(?:PubmedArticleSet|PubmedArticle|PubmedBookArticle)\b", text):
        return "pubmed-xml"
    if re.search(r"<xml>\s*<records>|<records>\s*<record>", text):
        return "endnote-xml"
    return None


def _csv_format(text: str) -> str | None:
    first = text.split("\n", 1)[0]
    if any(sep in first for sep in ",\t;") and _CSV_HEADER.search(first):
        return "csv"
    return None


def detect_format(head: bytes, filename: str = "") -> str | None:
    """The format of a file from its first bytes (64 KiB is plenty), else from its name; None if unknown."""
    text = head_text(head)
    if text.startswith("<"):
        return _xml_format(text)
    if text.startswith(("[", "{")):
        return "csl-json"
    for pattern, fmt in ((_RIS, "ris"), (_MEDLINE, "medline"), (_RIS_TAGS, "ris"), (_MEDLINE_WEAK, "medline"),
                         (_WOS, "ris"), (_BIBTEX, "bibtex")):
        if pattern.search(text):
            return fmt
    return _csv_format(text) or _hint(filename)


def _hint(filename: str) -> str | None:
    lower = filename.lower()
    return next((fmt for ext, fmt in _HINTS.items() if lower.endswith(ext)), None)
