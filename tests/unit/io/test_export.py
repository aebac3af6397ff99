"""Every exporter's output is read back with the standard parser for its format (rispy, bibtexparser 2,
json, csv, html.parser) and compared with the records it was made from: the bundled library plus records
with the awkward values (non-ASCII and corporate names, LaTeX specials, pipes, markup, a PMID)."""
from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import bibtexparser
import pytest
import rispy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from vkref.core import paths
from vkref.core.entities import Author, Finding, Review
from vkref.core.errors import DataError, UsageError
from vkref.core.status import banner, status_of
from vkref.io import bundled, vkjson
from vkref.io.citation import format_citation
from vkref.io.export import EXPORT_FORMATS, STYLES, export
from vkref.io.export.bibtex import unique_keys
from vkref.io.export.evidence import COLUMNS


@pytest.fixture(scope="module")
def data():
    return bundled.load(paths.bundled_data_dir())


def odd_reviews() -> list[Review]:
    return [
        Review("odd-1", "MK-4 & 50% of {rats} under $5_000 #1 ~ ^ \\ | <b>bold</b>",
               [Author("Ørsted", "Søren"), Author("Lefèvre", "Élodie"), Author("王", "小明"),
                Author("World Health Organization")], journal="J Bone & Miner Res", journal_abbrev="JBMR",
               year=2019, volume="34", issue="2", pages="200-209", doi="10.1002/jbmr.3602", pmid="30512345",
               keywords=["vitamin K2", "zinc; genistein"], summary="Line one.\nLine two, with \"quotes\"."),
        Review("odd-2", "Second record without a year", [Author("Ørsted", "Søren")], journal="Bone"),
        Review("odd-3", "Same first author, same year", [Author("Ørsted", "Søren")], journal="Bone", year=2019),
    ]


@pytest.fixture(scope="module")
def reviews(data):
    return data.reviews + odd_reviews()


def expected(review: Review) -> dict:
    return {"title": review.title, "authors": [str(a) for a in review.authors], "year": review.year,
            "journal": review.journal, "doi": review.doi, "pmid": review.pmid}


# ---------------------------------------------------------------------------------------------- records
def test_ris_reads_back_with_rispy(reviews):
    entries = rispy.loads(export("ris", reviews, [], None))
    assert len(entries) == len(reviews)
    got = [{"title": e["title"], "authors": e.get("authors", []), "year": int(e["year"]) if "year" in e else None,
            "journal": e.get("journal_name", ""), "doi": e.get("doi", ""), "pmid": e.get("accession_number", "")}
           for e in entries]
    assert got == [expected(r) for r in reviews]
    assert [e["id"] for e in entries] == [r.source_id or r.id for r in reviews]
    assert entries[-3]["alternate_title2"] == "JBMR" and entries[-3]["start_page"] == "200"
    assert entries[-3]["abstract"] == 'Line one. Line two, with "quotes".'
    assert entries[-3]["keywords"] == ["vitamin K2", "zinc; genistein"]


def _bib_author(name) -> str:
    """"Family, Given"; a braced corporate name is one last name, given back without its braces."""
    given = " ".join(name.first + name.von)
    family = " ".join(name.last)
    return f"{family}, {given}" if given else family.strip("{}")


def test_bibtex_reads_back_with_bibtexparser(reviews):
    text = export("bibtex", reviews, [], None)
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts(),
                                                                 LatexDecodingMiddleware()])
    assert not library.failed_blocks
    entries = library.entries
    assert len(entries) == len(reviews)
    for entry, review in zip(entries, reviews):
        fields = entry.fields_dict
        # pylatexenc decodes \\textasciicircum to U+02C6 (modifier letter circumflex) rather than "^"
        got = {"title": fields["title"].value.replace("\u02c6", "^"),
               "year": int(fields["year"].value) if "year" in fields else None,
               "authors": [_bib_author(n) for n in fields["author"].value] if "author" in fields else [],
               "journal": fields["journal"].value if "journal" in fields else "",
               "doi": fields["doi"].value if "doi" in fields else "",
               "pmid": fields["pmid"].value if "pmid" in fields else ""}
        assert got == expected(review), entry.key


