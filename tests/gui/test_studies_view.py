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
