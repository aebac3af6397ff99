"""The vkref scale benchmark: search, facets, typing, rebuild, import, freshness, start-up and memory on
synthetic libraries of 1k, 10k and 100k findings, beside a plain SQLite FTS5 baseline measured in the same run.

    python -m benchmarks.run [--sizes 1000,10000,100000] [--out benchmarks/RESULTS.md] [--procs 2]

Generated libraries are cached under ``benchmarks/out/lib-N`` (git-ignored; delete one to regenerate it). Each
measurement that reports memory runs in its own subprocess (``--worker``), so peak RSS is that job's alone.
Text below the ``<!-- notes -->`` marker of an existing results file is kept when the file is rewritten.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.queries import AS_YOU_TYPE, CLASSES, QUERIES, SMALL_QUERIES

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
NOTES_MARK = "<!-- notes -->"
TARGETS_100K = {"p95_ms": 50.0, "p50_ratio": 2.0, "keystroke_p95_ms": 100.0, "rebuild_s": 60.0,
                "new_finding_ms": 200.0, "first_result_s": 1.0, "rss_mb": 300.0}


# ---------------------------------------------------------------------------- helpers
def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux: KiB


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def run_worker(kind: str, library: Path, *extra: str, timeout: float = 3600) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.run", "--worker", kind, "--library", str(library), *extra]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=HERE.parent)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"worker {kind} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_wall_s"] = round(wall, 3)
    return out


# ---------------------------------------------------------------------------- workers (run in a subprocess)
def _query_set(small: bool):
    return SMALL_QUERIES if small else QUERIES


def worker_search(library: Path, reps: int, small: bool) -> dict:
    """vkref through the Library facade: the query mix, typing, and a new finding becoming searchable."""
    from vkref import Library

    lib = Library.open(library)
    queries = _query_set(small)
    # typing first, on a library nobody has searched yet in this process: the honest first-time keystroke cost
    typed = AS_YOU_TYPE[:12] if small else AS_YOU_TYPE
    keystrokes = []
    for i in range(1, len(typed) + 1):
        t = time.perf_counter()
        page = lib.search(typed[:i], limit=20)
        keystrokes.append({"prefix": typed[:i], "ms": ms(time.perf_counter() - t), "total": page.total})
    samples: dict[str, list[float]] = {q.label: [] for q in queries}
    cpu: dict[str, list[float]] = {q.label: [] for q in queries}  # process CPU time beside the wall time
    totals = {}
    for rep in range(reps + 1):  # the first pass warms caches and is not counted
        for q in queries:
            t, c = time.perf_counter(), time.process_time()
            page = lib.search(q.text, filters=q.filters, limit=20)
            dt = time.perf_counter() - t
            if rep:
                samples[q.label].append(dt)
                cpu[q.label].append(time.process_time() - c)
            totals[q.label] = page.total
    retype = []
    for i in range(1, len(typed) + 1):
        t = time.perf_counter()
        lib.search(typed[:i], limit=20)
        retype.append(ms(time.perf_counter() - t))
    new = new_finding_latency(lib)
    rss = peak_rss_mb()
    lib.close()
    return {"samples": {k: [ms(x) for x in v] for k, v in samples.items()}, "totals": totals,
            "cpu_samples": {k: [ms(x) for x in v] for k, v in cpu.items()}, "keystrokes": keystrokes,
            "retype_ms": retype, "new_finding_ms": new, "peak_rss_mb": rss}


def new_finding_latency(lib, n: int = 5) -> list[float]:
    """save_finding + the next search that sees it, n times; the probe findings are deleted afterwards."""
    from vkref.core.entities import Finding

    # one review's id through the search (``lib.reviews()`` reads all 10,000 full records at 100k: +100 MB of
    # peak RSS that belonged to the harness, not to the search process it measures)
    review_id = lib.search("", kind="review", limit=1).hits[0].id
    out, ids = [], []
    for k in range(n):
        token = f"zqxprobe{os.getpid()}x{k}"
        f = Finding(id=f"bench-probe-{os.getpid()}-{k}", review_id=review_id,
                    statement=f"Benchmark probe {token}: MK-4 increased lumbar BMD in postmenopausal women.",
                    concepts={"agent": ["mk4"], "population": ["postmenopausal-women"], "species": ["human"],
                              "outcome": ["lumbar-bmd"], "direction": ["beneficial"], "evidence": ["rct"]})
        t = time.perf_counter()
        lib.save_finding(f, who="benchmark")
        page = lib.search(token, limit=20)
        out.append(ms(time.perf_counter() - t))
        if page.total != 1:
            raise RuntimeError(f"new finding not found by {token!r} (total {page.total})")
        ids.append(f.id)
    for fid in ids:
        lib.delete_finding(fid)
    lib.sync_index()
    return out


def _reference_mix(lib, translate, answer, reps: int, small: bool) -> dict:
    """Time a reference engine on the mix and on typing: ``translate(plan)`` once per query (not timed), then
    ``answer(translated, filters)`` for search + every facet count (timed)."""
    queries = _query_set(small)
    prepared = [(q, translate(lib.search_service.builder.plan(q.text)), lib._resolve(q.filters)) for q in queries]
    samples: dict[str, list[float]] = {q.label: [] for q in queries}
    cpu: dict[str, list[float]] = {q.label: [] for q in queries}
    totals = {}
    for rep in range(reps + 1):
        for q, match, filters in prepared:
            t, c = time.perf_counter(), time.process_time()
            res = answer(match, filters)
            dt = time.perf_counter() - t
            if rep:
                samples[q.label].append(dt)
                cpu[q.label].append(time.process_time() - c)
            totals[q.label] = res["total"]
    keystrokes = []
    for i in range(1, len(AS_YOU_TYPE) + 1):
        match = translate(lib.search_service.builder.plan(AS_YOU_TYPE[:i]))
        t = time.perf_counter()
        answer(match, {})
        keystrokes.append(ms(time.perf_counter() - t))
    return {"samples": {k: [ms(x) for x in v] for k, v in samples.items()}, "totals": totals,
            "cpu_samples": {k: [ms(x) for x in v] for k, v in cpu.items()}, "keystroke_ms": keystrokes}


def worker_baseline(library: Path, reps: int, small: bool) -> dict:
    """The FTS5 baseline: build it from the library's documents, then answer the same mix."""
    from benchmarks import baseline
    from vkref import Library

    lib = Library.open(library)
    base, ndocs, build_s = baseline.build(lib)
    out = _reference_mix(lib, baseline.Fts5Baseline.match_expression, base.match, reps, small)
    return {**out, "docs": ndocs, "build_s": round(build_s, 2), "peak_rss_mb": peak_rss_mb()}


