"""Rendering the evidence views as files: the matrix as SVG or self-contained HTML, the answer card as HTML.

Pure Python and plain data in (the views' ``to_dict()``, the matrix hierarchy and a caption dict with
``query``, ``filters``, ``exclude``, ``library_date`` and ``total``); no Qt, no network.

Promises:

- HTML is self-contained: inline CSS and inline SVG, no script, no reference to anything outside the file
  (the inline SVG needs no namespace declaration in HTML, so the page holds no URL at all).
- Directions are drawn with the Okabe–Ito palette, which colour-blind readers can tell apart, and each also
  has its own fill pattern and a letter in the legend, so a greyscale print still distinguishes them.
- An empty cell is drawn as a visible gap (a dashed box marked "no finding"), never left blank.
- Every record text is escaped: nothing from the library can inject markup.
"""
from __future__ import annotations

from html import escape

from vkref.core.errors import UsageError

# Okabe–Ito colours, each with a pattern for greyscale and a letter for text-only reading
DIRECTION_STYLE = {
    "Beneficial": ("#009E73", "solid", "B"),
    "No significant effect": ("#E69F00", "hatch", "N"),
    "Harmful": ("#D55E00", "cross", "H"),
    "Mixed or inconsistent": ("#0072B2", "dots", "M"),
}
_SPARE = [("#CC79A7", "hatch-back", "?"), ("#56B4E9", "grid", "?"), ("#F0E442", "dots", "?"),
          ("#000000", "solid", "?")]
CELL_W, CELL_H, LABEL_W, HEAD_H, PAD = 56, 32, 260, 170, 12
MATRIX_SUFFIXES = (".html", ".svg", ".png")
ANSWER_SUFFIXES = (".html", ".pdf")


def output_kind(path: str, allowed: tuple[str, ...]) -> str:
    """The format a file name asks for (``html``/``svg``), or a one-line UsageError."""
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in allowed:
        raise UsageError(f"{path}: unknown output format: the file name must end with {', '.join(allowed)}")
    if suffix in (".png", ".pdf"):
        raise UsageError(f"{path}: PNG/PDF export needs the desktop application; use .html or .svg")
    return suffix[1:]


def styles_for(directions) -> dict[str, tuple[str, str, str]]:
    """Colour, pattern and letter of each direction label (known ones fixed, others from spare styles)."""
    out, spare = {}, iter(_SPARE * 4)
    for label in directions:
        out[label] = DIRECTION_STYLE.get(label) or next(spare)
    return out


def caption_text(caption: dict) -> str:
    parts = [f"Query: {caption.get('query') or '(everything)'}"]
    for key, word in (("filters", "Filters"), ("exclude", "Excluded")):
        spec = caption.get(key) or {}
        if spec:
            parts.append(f"{word}: " + "; ".join(f"{f} = {', '.join(v)}" for f, v in spec.items()))
    if "total" in caption:
        parts.append(f"{caption['total']} findings")
    if caption.get("library_date"):
        parts.append(f"library as of {caption['library_date']}")
    return " · ".join(parts)


# ---------------------------------------------------------------------------------------------- SVG
def _directions(data: dict) -> list[str]:
    seen: dict[str, None] = {d: None for d in DIRECTION_STYLE}
    for cell in data["cells"]:
        seen.update(dict.fromkeys(cell["direction"]))
    return list(seen)


def _depth(label: str, parents: dict) -> int:
    depth, cur, seen = 0, parents.get(label), {label}
    while cur and cur not in seen:
        depth, seen, cur = depth + 1, seen | {cur}, parents.get(cur)
    return depth


