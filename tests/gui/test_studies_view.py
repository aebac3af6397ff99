"""The primary studies in the window, with real key and mouse events: a search's status line counts the studies
its findings rest on; opening a finding shows its study and the other findings, from any review, that rest on
it; clicking one of those opens it."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _type_search(qtbot, window, text: str) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search_field, text)
    with qtbot.waitSignal(window.resultsShown, timeout=10000, check_params_cb=lambda g: g == window.generation):
        qtbot.keyClick(window.search_field, Qt.Key.Key_Return)


def _click_row(qtbot, window, key: str) -> None:
    row = window.model.row_of(key)
    assert row >= 0, f"{key} is not a result"
    rect = window.table.visualRect(window.table.model().index(row, 1))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _click_text(qtbot, browser, text: str) -> None:
    """Click the first place ``text`` is shown in the detail browser (scrolled into view first)."""
    cursor = browser.document().find(text)
    assert not cursor.isNull(), f"{text!r} is not shown"
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    cursor.setPosition(cursor.selectionStart() + 1)
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=browser.cursorRect(cursor).center())


def test_a_finding_shows_its_study_and_the_other_findings_resting_on_it(qtbot, window, gui_library):
    _type_search(qtbot, window, "Binkley")
    page = gui_library.search("Binkley")
    assert page.studies_line and page.studies_line in window.status_line.text()
    _click_row(qtbot, window, "finding:kjm-015")  # Keio names no author: the study says who it is
    assert window.detail.key == "finding:kjm-015"
    text = window.detail.plain_text()
    assert "PRIMARY STUDY" in text and "Binkley et al." in text
    others = {f["id"] for s in gui_library.studies_of("kjm-015") for f in s["findings"]}
    assert "ymj-022" in others and "kjm-015" not in others
    for fid in others:
        assert fid in text
    assert "2 reviews in all" in text
    _click_text(qtbot, window.detail.browser, "ymj-022")
    assert window.detail.key == "finding:ymj-022"  # the Yonsei finding on the same study, opened
    text = window.detail.plain_text()
    assert "PRIMARY STUDIES (2)" in text and "Otomo et al." in text and "kjm-015" in text
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # Back
    assert window.detail.key == "finding:kjm-015"


def test_a_finding_of_the_review_s_own_synthesis_shows_no_study(qtbot, window, gui_library):
    assert gui_library.get_finding("ymj-023").studies == []
    _type_search(qtbot, window, "positive and negative studies side by side")
    _click_row(qtbot, window, "finding:ymj-023")
    assert window.detail.key == "finding:ymj-023"
    assert "PRIMARY STUD" not in window.detail.plain_text()


def test_linking_a_finding_to_a_study_in_the_window_and_undoing_it(qtbot, writable_library, settings):
    from .conftest import make_window

    window = make_window(qtbot, writable_library, settings)
    window.show()
    qtbot.waitExposed(window)
    _type_search(qtbot, window, "Binkley")
    _click_row(qtbot, window, "finding:kjm-015")
    dialog = window.study_links.open()
    qtbot.waitExposed(dialog)
    assert dialog.checked() == ["binkley-ymj34"]
    qtbot.keyClicks(dialog.filter, "otomo")
    item = dialog.item_of("otomo-ymj35")
    assert not item.isHidden() and dialog.item_of("hara-ymj37").isHidden()
    rect = dialog.list.visualItemRect(item)
    qtbot.mouseClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.list.currentItem() is item
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)  # ticks the current item's check box
    assert sorted(dialog.checked()) == ["binkley-ymj34", "otomo-ymj35"]
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert writable_library.get_finding("kjm-015").studies == ["binkley-ymj34", "otomo-ymj35"]
    window.open_key("finding:kjm-015")
    assert "PRIMARY STUDIES (2)" in window.detail.plain_text()
    window.activateWindow()  # offscreen, a closed dialog does not give the window back
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.table.setFocus()
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert writable_library.get_finding("kjm-015").studies == ["binkley-ymj34"]
