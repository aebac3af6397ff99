"""Ranking quality on a public test collection: vkref's real ``Library.search`` beside a plain BM25, same run.

    python -m benchmarks.ir_eval [--data DIR] [--keep DIR] [--queries N] [--flat] [--variant NAME=VALUE]...

The collection is NFCorpus's development split (documents: PubMed titles and abstracts; natural-language
queries; graded judgments 2/1/0), looked for in ``shared/data/ir/nfcorpus`` beside the repository unless
``--data`` says otherwise. A temporary library is built with ``Library.open`` and ``add_records``: one review per
document, its title the words before the collection's "(pubmed ncbi) abstract" marker (20 of 3,193 documents
have none: title empty) and its summary the rest; ``--flat`` puts the whole text in the summary and the document
id in the title instead (the layout of the first measurements). The bundled reviews stay in and are skipped when
scoring. ``--keep DIR`` builds it once in DIR and reuses it on later runs (the text is not re-checked: delete DIR
after changing the analyzer or the layout).

The baseline is Okapi BM25 (k1 1.2, b 0.75, idf ln(1 + (N − df + 0.5)/(df + 0.5)), as Lucene and Anserini) over
the same analyzer's terms, with every query word optional: the usual reference figure for this collection.

Metrics, per query then averaged: nDCG@10 with linear gain (trec_eval's ``ndcg_cut_10``), recall@100 (share of
the judged-relevant documents in the first 100) and MRR@10 (1/rank of the first relevant document, 0 past 10).
Queries are split into two halves by a hash of their id (:func:`half`): parameters are tuned on "tune" and
kept only if they also pay on "held-out". ``--variant`` changes one setting for a second vkref run beside the
default one, in the same process: a :class:`vkref.search.query.PlanOptions` field (e.g. ``relax=0``,
``proximity=0.3``, ``feedback_docs=10``), the BM25 parameters ``k1``/``b`` of :mod:`vkref.search.scoring`, or a
field weight ``field.title`` / ``field.text`` / ``field.body`` (:data:`vkref.search.schema.FIELD_BOOSTS`), or
``idf=1`` (the baseline's idf instead of Whoosh's). Each
difference is given with a 95% interval over queries (paired, normal approximation): a difference whose interval
holds 0 is within noise.
"""
from __future__ import annotations

import argparse
import re
import csv
import hashlib
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
    """Document id -> its text (title and abstract run together, as the collection gives them)."""
    docs = {}
    with open(data / "original" / "dev.docs", encoding="utf-8") as fh:
        for line in fh:
            doc_id, _, text = line.rstrip("\n").partition("\t")
            if doc_id and text:
                docs[doc_id] = text
    return docs


_MARKER = re.compile(r"(?:pubmed ncbi )?abstract ")


def split_title(text: str) -> tuple[str, str]:
    """(title, abstract): the collection joins them with "pubmed ncbi abstract" or "abstract"."""
    m = _MARKER.search(text)
    return (text[:m.start()].strip(), text[m.end():]) if m and m.start() else ("", text)


def half(qid: str) -> str:
    """"tune" or "held-out", fixed by a hash of the query id (about half each)."""
    return "tune" if hashlib.sha256(qid.encode()).digest()[0] % 2 == 0 else "held-out"


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


METRICS = ("nDCG@10", "recall@100", "MRR@10")
PARTS = ("tune", "held-out", "all")


def per_query(runs: dict[str, list[str]], qrels: dict) -> dict[str, tuple[float, float, float]]:
    return {q: (ndcg(r, qrels[q]), recall(r, qrels[q]), mrr(r, qrels[q])) for q, r in runs.items()}


def evaluate(runs: dict[str, list[str]], qrels: dict) -> dict[str, float]:
    per = per_query(runs, qrels).values()
    return {name: round(statistics.fmean(v[i] for v in per), 4) for i, name in enumerate(METRICS)}


def by_part(per: dict[str, tuple], part: str) -> list[tuple]:
    return [v for q, v in sorted(per.items()) if part == "all" or half(q) == part]


def means(per: dict[str, tuple], part: str) -> list[float]:
    rows = by_part(per, part)
    return [statistics.fmean(v[i] for v in rows) for i in range(len(METRICS))]


def difference(a: dict[str, tuple], b: dict[str, tuple], part: str, metric: int = 0) -> tuple[float, float]:
    """Mean of ``a - b`` over the part's queries and the half-width of its 95% interval (paired)."""
    diffs = [x[metric] - y[metric] for x, y in zip(by_part(a, part), by_part(b, part))]
    spread = statistics.stdev(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 else 0.0
    return statistics.fmean(diffs), 1.96 * spread


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
            idf = lucene_idf(n, self.df[t])
            for d in self.postings.get(t, ()):
                tf = self.tf[d][t]
                scores[d] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * self.length[d] / self.avg))
        return [d for d, _ in sorted(scores.items(), key=lambda p: (-p[1], p[0]))[:k]]


