"""The benchmark's tantivy reference (benchmarks/tantivy_ref.py, the ``bench`` extra): its worker runs on the
bundled library and answers the mix with the FTS5 baseline's semantics when tantivy is installed; without it the
benchmark skips the reference with a note; and the extra stays out of the build. No timing assertions."""
from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

from benchmarks import run, tantivy_ref
from benchmarks.queries import SMALL_QUERIES

ROOT = Path(__file__).resolve().parents[2]


def test_worker_runs_on_a_tiny_library(built_library):
    pytest.importorskip("tantivy")
    out = run.run_worker("tantivy", built_library, "--reps", "2", "--small")
    base = run.run_worker("baseline", built_library, "--reps", "1", "--small")
    assert out["docs"] == base["docs"] > 0 and out["segments"] >= 1 and out["peak_rss_mb"] > 0
    assert set(out["samples"]) == {q.label for q in SMALL_QUERIES}
    assert all(len(s) == 2 for s in out["samples"].values())
    assert out["totals"]["bone"] == base["totals"]["bone"] > 0
    markdown = run.render([_result(out, base)])
    assert "tantivy reference" in markdown and "tantivy p50 (p95)" in markdown


def _result(tantivy: dict, base: dict) -> dict:
    """A benchmark result around real worker outputs (vkref's row borrowed from the baseline's figures)."""
    vk = {**base, "keystrokes": [{"ms": x} for x in base["keystroke_ms"]], "retype_ms": base["keystroke_ms"],
          "new_finding_ms": [1.0]}
    return {"findings": 217, "seed": 6, "small": True, "vkref": vk, "baseline": base, "tantivy": tantivy,
            "generate": {"import_records_per_s": 1}, "first": [{"process_wall_s": 1, "in_process_s": 1,
                                                                "peak_rss_mb": 1}],
            "rebuild": {"rebuild_s": 1, "docs": base["docs"], "procs": 1, "peak_rss_mb": 1,
                        "children_peak_rss_mb": 1}}


def test_facet_counts_follow_the_baseline(library):
    pytest.importorskip("tantivy")
    from benchmarks import baseline

    fts, _, _ = baseline.build(library)
    ref, n, _ = tantivy_ref.build(library)
    try:
        plan = library.search_service.builder.plan("bone")
        text, match = ref.text_query(plan), baseline.Fts5Baseline.match_expression(plan)
        plain, rat = ref.match(text, {}), ref.match(text, library._resolve({"species": ["Rat"]}))
        assert plain["facets"] == fts.match(match, {})["facets"] and plain["total"] == fts.match(match, {})["total"]
        assert rat["facets"]["species"] == plain["facets"]["species"]  # a facet's own filter is not applied
        assert rat["total"] == plain["facets"]["species"]["rat"] == sum(rat["facets"]["kind"].values()) < n
        assert 0 < len(rat["hits"]) <= tantivy_ref.PAGE and all("bone" in (t + x).lower() for _, t, x in rat["hits"])
    finally:
        ref.close()
    assert not ref.directory.exists()


def test_skipped_with_a_note_when_not_installed(monkeypatch, tmp_path):
    monkeypatch.setattr(tantivy_ref, "available", lambda: False)
    notes = []
    out = run.measure_tantivy(1000, tmp_path, [], log=notes.append)
    assert "not installed" in out["skipped"] and "skipped" in notes[0]
    assert "not installed" in tantivy_ref.render_section([{"findings": 1000, "tantivy": out}])


def test_the_bench_extra_stays_out_of_the_build():
    spec = importlib.util.spec_from_file_location("vkref_buildinfo", ROOT / "packaging" / "buildinfo.py")
    info = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(info)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(r.startswith("tantivy") for r in project["optional-dependencies"]["bench"])
    assert not any("tantivy" in r for r in info.build_requirements() + project["optional-dependencies"]["test"])
    assert "tantivy" not in info.runtime_dependencies()
    assert '"tantivy"]' in (ROOT / "packaging" / "vkref.spec").read_text()  # in the spec's excludes