def _patterns(styles: dict) -> str:
    shapes = {"solid": "", "hatch": '<path d="M0,6 L6,0" stroke="#fff" stroke-width="1.6"/>',
              "hatch-back": '<path d="M0,0 L6,6" stroke="#fff" stroke-width="1.6"/>',
              "cross": '<path d="M0,6 L6,0 M0,0 L6,6" stroke="#fff" stroke-width="1.2"/>',
              "dots": '<circle cx="3" cy="3" r="1.3" fill="#fff"/>',
              "grid": '<path d="M3,0 V6 M0,3 H6" stroke="#fff" stroke-width="1.2"/>'}
    out = []
    for n, (colour, pattern, _) in enumerate(styles.values()):
        out.append(f'<pattern id="dir{n}" width="6" height="6" patternUnits="userSpaceOnUse">'
                   f'<rect width="6" height="6" fill="{colour}"/>{shapes[pattern]}</pattern>')
    return "<defs>" + "".join(out) + "</defs>"


def _bar(cell: dict, x: float, y: float, styles: dict, index: dict) -> str:
    """One cell: direction shares stacked left to right, the count on top, details in a tooltip."""
    parts, left, total = [], x + 2, cell["findings"] or 1
    width = CELL_W - 4
    for label, n in cell["direction"].items():
        w = width * n / max(total, sum(cell["direction"].values()))
        parts.append(f'<rect x="{left:.1f}" y="{y + 16}" width="{w:.1f}" height="{CELL_H - 19}" '
                     f'fill="url(#dir{index[label]})"/>')
        left += w
    tip = "; ".join([f"{cell['row']} × {cell['col']}: {cell['findings']} findings",
                     ", ".join(f"{d} {n}" for d, n in cell["direction"].items()),
                     ", ".join(f"{s} {n}" for s, n in cell["species"].items())])
    number = f'<text x="{x + CELL_W / 2}" y="{y + 13}" class="n">{cell["findings"]}</text>'
    frame = f'<rect x="{x + 1.5}" y="{y + 2.5}" width="{CELL_W - 3}" height="{CELL_H - 5}" class="cellbox"/>'

    return f'<g><title>{escape(tip)}</title>{frame}{"".join(parts)}{number}</g>'


def _gap(x: float, y: float, row: str, col: str) -> str:
    return (f'<g class="gap"><title>{escape(row)} × {escape(col)}: no finding</title>'
            f'<rect x="{x + 2}" y="{y + 3}" width="{CELL_W - 4}" height="{CELL_H - 6}"/>'
            f'<text x="{x + CELL_W / 2}" y="{y + CELL_H / 2 + 4}">–</text></g>')


def _legend(styles: dict, y: float) -> str:
    out, x = [], PAD
    for n, (label, (_, _, letter)) in enumerate(styles.items()):
        out.append(f'<rect x="{x}" y="{y}" width="18" height="14" fill="url(#dir{n})" stroke="#333"/>'
                   f'<text x="{x + 24}" y="{y + 11}" class="legend">{escape(label)}'
                   f'{"" if letter == "?" else f" ({letter})"}</text>')
        x += 34 + 7 * len(label) + 24
    out.append(f'<rect x="{x}" y="{y}" width="18" height="14" class="gaprect"/>'
               f'<text x="{x + 24}" y="{y + 11}" class="legend">no finding</text>')
    return "".join(out)


SVG_STYLE = ("text{font-family:'DejaVu Sans',Arial,sans-serif;font-size:11px;fill:#111}"
             ".n{text-anchor:middle;font-weight:bold}.cellbox{fill:#fff;stroke:#555}"
             ".gap rect,.gaprect{fill:#f4f4f4;stroke:#999;stroke-dasharray:3 2}"
             ".gap text{text-anchor:middle;fill:#888}.grid{stroke:#ddd}.cap{font-size:12px}"
             ".parent{font-weight:bold}.legend{font-size:11px}")


