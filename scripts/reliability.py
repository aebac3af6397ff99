"""Reliability trials: kill, damage and race real library directories and record what happened.

    python scripts/reliability.py --trials 50 [--out docs/reliability-results.md]

Each scenario runs vkref as subprocesses on libraries in a temporary directory and classifies every trial as
"ok" (the library opened afterwards with all its data) or describes what went wrong. The summary table is
printed (and written to ``--out`` when given); docs/reliability.md holds the figures of the last full run.
CI runs this with ``--trials 2`` only (tests/e2e/test_robust_reliability.py).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
def _head() -> str:
    sys.path.insert(0, str(REPO))
    from vkref.store.database import HEAD_REVISION

    return HEAD_REVISION


def _expected() -> tuple[int, int, int]:
    """Reviews, findings and concepts of the bundled library (read from db/, as a new library gets them)."""
    sys.path.insert(0, str(REPO))
    from vkref.core import paths
    from vkref.io import bundled

    data = bundled.load(paths.bundled_data_dir())
    return len(data.reviews), len(data.findings), len(data.vocabulary.concepts)


EXPECTED = _expected()


def vkref(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "vkref", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, timeout=timeout)


def counts(path: Path) -> tuple | str:
    r = vkref("--library", path, "info", "--json")
    if r.returncode != 0:
        return r.stderr.strip()[:160]
    d = json.loads(r.stdout)
    return d["reviews"], d["findings"], d["concepts"]


def kill_after(args: list[str], delay: float) -> None:
    proc = subprocess.Popen([sys.executable, *args], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def killed_first_run(work: Path, rnd: random.Random, _base: Path) -> str:
    lib = work / "lib"
    kill_after(["-m", "vkref", "--library", str(lib), "info"], rnd.uniform(0.3, 3.0))
    got = counts(lib)
    return "ok" if got == EXPECTED else f"after the kill: {got}"


MIGRATION = ('revision = "0099"\ndown_revision = "' + _head() + '"\nbranch_labels = None\ndepends_on = None\n'
             "from alembic import op\nimport sqlalchemy as sa\n"
             "def upgrade():\n    op.add_column('tag', sa.Column('colour', sa.String(20), nullable=True))\n"
             "    op.create_table('trial', sa.Column('id', sa.Integer, primary_key=True))\n"
             "    op.execute('INSERT INTO trial (id) SELECT rowid FROM finding')\n"
             "def downgrade():\n    pass\n")
OPEN_WITH = ("import sys, pathlib; import vkref.store.database as d; d.MIGRATIONS_DIR = pathlib.Path(sys.argv[1]);"
             "from vkref.library import Library; Library.open(sys.argv[2]).close()")


def killed_migration(work: Path, rnd: random.Random, base: Path) -> str:
    lib = work / "lib"
    shutil.copytree(base, lib)
    migrations = work / "migrations"
    shutil.copytree(REPO / "vkref" / "store" / "migrations", migrations,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "0099_trial.py").write_text(MIGRATION)
    kill_after(["-c", OPEN_WITH, str(migrations), str(lib)], rnd.uniform(0.2, 1.5))
    got = counts(lib)  # the shipped app: the head (killed before the commit) is fine, so is the trial revision after it
    if got == EXPECTED:
        return "ok"
    if isinstance(got, str) and "newer version of vkref" in got:
        return "ok"  # the migration had committed: the old app rightly refuses the newer schema
    return f"after the kill: {got}"


def corrupt_pages(work: Path, rnd: random.Random, base: Path) -> str:
    lib = work / "lib"
    shutil.copytree(base, lib)
    db = lib / "library.sqlite"
    data = bytearray(db.read_bytes())
    page = rnd.randrange(2, len(data) // 4096 + 1)
    data[(page - 1) * 4096:page * 4096] = bytes(rnd.randrange(256) for _ in range(4096))
    db.write_bytes(bytes(data))
    r = vkref("--library", lib, "search", "vitamin K2 fracture")
    if r.returncode == 1 and "damaged" in r.stderr and "internal error" not in r.stderr:
        return "ok"
    return f"page {page}: rc {r.returncode}, {r.stderr.strip()[:120] or 'no message'}"


def emptied_database(work: Path, rnd: random.Random, base: Path) -> str:
    lib = work / "lib"
    shutil.copytree(base, lib)
    db = lib / "library.sqlite"
    db.unlink() if rnd.random() < 0.5 else db.write_bytes(b"")
    r = vkref("--library", lib, "search", "vitamin")
    if r.returncode == 1 and "damaged" in r.stderr and not (db.exists() and db.stat().st_size):
        return "ok"
    return f"rc {r.returncode}: {r.stderr.strip()[:120] or 'silently re-created'}"


def simultaneous_first_runs(work: Path, _rnd: random.Random, _base: Path) -> str:
    lib = work / "lib"
    procs = [subprocess.Popen([sys.executable, "-m", "vkref", "--library", str(lib), "info", "--json"], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [err.strip()[:120] for out, err in (p.communicate(timeout=300) for p in procs) if err.strip()]
    if errors or any(p.returncode for p in procs):
        return f"failed: {errors}"
    return "ok" if counts(lib) == EXPECTED else f"after both: {counts(lib)}"


def _ris(path: Path, n: int) -> Path:
    """A RIS file of ``n`` generated records (distinct titles, so none is a duplicate of another)."""
    words = ["menaquinone", "osteoporosis", "fracture", "density", "trial", "cohort", "vitamin", "bone"]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            title = " ".join(words[(i * 7 + k) % len(words)] for k in range(6)) + f" zyxtrial study {i}"
            fh.write(f"TY  - JOUR\nTI  - {title}\nAU  - Trial, Author{i}\nPY  - {1990 + i % 30}\n"
                     f"JO  - Journal {i % 50}\nER  - \n")
    return path


def _search_total(lib: Path, query: str) -> int | str:
    r = vkref("--library", lib, "search", query, "--json", "--limit", "1")
    return json.loads(r.stdout)["total"] if r.returncode == 0 else r.stderr.strip()[:160]


def killed_import(work: Path, rnd: random.Random, base: Path) -> str:
    """A 3,000-record import killed at a random moment: all of it or none, in the database and the index."""
    lib = work / "lib"
    shutil.copytree(base, lib)
    ris = _ris(work / "refs.ris", 3000)
    kill_after(["-m", "vkref", "--library", str(lib), "import", str(ris)], rnd.uniform(0.5, 6.0))
    got = counts(lib)
    if isinstance(got, str):
        return f"after the kill: {got}"
    reviews = got[0] - EXPECTED[0]
    if reviews not in (0, 3000) or got[1:] != EXPECTED[1:]:
        return f"after the kill: {reviews} of 3000 reviews imported, {got}"
    found = _search_total(lib, "zyxtrial")  # a word in every generated title and nowhere else
    return "ok" if found == reviews else f"index shows {found}, database {reviews}"


def killed_edit(work: Path, rnd: random.Random, base: Path) -> str:
    """An edit killed at a random moment: the old or the new statement, history and index agreeing."""
    lib = work / "lib"
    shutil.copytree(base, lib)
    kill_after(["-m", "vkref", "--library", str(lib), "edit", "ymj-002", "--set",
                "statement=Quokkaberry trial statement written by the reliability script"], rnd.uniform(0.2, 2.5))
    r = vkref("--library", lib, "history", "ymj-002", "--json")
    if r.returncode != 0:
        return f"history: {r.stderr.strip()[:120]}"
    edited = any(c.get("field") == "statement" for c in json.loads(r.stdout).get("changes", []))
    found = _search_total(lib, "quokkaberry")
    if counts(lib) != EXPECTED:
        return f"after the kill: {counts(lib)}"
    return "ok" if found == int(edited) else f"history says edited={edited}, index finds {found}"


def killed_merge(work: Path, rnd: random.Random, base: Path) -> str:
    """A merge of two reviews killed at a random moment: both reviews or one, never a finding lost."""
    lib = work / "lib"
    shutil.copytree(base, lib)
    kill_after(["-m", "vkref", "--library", str(lib), "merge", "iwamoto-2006-ymj", "iwamoto-2006-cds"],
               rnd.uniform(0.2, 3.0))
    got = counts(lib)
    if isinstance(got, str):
        return f"after the kill: {got}"
    if got[1:] != EXPECTED[1:] or got[0] not in (EXPECTED[0], EXPECTED[0] - 1):
        return f"after the kill: {got}"
    r = vkref("--library", lib, "search", "--filter", "review=iwamoto-2006-cds", "--json", "--limit", "1")
    gone = got[0] == EXPECTED[0] - 1
    if r.returncode == 0 and gone and json.loads(r.stdout)["total"] != 0:
        return "merged in the database, the index still shows the merged-away review"
    return "ok"


def killed_rebuild(work: Path, rnd: random.Random, base: Path) -> str:
    """``vkref reindex`` killed at a random moment: the next search answers in full."""
    lib = work / "lib"
    shutil.copytree(base, lib)
    before = _search_total(lib, "bone")
    kill_after(["-m", "vkref", "--library", str(lib), "reindex"], rnd.uniform(0.2, 3.0))
    after = _search_total(lib, "bone")
    leftovers = [p.name for p in lib.glob("index.build-*")]
    if after != before:
        return f"search found {after}, {before} before the kill"
    return "ok" if not leftovers else f"left-over {leftovers}"


SCENARIOS = {
    "first run killed at a random moment": killed_first_run,
    "migration (head -> a test revision) killed at a random moment": killed_migration,
    "one random page of the database overwritten": corrupt_pages,
    "database deleted or emptied": emptied_database,
    "two simultaneous first runs": simultaneous_first_runs,
    "import of 3,000 records killed at a random moment": killed_import,
    "edit killed at a random moment": killed_edit,
    "merge killed at a random moment": killed_merge,
    "index rebuild killed at a random moment": killed_rebuild,
}


def run(trials: int, seed: int, only: str = "") -> list[tuple[str, int, int, list[str]]]:
    rnd = random.Random(seed)
    rows = []
    with tempfile.TemporaryDirectory(prefix="vkref-reliability-") as tmp:
        base = Path(tmp) / "base"
        if counts(base) != EXPECTED:
            raise SystemExit("could not create the base library")
        for name, scenario in SCENARIOS.items():
            if only and only not in name:
                continue
            failures = []
            for n in range(trials):
                work = Path(tmp) / f"t{len(rows)}-{n}"
                work.mkdir()
                outcome = scenario(work, rnd, base)
                if outcome != "ok":
                    failures.append(outcome)
                shutil.rmtree(work, ignore_errors=True)
            rows.append((name, trials, trials - len(failures), failures))
            print(f"{name}: {trials - len(failures)}/{trials} ok", flush=True)
    return rows


def table(rows) -> str:
    lines = ["| scenario | trials | ok (nothing lost, clear message) | failures |", "|---|---|---|---|"]
    for name, trials, ok, failures in rows:
        lines.append(f"| {name} | {trials} | {ok} | {'; '.join(sorted(set(failures)))[:300] or '—'} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this text")
    args = parser.parse_args(argv)
    rows = run(args.trials, args.seed, args.only)
    text = table(rows)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if all(ok == trials for _, trials, ok, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