def worker_tantivy(library: Path, reps: int, small: bool) -> dict:
    """The tantivy reference (benchmarks/tantivy_ref.py): build its index from the library's documents, then
    answer the same mix. Needs the ``bench`` extra."""
    from benchmarks import tantivy_ref
    from vkref import Library

    lib = Library.open(library)
    cpu = time.process_time()
    ref, ndocs, build_s = tantivy_ref.build(lib)
    cpu = time.process_time() - cpu
    try:
        out = _reference_mix(lib, ref.text_query, ref.match, reps, small)
        disk = ref.disk_mb()
        segments = ref.searcher.num_segments
    finally:
        ref.close()
    return {**out, "docs": ndocs, "build_s": round(build_s, 2), "build_cpu_s": round(cpu, 2), "index_mb": disk,
            "segments": segments, "threads": ref.threads, "peak_rss_mb": peak_rss_mb(), "loadavg": os.getloadavg()}


def worker_rebuild(library: Path, procs: int) -> dict:
    from vkref import Library

    lib = Library.open(library)
    t = time.perf_counter()
    docs = lib.reindex(procs=procs)
    dt = time.perf_counter() - t
    lib.close()
    return {"rebuild_s": round(dt, 2), "docs": docs, "procs": procs, "peak_rss_mb": peak_rss_mb(),
            "children_peak_rss_mb": peak_rss_mb(children=True)}


def worker_first(library: Path) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    from vkref import Library

    lib = Library.open(library)
    t1 = time.perf_counter()
    page = lib.search("menatetrenone vertebral fracture", limit=20)
    t2, c2 = time.perf_counter(), time.process_time()
    return {"open_s": round(t1 - t0, 3), "first_search_s": round(t2 - t1, 3),
            "in_process_s": round(t2 - t0, 3), "in_process_cpu_s": round(c2 - c0, 3),
            "load_1min": round(os.getloadavg()[0], 2), "total": page.total, "peak_rss_mb": peak_rss_mb()}


