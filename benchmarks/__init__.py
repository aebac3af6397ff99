"""Scale benchmark of vkref: a synthetic library generator and a benchmark against SQLite FTS5.

Not part of the installed package and not part of the test run (``tests/e2e/test_benchmarks.py`` runs a tiny version).
"""
