"""Memory budgets of the search caches, in bytes: the one table of them (``docs/ARCHITECTURE.md`` repeats it).

Each cache counts what it holds in bytes, from the measured cost of one entry of the Python structure it keeps
(``tests/integration/test_budgets.py`` measures these with ``tracemalloc`` and fails if an estimate is too low), and drops its
oldest entries when it would pass its budget. Caches bounded by a count of small items (analysed texts for
highlighting, name keys) are listed in the architecture notes with their counts.
"""
from __future__ import annotations

import sys

MIB = 1 << 20

# cache -> bytes it may hold
BUDGETS = {
    # search/segcache.py: per (segment, field, term) document numbers and term frequencies, kept across commits
    "postings": 192 * MIB,
    # search/scoring.py: per index generation, BM25F scores of query nodes ({docnum: score})
    "scores": 128 * MIB,
    # search/engine.py: per index generation, the document set (a bitset int) of each query leaf
    "leaf_sets": 48 * MIB,
}

# bytes of one entry, measured on CPython 3.11 (64-bit)
POSTING_BYTES = 72  # (68 measured) one document number (an int above 256) and one frequency (a float) in two lists
SCORE_BYTES = 112  # (108 measured) one {docnum: score} item of a dict: the int, the float and the dict's share


def bitset_bytes(bits: int) -> int:
    """What a bitset (a Python int) holds."""
    return sys.getsizeof(bits)
