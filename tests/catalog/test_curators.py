"""Four curator processes on one catalog (issue 15): no lost update, every client's index equals a fresh rebuild.

A bounded sample in CI: ``VKREF_CATALOG_SECONDS`` (default 12) seconds; the full 60 s run's figures are in
``benchmarks/CATALOG.md`` (``python -m benchmarks.catalog --seconds 60``)."""
from __future__ import annotations

import json
import os

from benchmarks import catalog as bench

SECONDS = float(os.environ.get("VKREF_CATALOG_SECONDS", "12"))


def test_four_curators_lose_no_update_and_every_index_is_in_step(tmp_path, catalog_url):
    result = bench.run(catalog_url, tmp_path, SECONDS, curators=4)
    assert result["returncodes"] == [0, 0, 0, 0]
    figures = bench.summary(result)
    print(json.dumps(figures))
    assert figures["edits"] > 0 and figures["committed_batches"] > figures["edits"]
    assert figures["by_kind"]["import"] > 0 and figures["by_kind"]["merge"] + figures["by_kind"]["undo"] > 0
    # every committed change is in the history: each batch, and each edit at the version it was given
    committed = [b for r in result["results"] for b in r["batches"]]
    assert len(set(committed)) == len(committed) and set(committed) <= result["batches"]
    for r in result["results"]:
        for fid, version, marker in r["edits"]:
            assert any(c["field"] == "effect_size" and c["version"] == version and c["new"] == marker
                       for c in result["history"][fid]), (fid, version, marker)
    # no two batches made the same version of a record
    for fid, changes in result["history"].items():
        versions = [v for _, v in sorted({(c["batch"], c["version"]) for c in changes})]
        assert versions == sorted(versions) and len(versions) == len(set(versions)), fid
    # every client's index (the curators', the observer's) equals a fresh rebuild from the catalog
    for r in result["results"]:
        if r["docs"] != result["truth"]:
            have = {json.dumps(d) for d in r["docs"]}
            want = {json.dumps(d) for d in result["truth"]}
            print("EXTRA", sorted(have - want)[:3]); print("MISSING", sorted(want - have)[:3])
    assert all(r["docs"] == result["truth"] for r in result["results"])
    assert result["observer"] == result["truth"]
