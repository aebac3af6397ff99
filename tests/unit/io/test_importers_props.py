"""Property-based tests: random bytes and mutated real files of every format never make the importers raise
anything but DataError, and whatever is returned keeps ``read == records + errors`` with 1-based numbers."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from vkref.core.errors import DataError
from vkref.io.importers import FORMATS, read_file

BIBLIO = SHARED / "data" / "biblio"
SAMPLES = {  # one small real file per format, mutated below
    "ris": BIBLIO / "ris/rispy__example_full.ris", "bibtex": BIBLIO / "bibtex/bibtexparser__article_with_strings.bib",
    "medline": BIBLIO / "medline/biopython__pubmed_result2.txt",
    "pubmed-xml": BIBLIO / "pubmed-xml/jabref__MedlineImporterTestArticleNoISSN.xml",
    "csl-json": BIBLIO / "csl-json/manubot__input-bibliography.json",
    "endnote-xml": BIBLIO / "endnote-xml/jabref__EndnoteXmlImporterTestArticle2.xml",
}
CSV_SAMPLE = b'title,authors,year,doi\n"Vitamin K2, bone",Smith J; Doe A,2006,10.1000/x\nOther,,2001,\n'
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(content: bytes, fmt: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.txt"
        path.write_bytes(content)
        try:
            parsed = read_file(path, fmt=fmt)
        except DataError as refused:
            assert str(refused).startswith("input.txt: ") and "\n" not in str(refused)
            return
    assert parsed.read == len(parsed.records) + len(parsed.errors) > 0
    numbers = sorted([r.number for r in parsed.records] + [e.record for e in parsed.errors])
    assert numbers == list(range(1, parsed.read + 1))
    assert all(r.review.title for r in parsed.records)


def _sample(fmt: str) -> bytes:
    return CSV_SAMPLE if fmt == "csv" else SAMPLES[fmt].read_bytes()


@st.composite
def mutated(draw):
    fmt = draw(st.sampled_from(FORMATS))
    data = bytearray(_sample(fmt))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate", "duplicate"]))
        if action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at:at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
        elif action == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 200))]
    return fmt, bytes(data)


@PROPS
@given(st.binary(max_size=400), st.sampled_from((None,) + FORMATS))
def test_random_bytes_raise_only_data_error(content, fmt):
    _check(content, fmt)


@PROPS
@given(mutated(), st.booleans())
def test_mutated_real_files_raise_only_data_error(case, forced):
    fmt, content = case
    _check(content, fmt if forced else None)


@PROPS
@given(st.sampled_from(FORMATS), st.text(max_size=300))
def test_real_file_with_random_text_spliced_in(fmt, noise):
    data = _sample(fmt)
    middle = len(data) // 2
    _check(data[:middle] + noise.encode("utf-8", "surrogatepass") + data[middle:], fmt)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]),
       st.sampled_from([f for f in FORMATS if not f.endswith("xml")]))  # XML files declare their own encoding
def test_re_encoded_files_read_like_the_original(tmp_path_factory, encoding, fmt):
    folder = tmp_path_factory.mktemp("enc")
    original, copy = folder / "original", folder / "copy"
    original.write_bytes(_sample(fmt))
    copy.write_bytes(_sample(fmt).decode("utf-8-sig").encode(encoding))
    expected = read_file(original, fmt=fmt)
    assert [r.review for r in read_file(copy, fmt=fmt).records] == [r.review for r in expected.records]


@PROPS
@given(st.sampled_from(["cp1252", "latin-1"]), st.sampled_from(FORMATS))
def test_single_byte_encodings_never_crash(encoding, fmt):
    _check(_sample(fmt).decode("utf-8-sig").encode(encoding, errors="replace"), fmt)
