"""HTML for the detail pane, built from the facade's records. No Qt here, so it is testable on its own.

Invariant: every piece of text that comes from the library goes through ``Library.highlight`` (which escapes it
and marks query terms) or ``html.escape``; the only markup is ours. Links use private schemes handled by the
detail view (``vkref-filter:``, ``vkref-open:``); nothing is ever fetched or run. A DOI is a link to the DOI
resolver that the detail pane hands to the system browser only when the user clicks it.
"""
from __future__ import annotations

from html import escape
from urllib.parse import quote, unquote

from vkref.core.errors import VkrefError
from vkref.core.vocabulary import CONCEPT_FACETS
from vkref.ui import fulltext_render, study_render
from vkref.ui.colours import colours, direction_colour
from vkref.ui.filters import FACET_TITLES

VERIFICATION = {
    "confirmed": "Bibliographic details confirmed against the publisher",
    "partial": "Bibliographic details partly confirmed",
    "reconstructed": "Bibliographic details reconstructed (not confirmed)",
    "unverified": "Bibliographic details not verified",
}


DOI_PREFIX = "https://doi.org/"


def filter_link(facet: str, label: str) -> str:
    return f"vkref-filter:{quote(facet, safe='')}/{quote(label, safe='')}"


def parse_link(url: str) -> tuple[str, str, str] | None:
    """("filter", facet, label) or ("open", key, "") for our links; None for anything else."""
    scheme, _, rest = url.partition(":")
    if scheme == "vkref-filter" and "/" in rest:
        facet, _, label = rest.partition("/")
        return "filter", unquote(facet), unquote(label)
    if scheme == "vkref-open" and rest:
        return "open", unquote(rest), ""
    if url.startswith(DOI_PREFIX) and len(url) > len(DOI_PREFIX):
        return "doi", unquote(url[len(DOI_PREFIX):]), ""
    return None


def doi_link(doi: str) -> str:
    """A DOI as a link to the DOI resolver: opened in the system browser on an explicit click only."""
    return f'<a href="{DOI_PREFIX}{quote(doi, safe="/")}">{escape(doi)}</a>' if doi else ""


