"""The search bar: the query field, the notice line, the status line (count, time, what was searched), sorting.

The notice that changes how results must be read (only partial matches, a corrected spelling, the index being
rebuilt, a bad query) comes first, on its own line. When a corrected spelling was searched, the notice says
so and offers the query as typed ("Showing results for menatetrenone — search instead for menatetreone"); that
button runs it again with spelling correction off until the query is edited. When the query names a concept and
findings are coded only with a broader one ("also 7 findings coded only Vitamin K2"), a line of links under the
field offers them (``broaderRequested`` carries the page's offer). The expansion of the query is shown on one line, elided to
the width, with its full text in the tooltip and under the "Show in full" expander. Record text and queries are
escaped wherever a label shows rich text.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from vkref.ui.flow import FlowLayout
from vkref.ui.models import plain_tooltip

MAX_OFFERS = 4  # "also ... coded only <broader>" links shown at most
SORTS = (("Relevance", "relevance"), ("Strongest evidence first", "evidence"), ("Newest first", "year"),
         ("Oldest first", "year-asc"))


class ElidedLabel(QLabel):
    """Plain text on one line, cut to the width with "…"; the whole text in the tooltip."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.full = ""

    def set_full(self, text: str) -> None:
        self.full = text
        self.setToolTip(plain_tooltip(text))
        self._elide()

    def is_elided(self) -> bool:
        return self.text() != self.full

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._elide()

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        hint.setWidth(40)
        return hint

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight, max(self.width(), 40)))


def notice_of(page) -> str:
    """The line that must be read before the results (plain text), or ""."""
    lines = []
    if page.mode == "any" and not page.suggestion:
        lines.append("No record held every word: showing partial matches, best match first.")
    if getattr(page, "undated_outside", 0):
        n = page.undated_outside
        lines.append(f"{n} undated record{'s are' if n != 1 else ' is'} outside the year range "
                     "(filter by Year: No year to see them).")
    if page.index_state == "rebuilding":
        lines.append("The search index is being rebuilt: results come from a slower scan.")
    return " ".join(lines)


