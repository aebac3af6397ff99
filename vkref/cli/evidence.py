"""The evidence commands: ``vkref matrix`` and ``vkref answer``.

Thin fronts on :mod:`vkref.library.evidence_matrix` and :mod:`vkref.library.answer_card` (counting) and
:mod:`vkref.io.evidence_render` (files): ``--json`` prints one JSON object, ``-o FILE`` writes HTML or SVG chosen
by the file name, and bad input (an unknown facet or value, an unknown file type) exits 2 with one line on
standard error.
"""
from __future__ import annotations

import json
from pathlib import Path

from vkref.core.errors import UsageError
from vkref.library import answer_card, evidence, evidence_matrix

GROUP_NAMES = {"human": "human", "animal": "animal", "in_vitro": "in vitro"}


def add_parsers(sub) -> None:
    m = sub.add_parser("matrix", help="findings counted by two facets (agent x outcome by default)")
    m.add_argument("query", nargs="?", default="", help="a search; empty: every finding")
    m.add_argument("--rows", default="agent", metavar="FACET", help="row facet (default agent)")
    m.add_argument("--cols", default="outcome", metavar="FACET", help="column facet (default outcome)")
    _common(m)
    m.add_argument("-o", "--output", metavar="FILE", help="write FILE.html (self-contained) or FILE.svg")

    a = sub.add_parser("answer", help="the answer card for a question: outcomes by species, cautions, key findings")
    a.add_argument("query", help="the question, in words")
    _common(a)
    a.add_argument("-o", "--output", metavar="FILE", help="write FILE.html (self-contained)")


def _common(p) -> None:
    p.add_argument("--filter", action="append", default=[], metavar="F=V")
    p.add_argument("--exclude", action="append", default=[], metavar="F=V")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")


def cmd_matrix(args, lib, facet_pairs) -> int:
    kind = evidence.output_format(args.output, "matrix") if args.output else None
    m = evidence_matrix.matrix(lib, args.query, rows=args.rows, cols=args.cols,
                               filters=facet_pairs(args.filter, "--filter"),
                               exclude=facet_pairs(args.exclude, "--exclude"))
    if kind:
        _write(args.output, m.render(kind))
    if args.json:
        print(json.dumps(m.to_dict(), ensure_ascii=False, indent=2))
    elif kind:
        print(f"{args.output}: {len(m.rows.values)} {m.rows.facet} rows x {len(m.cols.values)} {m.cols.facet} "
              f"columns, {m.total} findings")
    else:
        print(format_matrix(m))
    return 0


def cmd_answer(args, lib, facet_pairs) -> int:
    kind = evidence.output_format(args.output, "answer") if args.output else None
    card = answer_card.answer(lib, args.query, filters=facet_pairs(args.filter, "--filter"),
                              exclude=facet_pairs(args.exclude, "--exclude"))
    if kind:
        _write(args.output, card.render(kind))
    if args.json:
        print(json.dumps(card.to_dict(), ensure_ascii=False, indent=2))
    elif kind:
        print(f"{args.output}: {card.total} findings, {len(card.outcomes)} outcomes, {len(card.cautions)} cautions")
    else:
        print(format_answer(card))
    return 0


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror})") from None


def _counts(counts: dict) -> str:
    return ", ".join(f"{k} {n}" for k, n in counts.items()) or "-"


def format_matrix(m) -> str:
    """Plain text: each row value with its non-empty cells (an empty matrix says so)."""
    lines = [evidence.caption_line(m.caption()), f"searched as: {m.searched_as}",
             f"{m.rows.facet} rows x {m.cols.facet} columns"]
    by_row: dict[str, list] = {}
    for c in m.cells:
        by_row.setdefault(c.row, []).append(c)
    for row in m.rows.values:
        depth = _depth(row, m.rows.parents)
        cells = "; ".join(f"{c.col} {c.findings} ({_counts(c.direction)})" for c in by_row.get(row, []))
        lines.append(f"{'  ' * depth}{row}: {cells}")
    if not m.rows.values:
        lines.append("no finding")
    return "\n".join(lines)


def _depth(label: str, parents: dict) -> int:
    depth, cur = 0, parents.get(label)
    while cur and depth < 20:
        depth, cur = depth + 1, parents.get(cur)
    return depth


def format_answer(card) -> str:
    lines = [f"{card.total} finding{'s' if card.total != 1 else ''} for {card.query!r}",
             f"searched as: {card.searched_as}", f"species: {_counts(card.species)}",
             f"evidence: {_counts(card.evidence)}", f"direction: {_counts(card.direction)}", "", "outcomes:"]
    for o in card.outcomes:
        parts = [f"{GROUP_NAMES[g]}: {_counts(getattr(o, g))}" for g in GROUP_NAMES if getattr(o, g)]
        lines.append(f"  {o.outcome} — " + " | ".join(parts))
    if card.cautions:
        lines += ["", "cautions:"] + [f"  ! {c}" for c in card.cautions]
    lines += ["", "key findings:"]
    for n, hit in enumerate(card.key_findings, 1):
        meta = " | ".join(", ".join(hit.facets.get(f, [])) for f in ("species", "evidence", "direction"))
        lines.append(f"  {n}. {hit.text}")
        lines.append(f"     {meta} | {hit.review.get('citation', '')}")
    return "\n".join(lines)