# ---------------------------------------------------------------------------- orchestration
def ensure_library(n: int, seed: int, procs: int, log, out_dir: Path = OUT) -> Path:
    directory = Path(out_dir) / f"lib-{n}"
    stats = directory / "generate.json"
    if stats.exists():
        data = json.loads(stats.read_text())
        if data.get("seed") == seed and data.get("findings") == n:
            log(f"[{n}] using cached library {directory}")
            return directory
    if directory.exists():
        import shutil

        shutil.rmtree(directory)
    log(f"[{n}] generating {directory} ...")
    subprocess.run([sys.executable, "-m", "benchmarks.generate", "--findings", str(n), "--library", str(directory),
                    "--seed", str(seed), "--procs", str(procs)], check=True, cwd=HERE.parent,
                   stdout=subprocess.DEVNULL)
    return directory


def measure(n: int, seed: int = 6, reps: int = 5, procs: int = 2, small: bool = False, rebuild: bool = True,
            log=print, out_dir: Path = OUT) -> dict:
    directory = ensure_library(n, seed, procs, log, out_dir)
    gen = json.loads((directory / "generate.json").read_text())
    extra = ["--reps", str(reps)] + (["--small"] if small else [])
    log(f"[{n}] rebuild ...")
    rb = run_worker("rebuild", directory, "--procs", str(procs)) if rebuild else {
        "rebuild_s": gen["reindex_s"], "docs": gen["reindex_docs"], "procs": gen["procs"], "peak_rss_mb": None,
        "children_peak_rss_mb": None, "from": "generation"}
    log(f"[{n}] first result in a fresh process ...")
    first = [run_worker("first", directory) for _ in range(1 if small else 3)]
    log(f"[{n}] vkref query mix ...")
    vk = run_worker("search", directory, *extra)
    log(f"[{n}] FTS5 baseline ...")
    base = run_worker("baseline", directory, *extra)
    return {"findings": n, "seed": seed, "generate": gen, "rebuild": rb, "first": first, "vkref": vk,
            "baseline": base, "tantivy": measure_tantivy(n, directory, extra, log), "small": small}


def measure_tantivy(n: int, directory: Path, extra: list[str], log=print) -> dict:
    """The tantivy reference's worker, or a note saying why it was skipped (the extra is not installed)."""
    from benchmarks import tantivy_ref

    if not tantivy_ref.available():
        log(f"[{n}] tantivy reference skipped: not installed (pip install -e .[bench])")
        return {"skipped": "tantivy not installed (the `bench` extra)"}
    log(f"[{n}] tantivy reference ...")
    return run_worker("tantivy", directory, *extra)


def summarise(r: dict) -> dict:
    vk, base = r["vkref"], r["baseline"]
    all_vk = [x for v in vk["samples"].values() for x in v]
    all_b = [x for v in base["samples"].values() for x in v]
    qs = QUERIES if not r["small"] else [q for q in QUERIES if q.label in vk["samples"]]
    classes = {}
    for cls in CLASSES:
        labels = [q.label for q in qs if q.cls == cls]
        if not labels:
            continue
        v = [x for lab in labels for x in vk["samples"][lab]]
        b = [x for lab in labels for x in base["samples"][lab]]
        classes[cls] = {"vk_p50": pct(v, 50), "vk_p95": pct(v, 95), "b_p50": pct(b, 50), "b_p95": pct(b, 95),
                        "ratio": pct(v, 50) / pct(b, 50) if pct(b, 50) else float("inf")}
    keys = [k["ms"] for k in vk["keystrokes"]]
    firsts = sorted(f["process_wall_s"] for f in r["first"])
    return {
        "p50": pct(all_vk, 50), "p95": pct(all_vk, 95), "b_p50": pct(all_b, 50), "b_p95": pct(all_b, 95),
        "ratio_p50": pct(all_vk, 50) / pct(all_b, 50), "classes": classes,
        "key_p50": pct(keys, 50), "key_p95": pct(keys, 95), "key_max": max(keys),
        "rekey_p95": pct(vk["retype_ms"], 95), "bkey_p95": pct(base["keystroke_ms"], 95),
        "rebuild_s": r["rebuild"]["rebuild_s"], "rebuild_docs_s": r["rebuild"]["docs"] / r["rebuild"]["rebuild_s"],
        "import_rps": r["generate"]["import_records_per_s"], "base_build_s": base["build_s"],
        "base_docs_s": base["docs"] / base["build_s"] if base["build_s"] else 0,
        "new_p50": pct(vk["new_finding_ms"], 50), "new_max": max(vk["new_finding_ms"]),
        "first_s": statistics.median(firsts), "first_in_process_s": statistics.median(
            f["in_process_s"] for f in r["first"]),
        "rss_search": vk["peak_rss_mb"], "rss_rebuild": r["rebuild"]["peak_rss_mb"],
        "rss_rebuild_children": r["rebuild"]["children_peak_rss_mb"],
        "rss_first": max(f["peak_rss_mb"] for f in r["first"]), "rss_base": base["peak_rss_mb"],
    }


