"""A second speed reference beside the FTS5 baseline: the same documents and query mix in tantivy (a Rust search
engine) through its Python bindings. Benchmark-only: the ``bench`` extra (``pip install -e .[bench]``), never
imported by ``vkref`` and never shipped; without it the benchmark skips this reference with a note.

Built from ``Library.iter_documents()`` like :mod:`benchmarks.baseline`, into an on-disk index in a temporary
directory (one writer thread, like the single-threaded FTS5 load):

- ``title``, ``text``, ``body``, ``fulltext``: text fields with tantivy's ``en_stem`` analyser (lower case +
  English Snowball stemmer), searched together with the FTS5 baseline's column weights as boosts;
- ``concepts``: coded concept ids as raw tokens (the hidden ``concepts`` column of the baseline);
- one raw, fast (columnar) text field per facet of :data:`benchmarks.baseline.FACETS`, multi-valued.

A query is answered from the same vkref plan the baseline reads (:func:`benchmarks.baseline.clause_alternatives`):
each clause an OR of its phrases, prefixes and concept tokens, clauses required, negated ones excluded, each
active filter a required term set. The page is the top 20 by BM25 with stored key/title/text (an empty text
query: newest first); the facet counts are tantivy ``terms`` aggregations: one request for every facet without
an active filter, plus one per filtered facet with every filter but its own (the baseline's GROUP BY
semantics). Not like-for-like with vkref: no vocabulary expansion of its own (it is handed vkref's expansion),
no "any word" fallback, no spelling suggestions, a different stemmer; totals are reported beside the others.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.baseline import FACETS, _concept_token, clause_alternatives

TEXT_BOOSTS = {"title": 3.0, "text": 3.0, "body": 1.6, "fulltext": 1.0}  # the baseline's bm25() weights
CONCEPT_BOOST = 2.0
PAGE = 20


def available() -> bool:
    """True when the tantivy bindings can be imported (the ``bench`` extra is installed)."""
    import importlib.util

    return importlib.util.find_spec("tantivy") is not None


def _schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    for name in TEXT_BOOSTS:
        sb.add_text_field(name, stored=name in ("title", "text"), tokenizer_name="en_stem")
    sb.add_text_field("concepts", tokenizer_name="raw", index_option="basic")
    for facet in FACETS:
        sb.add_text_field(facet, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("sort_year", fast=True)
    return sb.build()


def _document(d):
    import tantivy

    doc = tantivy.Document()
    doc.add_text("key", d.key)
    for name in TEXT_BOOSTS:
        doc.add_text(name, getattr(d, name) or "")
    for cid in d.concepts:
        doc.add_text("concepts", _concept_token(cid))
    doc.add_text("kind", d.kind)
    for facet, values in d.facets.items():
        if facet in FACETS and facet != "kind":
            for value in dict.fromkeys(values):
                doc.add_text(facet, value)
    doc.add_integer("sort_year", d.year or 0)
    return doc


class TantivyRef:
    """A tantivy index of a library's documents in ``directory`` (deleted by :meth:`close` when temporary)."""

    def __init__(self, directory: Path | None = None, threads: int = 1, heap_mb: int = 128):
        import tantivy

        self._owned = directory is None
        self.directory = Path(directory or tempfile.mkdtemp(prefix="vkref-tantivy-"))
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(self.directory))
        self.threads, self.heap = threads, heap_mb * 1_000_000
        self.searcher = None
        self.docs = 0

    def load(self, batches) -> int:
        """Index every document (batches of IndexDoc), commit, and open a searcher; returns how many."""
        writer = self.index.writer(heap_size=self.heap, num_threads=self.threads)
        for batch in batches:
            for d in batch:
                writer.add_document(_document(d))
                self.docs += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        return self.docs

    def disk_mb(self) -> float:
        return round(sum(p.stat().st_size for p in self.directory.rglob("*") if p.is_file()) / 2**20, 1)

    def close(self) -> None:
        self.searcher = self.index = None
        if self._owned:
            shutil.rmtree(self.directory, ignore_errors=True)

    # ------------------------------------------------------------------ querying
    def _alternative(self, kind: str, value: str):
        import tantivy

        Q = tantivy.Query
        if kind == "concept":
            return Q.boost_query(Q.term_query(self.schema, "concepts", value), CONCEPT_BOOST)
        if kind == "prefix" and " " not in value:  # the parser wants two words for a phrase prefix
            return Q.boolean_query([(tantivy.Occur.Should, Q.boost_query(
                Q.phrase_prefix_query(self.schema, name, [value]), boost)) for name, boost in TEXT_BOOSTS.items()])
        text = f'"{value}"*' if kind == "prefix" else f'"{value}"'
        return self.index.parse_query(text, list(TEXT_BOOSTS), TEXT_BOOSTS)

    def _clause(self, clause):
        import tantivy

        alts = [self._alternative(kind, value) for kind, value in clause_alternatives(clause)]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, a) for a in alts]) if alts else None

    def text_query(self, plan):
        """The tantivy query for a vkref QueryPlan (None: no text condition)."""
        import tantivy

        pos = [q for q in (self._clause(c) for c in plan.positive) if q]
        if not pos:
            return None
        neg = [q for q in (self._clause(c) for c in plan.negative) if q]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in pos]
                                           + [(tantivy.Occur.MustNot, q) for q in neg])

    def _combined(self, text, filters: dict[str, set[str]], skip: str | None = None):
        import tantivy

        Q = tantivy.Query
        base = text if text is not None else Q.term_set_query(self.schema, "kind", ["finding", "review"])
        parts = [base] + [Q.term_set_query(self.schema, f, sorted(vs)) for f, vs in filters.items()
                          if vs and f != skip]
        return parts[0] if len(parts) == 1 else Q.boolean_query([(tantivy.Occur.Must, q) for q in parts])

    def _counts(self, query, facets) -> dict[str, dict[str, int]]:
        size = max(self.docs, 1)  # every value, like GROUP BY (the review facet has one value per review)
        aggs = {f: {"terms": {"field": f, "size": size}} for f in facets}
        out = self.searcher.aggregate(query, aggs)
        return {f: {b["key"]: b["doc_count"] for b in out[f]["buckets"]} for f in facets}

    def match(self, text, filters: dict[str, set[str]], limit: int = PAGE) -> dict:
        """Total, the page (key, title, text) and every facet's counts for a text query and filters."""
        query = self._combined(text, filters)
        if text is None:
            res = self.searcher.search(query, limit, order_by_field="sort_year")
        else:
            res = self.searcher.search(query, limit)
        page = []
        for _, address in res.hits:
            doc = self.searcher.doc(address)
            page.append((doc.get_first("key"), doc.get_first("title"), doc.get_first("text")))
        active = [f for f in FACETS if filters.get(f)]
        counts = self._counts(query, [f for f in FACETS if f not in active])
        for facet in active:
            counts.update(self._counts(self._combined(text, filters, skip=facet), [facet]))
        return {"total": res.count, "hits": page, "facets": counts}


