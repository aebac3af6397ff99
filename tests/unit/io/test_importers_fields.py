"""Field-level checks of each reader on real files (values compared with what the file says), the encoding
ladder, format detection, CSV mapping, and refusals (binary, XML entity bombs, JSON that is not CSL)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import SHARED
from vkref.core.entities import Author
from vkref.core.errors import DataError
from vkref.io.importers import FORMATS, detect_format, read_file
from vkref.io.importers import clean

BIBLIO = SHARED / "data" / "biblio"


def first(relative: str):
    return read_file(BIBLIO / relative).records[0].review


def test_ris_embase_record():
    parsed = read_file(BIBLIO / "ris/asreview__embase.ris")
    review = parsed.records[0].review
    assert review.title == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    assert review.authors == [Author("Liu", "R."), Author("Adler", "D.G.")]
    assert (review.year, review.journal, review.volume, review.issue) == (2014, "Endoscopic Ultrasound", "3", "3")
    assert review.doi == "10.4103/2303-9027.138783" and review.pages == "152-160"
    assert parsed.records[0].line == 1  # the file starts with a BOM, which must not lose the first record


def test_web_of_science_tagged_file_saved_as_ris():
    parsed = read_file(BIBLIO / "ris/rispy__example_wos.ris")
    review = parsed.records[0].review
    assert parsed.format == "ris" and parsed.read == 2
    assert review.title.startswith("Interactions stabilizing the structure of the core light-harvesting complex")
    assert review.authors[0] == Author("Parkes-Loach", "PS") and len(review.authors) == 4
    assert (review.year, review.doi, review.pmid) == (2004, "10.1021/bi049798f", "15170338")
    assert review.source_id == "WOS:000221807500019" and review.pages == "7003-7016"


def test_ris_thousands_of_authors_kept_in_order():
    path = BIBLIO / "ris/asreview__ris_many_authors.ris"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    names = [line[6:].strip() for line in lines if line.startswith(("AU  -", "A1  -"))]
    review = read_file(path).records[0].review
    assert len(names) > 1000 and [str(a) for a in review.authors] == [str(Author.parse(n)) for n in names]


def test_ris_line_numbers_point_at_the_ty_line():
    path = BIBLIO / "ris/litstudy__example.ris"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    for record in read_file(path).records:
        assert lines[record.line - 1].startswith("TY  -")


def test_medline_record():
    review = first("medline/biopython__pubmed_result2.txt")
    assert review.title == "A high level interface to SCOP and ASTRAL implemented in python"
    assert review.authors[:2] == [Author("Casbon", "James A"), Author("Crooks", "Gavin E")]
    assert (review.year, review.pmid, review.source_id, review.doi) == (2006, "16403221", "16403221",
                                                                         "10.1186/1471-2105-7-10")
    assert (review.journal, review.journal_abbrev, review.volume, review.pages) == (
        "BMC bioinformatics", "BMC Bioinformatics", "7", "10")
    assert "Programming Languages" in review.mesh and review.summary.startswith("BACKGROUND: Benchmarking")


def test_medline_mesh_subheadings_stripped_and_fragments_are_records():
    parsed = read_file(BIBLIO / "medline/jabref__MedlinePlainImporterTestMultipleEntries.txt")
    review = parsed.records[0].review
    assert review.mesh[-3:] == ["Occupational Health", "Reproductive Medicine", "Women, Working"]
    assert review.title.endswith("in early twentieth-century Britain")  # continuation line joined
    assert parsed.read == 7 and all(e.reason == "no title" for e in parsed.errors)


def test_pubmed_xml_article():
    parsed = read_file(BIBLIO / "pubmed-xml/biopython__pubmed2.xml")
    review = parsed.records[0].review
    assert review.title.startswith("Is cryopreservation a homogeneous process?")
    assert review.authors[0] == Author("Taddei", "A R") and review.pmid == "11748933"
    assert (review.year, review.journal, review.volume, review.issue, review.pages) == (
        2001, "Cryobiology", "42", "4", "244-55")
    assert review.doi == "10.1006/cryo.2001.2328" and "Animals" in review.mesh
    assert "<PubmedArticle>" in (BIBLIO / "pubmed-xml/biopython__pubmed2.xml").read_text().splitlines()[
        parsed.records[0].line - 1]


def test_pubmed_xml_italics_flattened_and_book_with_corporate_author():
    italics = first("pubmed-xml/jabref__MedlineImporterTestArticleItalics.xml")
    assert "<i>" not in italics.title and italics.title == "Genome-wide significant risk factors on chromosome 19 and the APOE locus"
    book = first("pubmed-xml/jabref__MedlineImporterTestPubmedBook.xml")
    assert book.authors[0] == Author("National Collaborating Centre for Chronic Conditions (UK)")
    assert book.pmid == "21413195" and book.year == 2009


def test_csl_json_item():
    review = first("csl-json/manubot__pubmed-scihub-study-csl.json")
    assert review.title == "Sci-Hub provides access to nearly all scholarly literature"
    assert review.authors[0] == Author("Himmelstein", "Daniel S") and len(review.authors) == 7
    assert (review.year, review.doi, review.pmid, review.source_id) == (2018, "10.7554/elife.32822", "29424689",
                                                                         "IJbk7Kpe")


def test_endnote_xml_record():
    parsed = read_file(BIBLIO / "endnote-xml/jabref__EndnoteXmlImporterTestArticle.xml")
    review = parsed.records[0].review
    assert review.title.startswith("Trends in the lifetime risk of developing cancer in Great Britain")
    assert review.authors == [Author("Ahmad", "AS"), Author("Ormiston-Smith", "N"), Author("Sasieni", "PD")]
    assert (review.year, review.pages, review.volume, review.issue) == (2015, "943-7", "112", "5")
    assert review.doi == "10.1038/bjc.2014.606" and review.source_id == "2954"


def test_bibtex_accents_strings_and_capital_and():
    encoded = first("bibtex/bibtexparser__encoding.bib")
    assert encoded.authors == [Author("César", "Jean")] and encoded.journal == "Elémentaire"
    macros = first("bibtex/bibtexparser__article_with_strings.bib")
    assert macros.authors == [Author("César", "Jean")] and macros.journal == "Nice Journal"
    book = first("bibtex/bibtexparser__book_capital_AND.bib")
    assert [a.family for a in book.authors] == ["Bird", "Armstrong", "Hassager"]
    assert (book.type, book.year, book.source_id) == ("book", 1987, "Bird1987")


def test_bibtex_utf16_and_cp1252_files():
    for name in ("jabref__tiny-LE-noBOM.bib", "jabref__tiny-LE-withBOM.bib", "jabref__tiny-BE-withBOM.bib"):
        assert read_file(BIBLIO / "bibtex" / name).records[0].review.source_id.startswith("Verwilghen"), name
    parsed = read_file(BIBLIO / "bibtex/jabref__encoding-windows-1252-with-header.bib")
    assert parsed.errors[0].reason == "no title"


def test_bibtex_braced_corporate_author_crossref_and_bad_entry(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("@proceedings{conf, title={Proc. Bone Meeting}, year={2005}}\n"
                    "@inproceedings{a, author={{World Health Organization} and M{\\\"u}ller, J.},\n"
                    " title={{Vitamin K2} and \\emph{bone}.}, crossref={conf}, doi={https://doi.org/10.1000/ABC}}\n"
                    "@article{broken, title = {never closed\n", encoding="utf-8")
    parsed = read_file(path)
    review = parsed.records[1].review
    assert review.authors == [Author("World Health Organization"), Author("Müller", "J.")]
    assert (review.title, review.year, review.journal, review.doi) == (
        "Vitamin K2 and bone", 2005, "Proc. Bone Meeting", "10.1000/abc")
    assert parsed.read == 3 and parsed.errors[0].line == 4 and parsed.errors[0].record == 3


def test_cleaning_rules():
    assert [clean.year(v) for v in ("2006 Mar 15", "2006/03/15/", "Spring 2006", "2006-2007", "20060315")] == [2006] * 5
    assert [clean.doi(v) for v in ("https://doi.org/10.1000/XYZ", "doi:10.1000/xyz.", "10.1000/xyz [doi]")] == [
        "10.1000/xyz"] * 3
    assert clean.pmid("PMID: 123 [PubMed]") == "123"
    assert clean.title("  <i>Vitamin</i>   {K2} and bone. ") == "Vitamin K2 and bone"


def test_csv_headers_mapping_and_refusal(tmp_path):
    path = tmp_path / "refs.csv"
    path.write_text("Article Title;Authors;Publication Year;DOI;Notes\n"
                    "Menatetrenone and fracture;Iwamoto J, Takeda T;2006;10.1/X;n\n"
                    ";Nobody;2001;;\n", encoding="utf-8")
    parsed = read_file(path)
    review = parsed.records[0].review
    assert parsed.format == "csv" and parsed.read == 2 and parsed.errors[0].line == 3
    assert review.authors == [Author("Iwamoto", "J"), Author("Takeda", "T")] and review.year == 2006
    tsv = tmp_path / "refs.tsv"
    tsv.write_text("Name\tWho\nK2 review\tSmith, A and Jones, B\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"refs.tsv: no title column \(columns: Name, Who\)"):
        read_file(tsv, fmt="csv")
    mapped = read_file(tsv, fmt="csv", mapping={"Name": "title", "Who": "authors"}).records[0].review
    assert mapped.title == "K2 review" and mapped.authors == [Author("Smith", "A"), Author("Jones", "B")]


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"), (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"), (b"hello world\n", "unknown format"),
    (b'{"title": "x"', "malformed JSON"), (b'{"a": 1}', "not CSL-JSON"), (b"[1, 2]", "not CSL-JSON"),
    (b"<PubmedArticleSet><PubmedArticle>", "malformed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
     b"<PubmedArticleSet><PubmedArticle>&b;</PubmedArticle></PubmedArticleSet>", "entity declarations"),
    (b"\xff\xfeT\x00Y\x00 \x00 \x00-\x00\x00\xd8", "broken UTF-16-LE"),
])
def test_unreadable_files_are_refused_in_one_line(tmp_path, content, reason):
    path = tmp_path / "input.dat"
    path.write_bytes(content)
    with pytest.raises(DataError) as refused:
        read_file(path)
    assert str(refused.value).startswith("input.dat: ") and reason in str(refused.value)
    assert "\n" not in str(refused.value)


def test_unknown_format_name_refused(tmp_path):
    path = tmp_path / "x.ris"
    path.write_text("TY  - JOUR\nTI  - A\nER  - \n")
    with pytest.raises(DataError, match="unknown format 'word'"):
        read_file(path, fmt="word")


def test_detection_uses_content_before_name():
    assert detect_format(b"TY  - JOUR\nER  - \n", "refs.bib") == "ris"
    assert detect_format(b"PMID- 1\nTI  - x\n", "refs.ris") == "medline"
    assert detect_format(b"\xef\xbb\xbf@article{k, title={x}}", "") == "bibtex"
    assert detect_format(json.dumps([{"title": "x"}]).encode(), "a.txt") == "csl-json"
    assert detect_format(b"", "refs.nbib") == "medline" and detect_format(b"???", "") is None
    assert set(FORMATS) == {"ris", "bibtex", "medline", "pubmed-xml", "csl-json", "endnote-xml", "csv"}


def test_progress_is_reported(tmp_path):
    path = tmp_path / "many.ris"
    path.write_text("".join(f"TY  - JOUR\nTI  - Title {i}\nER  - \n" for i in range(250)))
    seen: list[int] = []
    parsed = read_file(path, progress=seen.append)
    assert seen == [100, 200, 250] and parsed.read == 250 and parsed.records[249].line == 748
