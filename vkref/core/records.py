"""The canonical field-by-field form of a record: what history, undo, ``vkref edit --set`` and the lossless JSON
export call a record's fields.

``review_fields(r)`` / ``finding_fields(f)`` / ``concept_fields(c)`` give a JSON-able dict of every field a user
can change (provenance timestamps and ``version`` are bookkeeping, not fields); ``review_from_fields`` and
``finding_from_fields`` rebuild an entity from such a dict. A round trip is exact:
``review_from_fields(id, review_fields(r))`` has the same fields as ``r``.
"""
from __future__ import annotations

from typing import Any

from vkref.core.entities import Author, Finding, Provenance, Review, Study
from vkref.core.errors import DataError
from vkref.core.vocabulary import Concept

REVIEW_TEXT = ("title", "journal", "journal_abbrev", "volume", "issue", "pages", "doi", "pmid", "source_id", "type",
               "summary", "fulltext", "fulltext_file", "notes", "caution", "status", "status_date", "status_note",
               "status_notice")
REVIEW_LISTS = ("keywords", "tags", "verified_fields", "reconstructed_fields", "mesh", "aliases")
FINDING_TEXT = ("review_id", "statement", "section", "cited_ref", "cited_author", "dose", "duration",
                "sample_size", "effect_size", "caution")
PROVENANCE = ("verification", "verification_note")
REVIEW_FIELDS = REVIEW_TEXT + ("year", "authors") + REVIEW_LISTS + ("concepts", "concepts_suggested") + PROVENANCE
FINDING_FIELDS = FINDING_TEXT + ("concepts", "tags", "source_retracted", "studies") + PROVENANCE
CONCEPT_FIELDS = ("facet", "label", "synonyms", "parents")
STUDY_TEXT = ("label", "first_author", "design", "population", "size", "note")
STUDY_FIELDS = STUDY_TEXT + ("year",)
# fields added after records were first logged: a snapshot in the change log written before them lacks them
LATER_DEFAULTS = {"status": "", "status_date": "", "status_note": "", "status_notice": "", "source_retracted": False,
                  "fulltext_file": "", "studies": []}


def same_fields(a: dict | None, b: dict | None) -> bool:
    """Two field dicts (or None) are the same record state, a missing later field counting as its default."""
    if a is None or b is None:
        return a is b
    return all(a.get(k, LATER_DEFAULTS.get(k)) == b.get(k, LATER_DEFAULTS.get(k)) for k in set(a) | set(b))


def review_fields(r: Review) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(r, name) or "" for name in REVIEW_TEXT}
    out["year"] = r.year
    out["authors"] = [{"family": a.family, "given": a.given} for a in r.authors]
    out.update({name: list(getattr(r, name)) for name in REVIEW_LISTS})
    out["tags"] = sorted(dict.fromkeys(r.tags))
    out["concepts"] = _concepts(r.concepts)
    out["concepts_suggested"] = bool(r.concepts_suggested and out["concepts"])
    out["verification"] = r.provenance.verification or "unverified"
    out["verification_note"] = r.provenance.verification_note or ""
    return out


def finding_fields(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(f, name) or "" for name in FINDING_TEXT}
    out["concepts"] = _concepts(f.concepts)
    out["tags"] = sorted(dict.fromkeys(f.tags))
    out["source_retracted"] = bool(f.source_retracted)
    out["studies"] = sorted(dict.fromkeys(f.studies))
    out["verification"] = f.provenance.verification or "unverified"
    out["verification_note"] = f.provenance.verification_note or ""
    return out


def concept_fields(c: Concept) -> dict[str, Any]:
    return {"facet": c.facet, "label": c.label, "synonyms": list(c.synonyms), "parents": list(c.parents)}


def _concepts(concepts: dict[str, list[str]]) -> dict[str, list[str]]:
    # the database keeps codes and tags as sets: the canonical form sorts them, so equal records compare equal
    return {facet: sorted(dict.fromkeys(ids)) for facet, ids in sorted(concepts.items()) if ids}


def review_from_fields(review_id: str, d: dict[str, Any], version: int = 0) -> Review:
    try:
        r = Review(id=review_id, title=d["title"], version=version,
                   authors=[Author(a["family"], a.get("given", "")) for a in d.get("authors", [])])
        for name in REVIEW_TEXT[1:]:
            setattr(r, name, str(d.get(name) or ""))
        r.year = int(d["year"]) if d.get("year") not in (None, "") else None
        for name in REVIEW_LISTS:
            setattr(r, name, [str(x) for x in d.get(name) or []])
        r.concepts = {k: list(v) for k, v in (d.get("concepts") or {}).items()}
        r.concepts_suggested = bool(d.get("concepts_suggested"))
        r.provenance = Provenance(verification=d.get("verification") or "unverified",
                                  verification_note=d.get("verification_note") or "")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"review {review_id}: bad field value ({exc.__class__.__name__}: {exc})") from None
    return r


def finding_from_fields(finding_id: str, d: dict[str, Any], version: int = 0) -> Finding:
    try:
        f = Finding(id=finding_id, review_id=str(d["review_id"]), statement=str(d["statement"]), version=version)
        for name in FINDING_TEXT[2:]:
            setattr(f, name, str(d.get(name) or ""))
        f.concepts = {k: list(v) for k, v in (d.get("concepts") or {}).items()}
        f.tags = [str(x) for x in d.get("tags") or []]
        f.source_retracted = bool(d.get("source_retracted"))
        f.studies = [str(x) for x in d.get("studies") or []]
        f.provenance = Provenance(verification=d.get("verification") or "unverified",
                                  verification_note=d.get("verification_note") or "")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataError(f"finding {finding_id}: bad field value ({exc.__class__.__name__}: {exc})") from None
    return f


def concept_from_fields(concept_id: str, d: dict[str, Any]) -> Concept:
    # change-log rows written before the poly-hierarchy hold one "parent"
    parents = d["parents"] if "parents" in d else d.get("parent")
    return Concept(concept_id, d["facet"], d["label"], tuple(d.get("synonyms") or ()), parents)


def study_fields(s: Study) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(s, name) or "" for name in STUDY_TEXT}
    out["year"] = s.year
    return out


def study_from_fields(study_id: str, d: dict[str, Any], version: int = 0) -> Study:
    try:
        s = Study(id=study_id, label=str(d["label"]), version=version)
        for name in STUDY_TEXT[1:]:
            setattr(s, name, str(d.get(name) or ""))
        s.year = int(d["year"]) if d.get("year") not in (None, "") else None
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"study {study_id}: bad field value ({exc.__class__.__name__}: {exc})") from None
    return s
