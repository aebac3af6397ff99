"""The cached document orders of a facet table (year, oldest first, evidence) equal a plain sort on the same
keys: year, then the natural order of keys ("imm-9" before "imm-10") as the tie-break."""
import random
import re

import pytest

from vkref.search.facets import FacetTable, SegmentFacets


def natural(key):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key)]


def table(seed: int, n: int) -> FacetTable:
    rnd = random.Random(seed)
    keys = [f"finding:{rnd.choice(['imm', 'kjm', 'ymj', 'gen'])}-{rnd.randint(0, 120)}-{i}" for i in range(n)]
    keys += [f"review:{rnd.choice(['iwamoto', 'shiraki'])}-{rnd.randint(1990, 2025)}-{i}" for i in range(n // 5)]
    size = len(keys)
    rnd.shuffle(keys)
    years = [rnd.choice([None, *range(1995, 2026)]) for _ in keys]
    strengths = [rnd.randint(0, 6) for _ in keys]
    half = size // 2  # two segments, as after an edit
    segs = [SegmentFacets(half, keys=keys[:half], years=years[:half], reviews=[""] * half,
                          strengths=strengths[:half]),
            SegmentFacets(size - half, keys=keys[half:], years=years[half:], reviews=[""] * (size - half),
                          strengths=strengths[half:])]
    return FacetTable([(segs[0], 0, (1 << half) - 1), (segs[1], half, (1 << (size - half)) - 1)])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_orders_equal_a_plain_sort(seed):
    t = table(seed, 700)
    keys, years, strengths = t.keys, t.years, t.strengths
    docs = range(len(keys))
    assert list(t.order_by_year(True)) == sorted(docs, key=lambda d: (-(years[d] or 0), natural(keys[d])))
    assert list(t.order_by_year(False)) == sorted(docs, key=lambda d: (years[d] or 9999, natural(keys[d])))
    assert list(t.order_by_strength()) == sorted(
        docs, key=lambda d: (strengths[d], -(years[d] or 0), natural(keys[d])))