# ---------------------------------------------------------------------------- report
def machine() -> dict:
    import sqlite3

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    from importlib import metadata

    import vkref

    vers = {"python": platform.python_version(), "vkref": vkref.__version__, "sqlite": sqlite3.sqlite_version}
    for dist in ("whoosh-reloaded", "SQLAlchemy"):
        try:
            vers[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return {"nproc": os.cpu_count(), "ram": ram, "cpu": cpu, "os": platform.platform(), "versions": vers,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def times(ratio: float) -> str:
    """A ratio as "0.04×" or "1.3×": two decimals below 1, so a ratio far under 1 does not print as 0.0×."""
    return f"{ratio:.2f}×" if ratio < 1 else f"{ratio:.1f}×"


def f1(x, unit="") -> str:
    if x is None:
        return "–"
    return f"{x:.1f}{unit}" if x < 100 else f"{x:.0f}{unit}"


def render(results: list[dict], notes: str = "") -> str:
    m = machine()
    sums = {r["findings"]: summarise(r) for r in results}
    sizes = [r["findings"] for r in results]
    head = "| | " + " | ".join(f"{n:,} findings" for n in sizes) + " |\n|---|" + "---|" * len(sizes) + "\n"

    def row(label, fn):
        return f"| {label} | " + " | ".join(fn(sums[n], r) for n, r in zip(sizes, results)) + " |\n"

    out = ["# vkref scale benchmark results\n\n",
           f"Generated by `python -m benchmarks.run` on {m['date']}. Machine: {m['nproc']} CPUs ({m['cpu']}), "
           f"{m['ram']} RAM, {m['os']}. Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".\n\n",
           "Libraries: `benchmarks.generate` (seed %d), N findings + N/10 reviews plus the bundled library; "
           "the index holds every finding and review. Times are wall-clock milliseconds unless marked; each query "
           "of the mix runs %d times after one warm-up pass.\n" % (results[0]["seed"], len(
               next(iter(results[0]["vkref"]["samples"].values())))),
           "\n## Summary\n\n", head,
           row("documents indexed", lambda s, r: f"{r['rebuild']['docs']:,}"),
           row("search + all facet counts, p50 / p95 (vkref)", lambda s, r: f"{f1(s['p50'])} / {f1(s['p95'])}"),
           row("same mix, FTS5 + GROUP BY baseline, p50 / p95", lambda s, r: f"{f1(s['b_p50'])} / {f1(s['b_p95'])}"),
           row("ratio vkref / baseline at p50", lambda s, r: times(s['ratio_p50'])),
           row("keystroke to results + counts, p50 / p95 / max (first typing)",
               lambda s, r: f"{f1(s['key_p50'])} / {f1(s['key_p95'])} / {f1(s['key_max'])}"),
           row("keystroke p95, typed again (warm) / baseline p95",
               lambda s, r: f"{f1(s['rekey_p95'])} / {f1(s['bkey_p95'])}"),
           row("full index rebuild (s), procs", lambda s, r: f"{f1(s['rebuild_s'])} s, {r['rebuild']['procs']}"),
           row("index rebuild throughput (docs/s)", lambda s, r: f"{s['rebuild_docs_s']:.0f}"),
           row("import throughput, `add_records` (records/s)", lambda s, r: f"{s['import_rps']:.0f}"),
           row("baseline build: load + FTS5 index (s, docs/s)",
               lambda s, r: f"{f1(s['base_build_s'])} s, {s['base_docs_s']:.0f}"),
           row("new finding searchable (save + next search), p50 / max",
               lambda s, r: f"{f1(s['new_p50'])} / {f1(s['new_max'])}"),
           row("fresh process to first result (s), of which in-process",
               lambda s, r: f"{s['first_s']:.2f} s ({s['first_in_process_s']:.2f} s)"),
           row("peak RSS MB: search worker / fresh first result / rebuild (+children) / baseline",
               lambda s, r: f"{f1(s['rss_search'])} / {f1(s['rss_first'])} / {f1(s['rss_rebuild'])} "
                            f"(+{f1(s['rss_rebuild_children'])}) / {f1(s['rss_base'])}"),
           "\n## Per query class: p50 (p95), vkref vs baseline\n\n",
           "| class | " + " | ".join(f"{n:,}: vkref | baseline | ratio" for n in sizes) + " |\n|---|"
           + "---|---|---|" * len(sizes) + "\n"]
    for cls in CLASSES:
        cells = []
        for n in sizes:
            c = sums[n]["classes"].get(cls)
            cells.append(f"{f1(c['vk_p50'])} ({f1(c['vk_p95'])}) | {f1(c['b_p50'])} ({f1(c['b_p95'])}) | "
                         + times(c['ratio']) if c else "– | – | –")
        out.append(f"| {cls} | " + " | ".join(cells) + " |\n")
    out.append("\n## Per query: vkref median ms / baseline median ms (totals vkref / baseline)\n\n")
    out.append("| query | " + " | ".join(f"{n:,}" for n in sizes) + " |\n|---|" + "---|" * len(sizes) + "\n")
    for q in QUERIES:
        cells = []
        for r in results:
            v, b = r["vkref"]["samples"].get(q.label), r["baseline"]["samples"].get(q.label)
            cells.append(f"{f1(statistics.median(v))} / {f1(statistics.median(b))} "
                         f"({r['vkref']['totals'][q.label]} / {r['baseline']['totals'][q.label]})" if v else "–")
        out.append(f"| {q.cls}: `{q.label}` | " + " | ".join(cells) + " |\n")
    big = max(sizes)
    s = sums[big]
    rss = max(x for x in (s["rss_search"], s["rss_first"]) if x is not None)
    checks = [("search + facets p95 ≤ 50 ms", s["p95"], TARGETS_100K["p95_ms"], "ms"),
              ("p50 within 2× of FTS5", s["ratio_p50"], TARGETS_100K["p50_ratio"], "×"),
              ("keystroke p95 ≤ 100 ms", s["key_p95"], TARGETS_100K["keystroke_p95_ms"], "ms"),
              ("full rebuild ≤ 60 s", s["rebuild_s"], TARGETS_100K["rebuild_s"], "s"),
              ("new finding searchable ≤ 200 ms (max)", s["new_max"], TARGETS_100K["new_finding_ms"], "ms"),
              ("fresh process to first result ≤ 1.0 s", s["first_s"], TARGETS_100K["first_result_s"], "s"),
              ("peak RSS ≤ 300 MB (search / first-result process)", rss, TARGETS_100K["rss_mb"], "MB")]
    from benchmarks import tantivy_ref

    out.append(tantivy_ref.render_section(results))
    out.append(f"\n## Targets at {big:,} findings\n\n| target | measured | met? |\n|---|---|---|\n")
    for label, value, limit, unit in checks:
        verdict = "yes" if value <= limit else f"**no** ({value / limit:.1f}× the limit)"
        out.append(f"| {label} | {value:.2f} {unit} | {verdict} |\n")
    out.append(f"\n{NOTES_MARK}\n{notes.strip()}\n" if notes.strip() else f"\n{NOTES_MARK}\n")
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--procs", type=int, default=2, help="writer processes for generation and rebuild")
    ap.add_argument("--small", action="store_true", help="reduced query mix (CI)")
    ap.add_argument("--no-rebuild", action="store_true", help="report the rebuild timed at generation instead")
    ap.add_argument("--worker", choices=("search", "baseline", "tantivy", "rebuild", "first"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--library", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        fn = {"search": lambda: worker_search(args.library, args.reps, args.small),
              "baseline": lambda: worker_baseline(args.library, args.reps, args.small),
              "tantivy": lambda: worker_tantivy(args.library, args.reps, args.small),
              "rebuild": lambda: worker_rebuild(args.library, args.procs),
              "first": lambda: worker_first(args.library)}[args.worker]
        print(json.dumps(fn()))
        return 0
    OUT.mkdir(exist_ok=True)
    results = []
    for n in (int(x) for x in args.sizes.split(",")):
        r = measure(n, args.seed, args.reps, args.procs, args.small, not args.no_rebuild,
                    log=lambda m: print(m, file=sys.stderr, flush=True))
        (OUT / f"results-{n}.json").write_text(json.dumps(r))
        results.append(r)
    notes = ""
    if args.out.exists() and NOTES_MARK in args.out.read_text():
        notes = args.out.read_text().split(NOTES_MARK, 1)[1]
    args.out.write_text(render(results, notes))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