def matrix_svg(data: dict, tree: dict, caption: dict, standalone: bool = True) -> str:
    """The matrix as one SVG picture: a row per row value (indented under its parent), a column per column
    value, each non-empty cell a stacked direction bar with its count."""
    rows, cols = data["rows"]["values"], data["cols"]["values"]
    styles = styles_for(_directions(data))
    index = {label: n for n, label in enumerate(styles)}
    cells = {(c["row"], c["col"]): c for c in data["cells"]}
    top = HEAD_H + 2 * PAD + 20
    width = LABEL_W + CELL_W * max(len(cols), 1) + 2 * PAD + int(HEAD_H * 0.65)  # room for the last heading
    height = top + CELL_H * max(len(rows), 1) + 60
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    out = [f'<svg{ns} width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(caption_text(caption))}">', f"<style>{SVG_STYLE}</style>", _patterns(styles),
           f'<rect width="{width}" height="{height}" fill="#fff"/>',
           f'<text x="{PAD}" y="{PAD + 10}" class="cap">{escape(caption_text(caption))}</text>',
           f'<text x="{PAD}" y="{top - 6}" class="parent">{escape(data["rows"]["facet"])} ↓ / '
           f'{escape(data["cols"]["facet"])} →</text>']
    out += _column_heads(cols, tree.get("cols", {}), top)
    for i, row in enumerate(rows):
        out.append(_row(row, i, cols, cells, tree.get("rows", {}), top, styles, index))
    out.append(_legend(styles, top + CELL_H * max(len(rows), 1) + 20))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _column_heads(cols: list[str], parents: dict, top: float) -> list[str]:
    out = []
    for j, col in enumerate(cols):
        x = LABEL_W + PAD + CELL_W * j + CELL_W / 2
        label = "· " * _depth(col, parents) + col
        cls = ' class="parent"' if col in parents.values() else ""
        out.append(f'<text x="{x}" y="{top - 8}" transform="rotate(-50 {x} {top - 8})"{cls}>'
                   f'{escape(_clip(label, 32))}</text>')
    return out


def _row(row: str, i: int, cols: list[str], cells: dict, parents: dict, top: float, styles: dict,
         index: dict) -> str:
    y = top + CELL_H * i
    depth = _depth(row, parents)
    cls = ' class="parent"' if row in parents.values() else ""
    out = [f'<line x1="{PAD}" y1="{y + CELL_H}" x2="{LABEL_W + PAD + CELL_W * len(cols)}" y2="{y + CELL_H}" '
           f'class="grid"/>',
           f'<text x="{PAD + 12 * depth}" y="{y + CELL_H / 2 + 4}"{cls}>{escape(_clip(row, 40 - 2 * depth))}'
           f'</text>']
    for j, col in enumerate(cols):
        x = LABEL_W + PAD + CELL_W * j
        cell = cells.get((row, col))
        out.append(_bar(cell, x, y, styles, index) if cell else _gap(x, y, row, col))
    return "".join(out)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


# ---------------------------------------------------------------------------------------------- HTML
PAGE_STYLE = """
body{font-family:'DejaVu Sans',Arial,sans-serif;color:#111;margin:1.5em;max-width:72em}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.4em 0 .4em}
.caption{color:#444;font-size:.9em;margin-bottom:1em}.scroll{overflow:auto;border:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ccc;padding:.25em .45em;text-align:left;
vertical-align:top}th{background:#f2f2f2}td.gap{color:#888;background:#f7f7f7}
.chip{display:inline-block;width:.9em;height:.9em;border:1px solid #333;vertical-align:-.1em;margin-right:.2em}
.cautions li{margin:.2em 0}.cautions{background:#fff4e5;border:1px solid #E69F00;padding:.6em 1.4em}
.finding{margin:.6em 0;padding:.4em .6em;border-left:4px solid #999}.finding .meta{color:#444;font-size:.85em}
.group{font-weight:bold}mark{background:#F0E442}
"""


def _page(title: str, caption: dict, body: list[str]) -> str:
    return "\n".join(['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
                      f"<title>{escape(title)}</title>", f"<style>{PAGE_STYLE}</style></head><body>",
                      f"<h1>{escape(title)}</h1>", f'<p class="caption">{escape(caption_text(caption))}</p>',
                      *body, "</body></html>"]) + "\n"


