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
from vkref.core.vocabulary import Vocabulary
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
    """Vocabulary names found as whole words (1 to MAX_WORDS words) in ``text``."""
    words = [w for w in re.split(r"[^\w()\-.,αβγκμ]+|[.,;:](?:\s|$)", text) if w]
    out: dict[str, list[str]] = {}
    for n in range(1, MAX_WORDS + 1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i:i + n])
            key = norm_label(phrase)
            if len(key) < 3 or (n == 1 and key.isdigit()):
                continue  # "Ca", "BP", "AD": too short to mean a concept in running text
            for concept in vocabulary.find_all(phrase):
                if concept.facet == "species" and key in WEAK_SPECIES_WORDS:
                    continue
                if concept.facet in REVIEW_FACETS:
                    out.setdefault(concept.facet, []).append(concept.id)
    return out


def _most_specific(ids: list[str], vocabulary: Vocabulary) -> list[str]:
    """Drop a concept when a narrower one is coded too (facets roll codes up to their ancestors anyway)."""
    covered = {a for cid in ids for a in vocabulary.ancestors(cid)}
    return [cid for cid in ids if cid not in covered]
