"""Turning library records into index documents and index facet ids into display labels."""
from __future__ import annotations

from vkref.core.entities import Finding, Review
from vkref.core.vocabulary import ALL_FACETS, CONCEPT_FACETS, Vocabulary
from itertools import islice
from operator import itemgetter

from vkref.io.citation import label_of, short_label
from vkref.search.schema import IndexDoc

REVIEW_FACETS = ("agent", "population", "species", "outcome")  # a review carries its findings' subjects
NO_YEAR = "none"  # the year facet's value for undated records (label "No year")
NO_YEAR_LABEL = "No year"
REVIEW_STRENGTH = 1000  # reviews come after every finding in the evidence order


def year_values(year: int | None) -> list[str]:
    return [str(year)] if year else [NO_YEAR]


def _kinds(vocabulary: Vocabulary):
    """The evidence groups and strengths of ``vocabulary`` (vkref.library.evidence.Kinds), built once per
    vocabulary object."""
    from vkref.library.evidence import Kinds

    held = getattr(vocabulary, "_vkref_kinds", None)
    if held is None:
        held = Kinds(vocabulary)
        try:
            vocabulary._vkref_kinds = held
        except AttributeError:  # a vocabulary with __slots__: no cache
            pass
    return held


def evidence_strength(finding: Finding, vocabulary: Vocabulary) -> int:
    """A finding's place in "strongest evidence first", smaller first: human before animal before in vitro,
    then meta-analysis > RCT > controlled trial > observational > expert/mechanistic (the answer card's order)."""
    from vkref.library.evidence import STRENGTH

    group, rank = _kinds(vocabulary).order(finding)
    return group * (len(STRENGTH) + 1) + rank


def finding_title(finding: Finding, vocabulary: Vocabulary) -> str:
    """A short label: agents · population · outcome (the statement is the text)."""
    def labels(facet, n):
        ids = finding.concepts.get(facet, [])[:n]
        return ", ".join(_short(vocabulary[c].label) for c in ids if c in vocabulary)

    parts = [labels("agent", 3), labels("population", 1), labels("outcome", 2)]
    return " · ".join(p for p in parts if p)


def _short(label: str) -> str:
    return label.split(" (")[0] if label.startswith(("MK-", "Vitamin K1")) else label


def finding_doc(finding: Finding, review: Review, vocabulary: Vocabulary) -> IndexDoc:
    facets = {facet: vocabulary.with_ancestors(finding.concepts.get(facet, [])) for facet in CONCEPT_FACETS}
    facets["review"] = [review.id]
    facets["year"] = year_values(review.year)
    # the section heading is navigation, not content: it would make "menatetrenone" match findings filed
    # under "Treatment with Alfacalcidol or Menatetrenone" that are about alfacalcidol alone
    body = " ".join(x for x in (finding.cited_author, " ".join(finding.study_terms), finding.dose, finding.duration,
                                finding.sample_size, finding.effect_size, " ".join(finding.tags)) if x)
    return IndexDoc(
        kind="finding", id=finding.id, title=finding_title(finding, vocabulary), text=finding.statement,
        body=body, concepts=[c for ids in finding.concepts.values() for c in ids], facets=facets,
        coded={facet: list(finding.concepts.get(facet, [])) for facet in CONCEPT_FACETS}, year=review.year,
        strength=evidence_strength(finding, vocabulary),
    )


def review_codes(review: Review, findings: list[Finding]) -> dict[str, list[str]]:
    """What a review is filed under: the agents, populations and outcomes of its findings (a union), plus what
    is coded on the review itself (imported records: suggested codes from MeSH and keywords).

    Species is stricter, so that "Human" means human: a review counts under the species most of its findings
    report (ties: each of them), not under every species one of its findings mentions; a review without
    findings counts under its own coded species.
    """
    coded: dict[str, list[str]] = {}
    findings = sorted(findings, key=lambda f: f.id)  # one order whether built in full or incrementally
    for facet in REVIEW_FACETS:
        ids = [c for f in findings for c in f.concepts.get(facet, [])]
        if facet == "species":
            ids = _majority(findings)
        coded[facet] = list(dict.fromkeys(ids + list(review.concepts.get(facet, []))))
    return coded


def _majority(findings: list[Finding]) -> list[str]:
    counts: dict[str, int] = {}
    for f in findings:
        for c in dict.fromkeys(f.concepts.get("species", [])):
            counts[c] = counts.get(c, 0) + 1
    top = max(counts.values(), default=0)
    return [c for c, n in counts.items() if n == top]


