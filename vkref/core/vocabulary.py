"""The controlled vocabulary: concepts with a facet, a preferred label, synonyms and parents (a poly-hierarchy).

A concept may have several parents, as in MeSH: "Postmenopausal women with osteoporosis" is narrower than both
"Patients with osteoporosis" and "Postmenopausal women". The first parent is the primary one (the single parent
shown where a place is needed, as in the evidence matrix); every parent counts the same for roll-up and expansion:
:meth:`Vocabulary.ancestors` walks every path upward, :meth:`Vocabulary.descendants` every path downward, each
concept once.

The same vocabulary drives the facets (labels and roll-up), query expansion (synonyms and descendants) and
filter look-up (``--filter agent=menatetrenone``). It is plain data, loaded from the library database.

Look-ups fold case, except :meth:`Vocabulary.find_typed` (what a person typed into a search): there a short
abbreviation written with capitals (:func:`case_bound`: BMD, RANK, cAMP, Ca) names its concept only when typed
with the same capitals, or when the typed text is the concept's id, so "rank", "ca" or "ad" in a question stay
everyday words. A librarian who wants an abbreviation to match in any case adds its lowercase form as a
synonym ("ovx" beside "OVX"). Filters keep folding case (``--filter population=ovx``).

Invariants: concept ids are unique; every parent is known and in the same facet; a concept lists a parent once;
there are no cycles along any path.
"""
from __future__ import annotations

import re
import unicodedata
from graphlib import CycleError, TopologicalSorter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from vkref.core.errors import DataError, QueryError
from vkref.core.text import norm_label

CONCEPT_FACETS = ("agent", "population", "species", "outcome", "direction", "evidence")
ALL_FACETS = ("kind",) + CONCEPT_FACETS + ("review", "year")


_JOINERS = re.compile(r"[-‐‑–\s]+")
MAX_BOUND_LETTERS = 4


def _squash(text: str) -> str:
    """``text`` without hyphens and spaces, case kept (compatibility-normalised: "NF-kB" = "NFkB")."""
    return _JOINERS.sub("", unicodedata.normalize("NFKC", text))


def case_bound(name: str) -> bool:
    """Whether ``name`` is an abbreviation matched only with its own capitals in typed text: letters only
    (hyphens and spaces aside), at most :data:`MAX_BOUND_LETTERS` of them, and a capital that is more than the
    first letter of a word (BMD, OVX, RANK, cAMP, ucOC), or two letters with a capital (Ca, Zn). Codes with
    digits (MK-4, K2, PGE2) and capitalised words (Rat, Zinc, Benet) are not bound: they are not everyday
    words, or they are the word."""
    core = _squash(name)
    if not core.isalpha() or len(core) > MAX_BOUND_LETTERS or core.islower():
        return False
    return len(core) <= 2 or any(ch.isupper() for ch in core[1:])


def parent_tuple(value) -> tuple[str, ...]:
    """``value`` (None, one id, or a list of ids) as a tuple of distinct ids in their order."""
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(dict.fromkeys(str(v) for v in value if v))


@dataclass(frozen=True)
class Concept:
    """One concept. ``parents`` may be given as one id (the older single-parent form) or as a sequence."""

    id: str
    facet: str
    label: str
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "parents", parent_tuple(self.parents))

    @property
    def parent(self) -> str | None:
        """The primary (first) parent, or None for a top-level concept."""
        return self.parents[0] if self.parents else None

    @property
    def names(self) -> tuple[str, ...]:
        """The preferred label followed by every synonym."""
        return (self.label,) + tuple(s for s in self.synonyms if s != self.label)