class Renderer:
    def __init__(self, library, dark: bool = False):
        self.library = library
        self.dark = dark

    @property
    def mark(self) -> str:
        return colours(self.dark)["mark"]

    def highlighted(self, text: str, query: str) -> str:
        """``text`` escaped, the query's terms marked in the theme's colour."""
        marked = self.library.highlight(text or "", query)
        return marked.replace("<mark>", f'<span style="background-color:{self.mark}">').replace("</mark>", "</span>")

    def _badge(self, label: str) -> str:
        fg, bg = colours(self.dark)["badge_text"], direction_colour(label, self.dark)
        return (f'<span style="background-color:{bg}; color:{fg};">'
                f"&nbsp;{escape(label)}&nbsp;</span>")

    def muted_colour(self) -> str:
        """The theme's colour for secondary text."""
        return colours(self.dark)["muted"]

    def heading(self, title: str) -> str:
        """A section heading of a detail page."""
        return (f'<p style="margin-top:14px; margin-bottom:4px; color:{self.muted_colour()}; font-size:small;">'
                f"<b>{escape(title.upper())}</b></p>")

    def _rows(self, rows: list[tuple[str, str]]) -> str:
        muted = self.muted_colour()
        cells = "".join(f'<tr><td style="color:{muted}; padding-right:14px;" valign="top">{escape(k)}</td>'
                        f"<td>{v}</td></tr>" for k, v in rows if v)
        return f'<table cellspacing="0" cellpadding="2">{cells}</table>' if cells else ""

    # ------------------------------------------------------------------ a finding
    def finding(self, finding, query: str = "") -> str:
        vocab = self.library.vocabulary
        labels = {fa: [vocab[c].label for c in finding.concepts.get(fa, []) if c in vocab] for fa in CONCEPT_FACETS}
        head = " · ".join(escape(x) for x in labels["species"] + labels["evidence"])
        badges = " ".join(self._badge(d) for d in labels["direction"])
        out = [f'<p style="color:{self.muted_colour()}; font-size:small;"><b>FINDING</b>'
               f"{' · ' + head if head else ''}&nbsp;&nbsp;{badges}</p>",
               f'<p style="font-size:large; margin-top:6px;">{self.highlighted(finding.statement, query)}</p>']
        out.append(self._status(self.library.status(finding.id)))
        if finding.caution:
            out.append(self._caution(finding.caution, query))
        coded = []
        for facet in ("agent", "population", "species", "outcome", "direction", "evidence"):
            links = ", ".join(f'<a href="{filter_link(facet, lab)}">{escape(lab)}</a>' for lab in labels[facet])
            coded.append((FACET_TITLES[facet], links))
        out += [self.heading("Coded as (click to filter)"), self._rows(coded)]
        numbers = [("Dose", self.highlighted(finding.dose, query)),
                   ("Duration", self.highlighted(finding.duration, query)),
                   ("Sample size", self.highlighted(finding.sample_size, query)),
                   ("Effect size", self.highlighted(finding.effect_size, query))]
        if any(v for _, v in numbers):
            out += [self.heading("Study details"), self._rows(numbers)]
        cited = ", ".join(x for x in (escape(finding.cited_author),
                                      f"reference {escape(finding.cited_ref)}" if finding.cited_ref else "") if x)
        out += [self.heading("Where the review reports it"),
                self._rows([("Section", escape(finding.section)), ("Cited study", cited),
                            ("Tags", escape(", ".join(finding.tags)))])]
        out += study_render.finding_studies(self, finding)
        review = self.library.get_review(finding.review_id)
        if review is not None:
            doi = f" &nbsp;·&nbsp; DOI {doi_link(review.doi)}" if review.doi else ""
            out += [self.heading("Source review"), f"<p>{escape(self.library.citation(review.id))}</p>",
                    f'<p><a href="vkref-open:{quote("review:" + review.id, safe="")}">Open the review</a>{doi}'
                    f' &nbsp;·&nbsp; <span style="color:{self.muted_colour()};">'
                    f"{escape(VERIFICATION.get(review.provenance.verification, review.provenance.verification))}"
                    "</span></p>"]
        out += fulltext_render.finding_source(self, finding)
        return self.page(out)

    def _caution(self, text: str, query: str) -> str:
        bg = colours(self.dark)["caution"]
        return (f'<table width="100%" cellpadding="6" style="background-color:{bg}; margin-top:6px;"><tr><td>'
                f"<b>Caution.</b> {self.highlighted(text, query)}</td></tr></table>")

    def _status(self, status: dict | None) -> str:
        """The banner of a retracted, doubtful or corrected source (red for the doubtful ones)."""
        if not status:
            return ""
        c = colours(self.dark)
        doubtful = status["kind"] != "corrected"
        fg, bg = (c["chip_x_text"], c["chip_x"]) if doubtful else (c["text"], c["caution"])
        return (f'<table width="100%" cellpadding="6" style="background-color:{bg}; margin-top:6px;"><tr>'
                f'<td style="color:{fg};"><b>{escape(status["banner"])}</b></td></tr></table>')

    # ------------------------------------------------------------------ a review
    def review(self, review, query: str = "") -> str:
        authors = ", ".join(a.display for a in review.authors) or "Anonymous"
        where = ", ".join(x for x in (review.journal, str(review.year or "n.d.")) if x)
        volume = f"{review.volume}({review.issue})" if review.issue else review.volume
        out = [f'<p style="color:{self.muted_colour()}; font-size:small;"><b>REVIEW</b> · {escape(where)}</p>',
               f'<p style="font-size:large; margin-top:6px;"><b>{self.highlighted(review.title, query)}</b></p>',
               f"<p>{escape(authors)}</p>"]
        out.append(self._status(self.library.status(review.id)))
        if review.caution:
            out.append(self._caution(review.caution, query))
        prov = review.provenance
        out += [self.heading("Bibliographic details"), self._rows([
            ("Journal", escape(review.journal)), ("Volume (issue)", escape(volume)), ("Pages", escape(review.pages)),
            ("DOI", doi_link(review.doi)), ("PMID", escape(review.pmid)), ("Source file", escape(review.source_id)),
            ("Keywords", self.highlighted("; ".join(review.keywords), query)), ("Tags", escape(", ".join(review.tags))),
            ("Verification", escape(VERIFICATION.get(prov.verification, prov.verification))),
            ("Checked", escape(prov.verification_note)),
            ("Reconstructed", escape(", ".join(review.reconstructed_fields))),
        ])]
        out += [self.heading("Citation"), f"<p>{escape(self.library.citation(review.id))}</p>"]
        if review.summary:
            out += [self.heading("Summary"), f"<p>{self.highlighted(review.summary, query)}</p>"]
        findings = self.library.findings_of(review.id)
        if findings:
            items = "".join(f'<li><a href="vkref-open:{quote("finding:" + f.id, safe="")}">'
                            f"{self.highlighted(f.statement, query)}</a></li>" for f in findings)
            out += [self.heading(f"Findings ({len(findings)})"), f"<ul>{items}</ul>"]
        if review.fulltext:
            out += fulltext_render.review_fulltext(self, review, query)
        if review.notes:
            out += [self.heading("Notes"), f"<p>{self.highlighted(review.notes, query)}</p>"]
        return self.page(out)

    def page(self, parts: list[str]) -> str:
        """A whole detail page from its parts."""
        return "<html><body>" + "".join(parts) + "</body></html>"


def empty_detail(dark: bool = False) -> str:
    colour = colours(dark)["muted"]
    return (f'<p style="color:{colour}; margin-top:30px;" align="center">Select a result to read the finding, '
            "its coded facets and its source.</p>")


def render_key(library, key: str, query: str = "", dark: bool = False) -> str:
    """The detail HTML of ``"finding:<id>"`` / ``"review:<id>"``, or "" if the record is gone."""
    kind, _, rid = key.partition(":")
    renderer = Renderer(library, dark)
    if kind == "passage":
        return fulltext_render.passage_page(renderer, rid, query)
    try:
        record = library.get_finding(rid) if kind == "finding" else library.get_review(rid)
    except VkrefError:  # a shared catalog whose server is away: the detail pane says so itself
        return ""
    if kind == "finding":
        return renderer.finding(record, query) if record else ""
    return renderer.review(record, query) if record else ""
