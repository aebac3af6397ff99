"""Issue 18, the items finished last: review rows' direction counts, "search instead for", the year facet's
"No year" and year ranges, header sorting and "Strongest evidence first", the keyboard-only flow to a copied
citation. Each is driven by real key and mouse events on the shown window."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication

from vkref.ui.models import COL_DIRECTION, COL_TEXT, COL_YEAR
from vkref.ui.sorting import COL_EVIDENCE

pytestmark = pytest.mark.gui


def core(library, query="", **kw):
    return library.search(query, limit=0, all_keys=True, **kw)


def type_and_enter(qtbot, window, text: str) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    window.search_field.selectAll()
    qtbot.keyClicks(window.search_field, text)
    with qtbot.waitSignal(window.resultsShown, timeout=10000, check_params_cb=lambda g: g == window.generation):
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)


def click_header(qtbot, window, column: int) -> None:
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_review_rows_show_their_findings_by_direction(qtbot, window, gui_library, tmp_path):
    type_and_enter(qtbot, window, "vitamin K2")
    hits = {f"{h.kind}:{h.id}": h for h in gui_library.search("vitamin K2", limit=1000).hits}
    reviews = [r for r in range(window.model.rowCount()) if window.model.row_data(r).kind == "review"]
    assert reviews
    for r in reviews:
        hit = hits[window.model.row_data(r).key]
        text = window.model.index(r, COL_DIRECTION).data()
        assert hit.findings and text == " · ".join(
            f"{n} {({'No significant effect': 'no effect', 'Mixed or inconsistent': 'mixed'}).get(label, label.split(' (')[0].lower())}"
            for label, n in hit.findings.items())
        assert text.startswith(f"{hit.findings['Beneficial']} beneficial")
    findings = [r for r in range(window.model.rowCount()) if window.model.row_data(r).kind == "finding"]
    assert window.model.index(findings[0], COL_DIRECTION).data() in ("Beneficial", "No significant effect",
                                                                     "Harmful", "Mixed or inconsistent",
                                                                     "Descriptive (no effect claimed)") or \
        "," in window.model.index(findings[0], COL_DIRECTION).data()
    window.table.scrollTo(window.model.index(reviews[0], COL_TEXT))
    window.grab().save(str(tmp_path / "review-rows.png"))


def test_search_instead_for_what_was_typed(qtbot, window, gui_library):
    type_and_enter(qtbot, window, "menatetreone")
    bar = window.bar
    assert bar.corrected.isVisible() and "Showing results for menatetrenone —" in bar.corrected.text()
    assert bar.corrected.y() < bar.summary.y()  # first, above the count
    assert bar.instead.isVisible() and bar.instead.text() == "search instead for menatetreone"
    assert window.model.keys() == core(gui_library, "menatetreone").keys and window.model.total() > 0
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.mouseClick(bar.instead, Qt.MouseButton.LeftButton)
    assert window.model.total() == 0 and core(gui_library, "menatetreone", spell=False).total == 0
    assert not bar.instead.isVisible() and not bar.corrected.isVisible()
    assert window.stack.currentWidget() is window.empty
    # editing the query turns spelling correction back on
    qtbot.keyClick(window.search_field, Qt.Key.Key_End)
    qtbot.keyClick(window.search_field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(window.search_field, "e")
    with qtbot.waitSignal(window.resultsShown, timeout=10000, check_params_cb=lambda g: g == window.generation):
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert bar.instead.isVisible() and window.model.total() > 0


def test_no_year_value_and_year_range(qtbot, window, gui_library):
    everything = core(gui_library)
    undated = everything.facets["year"]["No year"]
    model, proxy, tree = window.facets.model, window.facets.proxy, window.facets.tree
    node = proxy.mapFromSource(model.index_of("year", "No year"))
    assert node.isValid() and model.node(proxy.mapToSource(node)).count == undated and node.row() == 2  # last
    tree.scrollTo(node)
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(node).center())
    assert window.filters.include == {"year": ["No year"]}
    assert window.model.keys() == core(gui_library, filters={"year": ["No year"]}).keys
    assert window.model.total() == undated
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(window, Qt.Key.Key_Backspace,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # clear all
    assert window.filters.is_empty()
    # a year range typed into "From year": undated records are left out and the notice says how many
    box = window.facets.year_from
    box.setFocus()
    box.selectAll()
    with qtbot.waitSignal(window.resultsShown, timeout=10000, check_params_cb=lambda g: g == window.generation):
        qtbot.keyClicks(box.lineEdit(), "2006")
        qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.filters.year_from == 2006 and window.page.undated_outside == undated)
    assert window.model.keys() == core(gui_library, year_from=2006).keys
    assert window.bar.notice.isVisible()
    assert f"{undated} undated records are outside the year range" in window.bar.notice.text()
    group = proxy.mapFromSource(model.group_index("year"))
    shown_years = {model.node(proxy.mapToSource(proxy.index(r, 0, group))).label for r in range(proxy.rowCount(group))}
    assert shown_years == {"2006"}  # neither 2003 nor "No year" is offered inside 2006–


def test_headers_and_sort_box_sort(qtbot, window, gui_library):
    type_and_enter(qtbot, window, "fracture")
    header = window.table.horizontalHeader()
    click_header(qtbot, window, COL_EVIDENCE)
    assert window.bar.sort() == "evidence" and window.sort_box.currentText() == "Strongest evidence first"
    assert window.model.keys() == core(gui_library, "fracture", sort="evidence").keys
    assert header.sortIndicatorSection() == COL_EVIDENCE
    first = window.model.row_data(0)
    assert first.facets["species"] == ("Human",)
    click_header(qtbot, window, COL_YEAR)
    assert window.model.keys() == core(gui_library, "fracture", sort="year").keys
    click_header(qtbot, window, COL_YEAR)  # again: oldest first
    assert window.model.keys() == core(gui_library, "fracture", sort="year-asc").keys
    assert header.sortIndicatorSection() == COL_YEAR and header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    # a column that does not sort changes nothing
    x = header.sectionViewportPosition(COL_DIRECTION) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert window.bar.sort() == "year-asc" and header.sortIndicatorSection() == COL_YEAR
    # keyboard: the current cell's column, Ctrl+Shift+S
    window.table.setFocus()
    window.table.setCurrentIndex(window.model.index(0, COL_TEXT))
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(window.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.bar.sort() == "relevance"
    assert window.model.keys() == core(gui_library, "fracture").keys
    # the sort box by keyboard
    window.sort_box.setFocus()
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(window.sort_box, Qt.Key.Key_Down)
    assert window.bar.sort() == "evidence"


def test_keyboard_only_from_question_to_copied_citation(qtbot, window, gui_library):
    QGuiApplication.clipboard().clear()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search_field.hasFocus()
    qtbot.keyClicks(window.search_field, "does MK-4 prevent vertebral fractures?")
    with qtbot.waitSignal(window.resultsShown, timeout=10000, check_params_cb=lambda g: g == window.generation):
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    expected = core(gui_library, "does MK-4 prevent vertebral fractures?")
    assert expected.total >= 2 and window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    key = expected.keys[1]
    assert window.detail.key == key
    qtbot.keyClick(window.table, Qt.Key.Key_Return)  # read it
    assert window.detail.browser.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    kind, _, rid = key.partition(":")
    review_id = gui_library.get_finding(rid).review_id if kind == "finding" else rid
    citation = gui_library.citation(review_id)
    assert citation and QGuiApplication.clipboard().text() == citation
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # back to the results
    assert window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == citation


def test_first_start_shows_preparing_the_library_at_once(qtbot, tmp_path, monkeypatch):
    """A new library is built behind a shown "Preparing the library…" window with a progress bar; the main
    window follows and the preparing window is gone."""
    from PySide6.QtWidgets import QApplication, QProgressBar

    from vkref.library import Library
    from vkref.ui import app as app_module
    from vkref.ui import preparing

    target = tmp_path / "new-lib"
    assert Library.must_build(target)
    seen = {}

    def shown(window):
        seen["visible"] = window.isVisible()
        seen["text"] = window.label.text()
        seen["busy"] = window.findChild(QProgressBar).maximum() == 0
        window.grab().save(str(tmp_path / "preparing.png"))

    real = preparing.open_with_feedback
    monkeypatch.setattr(preparing, "open_with_feedback",
                        lambda open_library, shown_=None, **kw: real(open_library, shown, **kw))
    lib, owned = app_module._open_library(str(target))
    try:
        assert owned and seen == {"visible": True, "text": "Preparing the library…", "busy": True}
        assert not any(w.objectName() == "preparingWindow" and w.isVisible() for w in QApplication.topLevelWidgets())
        assert lib.search("menatetrenone", limit=1).total > 0
        assert not Library.must_build(target)
    finally:
        lib.close()


def test_which_vitamin_k2_link_lists_the_findings_coded_only_broader(qtbot, window, gui_library, tmp_path):
    """A search for MK-4 offers the findings coded only "Vitamin K2"; the link lists exactly them."""
    type_and_enter(qtbot, window, "MK-4")
    bar = window.bar
    offer = next(o for o in core(gui_library, "MK-4").also_broader if o.label == "Vitamin K2")
    button = next(b for b in bar.offer_buttons if b.isVisible() and "Vitamin K2" in b.text())
    assert bar.broader.isVisible() and button.text() == f"{offer.count} findings coded only Vitamin K2"
    assert bar.field.y() < bar.also_row.y() < bar.summary.y()  # under the field, above the count
    window.grab().save(str(tmp_path / "also-broader.png"))
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.search_field.text() == offer.query and window.model.total() == offer.count
    assert window.filters.state("agent", "Vitamin K2") == "include" and window.filters.state("kind", "finding")
    assert window.filters.state("agent", "MK-4 (menatetrenone)") == "exclude"
    expected = core(gui_library, offer.query, filters=offer.filters, exclude=offer.exclude)
    assert window.model.keys() == expected.keys
    assert not any(b.isVisible() for b in bar.offer_buttons)  # the listed findings offer nothing broader
