"""Defects users found, each driven by real key and mouse events on the shown window."""
from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, QPoint, QSize, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QTextDocument
from PySide6.QtWidgets import QApplication, QToolButton

from vkref.core.entities import Author, Finding, Review
from vkref.ui import colours
from vkref.ui.models import COL_SPECIES, COLUMNS
from vkref.ui.species import shape_of

from .conftest import make_window, search

pytestmark = pytest.mark.gui


def core(library, query="", **kw):
    return library.search(query, limit=0, all_keys=True, **kw)


def click_text(qtbot, browser, text: str) -> None:
    """Click the first occurrence of ``text`` in a text browser (a link, say)."""
    cursor = browser.document().find(text, 0, QTextDocument.FindFlag(0))
    assert not cursor.isNull(), text
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    start = browser.cursorRect(browser.document().find(text)).center()
    cursor.setPosition(cursor.selectionStart() + 1)
    point = browser.cursorRect(cursor).center()
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(point.x(), start.y()))


def test_f1_and_ctrl_q_work(qtbot, window):
    window.activateWindow()
    window.search_field.setFocus()
    qtbot.keyClick(window.search_field, Qt.Key.Key_F1)
    assert window._last_dialog.isVisible()
    assert window._last_dialog.windowTitle() == "Search syntax"
    window._last_dialog.close()
    qtbot.keyClick(window.search_field, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)


def test_no_shortcut_is_bound_twice(window):
    from PySide6.QtGui import QAction

    seen = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            text = seq.toString()
            assert text not in seen, f"{text} on {seen.get(text)} and {action.text()}"
            seen[text] = action.text()
    assert {"F1", "Ctrl+Q", "Ctrl+K", "Ctrl+F", "Alt+Left", "Alt+Right"} <= set(seen)


def test_species_shown_on_every_finding_row_at_1024(qtbot, window, gui_library):
    window.resize(1024, 700)
    search(qtbot, window, "bone")
    qtbot.waitUntil(lambda: window.table.viewport().width() < 800)
    table = window.table
    width = table.viewport().width()
    for col in (COL_SPECIES, 7, 8, 9):  # species, evidence, year, source
        assert not table.isColumnHidden(col), COLUMNS[col][0]
        assert table.columnViewportPosition(col) + table.columnWidth(col) <= width, COLUMNS[col][0]
    assert table.columnWidth(1) >= 180  # the finding text keeps its room (hidden columns report width 0)
    shapes = set()
    for r in range(window.model.rowCount()):
        row = window.model.row_data(r)
        if row.kind == "finding":
            assert window.model.index(r, COL_SPECIES).data()  # the label
            assert window.model.index(r, COL_SPECIES).data(Qt.ItemDataRole.DecorationRole) is not None
            shapes.add((row.facets["species"][0], shape_of(row.facets["species"])))
    assert len({s for _, s in shapes}) == len({sp for sp, _ in shapes}) >= 2  # one shape per species


def test_restored_tiny_window_is_clamped(qtbot, gui_library, settings):
    first = make_window(qtbot, gui_library, settings)
    first.show()
    first.resize(532, 466)
    first.move(-3000, -3000)
    first.close()
    second = make_window(qtbot, gui_library, settings)  # make_window resizes to 1280x800: undo that
    second.restoreGeometry(settings.get("window/geometry"))
    second.clamp_to_screen()
    second.show()
    area = second.screen().availableGeometry()
    assert second.width() >= min(900, area.width()) and second.height() >= min(600, area.height())
    assert area.contains(second.frameGeometry().topLeft()) or area.contains(second.geometry().topLeft())


def test_tab_reaches_the_filters(qtbot, window):
    search(qtbot, window, "raloxifene")
    window.activateWindow()
    window.search_field.setFocus()
    visited = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
        if visited[-1] is window.facets.tree:
            break
    assert window.facets.tree in visited and len(visited) <= 8
    assert visited.count(window.detail.browser) == 1


def test_clicking_a_facet_label_filters(qtbot, window, gui_library):
    search(qtbot, window, "bone")
    tree = window.facets.tree
    index = window.facets.proxy.mapFromSource(window.facets.model.index_of("species", "Human"))
    rect = tree.visualRect(index)
    point = QPoint(rect.left() + rect.width() // 2, rect.center().y())  # on the text, not the box
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.filters.include == {"species": ["Human"]}
    assert window.model.keys() == core(gui_library, "bone", filters={"species": ["Human"]}).keys
    index = window.facets.proxy.mapFromSource(window.facets.model.index_of("species", "Human"))
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center())
    assert window.filters.include == {}


