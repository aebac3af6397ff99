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
    "postings": 48 * MIB,
    # search/scoring.py: per index generation, BM25F scores of query nodes (scoring.Table: ids and scores)
    "scores": 32 * MIB,
    # search/engine.py: per index generation, the document set (a bitset int) of each query leaf
    "leaf_sets": 24 * MIB,
}

# bytes of one entry (NumPy columns; tests/integration/test_budgets.py measures them)
POSTING_BYTES = 8  # one document number (int32) and one frequency (float32)
SCORE_BYTES = 12  # one document number (int32) and its score (float64)
ENTRY_BYTES = 1024  # (440-920 measured) an entry's fixed cost: two NumPy array headers, its key tuple, its dict slot


def entry_bytes(entries: int, each: int) -> int:
    """What one cached entry of ``entries`` documents costs, at ``each`` bytes a document."""
    return ENTRY_BYTES + entries * each


def bitset_bytes(bits: int) -> int:
    """What a bitset (a Python int) holds."""
    return sys.getsizeof(bits)
