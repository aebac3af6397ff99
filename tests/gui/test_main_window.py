"""The main window against the core: what the GUI shows must be exactly what ``Library.search`` answers."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from vkref.core.entities import Finding
from vkref.ui.facet_model import NODE_ROLE

from .conftest import make_window, search

pytestmark = pytest.mark.gui


def core(library, query="", filters=None, exclude=None, **kw):
    return library.search(query, filters=filters or {}, exclude=exclude or {}, limit=0, all_keys=True, **kw)


def panel_counts(window) -> dict[str, dict[str, int]]:
    """Every value the facet panel shows (expanded or not) with its count, per facet."""
    model = window.facets.model
    out: dict[str, dict[str, int]] = {}
    for (facet, label), node in model._by_label.items():
        if node.count:
            out.setdefault(facet, {})[label] = node.count
    return out


def core_counts(page) -> dict[str, dict[str, int]]:
    return {f: {k: v for k, v in values.items() if v} for f, values in page.facets.items() if values}


def proxy_index(window, facet, label):
    return window.facets.proxy.mapFromSource(window.facets.model.index_of(facet, label))


def test_typing_updates_results(qtbot, window, gui_library):
    qtbot.keyClicks(window.search_field, "raloxifene")
    qtbot.waitUntil(lambda: window.page is not None and window.page.query == "raloxifene", timeout=10000)
    expected = core(gui_library, "raloxifene")
    assert window.model.keys() == expected.keys
    assert expected.total > 0
    assert window.stack.currentWidget() is window.table
    assert f"<b>{expected.total}</b> result" in window.status_line.text()
    assert "searched as" in window.status_line.text()


def test_newer_query_supersedes_older(qtbot, window, gui_library):
    window.search_field.setText("raloxifene")
    first = window.search_now()
    window.search_field.setText("MK-7 osteocalcin")
    with qtbot.waitSignal(window.resultsShown, timeout=10000, check_params_cb=lambda g: g == window.generation):
        last = window.search_now()
    assert last > first
    assert window.page.query == "MK-7 osteocalcin"
    assert window.model.keys() == core(gui_library, "MK-7 osteocalcin").keys


def test_checking_a_value_matches_core(qtbot, window, gui_library):
    search(qtbot, window, "vitamin K2")
    index = proxy_index(window, "species", "Human")
    assert index.isValid()
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.facets.proxy.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    expected = core(gui_library, "vitamin K2", filters={"species": ["Human"]})
    assert window.filters.include == {"species": ["Human"]}
    assert window.model.keys() == expected.keys
    assert panel_counts(window) == core_counts(expected)
    # a second facet is ANDed, a second value of the same facet ORed
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.facets.proxy.setData(proxy_index(window, "evidence", "Controlled clinical trial"),
                                    Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.facets.proxy.setData(proxy_index(window, "evidence", "Randomized controlled trial"),
                                    Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    expected = core(gui_library, "vitamin K2", filters={
        "species": ["Human"], "evidence": ["Controlled clinical trial", "Randomized controlled trial"]})
    assert window.model.keys() == expected.keys
    assert panel_counts(window) == core_counts(expected)


def test_ctrl_click_excludes_and_matches_core(qtbot, window, gui_library):
    search(qtbot, window, "bone")
    tree = window.facets.tree
    index = proxy_index(window, "species", "Rat")
    tree.scrollTo(index)
    rect = tree.visualRect(index)
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                         rect.center())
    assert window.filters.exclude == {"species": ["Rat"]}
    expected = core(gui_library, "bone", exclude={"species": ["Rat"]})
    assert window.model.keys() == expected.keys
    assert panel_counts(window) == core_counts(expected)
    # shown distinctly: struck out, and said so to assistive technology
    src = window.facets.model.index_of("species", "Rat")
    assert src.data(Qt.ItemDataRole.FontRole).strikeOut()
    assert "excluded" in src.data(Qt.ItemDataRole.AccessibleTextRole)
    assert [c.objectName() for c in window.chips.chip_buttons()] == ["chipExcluded"]


def test_exclude_with_keyboard_minus(qtbot, window, gui_library):
    search(qtbot, window, "")
    tree = window.facets.tree
    tree.setFocus()
    tree.setCurrentIndex(proxy_index(window, "evidence", "Animal study"))
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(tree, Qt.Key.Key_Minus)
    assert window.filters.exclude == {"evidence": ["Animal study"]}
    assert window.model.keys() == core(gui_library, exclude={"evidence": ["Animal study"]}).keys


def test_chips_remove_filters(qtbot, window, gui_library):
    search(qtbot, window, "MK-4")
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.add_filter("species", "Human")
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.add_filter("evidence", "Animal study", exclude=True)
    chips = window.chips.chip_buttons()
    assert len(chips) == 2 and window.chips.isVisible()
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.mouseClick(chips[0], Qt.MouseButton.LeftButton)
    assert window.filters.include == {}
    assert window.filters.exclude == {"evidence": ["Animal study"]}
    assert window.model.keys() == core(gui_library, "MK-4", exclude={"evidence": ["Animal study"]}).keys
    assert window.facets.model.index_of("species", "Human").data(Qt.ItemDataRole.CheckStateRole) == \
        Qt.CheckState.Unchecked
    clear = window.chips.findChild(type(chips[0]), "clearAll")
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert window.filters.is_empty()
    assert window.model.keys() == core(gui_library, "MK-4").keys
    assert not window.chips.isVisible()


def test_year_range_filters(qtbot, window, gui_library):
    search(qtbot, window, "vitamin")
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.facets.year_from.setValue(2004)
    assert window.model.keys() == core(gui_library, "vitamin", year_from=2004).keys
    assert any("Years" in c.text() for c in window.chips.chip_buttons())


def test_detail_link_adds_filter(qtbot, window, gui_library):
    search(qtbot, window, "MK-4 vertebral fracture")
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.detail.filterRequested.emit("outcome", "Vertebral fracture")
    assert window.filters.include == {"outcome": ["Vertebral fracture"]}
    assert window.model.keys() == core(gui_library, "MK-4 vertebral fracture",
                                       filters={"outcome": ["Vertebral fracture"]}).keys


def test_detail_escapes_markup(qtbot, writable_library, settings):
    nasty = 'Mark-up test <img src="http://example.invalid/x.png"> and <script>alert(1)</script> zebrafish'
    writable_library.save_finding(Finding(id="markup-1", review_id=writable_library.reviews()[0].id,
                                          statement=nasty, section="<b>bold?</b>", dose="<i>10 mg</i>",
                                          concepts={"species": ["human"]}))
    window = make_window(qtbot, writable_library, settings)
    window.show()
    search(qtbot, window, "zebrafish")
    assert window.model.keys() == ["finding:markup-1"]
    assert window.detail.key == "finding:markup-1"
    text = window.detail.plain_text()
    assert '<img src="http://example.invalid/x.png">' in text
    assert "<script>alert(1)</script>" in text
    assert "<b>bold?</b>" in text and "<i>10 mg</i>" in text
    html = window.detail.browser.toHtml()
    assert "<img" not in html and "<script" not in html
    # the table shows the literal text too
    assert "<script>" in window.model.index(0, 1).data()


def test_keyboard_only_flow(qtbot, window, gui_library):
    window.activateWindow()
    window.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search_field.hasFocus()
    qtbot.keyClicks(window.search_field, "raloxifene rats")
    with qtbot.waitSignal(window.resultsShown, timeout=10000, check_params_cb=lambda g: g == window.generation):
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    expected = core(gui_library, "raloxifene rats")
    assert expected.total >= 2
    assert window.table.hasFocus()
    assert window.detail.key == expected.keys[0]
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    assert window.detail.key == expected.keys[1]
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert window.detail.browser.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_field.hasFocus()
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(window.search_field, Qt.Key.Key_Escape)
    assert window.search_field.text() == ""
    assert window.stack.currentWidget() is window.empty


def test_facet_panel_keyboard(qtbot, window, gui_library):
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    tree = window.facets.tree
    assert tree.hasFocus()
    tree.setCurrentIndex(proxy_index(window, "species", "Human"))
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert window.filters.include == {"species": ["Human"]}


def test_empty_state_teaches(qtbot, window):
    assert window.stack.currentWidget() is window.empty
    assert "Try:" in window.empty.toPlainText()
    assert "MK-4 vertebral fracture" in window.empty.toPlainText()
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.empty.anchorClicked.emit(__import__("PySide6.QtCore").QtCore.QUrl("example:MK-4 vertebral fracture"))
    assert window.search_field.text() == "MK-4 vertebral fracture"
    assert window.stack.currentWidget() is window.table


def test_no_results_and_bad_query(qtbot, window):
    search(qtbot, window, "xylophonequartz")
    assert window.model.total() == 0
    assert "No results" in window.empty.toPlainText()
    search(qtbot, window, "raloxifene")
    assert window.model.total() > 0
    search(qtbot, window, "*")
    assert window.bar.notice.isVisible() and window.bar.notice.text()
    assert window.model.total() == 0 and window.stack.currentWidget() is window.empty  # no stale rows
    assert "cannot run" in window.empty.toPlainText()


def test_show_more_expands_long_facet(qtbot, window):
    search(qtbot, window, "")
    proxy, model = window.facets.proxy, window.facets.model
    group = proxy.mapFromSource(model.group_index("agent"))
    short = proxy.rowCount(group)
    more = proxy.index(short - 1, 0, group)
    assert more.data(NODE_ROLE).kind == "more"
    window.facets.tree.setCurrentIndex(more)
    qtbot.keyClick(window.facets.tree, Qt.Key.Key_Return)
    group = proxy.mapFromSource(model.group_index("agent"))  # proxy indexes do not survive a layout change
    assert proxy.rowCount(group) > short
    assert "fewer" in proxy.index(proxy.rowCount(group) - 1, 0, group).data()


def test_copy_citation(qtbot, window, gui_library):
    search(qtbot, window, "MK-4 vertebral fracture")
    text = window.detail.copy_citation()
    assert text and text == gui_library.citation(window.detail.review_id())
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == text


def test_open_review_from_detail(qtbot, window, gui_library):
    search(qtbot, window, "raloxifene")
    review_id = gui_library.reviews()[0].id
    window.detail.openRequested.emit(f"review:{review_id}")
    assert window.detail.key == f"review:{review_id}"
    assert "Findings (" in window.detail.plain_text().title() or "FINDINGS (" in window.detail.plain_text()


def test_sort_by_year(qtbot, window, gui_library):
    search(qtbot, window, "vitamin K2")
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.sort_box.setCurrentIndex(window.sort_box.findText("Newest first"))
    assert window.model.keys() == core(gui_library, "vitamin K2", sort="year").keys


def test_settings_remember_splitters(qtbot, gui_library, settings):
    first = make_window(qtbot, gui_library, settings)
    first.show()
    first.split.setSizes([330, 950])
    first.close()
    second = make_window(qtbot, gui_library, settings)
    second.show()
    assert abs(second.split.sizes()[0] - first.split.sizes()[0]) <= 2


def test_help_and_about_dialogs(qtbot, window):
    for name in ("actionSyntax", "actionShortcuts", "actionAbout"):
        window.findChild(__import__("PySide6.QtGui").QtGui.QAction, name).trigger()
        dialog = window._last_dialog
        assert dialog.isVisible()
        text = " ".join(b.toPlainText() for b in dialog.browsers)
        assert text.strip()
        if name == "actionAbout":
            assert "vkref" in text and "whoosh" in text.lower()
        dialog.close()


def test_licences_page_handles_absence(qtbot, monkeypatch, tmp_path):
    from vkref.core import paths
    from vkref.ui import dialogs

    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path / "nowhere")
    page = dialogs.LicencePage(dialogs.licence_texts())
    qtbot.addWidget(page)
    assert not hasattr(page, "names")
    (tmp_path / "res" / "licenses").mkdir(parents=True)
    (tmp_path / "res" / "licenses" / "Foo.txt").write_text("Foo <b>licence</b>")
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path / "res")
    page = dialogs.LicencePage(dialogs.licence_texts())
    qtbot.addWidget(page)
    assert page.names.count() == 1 and page.text.toPlainText() == "Foo <b>licence</b>"
