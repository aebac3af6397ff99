"""The reference the benchmark compares vkref with: plain SQLite FTS5 + SQL ``GROUP BY`` over the same documents.

Built from ``Library.iter_documents()`` (exactly what the Whoosh index holds: same texts, same rolled-up facets).
A query is answered the obvious way:

- the vkref query plan's alternatives become an FTS5 ``MATCH`` expression (each clause an OR of phrases, the
  clauses ANDed; coded concept ids are a hidden ``concepts`` column, like vkref's ``concepts`` field);
- the text matches are materialised into a temporary table once, then: the total and the page (``bm25`` order,
  top 20 with stored title/text) with every filter, and one ``GROUP BY`` per facet with every filter but its own.

It is a speed reference, not a second implementation: it has no "any word" fallback and no spelling suggestions,
and its stemmer (porter/unicode61) differs from vkref's analyzer, so totals can differ slightly (they are reported).
"""
from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

FACETS = ("kind", "agent", "population", "species", "outcome", "direction", "evidence", "review", "year")


def _concept_token(cid: str) -> str:
    return "c" + re.sub(r"[\W_]", "", cid)


def clause_alternatives(clause) -> list[tuple[str, str]]:
    """A vkref plan clause as the alternatives every reference engine reads, in order and without repeats:
    ``("phrase", "lower case words")``, ``("prefix", "words")`` (the last word a prefix) and
    ``("concept", token)`` (a coded concept id as one token of the hidden ``concepts`` field)."""
    out = []
    for shown in clause.shown:
        words = " ".join(re.findall(r"\w+", shown.lower()))
        if words:
            out.append(("prefix" if shown.endswith("*") else "phrase", words))
    for leaf in clause.query.leaves():
        if getattr(leaf, "fieldname", None) == "concepts":
            out.append(("concept", _concept_token(leaf.text)))
    return list(dict.fromkeys(out))


class Fts5Baseline:
    def __init__(self, path: Path | str = ":memory:"):
        self.db = sqlite3.connect(str(path))
        self.db.executescript("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE docs(docnum INTEGER PRIMARY KEY, key TEXT, kind TEXT, year INTEGER, title TEXT, text TEXT);
            CREATE VIRTUAL TABLE fts USING fts5(title, text, body, fulltext, concepts,
                                                content='', tokenize='porter unicode61 remove_diacritics 2');
            CREATE TABLE facet(facet TEXT, value TEXT, docnum INTEGER, PRIMARY KEY(facet, value, docnum))
                WITHOUT ROWID;
        """)

    def load(self, batches) -> int:
        """Insert every document (batches of IndexDoc); returns how many."""
        n = 0
        cur = self.db.cursor()
        for batch in batches:
            docs, texts, facets = [], [], []
            for d in batch:
                n += 1
                docs.append((n, d.key, d.kind, d.year, d.title, d.text))
                texts.append((n, d.title, d.text, d.body, d.fulltext, " ".join(map(_concept_token, d.concepts))))
                facets.append(("kind", d.kind, n))
                for facet, values in d.facets.items():
                    facets.extend((facet, v, n) for v in dict.fromkeys(values))
            cur.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?)", docs)
            cur.executemany("INSERT INTO fts(rowid, title, text, body, fulltext, concepts) VALUES (?,?,?,?,?,?)",
                            texts)
            cur.executemany("INSERT INTO facet VALUES (?,?,?)", facets)
        self.db.execute("CREATE INDEX facet_doc ON facet(docnum, facet, value)")
        self.db.execute("CREATE TEMP TABLE m(docnum INTEGER PRIMARY KEY)")
        self.db.commit()
        self.db.execute("ANALYZE")
        return n

    # ------------------------------------------------------------------ querying
    @staticmethod
    def match_expression(plan) -> str | None:
        """The FTS5 MATCH text for a vkref QueryPlan (None: no text condition)."""
        def fts(kind, value):
            return {"phrase": f'"{value}"', "prefix": f'"{value}"*', "concept": f'concepts : "{value}"'}[kind]

        def alternatives(clause):
            out = [fts(kind, value) for kind, value in clause_alternatives(clause)]
            return "(" + " OR ".join(out) + ")" if out else None

        pos = [a for a in (alternatives(c) for c in plan.positive) if a]
        neg = [a for a in (alternatives(c) for c in plan.negative) if a]
        if not pos:
            return None
        expr = " AND ".join(pos)
        for n in neg:
            expr = f"({expr}) NOT {n}"
        return expr

    def match(self, match: str | None, filters: dict[str, set[str]], limit: int = 20) -> dict:
        db = self.db
        db.execute("DELETE FROM m")
        if match is None:
            db.execute("INSERT INTO m SELECT docnum FROM docs WHERE kind IN ('finding', 'review')")
        else:
            db.execute("INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
        conds = {f: (f"m.docnum IN (SELECT docnum FROM facet WHERE facet=? AND value IN "
                     f"({','.join('?' * len(vs))}))", [f, *vs]) for f, vs in filters.items() if vs}

        def where(skip=None):
            parts, args = [], []
            for f, (sql, a) in conds.items():
                if f != skip:
                    parts.append(sql)
                    args.extend(a)
            return (" AND ".join(parts) or "1"), args

        w, a = where()
        total = db.execute(f"SELECT count(*) FROM m WHERE {w}", a).fetchone()[0]
        if match is None:
            page = db.execute(f"SELECT d.key, d.title, d.text FROM m JOIN docs d ON d.docnum = m.docnum WHERE {w} "
                              f"ORDER BY d.year DESC, d.key LIMIT ?", a + [limit]).fetchall()
        else:
            page = db.execute(f"SELECT d.key, d.title, d.text FROM fts JOIN m ON m.docnum = fts.rowid "
                              f"JOIN docs d ON d.docnum = fts.rowid WHERE fts MATCH ? AND {w} "
                              f"ORDER BY bm25(fts, 3.0, 3.0, 1.6, 1.0, 2.0) LIMIT ?", [match] + a + [limit]).fetchall()
        counts = {}
        for facet in FACETS:
            w, a = where(skip=facet)
            rows = db.execute(f"SELECT f.value, count(*) FROM m JOIN facet f ON f.docnum = m.docnum "
                              f"WHERE f.facet = ? AND {w} GROUP BY f.value", [facet] + a).fetchall()
            counts[facet] = dict(rows)
        return {"total": total, "hits": page, "facets": counts}


def build(library, path: Path | str = ":memory:") -> tuple[Fts5Baseline, int, float]:
    """A baseline over ``library``'s documents. Returns it, the document count and the build seconds."""
    t = time.perf_counter()
    base = Fts5Baseline(path)
    n = base.load(library.iter_documents())
    return base, n, time.perf_counter() - t
