"""Four curators on one shared catalog (issue 15): no lost update, every index in step, propagation latency.

    python -m benchmarks.catalog [--seconds 60] [--curators 4] [--json]

starts its own PostgreSQL server (``tests/catalog/pgserver.py``: Debian's ``postgresql`` package), makes a
catalog, and runs ``--curators`` processes that for ``--seconds`` import small batches, edit a small shared pool
of findings (so they collide: a lost race is merged with the proposal and saved again), merge two of their own
reviews and undo whatever batch is newest. Each process writes what it committed to a JSON file; an observer
client in this process records when its index reached each sequence number. Results: committed batches per
second, conflicts, propagation latency p50/p95 (a writer's commit until the observer's index holds it), and the
checks that ``tests/catalog/test_curators.py`` asserts. Figures of the full run are in ``benchmarks/CATALOG.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POOL = 12  # findings all curators edit: small, so that they collide
FIRST = (0.6, 0.6, 0.1, 0.8, 0.9)  # import, import, edit, merge, undo (the rolls below), then random ones


def curator(url: str, directory: str, seconds: float, seed: int, out: str, pool: list[str]) -> None:
    """One curator process: a loop of imports, edits, merges and undos; what committed goes to ``out``."""
    from benchmarks.generate import Generator
    from vkref.core.errors import ConflictError, EditConflict
    from vkref.library import Library

    name = f"cur{seed}"
    lib = Library.open(directory, catalog=url)
    rng = random.Random(seed)
    gen = Generator(lib.vocabulary, seed)
    done = {"name": name, "edits": [], "batches": [], "commits": [], "conflicts": 0, "merged_after_conflict": 0,
            "refused": 0}
    mine: list[str] = []
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        n += 1
        roll = FIRST[n - 1] if n <= len(FIRST) else rng.random()  # every kind early, then at random
        try:
            if roll < 0.55:
                _edit(lib, rng.choice(pool), f"{name}x{n}", name, done)
            elif roll < 0.75:
                review = replace(gen.review(n), id=f"{name}-r{n}")
                findings = [replace(gen.finding(n * 10 + k, review.id), id=f"{name}-f{n}-{k}") for k in range(2)]
                batch = lib.add_records([review], findings, who=name, label=f"{name} import {n}")
                mine.append(review.id)
                _commit(lib, done, batch, "import")
            elif roll < 0.85 and len(mine) >= 2:
                keep, other = mine.pop(0), mine.pop(0)
                if lib.get_review(keep) and lib.get_review(other):
                    _commit(lib, done, lib.merge(keep, other, who=name)["batch"], "merge")
            else:
                info = lib.undo(who=name)
                if info:
                    _commit(lib, done, info["batch"], "undo")
        except EditConflict:
            done["conflicts"] += 1
        except ConflictError:
            done["refused"] += 1  # an undo or merge over a record changed meanwhile: refused whole
    _barrier(Path(out).parent, name)  # every curator has stopped writing: now each index must equal the truth
    lib.catch_up_catalog()
    done["docs"] = docs(lib)
    lib.close()
    Path(out).write_text(json.dumps(done))


def _barrier(folder: Path, name: str) -> None:
    (folder / f"stopped-{name}").write_text("")
    wanted = int((folder / "curators").read_text())
    while len(list(folder.glob("stopped-*"))) < wanted:
        time.sleep(0.05)


def _edit(lib, fid: str, marker: str, name: str, done: dict) -> None:
    from vkref.core.errors import EditConflict

    f = lib.get_finding(fid)
    if f is None:
        return
    try:
        result = lib.edit(fid, {"effect_size": marker}, if_version=f.version, who=name)
    except EditConflict as lost:  # the loser's edit is offered for merging: take it and save again
        done["conflicts"] += 1
        p = lost.proposal
        if p["deleted"]:
            return
        try:
            result = lib.edit(fid, p["merged"], if_version=p["version"], who=name)
        except EditConflict:
            done["conflicts"] += 1
            return
        done["merged_after_conflict"] += 1
    if result["batch"]:
        done["edits"].append([fid, result["version"], marker])
        _commit(lib, done, result["batch"], "edit")


def _commit(lib, done: dict, batch: int | None, kind: str) -> None:
    if batch:
        done.setdefault("kinds", {}).setdefault(kind, 0)
        done["kinds"][kind] += 1
        done["batches"].append(batch)
        done["commits"].append([time.time(), lib.change_sequence()])


def docs(lib) -> list:
    """What a client's index answers for everything: kind, id, title, text and facet values (as sets)."""
    page = lib.search("", limit=1_000_000, spell=False)
    return json.loads(json.dumps(sorted([h.kind, h.id, h.title, h.text, sorted([f, sorted(v)] for f, v in
                                                                              h.facets.items())]
                                        for h in page.hits)))  # as the curators' JSON files hold it