def test_partial_match_notice_comes_first(qtbot, window, gui_library):
    query = "raloxifene zebrafish"
    qtbot.keyClicks(window.search_field, query)
    with qtbot.waitSignal(window.resultsShown, timeout=10000, check_params_cb=lambda g: g == window.generation):
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    page = core(gui_library, query)
    assert page.mode == "any"
    bar = window.bar
    assert bar.notice.isVisible() and "partial matches" in bar.notice.text()
    assert bar.notice.y() < bar.summary.y()  # its own line, above the count and expansion
    assert bar.expansion.full == page.searched_as  # the whole expansion, shown compactly and in the tooltip
    assert page.searched_as in bar.full.text()


def test_every_text_colour_has_contrast():
    for dark in (False, True):
        c = colours.colours(dark)
        for text, background in colours.TEXT_PAIRS:
            ratio = colours.contrast(c[text], c[background])
            assert ratio >= colours.MIN_CONTRAST, f"{'dark' if dark else 'light'} {text} on {background}: {ratio:.2f}"
    assert colours.contrast("#000000", "#ffffff") == pytest.approx(21.0)


def test_links_move_selection_and_back_forward(qtbot, window, gui_library):
    search(qtbot, window, "raloxifene")
    window.activateWindow()
    first = window.detail.key
    assert first.startswith("finding:")
    review_key = "review:" + gui_library.get_finding(first.partition(":")[2]).review_id
    click_text(qtbot, window.detail.browser, "Open the review")
    assert window.detail.key == review_key
    current = window.table.currentIndex()
    in_results = review_key in window.model.keys()
    assert (current.isValid() and window.model.row_data(current.row()).key == review_key) if in_results \
        else not window.table.selectionModel().hasSelection()
    qtbot.keyClick(window.detail.browser, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.detail.key == first
    assert window.model.row_data(window.table.currentIndex().row()).key == first
    qtbot.keyClick(window.detail.browser, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.detail.key == review_key


def test_ctrl_c_copies_selected_citations(qtbot, window, gui_library):
    search(qtbot, window, "vitamin K2")
    table = window.table
    table.setFocus()
    rows = [0, 1, 2]
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(
        window.model.index(rows[0], 1)).center())
    for r in rows[1:]:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                         table.visualRect(window.model.index(r, 1)).center())
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    page = gui_library.search("vitamin K2", limit=3)
    expected = list(dict.fromkeys(h.review["citation"] for h in page.hits))
    assert QGuiApplication.clipboard().text().split("\n") == expected


