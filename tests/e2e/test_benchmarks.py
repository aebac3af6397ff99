"""The scale benchmark still works: a 1k-finding library is generated, opens through the CLI and the
facade, and one reduced benchmark pass runs end to end. No timing assertions: CI machines vary."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks import run
from benchmarks.generate import Generator
from benchmarks.queries import QUERIES, SMALL_QUERIES

pytestmark = pytest.mark.slow


def test_generator_is_deterministic_and_coherent():
    from vkref.core.vocabulary import Vocabulary
    from vkref.io.bundled import load_vocabulary
    from vkref.core.paths import bundled_data_dir

    vocab: Vocabulary = load_vocabulary(bundled_data_dir() / "vocabulary")
    a = [f for _, fs in Generator(vocab, 3).records(300) for f in fs]
    b = [f for _, fs in Generator(vocab, 3).records(300, chunk=7) for f in fs]
    assert [(f.id, f.statement, f.concepts) for f in a] == [(f.id, f.statement, f.concepts) for f in b]
    evidence_of = {"rat": {"animal-study", "mechanistic"}, "mouse": {"animal-study", "mechanistic"},
                   "cell-culture": {"in-vitro", "mechanistic"},
                   "human": {"rct", "cct", "observational", "meta-analysis", "mechanistic"}}
    for f in a:
        species = f.concepts["species"][0]
        assert f.concepts["evidence"][0] in evidence_of[species]
        for cid in f.concepts["population"]:
            chain = [cid] + vocab.ancestors(cid)
            root = {"human": {"humans-all", "hip-fracture-patients"}, "rat": {"rat-model"},
                    "cell-culture": {"cell-models"}}[species]
            assert root & set(chain), (species, cid)
        assert 1 <= len(f.concepts["agent"]) <= 3 and 1 <= len(f.concepts["outcome"]) <= 3
        assert 20 <= len(f.statement.split()) <= 90
    assert len(QUERIES) >= 30 and SMALL_QUERIES


def test_small_benchmark_end_to_end(tmp_path):
    result = run.measure(1000, seed=6, reps=1, procs=1, small=True, out_dir=tmp_path, log=lambda m: None)
    library = tmp_path / "lib-1000"
    out = subprocess.run([sys.executable, "-m", "vkref", "--library", str(library), "search", "menatetrenone",
                          "--filter", "species=rat", "--json"], capture_output=True, text=True, check=True)
    page = json.loads(out.stdout)
    assert page["total"] > 0 and all("Rat" in h["facets"]["species"] for h in page["hits"])
    assert result["generate"]["library_findings"] >= 1000
    assert result["rebuild"]["docs"] == result["baseline"]["docs"]
    for label, total in result["vkref"]["totals"].items():
        assert total >= 0 and label in result["baseline"]["totals"]
    assert result["vkref"]["totals"]["bone"] == result["baseline"]["totals"]["bone"]  # same data, same word
    markdown = run.render([result])
    assert "search + all facet counts" in markdown and "FTS5" in markdown and "Targets" in markdown