def test_bibtex_keys_are_unique_and_readable(reviews):
    keys = unique_keys(reviews)
    assert len(set(keys)) == len(keys)
    assert keys[:4] == ["iwamoto2003", "iwamoto2006", "iwamoto2006a", "yamaguchi"]
    assert keys[-3:] == ["orsted2019", "orsted", "orsted2019a"]
    odd = [Review("x", "t", [Author("van der Berg", "Anna")], year=2001), Review("東京-1", "t", [Author("王", "小明")]),
           Review("y", "t", [Author("World Health Organization")], year=2001)]
    assert unique_keys(odd) == ["vanderberg2001", "ref1", "worldhealthorganizat2001"]


def test_bibtex_escapes_specials_keeps_utf8_and_protects_names():
    text = export("bibtex", odd_reviews(), [], None)
    assert (r"title = {{MK-4} \& 50\% of \{rats\} under \$5\_000 \#1 \textasciitilde{} \textasciicircum{} "
            r"\textbackslash{} | <b>bold</b>}") in text
    assert "title = {Second record without a year}" in text
    assert "Ørsted, Søren and Lefèvre, Élodie and 王, 小明 and {World Health Organization}" in text
    assert "doi = {10.1002/jbmr.3602}" in text and "pages = {200--209}" in text


def test_csl_json_reads_back(reviews):
    items = json.loads(export("csl-json", reviews, [], None))
    assert len(items) == len(reviews)
    for item, review in zip(items, reviews):
        names = [f"{a['family']}, {a['given']}" if "given" in a else a.get("family", a.get("literal"))
                 for a in item["author"]]
        got = {"title": item["title"], "authors": names, "year": item["issued"]["date-parts"][0][0]
               if "issued" in item else None, "journal": item.get("container-title", ""),
               "doi": item.get("DOI", ""), "pmid": item.get("PMID", "")}
        assert got == expected(review)
        assert item["id"] == review.id and item["type"] == "article-journal"
    assert items[-3]["author"][3] == {"literal": "World Health Organization"}
    assert items[-3]["container-title-short"] == "JBMR" and items[-3]["page"] == "200-209"


def test_csv_reads_back(reviews):
    rows = list(csv.DictReader(io.StringIO(export("csv", reviews, [], None))))
    assert len(rows) == len(reviews)
    for row, review in zip(rows, reviews):
        got = {"title": row["title"], "authors": row["authors"].split("; ") if row["authors"] else [],
               "year": int(row["year"]) if row["year"] else None, "journal": row["journal"], "doi": row["doi"],
               "pmid": row["pmid"]}
        assert got == expected(review)
        assert row["keywords"] == "; ".join(review.keywords)
    assert rows[-3]["abstract"] == 'Line one. Line two, with "quotes".'


@pytest.mark.parametrize("style", STYLES)
def test_citations_one_per_line(reviews, style):
    lines = export("citations", reviews, [], None, style=style).splitlines()
    assert lines == [format_citation(r, style) for r in reviews]


_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(lambda t: t.split())
_names = st.lists(st.builds(Author, _text, st.text(st.characters(whitelist_categories=("L",)), max_size=12)),
                  max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_text, authors=_names, journal=_text, year=st.none() | st.integers(1800, 2100))
def test_any_text_survives_ris_csv_and_csl_json(title, authors, journal, year):
    authors = [a for a in authors if a.family.split() and "," not in a.family and ";" not in a.family]
    review = Review("h1", title, authors, journal=journal, year=year, doi="10.1/x", pmid="123")
    want = {"title": " ".join(title.split()), "journal": " ".join(journal.split()), "year": year,
            "authors": [" ".join(str(a).split()) for a in authors]}
    ris = rispy.loads(export("ris", [review], [], None))[0]
    assert (ris["title"], ris["journal_name"], ris.get("authors", [])) == (want["title"], want["journal"],
                                                                         want["authors"])
    row = next(csv.DictReader(io.StringIO(export("csv", [review], [], None))))
    assert (row["title"], row["journal"], row["year"]) == (want["title"], want["journal"], str(year or ""))
    item = json.loads(export("csl-json", [review], [], None))[0]
    assert (item["title"], item["container-title"], item.get("issued")) == (
        want["title"], want["journal"], {"date-parts": [[year]]} if year else None)