class SearchBar(QWidget):
    edited = Signal()  # the user typed (the window debounces)
    submitted = Signal()  # Enter
    sortChanged = Signal()
    downPressed = Signal()
    sortSet = Signal()  # the sort was set from settings (no search by itself)
    rerun = Signal()  # "search instead for ..." (spelling correction off for the query as typed)
    broaderRequested = Signal(object)  # a link "also N findings coded only <broader>": the page's Broader offer

    def __init__(self, parent=None):
        super().__init__(parent)
        self.field = QLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText("Search findings and reviews — e.g. MK-4 vertebral fracture   (Ctrl+K)")
        self.field.setAccessibleName("Search")
        self.field.setClearButtonEnabled(True)
        self._name_clear_button()
        self._spell_off_for: str | None = None  # the query searched as typed, without spelling correction
        self.field.textEdited.connect(self._text_edited)
        self.field.textChanged.connect(lambda t: None if t else self.edited.emit())
        self.field.returnPressed.connect(self.submitted)
        self.field.installEventFilter(self)
        self._build_status()
        self._layout()

    def _name_clear_button(self) -> None:
        for button in self.field.findChildren(QToolButton):
            button.setAccessibleName("Clear search")
            button.setToolTip("Clear search")

    def _build_status(self) -> None:
        self.notice = QLabel(self)
        self.notice.setObjectName("searchNotice")
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.corrected = QLabel(self)  # "Showing results for menatetrenone —", beside the button
        self.corrected.setObjectName("correctedQuery")
        self.corrected.setTextFormat(Qt.TextFormat.RichText)
        self.corrected.hide()
        self.instead = QToolButton(self)
        self.instead.setObjectName("searchInstead")
        self.instead.setAutoRaise(True)
        self.instead.setCursor(Qt.CursorShape.PointingHandCursor)
        self.instead.setStyleSheet("QToolButton { color: palette(link); text-decoration: underline; border: none; }")
        self.instead.clicked.connect(self._search_as_typed)
        self.instead.hide()
        self.also_row = QWidget(self)  # "Also: [7 findings coded only Vitamin K2] [14 ... Vitamin K]", wrapping
        also = FlowLayout(self.also_row, margin=0, spacing=2)
        self.broader = QLabel("Also:", self.also_row)
        self.broader.setObjectName("alsoBroader")
        self.offer_buttons = [self._link_button(f"alsoBroader{i}", self.also_row) for i in range(MAX_OFFERS)]
        for widget in [self.broader] + self.offer_buttons:
            also.addWidget(widget)
        self.also_row.hide()
        for i, button in enumerate(self.offer_buttons):
            button.clicked.connect(lambda _c=False, i=i: self.broaderRequested.emit(self._offers[i]))
        self._offers: list = []
        self.summary = QLabel(self)
        self.summary.setObjectName("searchedAs")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAccessibleName("What was searched")
        self.expansion = ElidedLabel(self)
        self.expansion.setObjectName("expansion")
        self.expand = QToolButton(self)
        self.expand.setObjectName("showExpansion")
        self.expand.setText("Show in full")
        self.expand.setCheckable(True)
        self.expand.setAutoRaise(True)
        self.expand.setAccessibleName("Show the whole expanded query")
        self.expand.toggled.connect(self._expand)
        self.full = QLabel(self)
        self.full.setObjectName("expansionFull")
        self.full.setTextFormat(Qt.TextFormat.PlainText)
        self.full.setWordWrap(True)
        self.full.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.full.hide()
        self.sort_box = QComboBox(self)
        self.sort_box.setAccessibleName("Sort results")
        for title, _ in SORTS:
            self.sort_box.addItem(title)
        self.sort_box.currentIndexChanged.connect(lambda _i: self.sortChanged.emit())

    def _link_button(self, name: str, parent: QWidget) -> QToolButton:
        button = QToolButton(parent)
        button.setObjectName(name)
        button.setAutoRaise(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setStyleSheet("QToolButton { color: palette(link); text-decoration: underline; border: none; }")
        button.hide()
        return button

    def _layout(self) -> None:
        sort_label = QLabel("&Sort:", self)
        sort_label.setBuddy(self.sort_box)
        line = QHBoxLayout()
        line.addWidget(self.summary)
        line.addWidget(self.expansion, 1)
        line.addWidget(self.expand)
        line.addWidget(sort_label)
        line.addWidget(self.sort_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        corrected = QHBoxLayout()
        corrected.setSpacing(2)
        corrected.addWidget(self.corrected)
        corrected.addWidget(self.instead)
        corrected.addStretch(1)
        layout.addWidget(self.field)
        layout.addLayout(corrected)
        layout.addWidget(self.also_row)
        layout.addWidget(self.notice)
        layout.addLayout(line)
        layout.addWidget(self.full)

    # ------------------------------------------------------------------ state
    def text(self) -> str:
        return self.field.text().strip()

    def sort(self) -> str:
        return SORTS[self.sort_box.currentIndex()][1]

    def choose_sort(self, value: str) -> None:
        """Select ``value`` in the sort box as a user would (the search runs again)."""
        self.sort_box.setCurrentIndex(next((i for i, (_, v) in enumerate(SORTS) if v == value), 0))

    def spell(self) -> bool:
        """Whether a query that finds nothing may be retried with a corrected spelling."""
        return self._spell_off_for is None or self._spell_off_for != self.text()

    def _text_edited(self, _text: str) -> None:
        self._spell_off_for = None  # an edited query may be corrected again
        self.edited.emit()

    def _search_as_typed(self) -> None:
        self._spell_off_for = self.text()
        self.rerun.emit()

    def set_sort(self, value: str) -> None:
        index = next((i for i, (_, v) in enumerate(SORTS) if v == value), 0)
        self.sort_box.blockSignals(True)
        self.sort_box.setCurrentIndex(index)
        self.sort_box.blockSignals(False)
        self.sortSet.emit()

    def show_page(self, page) -> None:
        n = page.total
        self._set_notice(escape(notice_of(page)))
        self.corrected.setText(f"<b>Showing results for {escape(page.suggestion)} —</b>" if page.suggestion else "")
        self.corrected.setVisible(bool(page.suggestion))
        self.instead.setText(f"search instead for {page.query}" if page.suggestion else "")
        self.instead.setAccessibleName(f"Search instead for {page.query}, as typed" if page.suggestion else "")
        self.instead.setVisible(bool(page.suggestion))
        studies = getattr(page, "studies_line", "")
        self.summary.setText(f"<b>{n:,}</b> result{'s' if n != 1 else ''}{' · ' + escape(studies) if studies else ''}"
                             f" · {page.elapsed_ms:.0f} ms" + (" · searched as:" if page.query else ""))
        self._set_expansion(page.searched_as if page.query else "")
        self._show_offers(getattr(page, "also_broader", []))

    def _show_offers(self, offers) -> None:
        self._offers = list(offers)[:MAX_OFFERS]
        for button, offer in zip(self.offer_buttons, self._offers + [None] * MAX_OFFERS):
            button.setVisible(offer is not None)
            if offer is not None:
                n = offer.count
                button.setText(f"{n:,} finding{'s' if n != 1 else ''} coded only {offer.label}")
                button.setToolTip(f"Coded {offer.label} without saying which, so the search for {offer.narrower} "
                                  "does not find them. Click to list them.")
                button.setAccessibleName(f"Show {button.text()}")
        self.also_row.setVisible(bool(self._offers))

    def show_error(self, message: str) -> None:
        self._show_offers([])
        self.instead.hide()
        self.corrected.hide()
        self._set_notice(f'<span style="color:{self._error_colour()}">{escape(message)}</span>')
        self.summary.setText("No results")
        self._set_expansion("")

    def _set_notice(self, html: str) -> None:
        self.notice.setText(f"<b>{html}</b>" if html else "")
        self.notice.setVisible(bool(html))

    def _set_expansion(self, text: str) -> None:
        self.expansion.set_full(text)
        self.full.setText(text)
        self.expand.setVisible(bool(text) and self.expansion.is_elided())
        self.full.setVisible(bool(text) and self.expand.isChecked())

    def _expand(self, on: bool) -> None:
        self.full.setVisible(on and bool(self.full.text()))
        self.expand.setText("Hide" if on else "Show in full")

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.expand.setVisible(bool(self.expansion.full) and (self.expansion.is_elided() or self.expand.isChecked()))

    @staticmethod
    def _error_colour() -> str:
        from vkref.ui.colours import colours
        from vkref.ui.theme import is_dark

        return colours(is_dark())["error"]

    def eventFilter(self, obj, event):
        if obj is self.field and event.type() == event.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape and self.field.text():
                self.field.clear()
                return True
            if event.key() == Qt.Key.Key_Down:
                self.downPressed.emit()
                return True
        return super().eventFilter(obj, event)
