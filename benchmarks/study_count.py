"""What "N findings from M studies" costs a search at 100,000 documents (no library needed):
python -m benchmarks.study_count

The count asks the index which of the findings linked to a study are among the matches
(:func:`vkref.search.engine.among`): the linked keys' document numbers are found once per index generation
(:meth:`vkref.search.facets.FacetTable.positions`), then each search tests those bits. Measured for 170 linked
findings (the bundled library's) and for 50,000, with half of the documents matching.
"""
from __future__ import annotations

import os
import random
import time

from vkref.search.engine import among
from vkref.search.facets import FacetTable, SegmentFacets


def table(n: int) -> FacetTable:
    seg = SegmentFacets(n, keys=[f"finding:f{i}" for i in range(n)], years=[None] * n, reviews=[""] * n,
                        strengths=[0] * n)
    return FacetTable([(seg, 0, (1 << n) - 1)])


def measure(n: int = 100_000, linked: int = 170, rounds: int = 20) -> dict:
    rng = random.Random(6)
    t = table(n)
    keys = frozenset(rng.sample(t.keys, linked))
    final = rng.getrandbits(n)
    wall, cpu = time.perf_counter(), time.process_time()
    among(t, final, keys)
    first = ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        among(t, final, keys)
    each = ((time.perf_counter() - wall) * 1000 / rounds, (time.process_time() - cpu) * 1000 / rounds)
    return {"documents": n, "linked": linked, "first_ms": first, "each_ms": each}


if __name__ == "__main__":
    for linked in (170, 50_000):
        r = measure(linked=linked)
        print(f"{r['linked']:>6} linked of {r['documents']:,}: first search {r['first_ms'][0]:.1f} ms wall "
              f"({r['first_ms'][1]:.1f} CPU), then {r['each_ms'][0]:.2f} ms wall ({r['each_ms'][1]:.2f} CPU) a search")
    print("load average", " ".join(f"{x:.1f}" for x in os.getloadavg()))