def run(url: str, workdir: Path, seconds: float, curators: int = 4) -> dict:
    """Run the curators against ``url`` and an observer client; return the figures and the raw results."""
    from vkref.library import Library

    observer = Library.open(workdir / "observer", catalog=url)
    reached: list[tuple[float, int]] = []
    observer.on_catalog_event(lambda event, detail: reached.append((time.time(), detail["position"]))
                              if event == "changed" else None)
    pool = [h.id for h in observer.search("", kind="finding", limit=POOL, sort="year").hits]
    procs, outs = [], []
    (workdir / "curators").write_text(str(curators))
    for k in range(curators):
        out = workdir / f"curator{k}.json"
        outs.append(out)
        procs.append(subprocess.Popen([sys.executable, "-c", _CHILD, url, str(workdir / f"c{k}"), str(seconds),
                                       str(k + 1), str(out),
                                       json.dumps(pool)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}))
    started = time.time()
    for p in procs:
        p.wait(timeout=seconds + 600)
    elapsed = time.time() - started
    observer.catch_up_catalog()
    failed = [k for k, p in enumerate(procs) if p.returncode != 0]
    if failed:
        observer.close()
        raise RuntimeError(f"curator processes {failed} failed (exit {[procs[k].returncode for k in failed]})")
    results = [json.loads(o.read_text()) for o in outs]
    fresh = Library.open(workdir / "fresh", catalog=url)
    truth = docs(fresh)
    history = {fid: fresh.history(fid) for r in results for fid, _, _ in r["edits"]}
    batches = {b["id"] for b in fresh.batches(1_000_000)}
    fresh.close()
    observed = docs(observer)
    observer.close()
    return {"seconds": seconds, "elapsed": elapsed, "results": results, "truth": truth, "observer": observed,
            "history": history, "batches": batches, "latencies": _latencies(results, reached),
            "returncodes": [p.returncode for p in procs]}


_CHILD = ("import sys, json\nfrom benchmarks.catalog import curator\n"
          "curator(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], "
          "json.loads(sys.argv[6]))\n")


def _latencies(results: list[dict], reached: list[tuple[float, int]]) -> list[float]:
    """For every commit: seconds until the observer's index had reached its sequence number."""
    out = []
    for r in results:
        for t, seq in r["commits"]:
            when = next((at for at, pos in reached if pos >= seq and at >= t - 1.0), None)
            if when is not None:
                out.append(max(0.0, when - t))
    return sorted(out)


def summary(result: dict) -> dict:
    lat = result["latencies"]
    pct = (lambda q: round(1000 * lat[min(len(lat) - 1, int(q * len(lat)))], 1) if lat else None)
    committed = sum(len(r["batches"]) for r in result["results"])
    return {"curators": len(result["results"]), "seconds": round(result["elapsed"], 1), "committed_batches":
            committed, "batches_per_second": round(committed / max(result["elapsed"], 1e-9), 1),
            "edits": sum(len(r["edits"]) for r in result["results"]),
            "by_kind": {k: sum(r.get("kinds", {}).get(k, 0) for r in result["results"])
                        for k in ("edit", "import", "merge", "undo")},
            "conflicts": sum(r["conflicts"] for r in result["results"]),
            "merged_after_conflict": sum(r["merged_after_conflict"] for r in result["results"]),
            "refused_undo_or_merge": sum(r["refused"] for r in result["results"]),
            "propagation_ms_p50": pct(0.5), "propagation_ms_p95": pct(0.95), "latency_samples": len(lat)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--curators", type=int, default=4)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.catalog.pgserver import PgServer
    from vkref.library import Library

    server = PgServer().init()
    try:
        url = server.new_database("vkref_bench")
        Library.init_catalog(url)
        with tempfile.TemporaryDirectory() as tmp:
            result = run(url, Path(tmp), args.seconds, args.curators)
    finally:
        server.destroy()
    figures = summary(result)
    figures["index_equals_rebuild"] = all(r["docs"] == result["truth"] for r in result["results"])
    print(json.dumps(figures, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
