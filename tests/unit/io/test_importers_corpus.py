"""Every real bibliographic file in the shared corpus is either read with the number of records an
independent count of the raw file finds, or refused with a DataError naming the file; nothing else."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import SHARED
from vkref.core.errors import DataError
from vkref.io.importers import read_file
from vkref.io.importers.decode import decode

BIBLIO = SHARED / "data" / "biblio"
FILES = sorted(p for p in BIBLIO.glob("*/*") if p.is_file())
# The files the corpus itself describes as empty, malformed or holding no record, and why they are refused.
REFUSED = {
    "bibtexparser__empty.bib": "empty file",
    "bibtexparser__multiline_comments.bib": "no BibTeX records",
    "jabref__MedlineImporterTestMalformedEntry.xml": "malformed XML",
    "jabref__RisImporterCorrupted.ris": "no RIS record opens with a TY line",
}


def _records_in(folder: str, text: str) -> int:
    """Records counted straight from the raw text, without the importers' parsers."""
    if folder == "ris":
        return len(re.findall(r"(?m)^ER(?:  -|\s*$)", text))
    if folder == "bibtex":
        kinds = re.findall(r"(?m)^[ \t]*@\s*(\w+)\s*[{(]", text)
        return len([k for k in kinds if k.lower() not in ("string", "preamble", "comment")])
    if folder == "medline":
        blocks = re.split(r"\n[ \t]*\n", text)
        return len([b for b in blocks if re.search(r"(?m)^[A-Z][A-Z0-9]{1,3} *-", b)])
    if folder == "pubmed-xml":
        return len(re.findall(r"<Pubmed(?:Book)?Article[ >]", text))
    if folder == "endnote-xml":
        return text.count("<record>")
    data = json.loads(text)
    return len(data["items"] if isinstance(data, dict) else data)


def test_the_corpus_is_there():
    assert len(FILES) >= 127, f"expected the 127 shared files under {BIBLIO}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_is_read_whole_or_refused_clearly(path):
    if path.name in REFUSED:
        with pytest.raises(DataError) as refused:
            read_file(path)
        assert str(refused.value).startswith(f"{path.name}: ")
        assert REFUSED[path.name] in str(refused.value)
        return
    parsed = read_file(path)
    assert parsed.read == _records_in(path.parent.name, decode(path.read_bytes(), path.name))
    assert parsed.read == len(parsed.records) + len(parsed.errors)
    numbers = sorted([r.number for r in parsed.records] + [e.record for e in parsed.errors])
    assert numbers == list(range(1, parsed.read + 1))
    for record in parsed.records:
        assert record.review.title and record.review.id == ""
        assert record.review.doi == record.review.doi.lower() and not record.review.doi.startswith("http")
        assert record.review.pmid.isdigit() or record.review.pmid == ""
    for error in parsed.errors:
        assert error.reason


@pytest.mark.parametrize("folder,fmt", [("ris", "ris"), ("bibtex", "bibtex"), ("medline", "medline"),
                                        ("pubmed-xml", "pubmed-xml"), ("csl-json", "csl-json"),
                                        ("endnote-xml", "endnote-xml")])
def test_formats_are_detected_from_content(folder, fmt):
    for path in sorted((BIBLIO / folder).iterdir()):
        if path.name not in REFUSED:
            assert read_file(path).format == fmt, path.name
