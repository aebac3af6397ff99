"""The Matrix and Answer tabs of the shown window, driven with real mouse and key events and held to what
``Library.search`` answers: a cell click sets exactly its two filters, a header click one; the answer card counts
what the facets count; the exports are written (HTML without any "http", PNG, PDF)."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from .conftest import search

pytestmark = pytest.mark.gui


def open_tab(qtbot, window, index: int, signal):
    """Click tab ``index`` of the result tabs and wait for its view to show a new result."""
    bar = window.evidence.tabs.tabBar()
    with qtbot.waitSignal(signal, timeout=20000):
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())


def open_matrix(qtbot, window):
    view = window.evidence.matrix
    open_tab(qtbot, window, 1, view.matrixShown)
    assert window.evidence.tabs.currentWidget() is view and view.matrix is not None
    return view


def click_grid(qtbot, view, rect):
    """Scroll ``rect`` of the grid into view and click its centre."""
    view.scroll.ensureVisible(rect.center().x(), rect.center().y(), rect.width(), rect.height())
    qtbot.mouseClick(view.grid, Qt.MouseButton.LeftButton, pos=rect.center())


def findings_total(page) -> int:
    return sum(n for label, n in page.facets["kind"].items() if label.lower().startswith("finding"))


def test_a_cell_click_sets_exactly_its_two_filters_and_the_results_count_its_findings(qtbot, window, gui_library):
    search(qtbot, window, "vitamin K2")
    view = open_matrix(qtbot, window)
    m = view.matrix
    assert (m.rows.facet, m.cols.facet) == ("agent", "outcome") and m.query == "vitamin K2"
    cell = max((c for c in m.cells if m.rows.parents.get(c.row)), key=lambda c: c.findings)  # e.g. MK-4 × BMD
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        click_grid(qtbot, view, view.grid.cell_rect(cell.row, cell.col))
    assert window.filters.include == {"agent": [cell.row], "outcome": [cell.col]} and not window.filters.exclude
    assert window.evidence.tabs.currentWidget() is window.stack  # the Results tab shows
    assert sorted(label for _f, label, _x in window.filters.chips()) == sorted([cell.row, cell.col])
    assert window.chips.isVisible() and len(window.chips.chip_buttons()) == 2
    assert findings_total(window.page) == cell.findings
    core = gui_library.search("vitamin K2", filters={"agent": [cell.row], "outcome": [cell.col]}, kind="finding",
                              limit=0)
    assert core.total == cell.findings


def test_a_header_click_sets_that_one_filter(qtbot, window, gui_library):
    search(qtbot, window, "fracture")
    view = open_matrix(qtbot, window)
    col = view.matrix.cols.values[0]
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        click_grid(qtbot, view, view.grid.header_rect("cols", col))
    assert window.filters.include == {"outcome": [col]}
    assert window.evidence.tabs.currentWidget() is window.stack
    row = view.matrix.rows.values[-1]
    open_matrix(qtbot, window)
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        click_grid(qtbot, view, view.grid.header_rect("rows", row))
    assert window.filters.include == {"outcome": [col], "agent": [row]}


def test_switching_rows_to_species_recounts_over_the_search(qtbot, window, gui_library):
    search(qtbot, window, "bone")
    view = open_matrix(qtbot, window)
    box = view.rows_box
    box.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    with qtbot.waitSignal(view.matrixShown, timeout=20000):
        qtbot.keyClicks(box, "Spe")  # the combo box's keyboard search picks "Species"
    m = view.matrix
    assert (m.rows.facet, m.cols.facet) == ("species", "outcome")
    assert "Human" in m.rows.values
    for cell in sorted(m.cells, key=lambda c: -c.findings)[:5]:
        total = gui_library.search("bone", filters={"species": [cell.row], "outcome": [cell.col]}, kind="finding",
                                   limit=0).total
        assert cell.findings == total


def test_a_parent_row_collapses_and_expands_what_is_coded_under_it(qtbot, window):
    search(qtbot, window, "menaquinone")
    view = open_matrix(qtbot, window)
    grid, m = view.grid, view.matrix
    parent = next(v for v in m.rows.values if grid.has_children("rows", v) and m.rows.parents.get(v))
    children = [v for v, p in m.rows.parents.items() if p == parent]
    assert set(children) <= set(grid._rows)
    click_grid(qtbot, view, grid.toggle_rect("rows", parent))
    assert parent in grid._rows and not set(children) & set(grid._rows)
    click_grid(qtbot, view, grid.toggle_rect("rows", parent))
    assert set(children) <= set(grid._rows)
    assert window.filters.is_empty()  # a toggle is not a filter


def test_the_matrix_follows_a_new_search_and_keeps_only_the_newest(qtbot, window):
    view = open_matrix(qtbot, window)
    with qtbot.waitSignal(view.matrixShown, timeout=20000, check_params_cb=lambda g: g == view._generation):
        qtbot.keyClicks(window.search_field, "MK-7")
        window.search_now()
    qtbot.waitUntil(lambda: view.matrix.query == "MK-7", timeout=20000)
    assert view.caption.text().startswith("Query: MK-7")


def test_the_answer_card_counts_what_the_facets_count(qtbot, window, gui_library):
    search(qtbot, window, "menatetrenone")
    view = window.evidence.answer
    open_tab(qtbot, window, 2, view.answerShown)
    card = view.card
    page = gui_library.search("menatetrenone", kind="finding", limit=0)
    assert card.total == page.total > 0
    for facet in ("species", "evidence", "direction"):
        assert getattr(card, facet) == {k: v for k, v in page.facets[facet].items() if v}
    text = view.browser.toPlainText()
    assert f"{card.total} findings" in text and f"Human {card.species['Human']}" in text
    assert text.index("Human") < min(text.index(s) for s in card.species if s != "Human")


def test_exports_html_without_http_png_json_and_pdf(qtbot, window, tmp_path):
    search(qtbot, window, "vitamin K2")
    matrix = open_matrix(qtbot, window)
    html = matrix.export_to(str(tmp_path / "m.html")).read_text(encoding="utf-8")
    assert "http" not in html and "Query: vitamin K2" in html
    svg = matrix.export_to(str(tmp_path / "m.svg")).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Query: vitamin K2" in svg  # (its one URL is the SVG namespace name)
    png = matrix.export_to(str(tmp_path / "m.png")).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    data = json.loads(matrix.export_to(str(tmp_path / "m.json")).read_text(encoding="utf-8"))
    assert data == matrix.matrix.to_dict()
    answer = window.evidence.answer
    open_tab(qtbot, window, 2, answer.answerShown)
    html = answer.export_to(str(tmp_path / "a.html")).read_text(encoding="utf-8")
    assert "http" not in html and "vitamin K2" in html
    pdf = answer.export_to(str(tmp_path / "a.pdf")).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_an_export_to_an_unknown_format_is_refused_in_one_line(qtbot, window, tmp_path):
    from vkref.core.errors import UsageError

    matrix = open_matrix(qtbot, window)
    with pytest.raises(UsageError) as err:
        matrix.export_to(str(tmp_path / "m.docx"))
    assert "m.docx" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "m.docx").exists()


def test_ctrl_4_and_5_show_the_views_and_ctrl_2_the_results(qtbot, window):
    search(qtbot, window, "MK-7")
    tabs = window.evidence.tabs
    with qtbot.waitSignal(window.evidence.matrix.matrixShown, timeout=20000):
        qtbot.keyClick(window.search_field, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentWidget() is window.evidence.matrix
    with qtbot.waitSignal(window.evidence.answer.answerShown, timeout=20000):
        qtbot.keyClick(window.search_field, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentWidget() is window.evidence.answer
    qtbot.keyClick(window.search_field, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentWidget() is window.stack
    qtbot.waitUntil(window.table.hasFocus, timeout=5000)


def test_print_opens_the_print_dialog(qtbot, window):
    search(qtbot, window, "menatetrenone")
    view = window.evidence.answer
    open_tab(qtbot, window, 2, view.answerShown)
    qtbot.mouseClick(view.buttons["answerPrint"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible(), timeout=10000)
    assert view.dialog.objectName() == "answerPrintDialog"
    view.dialog.reject()