def _counts(counts: dict, styles: dict | None = None) -> str:
    if not counts:
        return "–"
    out = []
    for label, n in counts.items():
        style = (styles or {}).get(label)
        chip = (f'<span class="chip" style="background:{style[0]}"></span>' if style else "")
        letter = f" ({style[2]})" if style and style[2] != "?" else ""
        out.append(f"{chip}{escape(label)}{letter} {n}")
    return ", ".join(out)


def matrix_html(data: dict, tree: dict, caption: dict) -> str:
    """A self-contained page: the SVG matrix, then the same counts as a table (for screen readers and copying)."""
    styles = styles_for(_directions(data))
    cells = {(c["row"], c["col"]): c for c in data["cells"]}
    rows, cols = data["rows"]["values"], data["cols"]["values"]
    table = ["<table><thead><tr><th>" + escape(data["rows"]["facet"]) + " \\ " + escape(data["cols"]["facet"])
             + "</th>" + "".join(f"<th>{escape(c)}</th>" for c in cols) + "</tr></thead><tbody>"]
    for row in rows:
        indent = "&nbsp;&nbsp;" * _depth(row, tree.get("rows", {}))
        table.append(f"<tr><th>{indent}{escape(row)}</th>" + "".join(
            _table_cell(cells.get((row, col)), styles) for col in cols) + "</tr>")
    table.append("</tbody></table>")
    body = [f'<div class="scroll">{matrix_svg(data, tree, caption, standalone=False)}</div>',
            "<h2>The same counts as a table</h2>", '<div class="scroll">', *table, "</div>"]
    return _page(f"Evidence matrix: {data['rows']['facet']} × {data['cols']['facet']}", caption, body)


def _table_cell(cell: dict | None, styles: dict) -> str:
    if not cell:
        return '<td class="gap">no finding</td>'
    return f"<td><b>{cell['findings']}</b><br>{_counts(cell['direction'], styles)}</td>"


def answer_html(card: dict, caption: dict) -> str:
    """The answer card as a self-contained page: counts, outcomes by species group, cautions, key findings."""
    directions = list(dict.fromkeys(list(DIRECTION_STYLE) + [d for o in card["outcomes"] for g in
                                                            ("human", "animal", "in_vitro") for d in o[g]]))
    styles = styles_for(directions)
    body = [f"<p>Searched as: {escape(card['searched_as'])}</p>",
            f"<p><b>{card['total']}</b> findings. Species: {_counts(card['species'])}. "
            f"Evidence: {_counts(card['evidence'])}. Direction: {_counts(card['direction'], styles)}.</p>"]
    if card["cautions"]:
        body += ["<h2>Cautions</h2>", '<ul class="cautions">',
                 *(f"<li>{escape(c)}</li>" for c in card["cautions"]), "</ul>"]
    body += ["<h2>Outcomes</h2>", "<table><thead><tr><th>Outcome</th><th>Human</th><th>Animal</th>"
             "<th>Cell or in vitro</th></tr></thead><tbody>"]
    for o in card["outcomes"]:
        body.append(f"<tr><th>{escape(o['outcome'])}</th>" + "".join(
            f"<td>{_counts(o[g], styles)}</td>" for g in ("human", "animal", "in_vitro")) + "</tr>")
    body += ["</tbody></table>", "<h2>Key findings</h2>", *(_finding(h) for h in card["key_findings"])]
    return _page(f"What the library says: {card['query']}", caption, body)


def _finding(hit: dict) -> str:
    facets = hit.get("facets", {})
    meta = " · ".join(", ".join(facets.get(f, [])) for f in ("species", "evidence", "direction") if facets.get(f))
    citation = (hit.get("review") or {}).get("citation", "")
    return (f'<div class="finding"><div class="meta group">{escape(meta)}</div>'
            f"<div>{escape(hit['text'])}</div>"
            f'<div class="meta">{escape(hit["id"])} — {escape(citation)}</div></div>')
