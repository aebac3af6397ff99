"""Worst-case query shapes: does every query, whatever its shape, answer within a second on a large library?

    python -m benchmarks.query_shapes --library DIR [--repeat 3] [--seed 7]

The search mix of ``benchmarks.run`` measures what clinicians type; this measures what a hostile or careless
query can cost: many negated words, long OR chains, every word of a paragraph, prefix wildcards that match
thousands of terms (OR-ed and negated), long phrases and many two-word phrases (OR-ed, required, negated), a
phrase padded with stop words (a wide slop), wildcards inside words, every facet filtered or every value of
every facet selected, many vocabulary concepts (each expanded), a year range, and the longest query the parser
accepts (``MAX_QUERY_LENGTH`` characters). Words and phrases are drawn from the library's own documents so that
they match. A first search for a word no record holds opens the readers (its own row: the cost of a fresh
process, not of a shape). Each shape is then run once cold (its first run in this process: the time that counts,
as later runs may be answered from the search caches), with the process's CPU time beside the wall time, and
then ``--repeat`` times warm; the table gives both, with the number of hits (so a shape that matched nothing is
visible as such), and the load average before and after.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import time
from pathlib import Path

LIMIT_S = 1.0


def words_of(lib, n: int, rnd: random.Random) -> list[str]:
    """Distinct plain words (4+ letters) from the library's reviews and findings."""
    text = " ".join(f"{r.title} {r.summary}" for r in lib.reviews()[:2000])
    seen = sorted(set(re.findall(r"\b[a-z]{4,}\b", text.lower())))
    rnd.shuffle(seen)
    return seen[:n]


def phrase_of(lib, n: int = 8) -> str:
    """``n`` consecutive words of a review summary: a long phrase that occurs."""
    return (phrases_of(lib, n, 1) or ['"vitamin k2 bone"'])[0]


def phrases_of(lib, n: int, count: int) -> list[str]:
    """Up to ``count`` distinct phrases of ``n`` consecutive plain words of review summaries (phrases that occur)."""
    out: dict[str, None] = {}
    for r in lib.reviews()[:400]:
        words = r.summary.split()
        plain = [bool(re.fullmatch(r"[A-Za-z]{3,}", t)) for t in words]
        for i in range(0, len(plain) - n + 1, n):
            if all(plain[i:i + n]):
                out['"' + " ".join(words[i:i + n]).lower() + '"'] = None
                if len(out) >= count:
                    return list(out)
    return list(out)


def within(text: str, max_len: int) -> str:
    """``text`` cut at a space to the parser's length limit."""
    while len(text) > max_len:
        text = text.rsplit(" ", 1)[0]
    return text


def concept_names(lib, count: int) -> list[str]:
    """Labels of ``count`` vocabulary concepts (several words first): each expands to every synonym, narrower
    concept and coded id."""
    labels = sorted({c.label for c in lib.concepts()}, key=lambda x: (-len(x.split()), x))
    return labels[:count]


