"""The page shown instead of the results table: the start page, "no results", or a query that cannot run.

Every query and message is escaped. Links (examples, "browse", help) are emitted as ``linkActivated(link)``
strings (``example:Q``, ``browse:``, ``help:syntax``); the main window acts on them.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal

from vkref.ui.detail import SafeBrowser

EXAMPLES = ("MK-4 vertebral fracture", "raloxifene vitamin K2", "OVX rats bone strength", "MK-7 osteocalcin")


class EmptyState(SafeBrowser):
    linkActivated = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setAccessibleName("Getting started")
        self.anchorClicked.connect(lambda url: self.linkActivated.emit(url.toString()))

    def show_start(self, total: int = 0) -> None:
        examples = " &nbsp;·&nbsp; ".join(f'<a href="example:{escape(e, quote=True)}">{escape(e)}</a>'
                                         for e in EXAMPLES)
        browse = f' or <a href="browse:">browse all {total:,} records</a>' if total else ""
        self.setHtml(
            '<div align="center" style="margin-top:40px;"><p style="font-size:x-large;">Search the evidence on '
            "vitamin K2 and bone health</p>"
            f"<p>Type a question in a few words. Try: {examples}</p>"
            f"<p>Narrow with the filters on the left{browse}. Start with <b>Species</b> and <b>Evidence</b> "
            "to keep human and animal evidence apart.</p>"
            '<p>Synonyms are understood (MK-4 = menatetrenone, OVX = ovariectomized). '
            '<a href="help:syntax">Search syntax</a> (F1)</p></div>')

    def show_no_results(self, query: str, filtered: bool) -> None:
        hint = "Remove a filter above, or try fewer or other words." if filtered else "Try fewer or other words."
        what = f" for “{escape(query)}”" if query else ""
        self.setHtml(f'<div align="center" style="margin-top:40px;"><p style="font-size:large;">No results{what}.'
                     f"</p><p>{escape(hint)} Words can be combined with OR; see "
                     '<a href="help:syntax">Search syntax</a>.</p></div>')

    def show_error(self, message: str) -> None:
        self.setHtml(f'<div align="center" style="margin-top:40px;"><p style="font-size:large;">This search cannot '
                     f"run.</p><p>{escape(message)}</p><p>See <a href=\"help:syntax\">Search syntax</a>.</p></div>")
