"""Facet counts by label (:func:`vkref.library.documents.labelled_facets`) come out exactly as the plain way
computes them: label every value, most frequent first, then by value; years newest first, "No year" last."""
from __future__ import annotations

import random

import pytest

from vkref.core import paths
from vkref.core.vocabulary import ALL_FACETS, CONCEPT_FACETS
from vkref.io import bundled
from vkref.library import documents as D


def plain(raw, vocabulary, labels):
    facets = {f: {D.facet_label(f, v, vocabulary, labels): n
                  for v, n in sorted(raw.get(f, {}).items(), key=lambda kv: (-kv[1], kv[0]))} for f in ALL_FACETS}
    facets["year"] = dict(sorted(facets["year"].items(), key=lambda kv: (kv[0] != D.NO_YEAR_LABEL, kv[0]),
                                 reverse=True))
    return facets


@pytest.mark.parametrize("seed", range(6))
def test_labelled_facets_equal_the_plain_way_in_content_and_order(seed):
    rnd = random.Random(seed)
    vocabulary = bundled.load(paths.bundled_data_dir()).vocabulary
    reviews = sorted(f"r{rnd.randrange(10 ** 6):06d}" for _ in range(300))
    if seed % 2:
        rnd.shuffle(reviews)  # labels not in value order (a database collation): the sorted way is taken
    labels = D.numbered_labels((rid, f"Author{rnd.randrange(20)} {2000 + rnd.randrange(5)}") for rid in reviews)
    raw = {f: {c.id: rnd.randrange(1, 6) for c in vocabulary.in_facet(f) if rnd.random() < 0.7}
           for f in CONCEPT_FACETS}
    raw["review"] = {rid: rnd.randrange(1, 6) for rid in labels if rnd.random() < 0.8}
    if seed % 3 == 0:
        raw["review"]["unknown-review"] = 2  # a value without a label keeps its id
    raw["year"] = {str(y): rnd.randrange(1, 9) for y in range(1990, 2020) if rnd.random() < 0.5} | {D.NO_YEAR: 3}
    raw["kind"] = {"finding": 7, "review": 7}
    got, want = D.labelled_facets(raw, vocabulary, labels), plain(raw, vocabulary, labels)
    assert {f: list(v.items()) for f, v in got.items()} == {f: list(v.items()) for f, v in want.items()}