@dataclass
class Vocabulary:
    """An immutable-by-convention set of concepts with look-ups by id, name and hierarchy."""

    concepts: dict[str, Concept] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._children: dict[str, list[str]] = {}
        self._by_name: dict[tuple[str, str], str] = {}  # (facet, normalised name) -> id
        self._any_name: dict[str, list[str]] = {}  # normalised name -> ids in any facet
        for concept in self.concepts.values():
            for parent in concept.parents:
                self._children.setdefault(parent, []).append(concept.id)
        for concept in self.concepts.values():
            for name in (concept.id,) + concept.names:
                key = norm_label(name)
                if not key:
                    continue
                # the preferred label wins over another concept's synonym
                self._by_name.setdefault((concept.facet, key), concept.id)
                if name == concept.label:
                    self._by_name[(concept.facet, key)] = concept.id
                ids = self._any_name.setdefault(key, [])
                if concept.id not in ids:
                    ids.append(concept.id)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_concepts(cls, concepts: Iterable[Concept], origin: str = "vocabulary") -> "Vocabulary":
        """Build and validate: unique ids, known parents of the same facet, no cycles."""
        by_id: dict[str, Concept] = {}
        for c in concepts:
            if c.facet not in CONCEPT_FACETS:
                raise DataError(f"{origin}: concept {c.id!r} has unknown facet {c.facet!r}")
            if c.id in by_id:
                raise DataError(f"{origin}: duplicate concept id {c.id!r}")
            by_id[c.id] = c
        for c in by_id.values():
            for pid in c.parents:
                parent = by_id.get(pid)
                if parent is None:
                    raise DataError(f"{origin}: concept {c.id!r} has unknown parent {pid!r}")
                if parent.facet != c.facet:
                    raise DataError(f"{origin}: concept {c.id!r} ({c.facet}) has parent {pid!r} in facet {parent.facet}")
        cycle = find_cycle({cid: c.parents for cid, c in by_id.items()})
        if cycle:
            raise DataError(f"{origin}: concept {cycle[0]!r} is part of a parent cycle ({' -> '.join(cycle)})")
        return cls(by_id)

    # ------------------------------------------------------------------ look-ups
    def __contains__(self, concept_id: str) -> bool:
        return concept_id in self.concepts

    def __getitem__(self, concept_id: str) -> Concept:
        return self.concepts[concept_id]

    def __len__(self) -> int:
        return len(self.concepts)

    def in_facet(self, facet: str) -> list[Concept]:
        return [c for c in self.concepts.values() if c.facet == facet]

    def children(self, concept_id: str) -> list[str]:
        return list(self._children.get(concept_id, ()))

    def parents(self, concept_id: str) -> list[str]:
        """The direct parents of ``concept_id``, primary first."""
        return list(self.concepts[concept_id].parents)

    def descendants(self, concept_id: str) -> list[str]:
        """Every concept below ``concept_id`` along any path (not including it), each once, depth first."""
        out: dict[str, None] = {}
        stack = list(reversed(self._children.get(concept_id, ())))
        while stack:
            cid = stack.pop()
            if cid in out or cid == concept_id:
                continue
            out[cid] = None
            stack.extend(reversed(self._children.get(cid, ())))
        return list(out)

    def ancestors(self, concept_id: str) -> list[str]:
        """Every concept above ``concept_id`` along any path, each once, nearest first (breadth first; at one
        distance the primary parent's line first). With one parent each, the chain up to the root."""
        out: dict[str, None] = {}
        level = list(self.concepts[concept_id].parents)
        while level:
            nxt: list[str] = []
            for cid in level:
                if cid in out or cid == concept_id:
                    continue
                out[cid] = None
                nxt.extend(self.concepts[cid].parents)
            level = nxt
        return list(out)

    def paths(self, concept_id: str) -> list[list[str]]:
        """Every path from a top-level concept down to ``concept_id`` (inclusive), primary path first."""
        parents = self.concepts[concept_id].parents
        if not parents:
            return [[concept_id]]
        return [path + [concept_id] for p in parents for path in self.paths(p)]

    def with_ancestors(self, ids: Iterable[str]) -> list[str]:
        """``ids`` plus all their ancestors, each once, in a stable order (used to roll facets up)."""
        out: dict[str, None] = {}
        for cid in ids:
            out[cid] = None
            for a in self.ancestors(cid):
                out[a] = None
        return list(out)

    def find(self, name: str, facet: str | None = None) -> Concept | None:
        """The concept whose id, label or synonym is ``name`` (case and spelling folded), or None."""
        key = norm_label(name)
        if facet is not None:
            cid = self._by_name.get((facet, key))
            return self.concepts[cid] if cid else None
        ids = self._any_name.get(key)
        return self.concepts[ids[0]] if ids else None

    def find_all(self, name: str) -> list[Concept]:
        """Every concept in any facet known by ``name``."""
        return [self.concepts[cid] for cid in self._any_name.get(norm_label(name), ())]

    def find_typed(self, text: str) -> list[Concept]:
        """Like :meth:`find_all`, for text typed into a search: a :func:`case_bound` name counts only when typed
        with its own capitals; the concept's id always counts ("bmd", "pth")."""
        key = norm_label(text)
        return [self.concepts[cid] for cid in self._any_name.get(key, ())
                if self._typed_match(self.concepts[cid], key, _squash(text))]

    @staticmethod
    def _typed_match(concept: Concept, key: str, typed: str) -> bool:
        if norm_label(concept.id) == key:
            return True
        return any(norm_label(n) == key and (not case_bound(n) or _squash(n) == typed) for n in concept.names)

    def resolve(self, facet: str, value: str) -> Concept:
        """Like :meth:`find` but raises a one-line :class:`QueryError` naming facet and value."""
        concept = self.find(value, facet)
        if concept is None:
            raise QueryError(f"unknown {facet} value {value!r}: not a label or synonym in the vocabulary")
        return concept

    def names(self) -> Iterator[str]:
        """Every label and synonym (for spelling suggestions)."""
        for c in self.concepts.values():
            yield from c.names


def find_cycle(parents: dict[str, Iterable[str]]) -> list[str] | None:
    """A cycle in the graph ``id -> parent ids`` as a list of ids (first = last), or None: the standard
    library's topological sorter checks every path of the poly-hierarchy."""
    try:
        TopologicalSorter(parents).prepare()
    except CycleError as exc:
        return list(exc.args[1])
    return None
