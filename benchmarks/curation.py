"""Curation benchmark: importing a large PubMed search (MEDLINE and XML) with indexing, duplicate detection on a
large library, and bundle export/import — time and peak memory, each in a fresh subprocess.

    python -m benchmarks.curation [--records 10000] [--reviews 100000] [--out benchmarks/CURATION.md]

Input files are generated from real PubMed records in the shared test data beside the repository (each record
repeated with a new PMID and a numbered title), so the parsers see real structure. Targets: importing 10,000
PubMed records with indexing in <= 30 s and <= 300 MB; find_duplicates on 100,000 reviews in <= 30 s (random
titles with planted copies, and the benchmark library's generator, whose template titles repeat).
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = next((p / "shared" / "data" / "biblio" for p in HERE.parents if (p / "shared" / "data" / "biblio").is_dir()),
              HERE.parent.parent / "shared" / "data" / "biblio")  # beside the repository (or a worktree of it)
MEDLINE_SRC = SHARED / "medline" / "biopython__pubmed_result1.txt"
XML_SRC = SHARED / "pubmed-xml" / "biopython__pubmed1.xml"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_medline(path: Path, n: int) -> None:
    records = MEDLINE_SRC.read_text(encoding="utf-8").strip().split("\n\n")
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            rec = records[i % len(records)]
            rec = rec.replace("PMID- ", f"PMID- 8{i:07d}", 1).replace("TI  - ", f"TI  - Record {i}: ", 1)
            out.write(rec + "\n\n")


def make_pubmed_xml(path: Path, n: int) -> None:
    import re

    text = XML_SRC.read_text(encoding="utf-8")
    articles = re.findall(r"<PubmedArticle>.*?</PubmedArticle>", text, flags=re.S)
    head = text[: text.index("<PubmedArticle>")]
    with open(path, "w", encoding="utf-8") as out:
        out.write(head)
        for i in range(n):
            a = articles[i % len(articles)]
            a = re.sub(r'<PMID Version="1">\d+</PMID>', f'<PMID Version="1">7{i:07d}</PMID>', a, count=1)
            a = a.replace("<ArticleTitle>", f"<ArticleTitle>Record {i}: ", 1)
            out.write(a + "\n")
        out.write("</PubmedArticleSet>\n")


# ---------------------------------------------------------------------------- workers


def worker_import(library: Path, source: Path) -> dict:
    from vkref.library import Library

    lib = Library.open(library)
    start = time.perf_counter()
    report = lib.import_files([source])
    elapsed = time.perf_counter() - start
    searchable = lib.search("Record 1234").total
    lib.close()
    n = report.imported
    return {"seconds": round(elapsed, 1), "records": n, "per_second": round(n / elapsed), "peak_mb": round(peak_mb()),
            "searchable": searchable}


def worker_duplicates(n: int) -> dict:
    from vkref.core.entities import Author, Review
    from vkref.library.duplicates import find_duplicates

    rng = random.Random(3)
    words = ("vitamin menaquinone bone density fracture osteoporosis trial rats women calcium turnover osteocalcin "
             "carboxylation cohort randomized elderly serum hip spine dietary intake warfarin matrix gla protein "
             "arterial calcification postmenopausal phylloquinone supplementation").split()
    reviews = [Review(id=f"r{i}", title=" ".join(rng.sample(words, 7)) + f" {rng.randrange(10**6)}",
                      year=1980 + i % 45, authors=[Author(f"Family{rng.randrange(20000)}", "A")])
               for i in range(n)]
    planted = set()
    for k, i in enumerate(rng.sample(range(n), n // 20)):
        r = reviews[i]  # a second database's copy: case and full stop, a year later with initials, or hyphens
        title, year, authors = r.title.upper() + ".", r.year, list(r.authors)
        if k % 3 == 1:
            title, year, authors = r.title, r.year + 1, [Author(a.family, a.given[:1] + ".") for a in r.authors]
        elif k % 3 == 2:
            title = r.title.replace(" ", "-", 2)
        reviews.append(Review(id=f"d{i}", title=title, year=year, authors=authors))
        planted.add(tuple(sorted((r.id, f"d{i}"))))
    start, cpu = time.perf_counter(), time.process_time()
    pairs = find_duplicates(reviews)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    found = {(p.a, p.b) for p in pairs}
    return {"reviews": len(reviews), "seconds": round(elapsed, 1), "cpu_seconds": round(cpu, 1),
            "planted": len(planted),
            "recall": round(len(found & planted) / len(planted), 4), "other_pairs": len(found - planted),
            "peak_mb": round(peak_mb())}


def worker_duplicates_generated(n: int) -> dict:
    """The benchmark library's review generator (template titles: many reviews share a title, first author and
    year) with 5% planted copies as a second database gives them: no DOI, upper case, initials, every third a year
    later. "other pairs" are proposals between different generated reviews."""
    from dataclasses import replace

    from vkref.core.entities import Author, Review
    from vkref.core.paths import bundled_data_dir
    from vkref.io.bundled import load_vocabulary
    from vkref.library.duplicates import find_duplicates

    from benchmarks.generate import Generator

    gen = Generator(load_vocabulary(bundled_data_dir() / "vocabulary"))
    reviews = [replace(gen.review(i), summary="", keywords=[]) for i in range(n)]  # as Library keeps them
    rng, planted = random.Random(4), set()
    for k, i in enumerate(rng.sample(range(n), n // 20)):
        r = reviews[i]
        copy = Review(id=f"d{i}", title=r.title.upper(), year=r.year + (k % 3 == 0), pages=r.pages,
                      authors=[Author(a.family, a.given[:1]) for a in r.authors], journal=r.journal_abbrev)
        reviews.append(copy)
        planted.add(tuple(sorted((r.id, copy.id))))
    start, cpu = time.perf_counter(), time.process_time()
    found = {(p.a, p.b) for p in find_duplicates(reviews)}
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"reviews": len(reviews), "seconds": round(elapsed, 1), "cpu_seconds": round(cpu, 1),
            "planted": len(planted), "recall": round(len(found & planted) / len(planted), 4),
            "other_pairs": len(found - planted), "peak_mb": round(peak_mb())}


def worker_bundle(library: Path, target: Path) -> dict:
    from vkref.library import Library

    reports = {"export": 0, "import": 0}

    def progress(kind):  # what the GUI's progress bar receives: count the reports, check they reach the end
        def report(done, total):
            assert 0 <= done <= total, (done, total)
            reports[kind] += 1
            if done < total:  # the last step before the end: for an import, the batch is written
                reports[f"{kind}_written"] = time.perf_counter()
            reports[f"{kind}_last"] = (done, total)
        return report

    lib = Library.open(library)
    start = time.perf_counter()
    lib.export_bundle(target, progress=progress("export"))
    export_s = time.perf_counter() - start
    lib.close()
    fresh = Path(tempfile.mkdtemp(prefix="vkref-bundle-bench-")) / "lib"
    other = Library.open(fresh)
    start = time.perf_counter()
    report = other.import_bundle(target, progress=progress("import"))
    import_s = time.perf_counter() - start
    written_s = reports["import_written"] - start  # checked, merged and committed; the rest is indexing
    other.close()
    shutil.rmtree(fresh.parent, ignore_errors=True)
    finished = all(reports[f"{k}_last"][0] == reports[f"{k}_last"][1] for k in ("export", "import"))
    return {"export_s": round(export_s, 1), "import_s": round(import_s, 1),
            "import_written_s": round(written_s, 1), "size_mb": round(target.stat().st_size / 1e6, 1),
            "findings_added": report["findings"]["added"], "reviews_added": report["reviews"]["added"],
            "progress_reports": [reports["export"], reports["import"]], "progress_finished": finished,
            "peak_mb": round(peak_mb())}


def bundle_row(b: dict) -> str:
    return (f"| bundle export / import ({b['reviews_added']:,} reviews, {b['findings_added']:,} findings) | "
            f"{b['export_s']} s / {b['import_s']} s (merge written after {b['import_written_s']} s, then indexing) | "
            f"{b['size_mb']} MB file; progress reports {b['progress_reports'][0]} / {b['progress_reports'][1]}, "
            f"{'reach' if b['progress_finished'] else 'DO NOT reach'} the end | {b['peak_mb']} MB | — |")


def run_worker(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.curation", "--worker", *args], capture_output=True,
                          text=True, cwd=HERE.parent, timeout=3600)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=10000)
    p.add_argument("--reviews", type=int, default=100000)
    p.add_argument("--bundle-library", help="a library directory to bundle (e.g. a generated benchmark library)")
    p.add_argument("--bundle-only", action="store_true",
                   help="with --bundle-library: run only the bundle row and print it (the file is left as it is)")
    p.add_argument("--out", default=str(HERE / "CURATION.md"))
    p.add_argument("--worker", nargs="+")
    args = p.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        result = {"import": lambda: worker_import(Path(rest[0]), Path(rest[1])),
                  "duplicates": lambda: worker_duplicates(int(rest[0])),
                  "duplicates-generated": lambda: worker_duplicates_generated(int(rest[0])),
                  "bundle": lambda: worker_bundle(Path(rest[0]), Path(rest[1]))}[kind]()
        print(json.dumps(result))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="vkref-curation-bench-"))
    rows = []
    if args.bundle_only and args.bundle_library:
        b = run_worker("bundle", args.bundle_library, str(tmp / "bench.vkref"))
        print(json.dumps(b))
        print(bundle_row(b))
        shutil.rmtree(tmp, ignore_errors=True)
        return 0
    for name, maker, suffix in (("MEDLINE", make_medline, "txt"), ("PubMed XML", make_pubmed_xml, "xml")):
        src = tmp / f"pubmed-{args.records}.{suffix}"
        maker(src, args.records)
        res = run_worker("import", str(tmp / f"lib-{suffix}"), str(src))
        rows.append(f"| import {args.records:,} {name} records + index | {res['seconds']} s | {res['per_second']}/s "
                    f"| {res['peak_mb']} MB | ≤ 30 s, ≤ 300 MB |")
    dup = run_worker("duplicates", str(args.reviews))
    rows.append(f"| find_duplicates, {dup['reviews']:,} reviews, {dup['planted']:,} planted | {dup['seconds']} s wall, "
                f"{dup['cpu_seconds']} s CPU | "
                f"recall {dup['recall']}, {dup['other_pairs']} other pairs | {dup['peak_mb']} MB | ≤ 30 s |")
    gen = run_worker("duplicates-generated", str(args.reviews))
    rows.append(f"| find_duplicates, {gen['reviews']:,} generated benchmark reviews, {gen['planted']:,} planted "
                f"copies | {gen['seconds']} s wall, {gen['cpu_seconds']} s CPU | recall {gen['recall']}, "
                f"{gen['other_pairs']} other pairs | {gen['peak_mb']} MB | ≤ 30 s |")
    if args.bundle_library:
        b = run_worker("bundle", args.bundle_library, str(tmp / "bench.vkref"))
        rows.append(bundle_row(b))
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = (f"# Curation benchmark\n\n{stamp}, Python {platform.python_version()}, {platform.machine()}, "
            "`python -m benchmarks.curation`\n\n| job | time | rate / quality | peak RSS | target |\n"
            "|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