def review_doc(review: Review, findings: list[Finding], vocabulary: Vocabulary) -> IndexDoc:
    coded = review_codes(review, findings)
    facets: dict[str, list[str]] = {facet: vocabulary.with_ancestors(coded[facet]) for facet in REVIEW_FACETS}
    facets["review"] = [review.id]
    facets["year"] = year_values(review.year)
    authors = " ".join(f"{a.family} {a.given}" for a in review.authors)
    body = " ".join(x for x in (authors, review.journal, review.journal_abbrev, " ".join(review.keywords),
                                review.notes, " ".join(review.tags)) if x)
    return IndexDoc(kind="review", id=review.id, title=review.title, text=review.summary, body=body,
                    fulltext=review.fulltext, concepts=[c for ids in coded.values() for c in ids], facets=facets,
                    coded=coded, year=review.year, strength=REVIEW_STRENGTH, counts=direction_counts(findings))


def passage_docs(review: Review, passages) -> list[IndexDoc]:
    """The index documents of a review's full-text passages (headings are navigation, not documents)."""
    facets = {"review": [review.id], "year": year_values(review.year)}
    return [IndexDoc(kind="passage", id=p.id, title=p.section, text=p.text, facets=facets, year=review.year,
                     strength=REVIEW_STRENGTH + 1) for p in passages if p.kind != "heading"]


def direction_counts(findings: list[Finding]) -> dict[str, int]:
    """A review's findings counted by coded direction (a finding counts once under each direction it holds)."""
    counts: dict[str, int] = {}
    for f in findings:
        for c in dict.fromkeys(f.concepts.get("direction", [])):
            counts[c] = counts.get(c, 0) + 1
    return counts


def facet_label(facet: str, value: str, vocabulary: Vocabulary, review_labels: dict[str, str]) -> str:
    if facet in CONCEPT_FACETS:
        return vocabulary[value].label if value in vocabulary else value
    if facet == "review":
        return review_labels.get(value, value)
    if facet == "year" and value == NO_YEAR:
        return NO_YEAR_LABEL
    return value


def review_label_map(reviews: list[Review]) -> dict[str, str]:
    """Review id -> label, in the order given (a label met again is numbered: "Iwamoto 2006 (2)")."""
    return numbered_labels((r.id, short_label(r)) for r in reviews)


def review_label_map_of_rows(rows) -> dict[str, str]:
    """:func:`review_label_map` from (id, first author's family or None, year, journal abbreviation, journal)
    rows in review id order (:func:`vkref.store.repository.review_label_rows`): no Review objects made."""
    return numbered_labels((rid, label_of(first, year, abbrev or journal)) for rid, first, year, abbrev, journal
                           in rows)


def numbered_labels(pairs) -> dict[str, str]:
    labels: dict[str, str] = {}
    used: dict[str, int] = {}
    for rid, label in pairs:
        used[label] = used.get(label, 0) + 1
        labels[rid] = label if used[label] == 1 else f"{label} ({used[label]})"
    return labels


def _by_value(counts: dict[str, int], known: dict[str, str] | None) -> list[tuple[str, int]]:
    """``counts``' items sorted by value. ``known`` (review labels, read in id order) gives that order in one
    pass when it holds every value and its order is the sorted one (a database's collation may differ)."""
    if known is not None and len(counts) <= len(known):
        ordered = [(v, counts[v]) for v in known if v in counts]
        if len(ordered) == len(counts) and all(a[0] < b[0] for a, b in zip(ordered, islice(ordered, 1, None))):
            return ordered
    return sorted(counts.items())


def labelled_facets(raw: dict[str, dict[str, int]], vocabulary: Vocabulary,
                    review_labels: dict[str, str]) -> dict[str, dict[str, int]]:
    """Every facet's counts by label: most frequent first, then by value; years newest first, "No year" last.
    Labels come from dictionaries, one look-up a value (a search at 100,000 findings counts ~10,000 reviews
    at every keystroke)."""
    out = {}
    for facet in ALL_FACETS:
        counts = raw.get(facet, {})
        # by value, then by count (stable, descending): the order of the key (-count, value) without its tuples
        ordered = sorted(_by_value(counts, review_labels if facet == "review" else None), key=itemgetter(1),
                         reverse=True)
        if facet == "review":
            get = review_labels.get
            out[facet] = {get(v, v): n for v, n in ordered}
        elif facet in CONCEPT_FACETS:
            concepts = vocabulary.concepts
            out[facet] = {concepts[v].label if v in concepts else v: n for v, n in ordered}
        else:
            out[facet] = {facet_label(facet, v, vocabulary, review_labels): n for v, n in ordered}
    out["year"] = dict(sorted(out["year"].items(), key=lambda kv: (kv[0] != NO_YEAR_LABEL, kv[0]), reverse=True))
    return out