def build(library, directory: Path | None = None, threads: int = 1) -> tuple[TantivyRef, int, float]:
    """A tantivy reference over ``library``'s documents. Returns it, the document count and the build seconds."""
    t = time.perf_counter()
    ref = TantivyRef(directory, threads)
    n = ref.load(library.iter_documents())
    return ref, n, time.perf_counter() - t


# ---------------------------------------------------------------------------- report (benchmarks.run)
def _mix_cell(engine: dict) -> str:
    from benchmarks.run import f1, pct

    wall = [x for s in engine["samples"].values() for x in s]
    cpu = [x for s in engine.get("cpu_samples", {}).values() for x in s]
    return f"{f1(pct(wall, 50))} / {f1(pct(wall, 95))}" + (f" ({f1(pct(cpu, 50))})" if cpu else "")


def render_section(results: list[dict]) -> str:
    """The results file's tantivy section: per size the mix beside vkref and FTS5, build, memory; per query
    class p50 (p95). Empty when no result holds a tantivy run; a skipped run is named with its reason."""
    from benchmarks.queries import CLASSES, QUERIES
    from benchmarks.run import f1, pct

    ran = [r for r in results if r.get("tantivy") and "samples" in r["tantivy"]]
    skipped = [r for r in results if r.get("tantivy", {}).get("skipped")]
    if not ran:
        return f"\n_tantivy reference: {skipped[0]['tantivy']['skipped']}._\n" if skipped else ""
    out = ["\n## tantivy reference (benchmark-only, `bench` extra): search + all facet counts\n\n",
           "Wall ms p50 / p95 of the mix (p50 of the process CPU ms in brackets); build on one writer thread. "
           "Load average (1, 5, 15 min) at the end of the tantivy worker in the last column.\n\n",
           "| findings | vkref | FTS5 | tantivy | tantivy keystroke p95 | tantivy build: wall s (CPU s), "
           "docs/s, segments, index MB | peak RSS MB vkref / FTS5 / tantivy | load |\n"
           "|---|---|---|---|---|---|---|---|\n"]
    for r in ran:
        t, b, v = r["tantivy"], r["baseline"], r["vkref"]
        cells = [_mix_cell(e) for e in (v, b, t)]
        load = " / ".join(f"{x:.1f}" for x in t.get("loadavg", ()))
        out.append(f"| {r['findings']:,} | " + " | ".join(cells) + f" | {f1(pct(t['keystroke_ms'], 95))} | "
                   f"{f1(t['build_s'])} ({f1(t.get('build_cpu_s'))}), {t['docs'] / t['build_s']:.0f}, "
                   f"{t['segments']}, {f1(t['index_mb'])} | "
                   f"{f1(v['peak_rss_mb'])} / {f1(b['peak_rss_mb'])} / {f1(t['peak_rss_mb'])} | {load} |\n")
    out.append("\n| class | " + " | ".join(f"{r['findings']:,}: tantivy p50 (p95)" for r in ran) + " |\n|---|"
               + "---|" * len(ran) + "\n")
    for cls in CLASSES:
        cells = []
        for r in ran:
            v = [x for q in QUERIES if q.cls == cls for x in r["tantivy"]["samples"].get(q.label, [])]
            cells.append(f"{f1(pct(v, 50))} ({f1(pct(v, 95))})" if v else "–")
        out.append(f"| {cls} | " + " | ".join(cells) + " |\n")
    differ = [f"`{q}` {r['vkref']['totals'][q]} / {r['baseline']['totals'][q]} / {r['tantivy']['totals'][q]}"
              for r in ran[-1:] for q in r["tantivy"]["totals"]
              if len({r["vkref"]["totals"][q], r["baseline"]["totals"][q], r["tantivy"]["totals"][q]}) > 1]
    out.append(f"\nTotals that differ at {ran[-1]['findings']:,} (vkref / FTS5 / tantivy): "
               + ("; ".join(differ) or "none") + ".\n")
    return "".join(out)
