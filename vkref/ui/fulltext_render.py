"""HTML of full-text passages for the detail pane: a finding's source in context, and a passage hit. No Qt here.

The supporting sentences of a finding (its locator, :meth:`vkref.library.Library.locate`) are shown marked inside
their paragraph, with the paragraphs before and after it in a muted colour; a "Show in full text" link
(``vkref-open:reader:<finding or passage key>``) asks the window to open the reader at that place. Every piece
of library text is escaped (see :mod:`vkref.ui.render`).
"""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from vkref.core.passages import HEADING_MARK

READER_PREFIX = "reader:"  # "reader:finding:<id>" | "reader:passage:<review id>/<n>" | "reader:review:<id>"


def reader_link(key: str, text: str = "Show in full text") -> str:
    return f'<a href="vkref-open:{quote(READER_PREFIX + key, safe="")}">{escape(text)}</a>'


def marked(text: str, spans, offset: int, colour: str) -> str:
    """``text`` (which starts at ``offset`` of the full text) escaped, with ``spans`` on a coloured ground."""
    out, at = [], 0
    for start, end in sorted(spans):
        a, b = max(start - offset, at), min(end - offset, len(text))
        if b <= a:
            continue
        out += [escape(text[at:a]), f'<span style="background-color:{colour}">{escape(text[a:b])}</span>']
        at = b
    return "".join(out) + escape(text[at:])


def finding_source(renderer, finding) -> list[str]:
    """The "From the full text" block of a finding's detail page ([] when its review has no full text)."""
    source = renderer.library.finding_source(finding.id)
    if source is None:
        return []
    where, passage = source["locator"], source["passage"]
    muted = renderer.muted_colour()
    note = "" if where["in_section"] else " (its section was not found: the closest paragraph)"
    out = [renderer.heading("From the full text"),
           f'<p style="color:{muted}; font-size:small;">{escape(passage.section or "Beginning")}{escape(note)}'
           f" · {reader_link('finding:' + finding.id)}</p>"]
    if source["before"] is not None:
        out.append(f'<p style="color:{muted};">…{escape(source["before"].text[-240:])}</p>')
    out.append(f"<p>{marked(passage.text, where['sentences'], passage.start, renderer.mark)}</p>")
    if source["after"] is not None:
        out.append(f'<p style="color:{muted};">{escape(source["after"].text[:240])}…</p>')
    return out


def review_fulltext(renderer, review, query: str = "") -> list[str]:
    """The "Full text" block of a review's detail page: a link to the reader, then the text with its headings
    in bold and the query's terms marked."""
    parts = []
    for block in review.fulltext.split("\n\n"):
        if block.startswith(HEADING_MARK):
            parts.append(f"<p><b>{renderer.highlighted(block[len(HEADING_MARK):], query)}</b></p>")
        elif block.strip():
            parts.append(f"<p>{renderer.highlighted(block, query)}</p>")
    link = reader_link("review:" + review.id, "Read it in the reader")
    return [renderer.heading("Full text (local copy)"), f"<p>{link}</p>",
            *parts]


def passage_page(renderer, passage_id: str, query: str = "") -> str:
    """The detail page of a passage hit, or "" when it is gone."""
    rid, _, n = passage_id.rpartition("/")
    passages = renderer.library.passages(rid) if n.isdigit() else []
    if int(n or 0) >= len(passages):
        return ""
    p = passages[int(n)]
    review = renderer.library.get_review(rid)
    muted = renderer.muted_colour()
    out = [f'<p style="color:{muted}; font-size:small;"><b>FULL TEXT</b> · {escape(p.section or "Beginning")}</p>',
           f"<p>{renderer.highlighted(p.text, query)}</p>",
           f"<p>{reader_link('passage:' + passage_id)}</p>"]
    if review is not None:
        out += [renderer.heading("Source review"), f"<p>{escape(renderer.library.citation(rid))}</p>",
                f'<p><a href="vkref-open:{quote("review:" + rid, safe="")}">Open the review</a></p>']
    return renderer.page(out)