def shapes(words: list[str], max_len: int, phrase: str, pairs: list[str],
           facets: dict[str, list[str]], concepts: list[str] = ()) -> list[tuple[str, str, dict]]:
    w = itertools.cycle(words)  # a small library has fewer distinct words than the shapes take
    take = lambda k: [next(w) for _ in range(k)]  # noqa: E731
    paragraph = " ".join(take(40))
    longest = ""
    for word in itertools.islice(itertools.cycle(words), 500):
        if len(longest) + len(word) + 1 > max_len:
            break
        longest = f"{longest} {word}".strip()
    nots = within("bone " + " ".join(f"-{x}" for x in take(100)), max_len)
    prefixes = sorted({x[:2] for x in words})
    return [
        ("one common word", "bone", {}),
        ("3 NOTs", "bone " + " ".join(f"NOT {x}" for x in take(3)), {}),
        ("100 negated words (within the length limit)", nots, {}),
        ("30-word OR chain", " OR ".join(take(30)), {}),
        ("40-word paragraph", paragraph, {}),
        ("prefix wildcards", "bo* ca* de* os*", {}),
        ("a two-letter prefix (the shortest allowed)", "st*", {}),
        ("8-word phrase", phrase, {}),
        ("every facet filtered", "fracture", {"species": ["Human"], "evidence": ["Randomized controlled trial"],
                                               "direction": ["Beneficial"], "agent": ["MK-4"],
                                               "outcome": ["Vertebral fracture"]}),
        ("empty query, year range", "", {"year_from": 1990, "year_to": 2005}),
        (f"longest accepted query ({max_len} characters, all words)", longest, {}),
        ("30 two-letter prefixes OR-ed", within(" OR ".join(f"{p}*" for p in prefixes[:30]), max_len), {}),
        ("bone, 40 negated two-letter prefixes", within("bone " + " ".join(f"-{p}*" for p in prefixes[:40]), max_len),
         {}),
        ("20 two-word phrases OR-ed", within(" OR ".join(pairs[:20]), max_len), {}),
        ("20 two-word phrases, all required", within(" ".join(pairs[20:40]), max_len), {}),
        ("bone, 25 negated two-word phrases", within("bone " + " ".join(f"-{p}" for p in pairs[40:65]), max_len), {}),
        ("quoted stop words around two words", '"the bone of the and of the with fracture in the"', {}),
        ("wildcards in the middle of words", "os*is fr*ure vi*min bo*e", {}),
        ("every value of every facet selected", "bone", facets),
        ("25 vocabulary concepts OR-ed (each expanded)", within(" OR ".join(f'"{c}"' for c in concepts[:25]), max_len),
         {}),
    ]


def run_shape(lib, text: str, extra: dict) -> tuple[float, int, float]:
    """Wall seconds, hits, CPU seconds of this process (all its threads) for one search."""
    year_from, year_to = extra.get("year_from"), extra.get("year_to")
    filters = {k: v for k, v in extra.items() if k not in ("year_from", "year_to")}
    start, cpu = time.perf_counter(), time.process_time()
    page = lib.search(text, filters=filters or None, year_from=year_from, year_to=year_to, limit=20)
    return time.perf_counter() - start, page.total, time.process_time() - cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    from vkref.core.errors import QueryError
    from vkref.library import Library
    from vkref.search.query import MAX_QUERY_LENGTH

    lib = Library.open(args.library)
    try:
        lib.wait_for_index()
        info = lib.info()
        print(f"library: {info['reviews']:,} reviews, {info['findings']:,} findings; load average "
              + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        print("| shape | hits | cold (s) | cold CPU (s) | slowest warm (s) | within 1 s |\n|---|---|---|---|---|---|")
        worst = 0.0
        first, _, cpu = run_shape(lib, "zzzqqq", {})
        print(f"| first query of the process (a word no record holds: opening, not a shape) | 0 | {first:.3f} | "
              f"{cpu:.3f} | | |")
        facets = {name: list(values) for name, values in lib.search("", limit=1).facets.items()
                  if name not in ("review", "year")}
        for name, text, extra in shapes(words_of(lib, 400, random.Random(args.seed)), MAX_QUERY_LENGTH,
                                        phrase_of(lib), phrases_of(lib, 2, 65), facets, concept_names(lib, 25)):
            try:
                cold, total, cpu = run_shape(lib, text, extra)
            except QueryError as exc:
                print(f"| {name} | refused: {exc} | | | | yes |")
                continue
            warm = max(run_shape(lib, text, extra)[0] for _ in range(args.repeat))
            worst = max(worst, cold, warm)
            ok = "yes" if max(cold, warm) <= LIMIT_S else "**no**"
            print(f"| {name} | {total:,} | {cold:.3f} | {cpu:.3f} | {warm:.3f} | {ok} |", flush=True)
        print(f"\nslowest: {worst:.3f} s; load average " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        return 0 if worst <= LIMIT_S else 1
    finally:
        lib.close()


if __name__ == "__main__":
    raise SystemExit(main())
