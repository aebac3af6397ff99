"""The lossless vkref library JSON: reviews, findings, primary studies and vocabulary with every field, provenance
and version.

``dump`` gives a JSON-able dict; ``load`` reads one back (from a dict, text or bytes) and validates all of it
before returning anything: the ``format``/``version`` key, each record's required fields and the type of every
field, unique ids, that each finding's review is in the file, and that every coded concept id is in the
file's vocabulary and in the facet it is coded under, and that every study a finding rests on is in the file
(``studies``, optional: files written before studies were records have none). Bad input raises
``DataError("<source>: record <id>: <what is wrong>")``.

Records are written field by field from the entity dataclasses, so a field added to ``Review`` or ``Finding``
is exported without touching this module (a field of a type this module does not know fails the tests).
``dump(load(dump(x))) == dump(x)``: order and every value are kept; datetimes as ISO 8601 text.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime

from vkref.core.entities import Author, Finding, Provenance, Review, Study
from vkref.core.errors import DataError
from vkref.core.vocabulary import CONCEPT_FACETS, Concept, Vocabulary

FORMAT = "vkref-library"
VERSION = 1
REQUIRED = {Review: ("id", "title"), Finding: ("id", "review_id", "statement"), Study: ("id", "label")}


@dataclass
class LibraryData:
    reviews: list[Review]
    findings: list[Finding]
    vocabulary: Vocabulary
    extra: dict = field(default_factory=dict)
    studies: list[Study] = field(default_factory=list)


class _Bad(Exception):
    """A field-level problem; the caller adds the source and record."""


# ---------------------------------------------------------------------------------------------- dump
def _out(kind: str, value):
    if kind == "list[Author]":
        return [{"family": a.family, "given": a.given} for a in value]
    if kind == "Provenance":
        return {f.name: _out(f.type, getattr(value, f.name)) for f in dataclasses.fields(Provenance)}
    if kind == "datetime | None":
        return value.isoformat() if value else None
    if kind == "dict[str, list[str]]":
        return {facet: list(ids) for facet, ids in value.items()}
    if kind == "list[str]":
        return list(value)
    if kind in ("str", "int", "int | None", "bool"):
        return value
    raise TypeError(f"vkjson cannot write a field of type {kind}")


def _record(obj) -> dict:
    return {f.name: _out(f.type, getattr(obj, f.name)) for f in dataclasses.fields(obj)
            if not f.metadata.get("derived")}


def _concept(c: Concept) -> dict:
    """``parent`` is the primary parent (what readers of the single-parent format read); ``parents`` lists every
    parent and is written only for a concept with more than one."""
    out = {"id": c.id, "facet": c.facet, "label": c.label, "synonyms": list(c.synonyms), "parent": c.parent}
    if len(c.parents) > 1:
        out["parents"] = list(c.parents)
    return out


def dump(reviews, findings, vocabulary: Vocabulary, extra: dict | None = None, studies=()) -> dict:
    """The library as one JSON-able dict (``json.dumps`` it to write the file). ``studies``: the primary studies
    the findings rest on (every one they name)."""
    return {"format": FORMAT, "version": VERSION,
            "vocabulary": [_concept(c) for c in vocabulary.concepts.values()],
            "reviews": [_record(r) for r in reviews], "findings": [_record(f) for f in findings],
            "studies": [_record(s) for s in studies], "extra": dict(extra or {})}


# ---------------------------------------------------------------------------------------------- field types
def _str_list(value, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f"{what} must be a list of strings")
    return list(value)


def _author(value) -> Author:
    if not isinstance(value, dict) or not isinstance(value.get("family"), str) or set(value) - {"family", "given"}:
        raise _Bad(f"author {value!r} must be an object with a text 'family' (and 'given')")
    given = value.get("given", "")
    if not isinstance(given, str):
        raise _Bad(f"author {value['family']!r}: 'given' must be text")
    return Author(value["family"], given)


def _datetime(value, name: str):
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise _Bad(f"{name} {value!r} is not an ISO 8601 date and time") from None


_SCALARS = {"str": ((str,), "text"), "int": ((int,), "a whole number"),
            "int | None": ((int, type(None)), "a whole number or null"), "bool": ((bool,), "true or false")}


def _scalar(kind: str, value, name: str):
    types, wanted = _SCALARS[kind]
    if isinstance(value, bool) and kind != "bool" or not isinstance(value, types):
        raise _Bad(f"{name} must be {wanted}, not {json.dumps(value)}")
    return value


def _concepts(value, name: str) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise _Bad(f"{name} must be an object of facet -> concept ids")
    return {facet: _str_list(ids, f"{name}.{facet}") for facet, ids in value.items()}


def _in(kind: str, value, name: str):
    if kind == "list[Author]":
        if not isinstance(value, list):
            raise _Bad("authors must be a list")
        return [_author(a) for a in value]
    if kind == "Provenance":
        return _build(Provenance, value, "provenance", ())
    if kind == "datetime | None":
        return _datetime(value, name)
    if kind == "dict[str, list[str]]":
        return _concepts(value, name)
    if kind == "list[str]":
        return _str_list(value, name)
    return _scalar(kind, value, name)


def _build(cls, data, what: str, required):
    if not isinstance(data, dict):
        raise _Bad(f"{what} must be an object")
    kinds = {f.name: f.type for f in dataclasses.fields(cls) if not f.metadata.get("derived")}
    unknown = sorted(set(data) - set(kinds))
    if unknown:
        raise _Bad(f"unknown field {unknown[0]!r}")
    missing = [name for name in required if not data.get(name)]
    if missing:
        raise _Bad(f"missing {missing[0]!r}")
    return cls(**{name: _in(kinds[name], value, name) for name, value in data.items()})


# ---------------------------------------------------------------------------------------------- load
def _decode(data, source: str):
    if not isinstance(data, (str, bytes, bytearray)):
        return data
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise DataError(f"{source}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise DataError(f"{source}: not UTF-8 text") from None


def _parse(data, source: str) -> dict:
    """The decoded top-level object, after checking its format, version and the types of its parts."""
    data = _decode(data, source)
    if not isinstance(data, dict):
        raise DataError(f"{source}: expected a JSON object at the top level")
    if data.get("format") != FORMAT:
        raise DataError(f"{source}: not a vkref library file (no \"format\": \"{FORMAT}\")")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DataError(f"{source}: \"version\" must be a positive whole number")
    if version > VERSION:
        raise DataError(f"{source}: written by a newer vkref (format version {version}; this one reads {VERSION})")
    for key in ("vocabulary", "reviews", "findings", "studies"):
        if not isinstance(data.get(key, []), list):
            raise DataError(f"{source}: \"{key}\" must be a list")
    if not isinstance(data.get("extra", {}), dict):
        raise DataError(f"{source}: \"extra\" must be an object")
    return data


def _concept_in(entry) -> Concept:
    if not isinstance(entry, dict) or not entry.get("id"):
        raise _Bad("must be an object with an 'id'")
    unknown = sorted(set(entry) - {"id", "facet", "label", "synonyms", "parent", "parents"})
    if unknown:
        raise _Bad(f"unknown field {unknown[0]!r}")
    for key in ("id", "facet", "label"):
        _scalar("str", entry.get(key), key)
    parent = entry.get("parent")
    if parent is not None:
        _scalar("str", parent, "parent")
    parents = _str_list(entry["parents"], "parents") if "parents" in entry else [parent] if parent else []
    if parent is not None and parents[:1] != [parent]:
        raise _Bad(f"'parent' {parent!r} is not the first of 'parents'")
    return Concept(entry["id"], entry["facet"], entry["label"],
                   tuple(_str_list(entry.get("synonyms", []), "synonyms")), tuple(parents))


def _vocabulary(entries: list, source: str) -> Vocabulary:
    concepts = []
    for n, entry in enumerate(entries, 1):
        cid = entry.get("id") if isinstance(entry, dict) else None
        try:
            concepts.append(_concept_in(entry))
        except _Bad as exc:
            label = cid if isinstance(cid, str) and cid else f"#{n}"
            raise DataError(f"{source}: concept {label}: {exc}") from None
    return Vocabulary.from_concepts(concepts, origin=f"{source}: vocabulary")


def _records(cls, entries: list, source: str) -> list:
    out, seen = [], set()
    for n, entry in enumerate(entries, 1):
        rid = entry.get("id") if isinstance(entry, dict) else None
        label = rid if isinstance(rid, str) and rid else f"#{n}"
        try:
            record = _build(cls, entry, "a record", REQUIRED[cls])
        except _Bad as exc:
            raise DataError(f"{source}: record {label}: {exc}") from None
        if record.id in seen:
            raise DataError(f"{source}: record {label}: the id is used twice")
        seen.add(record.id)
        out.append(record)
    return out


def _check_coding(record, vocabulary: Vocabulary, source: str) -> None:
    for facet, ids in record.concepts.items():
        if facet not in CONCEPT_FACETS:
            raise DataError(f"{source}: record {record.id}: unknown facet {facet!r}")
        for cid in ids:
            if cid not in vocabulary:
                raise DataError(f"{source}: record {record.id}: unknown {facet} concept {cid!r}")
            if vocabulary[cid].facet != facet:
                raise DataError(f"{source}: record {record.id}: {cid!r} is a {vocabulary[cid].facet} concept, "
                                f"not {facet}")


def load(data: dict | str | bytes, source: str = "") -> LibraryData:
    """Read and validate a library JSON (see the module docstring); nothing is returned from a bad file."""
    source = source or "library JSON"
    data = _parse(data, source)
    vocabulary = _vocabulary(data.get("vocabulary", []), source)
    reviews = _records(Review, data.get("reviews", []), source)
    findings = _records(Finding, data.get("findings", []), source)
    studies = _records(Study, data.get("studies", []), source)
    study_ids = {s.id for s in studies}
    review_ids = {r.id for r in reviews}
    for record in reviews + findings:
        _check_coding(record, vocabulary, source)
    for finding in findings:
        if finding.review_id not in review_ids:
            raise DataError(f"{source}: record {finding.id}: its review {finding.review_id!r} is not in the file")
        missing = [sid for sid in finding.studies if sid not in study_ids]
        if missing:
            raise DataError(f"{source}: record {finding.id}: its study {missing[0]!r} is not in the file")
    return LibraryData(reviews, findings, vocabulary, dict(data.get("extra", {})), studies)
