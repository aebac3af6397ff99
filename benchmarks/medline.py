"""Generated PubMed XML (``PubmedArticleSet``) of N records for the import benchmark, deterministic by seed.

    python -m benchmarks.medline --records 100000 --out benchmarks/out/pubmed-100000.xml [--seed 6]

Each record is a review drawn by :class:`benchmarks.generate.Generator` (the same vocabulary, Zipf-skewed concepts,
general medical word list, journals and author names): title, abstract (150-250 words), 1-6 authors, journal and
ISO abbreviation, year, volume, issue, pages, PMID, DOI, publication type, keywords and MeSH descriptors (labels
of the record's concepts). PMIDs and DOIs are unique, so every record is new to an empty library.

    python -m benchmarks.medline --records 100000 --import-into DIR

also times ``vkref --library DIR import FILE`` (the CLI, in a child process: wall and CPU time, peak RSS, load
average) into a fresh library and prints the figures as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

from benchmarks.generate import Generator

HEAD = ('<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
        '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
PMID_BASE = 40_000_000


def article(gen: Generator, n: int) -> str:
    """One ``PubmedArticle`` element for record ``n``."""
    r = gen.review(n)
    pmid = str(PMID_BASE + n)
    authors = "".join(f"<Author ValidYN=\"Y\"><LastName>{escape(a.family)}</LastName><ForeName>{escape(a.given)}"
                      f"</ForeName></Author>" for a in r.authors)
    keywords = "".join(f"<Keyword MajorTopicYN=\"N\">{escape(k)}</Keyword>" for k in r.keywords)
    mesh = "".join(f"<MeshHeading><DescriptorName MajorTopicYN=\"N\">{escape(k)}</DescriptorName></MeshHeading>"
                   for k in r.keywords[:3])
    return (f"<PubmedArticle><MedlineCitation Status=\"MEDLINE\" Owner=\"NLM\"><PMID Version=\"1\">{pmid}</PMID>"
            f"<Article PubModel=\"Print\"><Journal><JournalIssue CitedMedium=\"Print\"><Volume>{r.volume}</Volume>"
            f"<Issue>{r.issue}</Issue><PubDate><Year>{r.year}</Year></PubDate></JournalIssue>"
            f"<Title>{escape(r.journal)}</Title><ISOAbbreviation>{escape(r.journal_abbrev)}</ISOAbbreviation>"
            f"</Journal><ArticleTitle>{escape(r.title)}</ArticleTitle><Pagination><MedlinePgn>{r.pages}</MedlinePgn>"
            f"</Pagination><ELocationID EIdType=\"doi\" ValidYN=\"Y\">{r.doi}</ELocationID><Abstract><AbstractText>"
            f"{escape(r.summary)}</AbstractText></Abstract><AuthorList CompleteYN=\"Y\">{authors}</AuthorList>"
            f"<PublicationTypeList><PublicationType UI=\"D016454\">Review</PublicationType></PublicationTypeList>"
            f"</Article><MeshHeadingList>{mesh}</MeshHeadingList><KeywordList Owner=\"NOTNLM\">{keywords}"
            f"</KeywordList></MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType=\"pubmed\">{pmid}"
            f"</ArticleId><ArticleId IdType=\"doi\">{r.doi}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>\n")


def write(path: Path, records: int, seed: int = 6) -> Path:
    from vkref.core import paths
    from vkref.io import bundled

    gen = Generator(bundled.load_vocabulary(paths.bundled_data_dir() / "vocabulary"), seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(HEAD)
        for n in range(records):
            fh.write(article(gen, n))
        fh.write("</PubmedArticleSet>\n")
    return path


def time_import(library: Path, xml: Path) -> dict:
    """``vkref --library DIR import FILE`` in a child process, into a fresh library (created first, not timed)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    subprocess.run([sys.executable, "-m", "vkref", "--library", str(library), "info"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "vkref", "--library", str(library), "import", "--json", str(xml)],
                         check=True, env=env, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = json.loads(out.stdout)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"records": report.get("imported"), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "records_per_s": round((report.get("imported") or 0) / wall, 1),
            "peak_rss_mb": round(after.ru_maxrss / 1024), "load_before": [round(x, 2) for x in load],
            "load_after": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.medline", description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--out", type=Path, help="the XML file (default benchmarks/out/pubmed-N.xml)")
    ap.add_argument("--import-into", type=Path, metavar="DIR", help="time the CLI import into this new library")
    args = ap.parse_args(argv)
    xml = args.out or Path(__file__).parent / "out" / f"pubmed-{args.records}.xml"
    if not xml.exists():
        t = time.perf_counter()
        write(xml, args.records, args.seed)
        print(f"wrote {xml} ({xml.stat().st_size / 1e6:.0f} MB, {time.perf_counter() - t:.0f} s)", file=sys.stderr)
    if args.import_into:
        if args.import_into.exists():
            raise SystemExit(f"{args.import_into} exists: the import is timed into a new library")
        print(json.dumps(time_import(args.import_into, xml), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
