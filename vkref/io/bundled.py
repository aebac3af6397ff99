"""Loader for the bundled library sources in ``db/`` (see db/README.md for the format).

Everything is validated before anything is written: a missing field, an unknown concept or a duplicate id
raises :class:`DataError` naming the file and the entry, and nothing is imported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from vkref.core.entities import Author, Finding, Provenance, Review, Study
from vkref.core.errors import DataError
from vkref.core.vocabulary import CONCEPT_FACETS, Concept, Vocabulary

REQUIRED_FINDING = ("id", "statement", "section", "agent", "population", "species", "outcome", "direction",
                    "evidence")
REQUIRED_REVIEW = ("id", "title", "authors", "summary", "verification")
VERIFICATION = ("confirmed", "partial", "reconstructed", "unverified")


@dataclass
class BundledData:
    vocabulary: Vocabulary
    reviews: list[Review]
    findings: list[Finding]
    studies: list[Study] = field(default_factory=list)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise DataError(f"{path.name}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror})") from None
    if not isinstance(data, dict):
        raise DataError(f"{path.name}: expected a mapping at the top level")
    return data


def load_vocabulary(directory: Path) -> Vocabulary:
    concepts: list[Concept] = []
    seen: dict[str, str] = {}
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise DataError(f"{directory}: no vocabulary files (*.yaml)")
    for path in files:
        for n, entry in enumerate(_read_yaml(path).get("concepts") or [], 1):
            if not isinstance(entry, dict) or not entry.get("id"):
                raise DataError(f"{path.name}: concept #{n} has no id")
            cid = str(entry["id"])
            for key in ("facet", "label"):
                if not entry.get(key):
                    raise DataError(f"{path.name}: concept {cid!r} is missing {key!r}")
            if cid in seen:
                raise DataError(f"{path.name}: concept {cid!r} is already defined in {seen[cid]}")
            seen[cid] = path.name
            concepts.append(Concept(cid, entry["facet"], str(entry["label"]),
                                    tuple(str(s) for s in entry.get("synonyms") or ()), _parents(path, cid, entry)))
    return Vocabulary.from_concepts(concepts, origin=str(directory.name))


def _parents(path: Path, cid: str, entry: dict) -> tuple[str, ...]:
    """``parent: ID`` or ``parents: [ID, ...]`` (the first is the primary parent), not both."""
    if "parent" in entry and "parents" in entry:
        raise DataError(f"{path.name}: concept {cid!r} has both 'parent' and 'parents': use 'parents' alone")
    value = entry.get("parents", entry.get("parent"))
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(p, str) and p for p in items):
        raise DataError(f"{path.name}: concept {cid!r}: parents must be concept ids")
    if len(set(items)) != len(items):
        raise DataError(f"{path.name}: concept {cid!r} lists a parent twice")
    return tuple(items)


def _text(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def _review(path: Path, data: dict) -> Review:
    for key in REQUIRED_REVIEW:
        if not data.get(key):
            raise DataError(f"{path.name}: review is missing {key!r}")
    ver = data["verification"] or {}
    status = ver.get("status", "unverified")
    if status not in VERIFICATION:
        raise DataError(f"{path.name}: verification status {status!r} is not one of {', '.join(VERIFICATION)}")
    year = data.get("year")
    if year is not None and not isinstance(year, int):
        raise DataError(f"{path.name}: year {year!r} is not a number")
    return Review(
        id=str(data["id"]), title=_text(data["title"]), authors=[Author.parse(a) for a in data["authors"]],
        journal=_text(data.get("journal")), journal_abbrev=_text(data.get("journal_abbrev")), year=year,
        volume=_text(data.get("volume")), issue=_text(data.get("issue")), pages=_text(data.get("pages")),
        doi=_text(data.get("doi")), pmid=_text(data.get("pmid")), source_id=_text(data.get("source_id")),
        type=_text(data.get("type")) or "journal-article", summary=_text(data["summary"]),
        keywords=[_text(k) for k in data.get("keywords") or []], caution=_text(data.get("caution")),
        verified_fields=list(ver.get("confirmed") or []), reconstructed_fields=list(ver.get("reconstructed") or []),
        provenance=Provenance(created_by="vkref bundled library", verification=status,
                              verification_note=_text(ver.get("note"))),
    )


def _finding(path: Path, review: Review, entry: dict, vocabulary: Vocabulary) -> Finding:
    fid = entry.get("id") if isinstance(entry, dict) else None
    if not fid:
        raise DataError(f"{path.name}: a finding has no id")
    for key in REQUIRED_FINDING:
        if not entry.get(key):
            raise DataError(f"{path.name}: finding {fid!r} is missing {key!r}")
    concepts: dict[str, list[str]] = {}
    for facet in CONCEPT_FACETS:
        value = entry[facet]
        ids = [value] if isinstance(value, str) else list(value)
        for cid in ids:
            if cid not in vocabulary:
                raise DataError(f"{path.name}: finding {fid!r} uses unknown {facet} concept {cid!r}")
            if vocabulary[cid].facet != facet:
                raise DataError(f"{path.name}: finding {fid!r}: {cid!r} is a {vocabulary[cid].facet} concept, "
                                f"not {facet}")
        concepts[facet] = ids
    cited = entry.get("cited") or {}
    tags = entry.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise DataError(f"{path.name}: finding {fid!r}: tags must be a list of non-empty texts")
    if not isinstance(cited, dict):
        raise DataError(f"{path.name}: finding {fid!r}: cited must be a mapping with ref and first_author")
    if not isinstance(entry.get("source_retracted", False), bool):
        raise DataError(f"{path.name}: finding {fid!r}: source_retracted must be true or false")
    return Finding(
        id=str(fid), review_id=review.id, statement=_text(entry["statement"]), section=_text(entry["section"]),
        cited_ref=_text(cited.get("ref")), cited_author=_text(cited.get("first_author")), concepts=concepts,
        dose=_text(entry.get("dose")), duration=_text(entry.get("duration")),
        sample_size=_text(entry.get("sample_size")), effect_size=_text(entry.get("effect_size")),
        caution=_text(entry.get("caution")), tags=[_text(t) for t in tags],
        source_retracted=entry.get("source_retracted", False),
        provenance=Provenance(created_by="vkref bundled library", verification=review.provenance.verification),
    )


def load(directory: Path) -> BundledData:
    """Read and validate ``vocabulary/*.yaml`` and ``reviews/*.yaml`` under ``directory``."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: bundled library data not found")
    vocabulary = load_vocabulary(directory / "vocabulary")
    reviews, findings = [], []
    review_ids: dict[str, str] = {}
    finding_ids: dict[str, str] = {}
    for path in sorted((directory / "reviews").glob("*.yaml")):
        data = _read_yaml(path)
        review = _review(path, data)
        if review.id in review_ids:
            raise DataError(f"{path.name}: review id {review.id!r} is already used in {review_ids[review.id]}")
        review_ids[review.id] = path.name
        reviews.append(review)
        for entry in data.get("findings") or []:
            finding = _finding(path, review, entry, vocabulary)
            if finding.id in finding_ids:
                raise DataError(f"{path.name}: finding id {finding.id!r} is already used in {finding_ids[finding.id]}")
            finding_ids[finding.id] = path.name
            findings.append(finding)
    studies = _link_studies(directory / "studies.yaml", review_ids, findings)
    return BundledData(vocabulary, reviews, findings, studies)


def cited_numbers(ref: str) -> list[str]:
    """The reference numbers of a finding's ``cited.ref``: "36,37" -> 36, 37; "10-12" -> 10, 11, 12."""
    out: list[str] = []
    for part in (p.strip() for p in ref.replace(";", ",").split(",")):
        low, _, high = part.partition("-")
        if low.isdigit() and high.isdigit() and int(low) < int(high) <= int(low) + 50:
            out.extend(str(n) for n in range(int(low), int(high) + 1))
        elif part.isdigit():
            out.append(part)
    return out


def _study(path: Path, n: int, entry) -> tuple[Study, list[tuple[str, str]]]:
    sid = entry.get("id") if isinstance(entry, dict) else None
    if not sid or not entry.get("label"):
        raise DataError(f"{path.name}: study #{n} needs an id and a label")
    year = entry.get("year")
    if year is not None and not isinstance(year, int):
        raise DataError(f"{path.name}: study {sid!r}: year {year!r} is not a number")
    cited = entry.get("cited") or []
    if not isinstance(cited, list) or not all(isinstance(c, dict) and c.get("review") and c.get("ref")
                                              for c in cited):
        raise DataError(f"{path.name}: study {sid!r}: cited must list {{review, ref}} pairs")
    study = Study(id=str(sid), label=_text(entry["label"]), first_author=_text(entry.get("first_author")),
                  year=year, design=_text(entry.get("design")), population=_text(entry.get("population")),
                  size=_text(entry.get("size")), note=_text(entry.get("note")))
    return study, [(str(c["review"]), str(c["ref"])) for c in cited]


def _link_studies(path: Path, review_ids: dict, findings: list[Finding]) -> list[Study]:
    """Read ``studies.yaml`` and point every finding at the studies whose reference numbers it cites."""
    if not path.exists():
        return []
    studies, by_ref = [], {}
    for n, entry in enumerate(_read_yaml(path).get("studies") or [], 1):
        study, cited = _study(path, n, entry)
        if any(s.id == study.id for s in studies):
            raise DataError(f"{path.name}: study id {study.id!r} is used twice")
        for review, ref in cited:
            if review not in review_ids:
                raise DataError(f"{path.name}: study {study.id!r} is cited by unknown review {review!r}")
            if (review, ref) in by_ref:
                raise DataError(f"{path.name}: {review} ref {ref} is given to {by_ref[review, ref]!r} "
                                f"and {study.id!r}")
            by_ref[review, ref] = study.id
        studies.append(study)
    for f in findings:
        f.studies = list(dict.fromkeys(by_ref[f.review_id, n] for n in cited_numbers(f.cited_ref)
                                       if (f.review_id, n) in by_ref))
    return studies
