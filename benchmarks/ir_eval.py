"""Ranking quality on a public test collection: vkref's real ``Library.search`` beside a plain BM25, same run.

    python -m benchmarks.ir_eval [--data DIR] [--keep DIR] [--queries N] [--variant NAME=VALUE]...

The collection is NFCorpus's development split (documents: PubMed titles and abstracts; natural-language
queries; graded judgments 2/1/0), looked for in ``shared/data/ir/nfcorpus`` beside the repository unless
``--data`` says otherwise. A temporary library is built with ``Library.open`` and ``add_records``: one review per
document (title: the document id, summary: its text); the bundled reviews stay in and are skipped when scoring.
``--keep DIR`` builds it once in DIR and reuses it on later runs (the text is not re-checked: delete DIR after
changing the analyzer).

The baseline is Okapi BM25 (k1 1.2, b 0.75, idf ln(1 + (N − df + 0.5)/(df + 0.5)), as Lucene and Anserini) over
the same analyzer's terms, with every query word optional: the usual reference figure for this collection.

Metrics, per query then averaged: nDCG@10 with linear gain (trec_eval's ``ndcg_cut_10``), recall@100 (share of
the judged-relevant documents in the first 100) and MRR@10 (1/rank of the first relevant document, 0 past 10).
``--variant`` switches one of :class:`vkref.search.query.PlanOptions` off or on for the vkref run, to measure
what each query rule buys (e.g. ``--variant relax=0``).
"""
from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# the shared data sits beside the checkout (or beside the directory holding a git worktree of it)
DATA = next((p / "shared" / "data" / "ir" / "nfcorpus" for p in REPO.parents if (p / "shared" / "data").is_dir()),
            REPO.parent / "shared" / "data" / "ir" / "nfcorpus")
PREFIX = "nf-"
K1, B = 1.2, 0.75


# ---------------------------------------------------------------------------- the collection
def load_docs(data: Path) -> dict[str, str]:
    docs = {}
    with open(data / "original" / "dev.docs", encoding="utf-8") as fh:
        for line in fh:
            doc_id, _, text = line.rstrip("\n").partition("\t")
            if doc_id and text:
                docs[doc_id] = text
    return docs


def load_qrels(data: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with open(data / "beir" / "qrels-dev.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return qrels


def load_queries(data: Path, qrels: dict) -> dict[str, str]:
    """The BEIR queries (natural casing) that have development judgments."""
    with open(data / "beir" / "queries.csv", encoding="utf-8", newline="") as fh:
        rows = {r["_id"]: (r["title"] + " " + r["text"]).strip() for r in csv.DictReader(fh)}
    return {qid: rows[qid] for qid in sorted(qrels) if rows.get(qid)}


# ---------------------------------------------------------------------------- metrics
def ndcg(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    return next((1 / (i + 1) for i, d in enumerate(ranked[:k]) if judged.get(d, 0) > 0), 0.0)


def evaluate(runs: dict[str, list[str]], qrels: dict) -> dict[str, float]:
    per = [(ndcg(r, qrels[q]), recall(r, qrels[q]), mrr(r, qrels[q])) for q, r in runs.items()]
    return {name: round(statistics.fmean(v[i] for v in per), 4) for i, name in
            enumerate(("nDCG@10", "recall@100", "MRR@10"))}


# ---------------------------------------------------------------------------- plain BM25
class BM25:
    """Okapi BM25 over vkref's analyzer (every query word optional). Written out because it is the yardstick:
    twenty lines whose formula is on the page beat a dependency whose defaults would need checking."""

    def __init__(self, docs: dict[str, str]):
        from vkref.search.analysis import terms

        self.terms = terms
        self.tf = {d: Counter(terms(text)) for d, text in docs.items()}
        self.length = {d: sum(c.values()) for d, c in self.tf.items()}
        self.avg = statistics.fmean(self.length.values())
        self.df = Counter(t for c in self.tf.values() for t in c)
        self.postings: dict[str, list[str]] = {}
        for d, c in self.tf.items():
            for t in c:
                self.postings.setdefault(t, []).append(d)

    def search(self, query: str, k: int = 100) -> list[str]:
        n = len(self.tf)
        scores: Counter = Counter()
        for t in set(self.terms(query)):
            idf = math.log(1 + (n - self.df[t] + 0.5) / (self.df[t] + 0.5))
            for d in self.postings.get(t, ()):
                tf = self.tf[d][t]
                scores[d] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * self.length[d] / self.avg))
        return [d for d, _ in sorted(scores.items(), key=lambda p: (-p[1], p[0]))[:k]]


# ---------------------------------------------------------------------------- vkref
def open_library(docs: dict[str, str], where: Path):
    from vkref import Library
    from vkref.core.entities import Review

    fresh = not (where / "library.sqlite").exists()
    lib = Library.open(where)
    if fresh:
        started = time.perf_counter()
        lib.add_records([Review(id=PREFIX + d, title=d, summary=text) for d, text in docs.items()], [])
        print(f"built the library of {len(docs)} documents in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    return lib


def vkref_run(lib, queries: dict[str, str], k: int = 100) -> tuple[dict[str, list[str]], list[float]]:
    runs, times = {}, []
    for qid, text in queries.items():
        started = time.perf_counter()
        page = lib.search(text, kind="review", limit=k + 10)
        times.append((time.perf_counter() - started) * 1000)
        runs[qid] = [h.id[len(PREFIX):] for h in page.hits if h.id.startswith(PREFIX)][:k]
    return runs, times


def set_variants(lib, variants: list[str]) -> None:
    if not variants:
        return
    options = lib.search_service.builder.options
    for spec in variants:
        name, _, value = spec.partition("=")
        if not hasattr(options, name):
            raise SystemExit(f"unknown variant {name!r}: use one of {', '.join(vars(options))}")
        setattr(options, name, type(getattr(options, name))(float(value)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--keep", type=Path, help="build the library here once and reuse it")
    ap.add_argument("--queries", type=int, default=0, help="only the first N queries (0: all)")
    ap.add_argument("--variant", action="append", default=[], help="NAME=VALUE of a query-planning option")
    args = ap.parse_args(argv)
    if not (args.data / "original" / "dev.docs").exists():
        raise SystemExit(f"{args.data}: no NFCorpus development split here (original/dev.docs is missing)")
    docs, qrels = load_docs(args.data), load_qrels(args.data)
    queries = load_queries(args.data, qrels)
    if args.queries:
        queries = dict(list(queries.items())[:args.queries])
    bm25 = BM25(docs)
    baseline = evaluate({q: bm25.search(t) for q, t in queries.items()}, qrels)
    with tempfile.TemporaryDirectory() as tmp:
        lib = open_library(docs, args.keep or Path(tmp) / "lib")
        try:
            set_variants(lib, args.variant)
            runs, times = vkref_run(lib, queries)
        finally:
            lib.close()
    ours = evaluate(runs, qrels)
    print(f"NFCorpus dev: {len(docs)} documents, {len(queries)} queries"
          + (f"; variants {' '.join(args.variant)}" if args.variant else ""))
    print("| run | nDCG@10 | recall@100 | MRR@10 |\n|---|---|---|---|")
    for name, m in (("plain BM25", baseline), ("vkref Library.search", ours)):
        print(f"| {name} | {m['nDCG@10']:.4f} | {m['recall@100']:.4f} | {m['MRR@10']:.4f} |")
    print(f"vkref search p50 {statistics.median(times):.1f} ms, p95 {sorted(times)[int(len(times) * .95)]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
