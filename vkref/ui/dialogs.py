"""Help and About dialogs: search syntax, keyboard shortcuts, versions and licences.

Licence texts are read from ``resources/licenses/`` (see :func:`vkref.core.paths.resources_dir`); a build that
ships none simply says so.
"""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QPlainTextEdit,
                               QTabWidget, QVBoxLayout, QWidget)

from vkref.core import paths
from vkref.ui.detail import SafeBrowser

SEARCH_SYNTAX = """
<h3>Searching</h3>
<p>Type words: every word must match (in the statement, title, summary or coded facets). Results update as you
type; <b>Enter</b> searches at once.</p>
<table cellpadding="4">
<tr><td><code>MK-4 vertebral fracture</code></td><td>all of the words</td></tr>
<tr><td><code>"bone strength"</code></td><td>the exact phrase</td></tr>
<tr><td><code>raloxifene OR alendronate</code></td><td>either word</td></tr>
<tr><td><code>-rats</code> or <code>NOT rats</code></td><td>leave out records with the word</td></tr>
<tr><td><code>osteocla*</code></td><td>words beginning with a prefix</td></tr>
</table>
<p><b>Synonyms are understood.</b> MK-4 = menaquinone-4 = menatetrenone; OVX = ovariectomized;
BMD = bone mineral density; alfacalcidol = 1α-hydroxyvitamin D3; μg = ug = mcg. A broader term also finds
narrower ones: <i>bisphosphonate</i> finds risedronate and alendronate. The line under the search field shows
what was searched, with the synonyms used. Short abbreviations count in capitals:
<i>RANK</i> is the receptor, <i>rank</i> a word. When findings say only a broader term (“vitamin K2”
without saying which), a line under the search field offers them: “Also: 7 findings coded only Vitamin K2”.</p>
<h3>Filtering</h3>
<p>Tick values in the <b>Filters</b> panel. Several values of one facet widen the search (either), different
facets narrow it (both). Each count says how many results you would get by adding that value.
Click a value (again to remove it). <b>Ctrl+click</b> a value (or use its context menu, or press <b>−</b>) to <i>exclude</i> it; excluded values are
struck out. Active filters appear as chips above the results: click a chip to remove it.</p>
<p>When few records hold every word, the records holding most of them are shown, best score first, and the
line under the search field says so. A misspelt query that finds nothing is corrected
(“Showing results for menatetrenone — search instead for menatetreone”: click to search as typed).
Records without a year are listed under <i>No year</i> in the Year facet; a year range leaves them out and
says how many.</p>
<p><b>Human and animal evidence:</b> use the <i>Species</i> and <i>Evidence</i> facets at the top of the panel.</p>
"""

SHORTCUTS = [
    ("Ctrl+K, Ctrl+F", "Go to the search field"),
    ("Esc (in the search field)", "Clear the search"),
    ("Enter (in the search field)", "Search now and move to the results"),
    ("Down (in the search field)", "Move to the results"),
    ("Up / Down, Page Up / Page Down", "Move through the results (the detail pane follows)"),
    ("Enter (in the results)", "Read the selected record in the detail pane"),
    ("Ctrl+1 / Ctrl+2 / Ctrl+3", "Go to the filters / results / detail pane"),
    ("Ctrl+4 / Ctrl+5", "Show the evidence matrix / the answer card (Ctrl+2 goes back to the results)"),
    ("Tab / Shift+Tab", "Move between the parts of the window (the detail pane is one stop)"),
    ("Ctrl+Tab / Ctrl+Shift+Tab (in the detail pane)", "Move between its links; Enter follows one"),
    ("Alt+Left / Alt+Right", "Back / forward through the records you viewed"),
    ("Ctrl+Shift+S (in the results)", "Sort by the current cell's column (text: relevance; species, evidence: "
                                      "strongest evidence first; year: newest, again oldest)"),
    ("Ctrl+C (in the results)", "Copy the citations of the selected rows (Shift or Ctrl+click selects several)"),
    ("Menu key or right click (in the results)", "Copy, open the review, filter by a value"),
    ("Space (in the filters)", "Filter by the value"),
    ("− (minus, in the filters)", "Exclude the value"),
    ("Ctrl+Shift+C", "Copy the citation of the selected record's source review"),
    ("Ctrl+Shift+Backspace", "Clear all filters"),
    ("Ctrl+Shift+D", "Duplicates: likely duplicate reviews; Enter compares the selected pair side by side, "
                     "where Left / Right take a field's value from A or B"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo the last change (kept in the library: also after a restart)"),
    ("Ctrl+N / F2 / Ctrl+D / Ctrl+Delete", "New finding / edit / duplicate / move to trash (Records menu)"),
    ("Ctrl+Shift+N", "New review (Records menu)"),
    ("Ctrl+H", "History of the shown record, with Revert this change"),
    ("Ctrl+Shift+V", "Open the vocabulary editor (Tools > Vocabulary…)"),
    ("F1", "Search syntax"),
    ("Ctrl+Q", "Quit"),
]


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in SHORTCUTS)
    return f'<h3>Keyboard shortcuts</h3><table cellpadding="4">{rows}</table>'


