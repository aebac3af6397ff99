"""The rules a vocabulary edit must keep, checked before anything is written.

Each check raises :class:`~vkref.core.errors.DataError` with one line naming the concept and what is wrong, or
returns the cleaned value. Names are compared the way look-ups compare them (:func:`vkref.core.text.norm_label`:
case, accents, Greek letters and hyphens folded), so two names that would find the same concept count as equal.

- A label is not empty and is unique within its facet; it is not another concept's synonym there either.
- A synonym is not empty, not the concept's own label or synonym, not another concept's label or synonym in the
  facet (a look-up by it would be ambiguous). Synonyms a concept already holds are not checked again; one that
  a rename made the label is dropped.
- A parent exists, is in the same facet, and is neither the concept itself nor below it along any path (no
  cycles in the poly-hierarchy); a concept lists each parent once.
- A merge joins two different concepts of one facet, the kept one not below the merged one.
"""
from __future__ import annotations

import re

from vkref.core.errors import DataError
from vkref.core.text import fold, norm_label
from vkref.core.vocabulary import CONCEPT_FACETS, Concept, Vocabulary

MAX_NAME = 300  # the database column's width
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def clean(text: str) -> str:
    """Spaces trimmed and collapsed."""
    return " ".join(str(text or "").split())


def find(vocabulary: Vocabulary, ref: str, facet: str | None = None) -> Concept:
    """The concept named by ``ref``: its id, or its label or a synonym (in ``facet`` when given)."""
    ref = clean(ref)
    if facet is not None:
        check_facet(facet)
    if ref in vocabulary and (facet is None or vocabulary[ref].facet == facet):
        return vocabulary[ref]
    matches = [c for c in vocabulary.find_all(ref) if facet is None or c.facet == facet]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        where = f" in facet {facet}" if facet else ""
        raise DataError(f"unknown concept {ref!r}{where}: give its id, label or a synonym")
    listed = ", ".join(f"{c.id} ({c.facet})" for c in matches)
    raise DataError(f"concept {ref!r} is ambiguous ({listed}): give its id or its facet")


def check_facet(facet: str) -> str:
    if facet not in CONCEPT_FACETS:
        raise DataError(f"unknown facet {facet!r}: use one of {', '.join(CONCEPT_FACETS)}")
    return facet


def _name(text: str, what: str) -> tuple[str, str]:
    value = clean(text)
    if not value:
        raise DataError(f"{what} cannot be empty")
    if len(value) > MAX_NAME:
        raise DataError(f"{what} {value[:40]!r}… is longer than {MAX_NAME} characters")
    key = norm_label(value)
    if not key:
        raise DataError(f"{what} {value!r} has no letters or digits")
    return value, key


def _clash(vocabulary: Vocabulary, facet: str, key: str, skip: str | None) -> str | None:
    """How another concept of ``facet`` already uses the name with key ``key``, or None."""
    for c in vocabulary.in_facet(facet):
        if c.id == skip:
            continue
        if norm_label(c.label) == key:
            return f"the label of {facet} concept {c.label!r} ({c.id})"
        if any(norm_label(s) == key for s in c.synonyms):
            return f"a synonym of {facet} concept {c.label!r} ({c.id})"
    return None


def check_label(vocabulary: Vocabulary, facet: str, label: str, concept_id: str | None = None) -> str:
    """The cleaned label, or DataError when it is empty or used by another concept of the facet."""
    value, key = _name(label, f"the label of a concept ({facet})")
    clash = _clash(vocabulary, facet, key, concept_id)
    if clash:
        raise DataError(f"label {value!r} is already {clash}: labels are unique within a facet")
    return value