def test_row_context_menu(qtbot, window, gui_library):
    search(qtbot, window, "raloxifene rats")
    table = window.table
    first = next(r for r in range(window.model.rowCount()) if window.model.row_data(r).kind == "finding")
    point = table.visualRect(window.model.index(first, COL_SPECIES)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    menu = table.row_menu(window.model.row_data(first), "species")
    titles = [a.text() for a in menu.actions() if a.text()]
    assert titles[:3] == ["Copy citation", "Copy finding with citation", "Open the review"]
    assert "Filter by Species: Rat" in titles
    table.customContextMenuRequested.emit(point)  # what a right click sends
    popup = QApplication.activePopupWidget()
    assert popup is not None and popup.objectName() == "rowMenu"
    qtbot.keyClick(popup, Qt.Key.Key_Down)  # the first entry
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # the second entry: the finding with its citation
    row = window.model.row_data(first)
    assert QGuiApplication.clipboard().text() == f"{row.text}\n{gui_library.citation(row.review_id)}"


HOSTILE = '<b><font color=red>Evil</font></b> <img src="/etc/passwd">'


def test_hostile_record_text_stays_text(qtbot, fresh_library, settings):
    review = Review(id="hostile-1", title=f"Hostile {HOSTILE} quokka review",
                    authors=[Author(family=HOSTILE, given="X")], journal="J <i>Test</i>", year=2020)
    finding = Finding(id="hostile-f1", review_id="hostile-1", statement=f"Quokka finding {HOSTILE} " + "x" * 40,
                      concepts={"species": ["human"]})
    fresh_library.add_records([review], [finding])
    window = make_window(qtbot, fresh_library, settings)
    window.show()
    qtbot.keyClicks(window.search_field, "quokka")
    with qtbot.waitSignal(window.resultsShown, timeout=10000, check_params_cb=lambda g: g == window.generation):
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert "finding:hostile-f1" in window.model.keys()
    window.open_key("finding:hostile-f1")
    title = window.detail.title
    assert title.textFormat() == Qt.TextFormat.PlainText
    assert title.text().startswith("Finding · ")
    for r in range(window.model.rowCount()):
        for c in range(len(COLUMNS)):
            tip = window.model.index(r, c).data(Qt.ItemDataRole.ToolTipRole)
            assert not tip or ("<img" not in tip and "<font" not in tip)
    facets = window.facets
    node_index = facets.model.index_of("review", fresh_library.review_label("hostile-1"))
    tip = node_index.data(Qt.ItemDataRole.ToolTipRole)
    assert tip and "<img" not in tip and "&lt;img" in tip
    assert "<img" not in window.detail.browser.toHtml()
    window.close()


def test_worker_bug_reaches_the_crash_handler(qtbot, gui_library, settings, monkeypatch, capsys):
    from vkref.core import logs
    from vkref.ui import app

    reports = []
    monkeypatch.setattr(logs, "write_crash_report", lambda exc_info, context="": reports.append(exc_info) or "R")

    class Broken:
        def __getattr__(self, name):
            return getattr(gui_library, name)

        def search(self, *a, **kw):
            raise RuntimeError("boom in search")

    window = make_window(qtbot, Broken(), settings)
    window.show()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back whatever hook was there
    app.install_crash_handler(lambda: window)
    qtbot.keyClicks(window.search_field, "x")
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert len(reports) == 1 and reports[0][0] is RuntimeError
    err = capsys.readouterr().err
    assert "Traceback" not in err and "boom in search" in err
    assert "Internal error" in window.bar.notice.text()
    window.close()


def test_polish(qtbot, window, gui_library):
    # desktop platforms (xcb, Windows, macOS) show "<window title> — <application display name>"
    shown = f"{window.windowTitle()} \u2014 vkref"
    assert shown.lower().count("vkref") == 1
    clear = [b for b in window.search_field.findChildren(QToolButton) if b.accessibleName()]
    assert clear and clear[0].accessibleName() == "Clear search"
    search(qtbot, window, "xylophonequartz")
    assert "Try fewer" in window.empty.toPlainText()
    qtbot.keyClick(window.search_field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    search(qtbot, window, "menatetreone")
    assert window.page.suggestion == "menatetrenone"
    assert "Showing results for menatetrenone" in window.bar.corrected.text()
    assert "Did you mean" not in window.bar.summary.text()


def test_doi_opens_in_the_system_browser_on_click(qtbot, window, gui_library):
    opened = []

    class Handler(QObject):
        @Slot(QUrl)
        def open(self, url):
            opened.append(url.toString())

    handler = Handler()
    QDesktopServices.setUrlHandler("https", handler, "open")
    try:
        review = next(r for r in gui_library.reviews() if r.doi)
        search(qtbot, window, "")
        window.open_key(f"review:{review.id}")
        assert opened == []  # shown, never loaded
        window.detail.browser.resize(QSize(900, 900))
        click_text(qtbot, window.detail.browser, review.doi)
        assert opened == [f"https://doi.org/{review.doi}"]
    finally:
        QDesktopServices.unsetUrlHandler("https")


def test_badges_that_do_not_fit_are_counted():
    from vkref.ui.delegates import badge_layout

    more = lambda n: 20  # noqa: E731
    assert badge_layout([60, 50], 200, more) == (2, 0)
    assert badge_layout([60, 50, 70], 140, more) == (2, 1)  # 60 + 4 + 50 + "+1" fits, the third does not
    assert badge_layout([60, 50, 70], 120, more) == (1, 2)  # 60 + 4 + 50 + "+1" does not fit
    assert badge_layout([90], 60, more) == (0, 1)  # never a bare cut: at least "+1"


def test_ctrl_tab_walks_the_detail_links(qtbot, window, gui_library):
    search(qtbot, window, "raloxifene")
    window.activateWindow()
    browser = window.detail.browser
    browser.setFocus()
    qtbot.keyClick(browser, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert browser.hasFocus() and browser.textCursor().hasSelection()  # the first link
    first_link = browser.textCursor().selectedText()
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(browser, Qt.Key.Key_Return)
    assert first_link in [v for values in window.filters.include.values() for v in values]
