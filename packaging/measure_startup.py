"""Measure the cold start of the frozen app: launch → main window shown with a search answered.

Method: start ``<app> --library L gui --query Q --screenshot S.png`` as a fresh process and poll (every 2 ms)
for the screenshot file. The GUI writes it from ``window.grab()`` only after the window is shown and the worker
has delivered the results of Q, so "file exists" is an upper bound of "a shown, searchable window" (it adds the
grab and the PNG encoding). Process exit (teardown) is reported separately. The library ``L`` is created by one
unmeasured warm-up run ("first run": bundled data loaded, index built), which is timed and reported too.

Each sample is a new process (no Python or Qt state shared); the OS page cache is warm after the first run, as
it is for a user opening the app a second time. If run as root, ``--drop-caches`` also drops the page cache
before each sample (a true cold-disk start; not possible inside most containers).

    python3 packaging/measure_startup.py [--app dist/vkref/vkref] [--runs 7] [--platform offscreen]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sample(app: Path, library: Path, shot: Path, query: str, env: dict) -> tuple[float, float]:
    shot.unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.Popen([str(app), "--library", str(library), "gui", "--query", query, "--screenshot",
                             str(shot)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    shown = None
    while proc.poll() is None:
        if shown is None and shot.exists():
            shown = time.perf_counter() - start
        time.sleep(0.002)
    exited = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"the app failed ({proc.returncode}): {proc.stderr.read()}")
    return (shown if shown is not None else exited), exited


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--app", default=str(ROOT / "dist" / "vkref" / ("vkref.exe" if os.name == "nt" else "vkref")))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--query", default="MK-4 vertebral fracture")
    ap.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM for the runs (offscreen, xcb, ...)")
    ap.add_argument("--drop-caches", action="store_true")
    args = ap.parse_args()
    app = Path(args.app).resolve()
    with tempfile.TemporaryDirectory(prefix="vkref-startup-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, QT_QPA_PLATFORM=args.platform, HOME=str(tmp / "home"), XDG_RUNTIME_DIR=str(tmp))
        env.pop("VKREF_HOME", None)
        library, shot = tmp / "library", tmp / "shot.png"
        first_shown, first_exit = sample(app, library, shot, args.query, env)
        shown, exited, dropped = [], [], False
        for _ in range(args.runs):
            if args.drop_caches:
                dropped = drop_caches()
            s, e = sample(app, library, shot, args.query, env)
            shown.append(s)
            exited.append(e)
    ms = lambda xs: ", ".join(f"{x * 1000:.0f}" for x in xs)  # noqa: E731
    print(f"app: {app} (QT_QPA_PLATFORM={args.platform}, query {args.query!r})")
    print(f"first run (creates the library, builds the index): window+results {first_shown:.2f} s, "
          f"exit {first_exit:.2f} s")
    print(f"cold start, {args.runs} runs{' (page cache dropped)' if dropped else ' (warm page cache)'}: "
          f"window shown with results median {statistics.median(shown):.2f} s, min {min(shown):.2f} s, "
          f"max {max(shown):.2f} s [ms: {ms(shown)}]; process exit median {statistics.median(exited):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