def about_html(info: dict) -> str:
    versions = info.get("versions", {})
    rows = "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>" for k, v in versions.items())
    return (f"<h2>vkref {escape(str(versions.get('vkref', '')))}</h2>"
            "<p>An offline evidence reference on vitamin K2 (MK-4, MK-7) and bone health: review articles and "
            "the findings they report, searchable and filterable. Statements are written in the project's own "
            "words; check the source review before relying on a finding.</p>"
            f"<p>Library: {escape(str(info.get('library', '')))}<br>"
            f"{info.get('reviews', 0)} reviews, {info.get('findings', 0)} findings, "
            f"{info.get('concepts', 0)} vocabulary concepts</p>"
            f'<h3>Versions</h3><table cellpadding="2">{rows}</table>')


def licence_texts() -> list[tuple[str, str]]:
    """(name, text) for each file in ``resources/licenses``; empty when the build ships none."""
    directory = paths.resources_dir() / "licenses"
    out = []
    try:
        files = sorted((p for p in directory.iterdir() if p.is_file()), key=lambda p: (p.stem != "README", p.name.lower()))
    except OSError:
        return out
    for p in files:
        try:
            out.append((p.name, p.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return out


LICENCE_SUMMARY = ("vkref is released under the MIT licence. It uses Qt for Python (PySide6, LGPLv3), SQLAlchemy and "
                   "Alembic (MIT), Whoosh (BSD), platformdirs (MIT), PyYAML (MIT) and RapidFuzz (MIT).")


class LicencePage(QWidget):
    """The licence files as a list; the selected one's text beside it (plain text, never interpreted)."""

    def __init__(self, texts: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        intro = QLabel(LICENCE_SUMMARY if texts else
                       LICENCE_SUMMARY + "\n\nThe full licence texts are not included in this build.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if not texts:
            layout.addStretch(1)
            return
        self.names = QListWidget(self)
        self.names.setAccessibleName("Licence files")
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Licence text")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        for name, _ in texts:
            self.names.addItem(name.rsplit(".", 1)[0])
        self.names.currentRowChanged.connect(lambda row: self.text.setPlainText(texts[row][1] if row >= 0 else ""))
        self.names.setCurrentRow(0)
        row = QHBoxLayout()
        row.addWidget(self.names, 1)
        row.addWidget(self.text, 3)
        layout.addLayout(row, 1)


class InfoDialog(QDialog):
    """A simple dialog of read-only rich-text pages (tabs when more than one)."""

    def __init__(self, title: str, pages: list[tuple[str, str]], parent=None, extra: list | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(620, 520)
        layout = QVBoxLayout(self)
        self.browsers = []
        holder = QTabWidget(self) if len(pages) + len(extra or []) > 1 else None
        for name, html in pages:
            browser = SafeBrowser(self)
            browser.setAccessibleName(name)
            browser.setHtml(html)
            self.browsers.append(browser)
            if holder is not None:
                holder.addTab(browser, name)
            else:
                layout.addWidget(browser)
        for name, widget in extra or []:
            holder.addTab(widget, name)
        if holder is not None:
            layout.addWidget(holder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def search_syntax_dialog(parent=None) -> InfoDialog:
    return InfoDialog("Search syntax", [("Search syntax", SEARCH_SYNTAX)], parent)


def shortcuts_dialog(parent=None) -> InfoDialog:
    return InfoDialog("Keyboard shortcuts", [("Keyboard shortcuts", shortcuts_html())], parent)


def about_dialog(info: dict, parent=None) -> InfoDialog:
    dialog = InfoDialog("About vkref", [("About", about_html(info))], parent,
                        extra=[("Licences", LicencePage(licence_texts()))])
    dialog.resize(760, 560)
    return dialog
