"""HTML of the primary studies a finding rests on, for the detail pane. No Qt here.

For each study: its label, first author, year, design, population and size, then every other finding, from any
review, that rests on the same study, each a ``vkref-open:finding:<id>`` link that opens it. Every piece of
library text is escaped (see :mod:`vkref.ui.render`).
"""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from vkref.core.errors import VkrefError

SHOWN = 12  # other findings listed per study before "and N more"


def finding_studies(renderer, finding) -> list[str]:
    """The "Primary study" block of a finding's detail page (a review's own synthesis says so)."""
    if not finding.studies:
        return []
    try:
        studies = renderer.library.studies_of(finding.id)
    except VkrefError:  # a catalog whose server is away: the rest of the page still shows
        return []
    title = "Primary study" if len(studies) == 1 else f"Primary studies ({len(studies)})"
    out = [renderer.heading(title)]
    for study in studies:
        out += [_heading(renderer, study), _others(renderer, study, finding.review_id)]
    return out


def _heading(renderer, study: dict) -> str:
    facts = [str(study[k]) for k in ("year", "design", "population", "size") if study.get(k) not in ("", None)]
    author = f" · first author {escape(study['first_author'])}" if study.get("first_author") else ""
    muted = renderer.muted_colour()
    extra = f'<br><span style="color:{muted};">{escape(" · ".join(facts))}</span>' if facts else ""
    note = f'<br><span style="color:{muted}; font-size:small;">{escape(study["note"])}</span>' \
        if study.get("note") else ""
    return f"<p><b>{escape(study['label'])}</b>{author}{extra}{note}</p>"


def _others(renderer, study: dict, own_review: str) -> str:
    others = study["findings"]
    if not others:
        return f'<p style="color:{renderer.muted_colour()};">No other finding rests on this study.</p>'
    reviews = len({f["review"] for f in others} | {own_review})
    head = (f"{len(others)} other finding{'s' if len(others) != 1 else ''} rest{'s' if len(others) == 1 else ''}"
            f" on it ({reviews} review{'s' if reviews != 1 else ''} in all):")
    items = "".join(f'<li><a href="vkref-open:{quote("finding:" + f["id"], safe="")}">{escape(f["id"])}</a> '
                    f"· {escape(f['review_label'])}: {escape(_short(f['statement']))}</li>"
                    for f in others[:SHOWN])
    more = f"<li>and {len(others) - SHOWN} more</li>" if len(others) > SHOWN else ""
    return f"<p>{head}</p><ul style='margin-top:0px;'>{items}{more}</ul>"


def _short(text: str, limit: int = 140) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