# ---------------------------------------------------------------------------------------------- evidence
def odd_finding() -> Finding:
    return Finding("odd-f1", "odd-1", "MK-4 | zinc <script>alert(1)</script> & more\nsecond line",
                   concepts={"agent": ["mk4", "zinc"], "species": ["rat"], "direction": ["beneficial"]},
                   dose="45 mg/day", sample_size="n=12 | 12", caution="check the source")


def expected_row(finding, review, vocabulary, style="vancouver") -> list[str]:
    def labels(facet):
        return "; ".join(vocabulary[c].label for c in finding.concepts.get(facet, []))

    line = banner(status_of(review, finding.source_retracted))  # a retracted or doubtful source first
    caution = "; ".join(c for c in (line, finding.caution, review.caution) if c)
    row = [finding.id, finding.statement, labels("population"), labels("agent"), labels("outcome"),
           labels("direction"), labels("evidence"), labels("species"), finding.dose, finding.duration,
           finding.sample_size, finding.effect_size, caution, format_citation(review, style)]
    return [" ".join(v.split()) for v in row]


@pytest.fixture(scope="module")
def evidence(data):
    assert {"mk4", "zinc", "rat", "beneficial"} <= set(data.vocabulary.concepts)
    reviews = data.reviews + odd_reviews()
    findings = data.findings + [odd_finding()]
    by_id = {r.id: r for r in reviews}
    rows = [expected_row(f, by_id[f.review_id], data.vocabulary) for f in findings]
    return reviews, findings, rows


def test_evidence_csv_reads_back(data, evidence):
    reviews, findings, rows = evidence
    table = list(csv.reader(io.StringIO(export("evidence-csv", reviews, findings, data.vocabulary))))
    assert table[0] == list(COLUMNS)
    assert table[1:] == rows


def _md_cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [re.sub(r"\\(.)", r"\1", c.strip()) for c in cells]


def test_evidence_markdown_escapes_pipes(data, evidence):
    reviews, findings, rows = evidence
    lines = export("evidence-md", reviews, findings, data.vocabulary).splitlines()
    assert _md_cells(lines[0]) == list(COLUMNS) and len(lines) == len(rows) + 2
    assert [_md_cells(line) for line in lines[2:]] == rows


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.tags, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, text):
        if self._cell is not None:
            self._cell += text


def test_evidence_html_is_self_contained_and_escaped(data, evidence):
    reviews, findings, rows = evidence
    page = export("evidence-html", reviews, findings, data.vocabulary)
    parser = _Cells()
    parser.feed(page)
    assert parser.rows[0] == list(COLUMNS) and parser.rows[1:] == rows
    assert "script" not in parser.tags and "<script>" not in page and "&lt;script&gt;" in page
    assert not re.search(r"\b(src|href)=|<link|@import|url\(", page)


def test_evidence_citation_of_overrides_the_style(data):
    review = data.reviews[0]
    findings = [f for f in data.findings if f.review_id == review.id]
    table = list(csv.DictReader(io.StringIO(export("evidence-csv", [review], findings, data.vocabulary,
                                                   citation_of=lambda r: f"cited {r.id}"))))
    assert {row["citation"] for row in table} == {f"cited {review.id}"} and len(table) == len(findings)
    apa = list(csv.DictReader(io.StringIO(export("evidence-csv", [review], findings, data.vocabulary, style="apa"))))
    assert apa[0]["citation"] == format_citation(review, "apa")


def test_evidence_finding_without_its_review_is_an_error(data):
    with pytest.raises(DataError, match=f"finding {data.findings[0].id}: its review"):
        export("evidence-md", [], data.findings[:1], data.vocabulary)


# ---------------------------------------------------------------------------------------------- json, errors
def test_json_export_is_the_library_json(data):
    text = export("json", data.reviews, data.findings, data.vocabulary, studies=data.studies)
    assert json.loads(text) == vkjson.dump(data.reviews, data.findings, data.vocabulary, studies=data.studies)
    back = vkjson.load(text, "export.json")
    assert [r.id for r in back.reviews] == [r.id for r in data.reviews] and len(back.findings) == len(data.findings)


def test_unknown_format_or_style_lists_the_valid_ones(data):
    with pytest.raises(UsageError) as err:
        export("endnote", data.reviews, [], data.vocabulary)
    assert ", ".join(EXPORT_FORMATS) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(UsageError, match="vancouver, ama, apa"):
        export("citations", data.reviews, [], data.vocabulary, style="mla")