def check_synonyms(vocabulary: Vocabulary, concept: Concept, label: str, synonyms) -> tuple[str, ...]:
    """The cleaned synonym list for ``concept`` (whose label will be ``label``). Synonyms it already holds are
    kept as they are (old data may hold spellings that fold alike, "MK-7" and "MK7"), except one the new label
    now says; each new one is checked."""
    label_key = norm_label(label)
    seen = {norm_label(s): s for s in concept.synonyms}
    out: list[str] = []
    for text in synonyms:
        value, key = _name(text, f"a synonym of {label!r}")
        if value in concept.synonyms:
            if key != label_key and value not in out:
                out.append(value)
            continue
        if key == label_key:
            raise DataError(f"synonym {value!r} is the label of {label!r} itself")
        if key in seen or any(norm_label(s) == key for s in out):
            raise DataError(f"{label!r} already has the synonym {seen.get(key, value)!r}")
        clash = _clash(vocabulary, concept.facet, key, concept.id)
        if clash:
            raise DataError(f"synonym {value!r} of {label!r} is already {clash}")
        seen[key] = value
        out.append(value)
    return tuple(out)


def check_parent(vocabulary: Vocabulary, concept: Concept, parent: str | None) -> str | None:
    """The parent id (None: top level), or DataError for another facet or a cycle."""
    if parent is None:
        return None
    if parent not in vocabulary:
        raise DataError(f"unknown parent concept {parent!r}")
    p = vocabulary[parent]
    if p.facet != concept.facet:
        raise DataError(f"{concept.label!r} is a {concept.facet} concept: its parent must be one too, "
                        f"not {p.label!r} ({p.facet})")
    if p.id == concept.id:
        raise DataError(f"{concept.label!r} cannot be its own parent")
    if p.id in vocabulary.descendants(concept.id):
        raise DataError(f"cannot put {concept.label!r} under {p.label!r}: {p.label!r} is already under "
                        f"{concept.label!r} (that would make a cycle)")
    return p.id


def check_parents(vocabulary: Vocabulary, concept: Concept, parents) -> tuple[str, ...]:
    """The parent ids in order (empty: top level), each checked as :func:`check_parent`, none twice."""
    out: list[str] = []
    for ref in parents:
        pid = check_parent(vocabulary, concept, ref)
        if pid in out:
            raise DataError(f"{concept.label!r} lists the parent {vocabulary[pid].label!r} twice")
        out.append(pid)
    return tuple(out)


def check_merge(vocabulary: Vocabulary, keep: Concept, other: Concept) -> None:
    if keep.id == other.id:
        raise DataError(f"cannot merge {keep.label!r} into itself")
    if keep.facet != other.facet:
        raise DataError(f"cannot merge {other.label!r} ({other.facet}) into {keep.label!r} ({keep.facet}): "
                        "concepts of different facets")
    if other.id in vocabulary.ancestors(keep.id):
        raise DataError(f"cannot merge {other.label!r} into {keep.label!r}: {keep.label!r} is under "
                        f"{other.label!r}; merge the narrower concept into the broader one, or move it first")


def merged_synonyms(keep: Concept, other: Concept) -> tuple[str, ...]:
    """The kept concept's synonyms followed by the other's label and synonyms (each name once)."""
    seen = {norm_label(keep.label)}
    out = []
    for name in (*keep.synonyms, other.label, *other.synonyms):
        key = norm_label(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return tuple(out)


def new_id(vocabulary: Vocabulary, label: str, wanted: str | None = None) -> str:
    """``wanted`` when it is a free, well-formed id; else one made from the label (``vitamin-k2``, ``-2``...)."""
    if wanted:
        if not ID_PATTERN.match(wanted):
            raise DataError(f"concept id {wanted!r}: use lower-case letters, digits and hyphens")
        if wanted in vocabulary:
            raise DataError(f"concept id {wanted!r} is already used by {vocabulary[wanted].label!r}")
        return wanted
    base = re.sub(r"[^a-z0-9]+", "-", fold(label)).strip("-")[:60].strip("-") or "concept"
    candidate, n = base, 1
    while candidate in vocabulary:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
