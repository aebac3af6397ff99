"""Suggested codes for records that have no findings (imported ones), so that facets work on them.

A review imported from PubMed has no findings, yet a librarian filtering by species or agent must not lose it.
:func:`suggest` codes it from its MeSH headings (the mapping is data: ``db/vocabulary/mesh.yaml``), its
keywords, and vocabulary names found in its title and abstract. Only the facets a review takes part in are
coded (agent, population, species, outcome); the codes are marked *suggested* on the review
(``concepts_suggested``) until a curator confirms them.

Species is the one facet where a wrong code misleads a clinician: when the MeSH headings name a species, only
they decide it; otherwise the text does.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from vkref.core import logs, paths
from vkref.core.entities import Review
from vkref.core.text import norm_label
from vkref.core.vocabulary import Vocabulary, case_bound
from vkref.library.documents import REVIEW_FACETS

MESH_FILE = Path("vocabulary") / "mesh.yaml"
MAX_WORDS = 5  # the longest vocabulary name matched in running text, in words
# names that say little about the organism in running text ("clinical relevance" of a rat study)
WEAK_SPECIES_WORDS = frozenset({"clinical", "patients", "people"})
log = logs.get("coding")


@lru_cache(maxsize=4)
def mesh_map(directory: Path | None = None) -> dict[str, tuple[str, ...]]:
    """MeSH heading (normalised) -> concept ids, read from the bundled data directory."""
    import yaml

    path = (directory or paths.bundled_data_dir()) / MESH_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        log.warning("no MeSH mapping (%s): imported records are coded from their text only", exc)
        return {}
    return {norm_label(k): tuple(v or ()) for k, v in (data.get("mesh") or {}).items()}


def suggest(review: Review, vocabulary: Vocabulary, mapping: dict[str, tuple[str, ...]] | None = None
            ) -> dict[str, list[str]]:
    """Facet -> concept ids for ``review`` (empty when nothing is recognised)."""
    mapping = mesh_map() if mapping is None else mapping
    from_mesh = _from_mesh(review.mesh, vocabulary, mapping)
    from_text = _from_text(" . ".join([review.title, review.summary] + list(review.keywords)), vocabulary)
    out: dict[str, list[str]] = {}
    for facet in REVIEW_FACETS:
        ids = from_mesh.get(facet, [])
        if not (facet == "species" and ids):
            ids = ids + from_text.get(facet, [])
        if ids:
            out[facet] = _most_specific(list(dict.fromkeys(ids)), vocabulary)
    return out


def _from_mesh(headings, vocabulary: Vocabulary, mapping) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for heading in headings:
        key = norm_label(heading.replace("*", "").split("/")[0])
        for cid in mapping.get(key, ()):
            if cid in vocabulary:
                out.setdefault(vocabulary[cid].facet, []).append(cid)
    return out


def _from_text(text: str, vocabulary: Vocabulary) -> dict[str, list[str]]:
    """Vocabulary names found as whole words (1 to MAX_WORDS words) in ``text``; a one-word name that is a
    short abbreviation counts only when written in its capitals (:meth:`Vocabulary.find_typed`).

    Each word is normalised once (cached: abstracts share most of their words) and a phrase is looked up only
    when its first word starts some vocabulary name, so an abstract costs a few dictionary look-ups a word."""
    names, first_words, bound, prefixes = _name_index(vocabulary)
    words = [w for w in re.split(r"[^\w()\-.,αβγκμ]+|[.,;:](?:\s|$)", text) if w]
    keys = [_norm_word(w) for w in words]
    out: dict[str, list[str]] = {}
    for i, first in enumerate(keys):
        if first not in first_words:
            continue
        for n in range(1, min(MAX_WORDS, len(keys) - i) + 1):
            phrase = " ".join(keys[i:i + n])
            if n > 1 and not _may_grow(" ".join(keys[i:i + n - 1]), keys[i + n - 1], prefixes):
                break  # no name starts with these words: a longer phrase cannot match either
            candidates = [phrase]
            if n > 1 and keys[i + n - 1].isdigit():
                candidates.append(" ".join(keys[i:i + n - 1]) + keys[i + n - 1])  # "mk 4" = "mk4"
            for key in candidates:
                if len(key) < 3 or (n == 1 and key.isdigit()):
                    continue  # "Ca", "BP", "AD": too short to mean a concept in running text
                cids = names.get(key, ())
                if n == 1 and key in bound:  # "camp", "rank": a short abbreviation counts only in its capitals
                    cids = [c.id for c in vocabulary.find_typed(words[i]) if c.id in cids]
                for cid in cids:
                    concept = vocabulary[cid]
                    if concept.facet == "species" and key in WEAK_SPECIES_WORDS:
                        continue
                    out.setdefault(concept.facet, []).append(cid)
    return out


@lru_cache(maxsize=200_000)
def _norm_word(word: str) -> str:
    return norm_label(word)


_INDEX: dict[int, tuple] = {}


def _name_index(vocabulary: Vocabulary) -> tuple[dict[str, list[str]], set[str], set[str], set[str]]:
    """Normalised name -> concept ids of the facets reviews take part in, the set of names' first words, and the
    names that some concept has only as a case-bound abbreviation (checked against the text's capitals)."""
    cached = _INDEX.get(id(vocabulary))
    if cached is not None and cached[0] is vocabulary:
        return cached[1:]
    names: dict[str, list[str]] = {}
    free: set[tuple[str, str]] = set()
    for c in vocabulary.concepts.values():
        if c.facet not in REVIEW_FACETS:
            continue
        for name in (c.id,) + c.names:
            key = " ".join(_norm_word(w) for w in name.split())
            if key and c.id not in names.setdefault(key, []):
                names[key].append(c.id)
            if name == c.id or not case_bound(name):
                free.add((key, c.id))
    first = {k.split()[0] for k in names}
    bound = {k for k, ids in names.items() if any((k, cid) not in free for cid in ids)}
    # every name cut before one of its spaces: a phrase that is none of them starts no longer name
    prefixes = {k[:j] for k in names for j, ch in enumerate(k) if ch == " "}
    _INDEX.clear()
    _INDEX[id(vocabulary)] = (vocabulary, names, first, bound, prefixes)
    return names, first, bound, prefixes


def _may_grow(shorter: str, word: str, prefixes: set[str]) -> bool:
    """Whether a name may start with ``shorter`` + ``word``: ``shorter`` begins a longer name, or ``word`` is a
    number glued to it ("mk 4" is looked up as "mk4")."""
    return shorter in prefixes or word.isdigit()


def _most_specific(ids: list[str], vocabulary: Vocabulary) -> list[str]:
    """Drop a concept when a narrower one is coded too (facets roll codes up to their ancestors anyway)."""
    covered = {a for cid in ids for a in vocabulary.ancestors(cid)}
    return [cid for cid in ids if cid not in covered]