# ---------------------------------------------------------------------------- vkref
def open_library(docs: dict[str, str], where: Path, flat: bool = False):
    from vkref import Library
    from vkref.core.entities import Review

    fresh = not (where / "library.sqlite").exists()
    lib = Library.open(where)
    if fresh:
        started = time.perf_counter()
        parts = {d: (d, text) if flat else split_title(text) for d, text in docs.items()}
        lib.add_records([Review(id=PREFIX + d, title=t, summary=body) for d, (t, body) in parts.items()], [])
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


def lucene_idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def set_variants(lib, variants: list[str]) -> None:
    """Apply NAME=VALUE settings (see the module docstring) and drop the engine's cached score tables."""
    from vkref.search import scoring
    from vkref.search.schema import FIELD_BOOSTS

    options = lib.search_service.builder.options
    for spec in variants:
        name, _, value = spec.partition("=")
        if name in ("k1", "b"):
            setattr(scoring, name.upper(), float(value))
        elif name == "idf":  # 1: Lucene's idf (the baseline's) instead of Whoosh's
            scoring.idf = lucene_idf if float(value) else scoring.idf
        elif name.startswith("field.") and name[6:] in FIELD_BOOSTS:
            FIELD_BOOSTS[name[6:]] = float(value)
        elif hasattr(options, name):
            setattr(options, name, type(getattr(options, name))(float(value)))
        else:
            raise SystemExit(f"unknown variant {name!r}: use k1, b, field.NAME or one of {', '.join(vars(options))}")
    engine = lib.search_service.engine
    engine._matchers, engine._scorers = {}, {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--keep", type=Path, help="build the library here once and reuse it")
    ap.add_argument("--queries", type=int, default=0, help="only the first N queries (0: all)")
    ap.add_argument("--variant", action="append", default=[], help="NAME=VALUE of a ranking setting")
    ap.add_argument("--flat", action="store_true", help="whole text in the summary, document id as title")
    args = ap.parse_args(argv)
    if not (args.data / "original" / "dev.docs").exists():
        raise SystemExit(f"{args.data}: no NFCorpus development split here (original/dev.docs is missing)")
    docs, qrels = load_docs(args.data), load_qrels(args.data)
    queries = load_queries(args.data, qrels)
    if args.queries:
        queries = dict(list(queries.items())[:args.queries])
    bm25 = BM25(docs)
    results = {"plain BM25": per_query({q: bm25.search(t) for q, t in queries.items()}, qrels)}
    timings = {}
    with tempfile.TemporaryDirectory() as tmp:
        lib = open_library(docs, args.keep or Path(tmp) / "lib", args.flat)
        try:
            runs, timings["vkref"] = vkref_run(lib, queries)
            results["vkref Library.search"] = per_query(runs, qrels)
            if args.variant:
                set_variants(lib, args.variant)
                runs, timings["variant"] = vkref_run(lib, queries)
                results["vkref " + " ".join(args.variant)] = per_query(runs, qrels)
        finally:
            lib.close()
    report(results, len(docs), len(queries), args.flat)
    for name, times in timings.items():
        print(f"{name} search p50 {statistics.median(times):.1f} ms, p95 {sorted(times)[int(len(times) * .95)]:.1f} ms")
    return 0


def report(results: dict[str, dict], n_docs: int, n_queries: int, flat: bool) -> None:
    """One row per run and part; then each vkref run's differences against BM25 (and a variant's against the
    default), with their 95% intervals."""
    sizes = {p: len(by_part(results["plain BM25"], p)) for p in PARTS}
    print(f"NFCorpus dev: {n_docs} documents, {n_queries} queries (tune {sizes['tune']}, held-out "
          f"{sizes['held-out']}); layout {'flat' if flat else 'titled'}")
    print("| run | part | nDCG@10 | recall@100 | MRR@10 |\n|---|---|---|---|---|")
    for name, per in results.items():
        for part in PARTS:
            print(f"| {name} | {part} | " + " | ".join(f"{m:.4f}" for m in means(per, part)) + " |")
    names = list(results)
    pairs = [(n, "plain BM25") for n in names[1:]] + ([(names[2], names[1])] if len(names) > 2 else [])
    for a, b in pairs:
        for metric, label in enumerate(METRICS):
            parts = ", ".join("%s %+.4f ± %.4f" % ((p,) + difference(results[a], results[b], p, metric))
                              for p in PARTS)
            print(f"{label} {a} − {b}: {parts}")


if __name__ == "__main__":
    sys.exit(main())
