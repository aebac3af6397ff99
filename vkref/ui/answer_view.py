"""The Answer tab: the clinician's answer card (``Library.answer``) for the current query and filters.

The card is computed off the GUI thread when a search result arrives and the tab is shown (only the newest
request's card is kept), and shown in a QTextBrowser: findings by species, human first; for each outcome the
directions of human, animal and cell or in vitro evidence side by side (never mixed in one statement); the
strongest human findings first, each with dose, duration, n, effect size and citation; cautions in plain words.
Export writes the library's self-contained HTML page or a PDF (Qt's PDF writer, the card as shown in the light
theme); Print opens the system print dialog (QtPrintSupport ships with PySide6-Essentials).
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, Qt, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextBrowser, QToolButton, QVBoxLayout, QWidget

from vkref.core.errors import UsageError
from vkref.library import evidence
from vkref.ui.colours import colours, contrast
from vkref.ui.export_picker import ExportPicker
from vkref.ui.view_job import run_job

GROUP_TITLES = (("human", "Human"), ("animal", "Animal"), ("in_vitro", "Cell or in vitro"))
EXPORT_SUFFIXES = (".html", ".pdf")


def _counts(counts: dict, styles: dict) -> str:
    if not counts:
        return '<span class="muted">–</span>'
    parts = []
    for label, n in counts.items():
        colour, _pattern, letter = styles.get(label, ("#777777", "solid", "?"))
        ink = "#000000" if contrast("#000000", colour) >= contrast("#ffffff", colour) else "#ffffff"
        mark = f'<span style="background:{colour};color:{ink}">&nbsp;{escape(letter)}&nbsp;</span>&nbsp;' \
            if letter != "?" else ""
        parts.append(f"{mark}{escape(label)}&nbsp;<b>{n}</b>")
    return "<br>".join(parts)


def _species_first(species: dict) -> list[tuple[str, int]]:
    return sorted(species.items(), key=lambda kv: (kv[0] != "Human", -kv[1], kv[0]))


def card_html(card, details: dict, dark: bool) -> str:
    """The card as Qt rich text (what the tab shows and the PDF prints); ``details`` maps finding id to its
    record (dose, duration, n, effect size)."""
    c = colours(dark)
    data = card.to_dict()
    styles = evidence.direction_styles(list(evidence.DIRECTIONS) + [d for o in data["outcomes"]
                                                                    for g, _t in GROUP_TITLES for d in o[g]])
    out = [f'<html><head><style>body{{color:{c["text"]};background:{c["base"]}}} '
           f'th{{text-align:left;background:{c["alt"]}}} .muted{{color:{c["muted"]}}} '
           f'td,th{{padding:4px 8px;vertical-align:top}} h3{{margin-top:14px}}</style></head><body>',
           f'<h2>What the library says: {escape(card.query or "(everything)")}</h2>',
           f'<p class="muted">{escape(evidence.caption_line(card.caption()))}</p>']
    if card.total == 0:
        out.append("<p>No finding matches this question in the library.</p></body></html>")
        return "".join(out)
    species = ", ".join(f"{escape(s)} <b>{n}</b>" for s, n in _species_first(card.species)) or "not coded"
    out += [f"<p><b>{card.total}</b> findings. By species: {species}.</p>",
            f"<p>Evidence: {', '.join(f'{escape(e)} {n}' for e, n in card.evidence.items()) or 'not coded'}.</p>"]
    if card.cautions:
        out.append(f'<p style="background:{c["caution"]};color:{c["text"]}">&nbsp;⚠ {len(card.cautions)} '
                   f'caution{"s" if len(card.cautions) != 1 else ""}: see the end of the card.</p>')
    out += ["<h3>Outcomes: human, animal and cell evidence side by side</h3>",
            f'<table cellspacing="0" border="1" style="border-color:{c["border"]};border-collapse:collapse">'
            "<tr><th>Outcome</th>" + "".join(f"<th>{t}</th>" for _g, t in GROUP_TITLES) + "</tr>"]
    for o in data["outcomes"]:
        out.append(f"<tr><th>{escape(o['outcome'])}</th>" + "".join(
            f"<td>{_counts(o[g], styles)}</td>" for g, _t in GROUP_TITLES) + "</tr>")
    out += ["</table>", "<h3>Strongest findings first (human before animal, then cell)</h3>"]
    for hit in data["key_findings"]:
        out.append(_finding_html(hit, details.get(hit["id"]), c))
    out.append("<h3>Cautions</h3>")
    out.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in card.cautions) + "</ul>"
               if card.cautions else "<p>None for these findings.</p>")
    out.append("</body></html>")
    return "".join(out)


def _finding_html(hit: dict, finding, c: dict) -> str:
    facets = hit.get("facets", {})
    meta = " · ".join(", ".join(facets.get(f, [])) for f in ("species", "evidence", "direction") if facets.get(f))
    numbers = []
    if finding is not None:
        for label, value in (("dose", finding.dose), ("duration", finding.duration), ("n", finding.sample_size),
                             ("effect", finding.effect_size)):
            if value:
                numbers.append(f"{label}: {escape(value)}")
    citation = (hit.get("review") or {}).get("citation", "")
    status = hit.get("status")  # a retracted or doubtful source: its banner with the finding
    banner = f'<span style="color:{c["error"]}"><b>{escape(status["banner"])}</b></span><br>' if status else ""
    return (f'<p><b>{escape(meta)}</b><br>{banner}{escape(hit["text"])}<br>'
            + (f'<span class="muted">{" · ".join(numbers)}</span><br>' if numbers else "")
            + f'<span class="muted">{escape(hit["id"])} — {escape(citation)}</span></p>')


class AnswerView(ExportPicker, QWidget):
    """The card browser and its Export/Print buttons. ``answerShown(generation)`` when a card is on screen."""
    EXPORT_PICKER, EXPORT_TITLE = "answerExportPicker", "Export the answer card"
    EXPORT_STEM, EXPORTED = "answer-card", "Answer card"

    answerShown = Signal(int)

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window = window
        self.library = window.library
        self.card = None
        self.details: dict = {}
        self.request = None
        self.stale = True
        self.dark = False
        self._generation = 0
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("answerCard")
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName("Answer card")
        self.status = QLabel(self, objectName="answerStatus")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.status, 1)
        self.buttons = {}
        for name, text, slot in (("answerHtml", "Export HTML…", lambda: self.choose_file(".html")),
                                 ("answerPdf", "Export PDF…", lambda: self.choose_file(".pdf")),
                                 ("answerPrint", "Print…", self.print_card)):
            button = QToolButton(self, text=text, objectName=name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[name] = button
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        column.addLayout(buttons)
        column.addWidget(self.browser, 1)
        self.dialog = None

    # ------------------------------------------------------------------ computing
    def result_arrived(self, request) -> None:
        self.request = request
        self.stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event):
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def refresh(self) -> int:
        if self.request is None:
            return self._generation
        self.stale = False
        self._generation += 1
        generation, req, lib = self._generation, self.request, self.library
        self.status.setText("Reading the findings…")

        def job():
            card = lib.answer(req.query, dict(req.filters), dict(req.exclude), year_from=req.year_from,
                              year_to=req.year_to)
            return card, {h.id: lib.get_finding(h.id) for h in card.key_findings}

        run_job(self, job, lambda result: self._show(generation, result),
                lambda message: self._fail(generation, message))
        return generation

    def _show(self, generation: int, result) -> None:
        if generation != self._generation:
            return
        self.card, self.details = result
        self.status.setText(f"{self.card.total} findings · human evidence first")
        self.browser.setHtml(card_html(self.card, self.details, self.dark))
        self.answerShown.emit(generation)

    def _fail(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.card = None
            self.status.setText(message)
            self.browser.setPlainText(message)
            self.answerShown.emit(generation)

    def set_dark(self, dark: bool) -> None:
        self.dark = dark
        if self.card is not None:
            self.browser.setHtml(card_html(self.card, self.details, dark))

    # ------------------------------------------------------------------ export and print
    def document(self) -> QTextDocument:
        """The card as a printable document (light colours, whatever the screen's theme)."""
        doc = QTextDocument(self)
        doc.setDefaultFont(self.browser.font())
        doc.setHtml(card_html(self.card, self.details, dark=False))
        return doc

    def export_to(self, path: str) -> Path:
        """Write the card to ``path``: .html (self-contained page) or .pdf."""
        target = Path(path)
        suffix = target.suffix.lower()
        if self.card is None:
            raise UsageError("no answer card to export yet")
        if suffix not in EXPORT_SUFFIXES:
            raise UsageError(f"{target.name}: the file name must end with {', '.join(EXPORT_SUFFIXES)}")
        if suffix == ".html":
            target.write_text(self.card.render("html"), encoding="utf-8")
            return target
        writer = QPdfWriter(str(target))
        writer.setTitle(f"What the library says: {self.card.query}")
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                         QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
        self.document().print_(writer)
        del writer  # the file is complete once the writer is gone
        if not target.exists() or target.stat().st_size == 0:
            raise OSError(f"could not write {target}")
        return target

    def print_card(self):
        """Open the print dialog; print the card if the user accepts."""
        try:
            from PySide6.QtPrintSupport import QPrintDialog, QPrinter
        except ImportError:  # a build without Qt's print support: PDF export still works
            self.window.statusBar().showMessage("Printing is not available in this build: export a PDF", 8000)
            return None
        if self.card is None:
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("answerPrintDialog")
        dialog.accepted.connect(lambda: self.document().print_(printer))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()  # (QPrintDialog.open() in PySide6 is the overload that wants a receiver)
        self._printer, self.dialog = printer, dialog
        return dialog
