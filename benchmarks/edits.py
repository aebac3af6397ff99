"""Edit-to-searchable benchmark: how long from a curator's edit of one finding until a search finds the new text.

    python -m benchmarks.edits --library DIR [--edits 40] [--policy both|small|tiered]

``DIR`` is a generated library (``python -m benchmarks.generate --findings 10000 --library DIR``); it is copied
first, so the benchmark never changes it. Each edit puts a new word into a random finding's statement through
``Library.edit`` (the write, its change log, the outbox and the incremental index commit) and then searches the
word; the time is the two together, as the window would see it (wall clock, and this process's CPU time, which
a loaded machine disturbs less). The policies are the index's commit policy: ``small`` is Whoosh's default and
vkref's (merge small segments at every commit), ``tiered`` the alternative measured against it (no merge until
the index has 8 segments; patched in for the run). Target: <= 200 ms at 10,000 findings.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def run(library: Path, edits: int, policy: str, seed: int = 7) -> dict:
    from vkref.library import Library
    from vkref.search import index as search_index
    from vkref.store import repository as repo

    if policy == "tiered":  # the alternative tried: no merge until the index has 8 segments
        def commit(self, writer, last_change: int) -> None:
            self._write_meta(writer, last_change)
            writer.commit(merge=len(writer.segments) >= 8)
            self._sign(self.directory)

        search_index.SearchIndex._commit = commit
    work = Path(tempfile.mkdtemp(prefix="vkref-edits-")) / "lib"
    shutil.copytree(library, work)
    try:
        lib = Library.open(work)
        ids = repo.sample_finding_ids(lib.db, edits)
        random.Random(seed).shuffle(ids)
        times, cpu, found = [], [], 0
        for n, fid in enumerate(ids):
            word = f"zq{n:04d}edit"
            statement = lib.get_finding(fid).statement
            start, start_cpu = time.perf_counter(), time.process_time()
            lib.edit(fid, {"statement": f"{statement} {word}"})
            hits = lib.search(word, limit=5).hits
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            found += any(h.id == fid for h in hits)
        segments = len(lib.search_service.index._index()._segments())
        lib.close()
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)
    times.sort()
    return {"policy": policy, "edits": len(times), "found": found, "median_ms": round(statistics.median(times)),
            "cpu_median_ms": round(statistics.median(cpu)), "cpu_p90_ms": round(sorted(cpu)[int(len(cpu) * 0.9) - 1]),
            "p90_ms": round(times[int(len(times) * 0.9) - 1]), "max_ms": round(times[-1]), "segments": segments,
            "load": round(os.getloadavg()[0], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--policy", choices=["both", "small", "tiered"], default="both")
    args = parser.parse_args()
    policies = ["small", "tiered"] if args.policy == "both" else [args.policy]
    import subprocess
    import sys

    for policy in policies:  # each in its own process: the policy is a class attribute
        out = subprocess.run([sys.executable, "-c", "import json,sys; from benchmarks.edits import run; "
                              f"print(json.dumps(run(__import__('pathlib').Path({str(args.library)!r}), "
                              f"{args.edits}, {policy!r})))"], capture_output=True, text=True, check=True)
        print(json.dumps(json.loads(out.stdout.strip().splitlines()[-1])))


if __name__ == "__main__":
    main()
