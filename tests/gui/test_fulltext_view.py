"""Full texts in the shown window: attach through File > Attach full text… and by dropping a file on a review
row, the finding's source in the detail pane, the reader opened from "Show in full text", a new finding made
from a selection in the reader, and a passage hit shown in the detail pane."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QPushButton

from tests.conftest import SEEDS
from vkref.ui.models import KEY_ROLE
from tests.gui.conftest import make_window, search
from tests.gui.test_librarian import pick_file

SEED = SEEDS / "001_f0f164273897ed1b.txt"
pytestmark = pytest.mark.skipif(not SEED.is_file(), reason="the shared seed texts are missing")


def shown(qtbot, library, settings, query: str):
    w = make_window(qtbot, library, settings)
    with qtbot.waitSignal(w.resultsShown, timeout=10000):
        w.search_now()
    w.show()
    qtbot.waitExposed(w)
    search(qtbot, w, query)
    return w


def select_first_row(qtbot, w) -> None:
    w.table.setFocus()
    qtbot.waitUntil(w.table.hasFocus, timeout=5000)
    qtbot.keyClick(w.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: w.detail.key is not None, timeout=5000)


def click_link(qtbot, browser, prefix: str) -> None:
    """Click the first link of ``browser`` whose target starts with ``prefix`` (scrolled into view first)."""
    doc = browser.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.charFormat().anchorHref().startswith(prefix):
                cursor = QTextCursor(doc)
                cursor.setPosition(frag.position() + 1)
                browser.setTextCursor(cursor)
                browser.ensureCursorVisible()
                qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton,
                                 pos=browser.cursorRect(cursor).center())
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no link {prefix}")


def test_attach_read_the_source_and_make_a_finding_from_a_selection(qtbot, writable_library, settings, tmp_path):
    w = shown(qtbot, writable_library, settings, "raloxifene femoral neck strength")
    select_first_row(qtbot, w)
    finding_key = w.detail.key
    assert finding_key.startswith("finding:") and w.detail.review_id() == "iwamoto-2006-ymj"
    with qtbot.waitSignal(w.librarian.changed, timeout=20000):
        w.fulltext.attach_action.trigger()
        pick_file(qtbot, "attachPicker", SEED)
    qtbot.waitUntil(lambda: "FROM THE FULL TEXT" in w.detail.plain_text(), timeout=10000)
    where = writable_library.locate(finding_key.partition(":")[2])
    text = writable_library.get_review("iwamoto-2006-ymj").fulltext
    first = text[slice(*where["sentences"][0])]
    assert first[:60] in w.detail.plain_text().replace("\u2029", "\n").replace("\n", " ")

    click_link(qtbot, w.detail.browser, "vkref-open:reader")
    qtbot.waitUntil(lambda: w.fulltext.reader is not None and w.fulltext.reader.isVisible(), timeout=5000)
    reader = w.fulltext.reader
    marks = reader.view.extraSelections()
    assert marks and marks[0].cursor.selectedText()[:60] == first[:60]

    # select the start of another paragraph by dragging, then make a finding of it
    p = next(p for p in reader.passages if p.kind == "paragraph" and p.section == "CONCLUSION")
    view = reader.view
    a, b = QTextCursor(view.document()), QTextCursor(view.document())
    a.setPosition(reader.position_of(p.start))
    b.setPosition(reader.position_of(p.start + 60))
    view.setTextCursor(a)
    view.ensureCursorVisible()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(a).center())
    qtbot.mouseMove(view.viewport(), pos=view.cursorRect(b).center())
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(b).center())
    qtbot.waitUntil(reader.new_button.isEnabled, timeout=3000)
    qtbot.mouseClick(reader.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.fulltext.dialog is not None and w.fulltext.dialog.isVisible(), timeout=3000)
    dialog = w.fulltext.dialog
    assert dialog.section.text() == "CONCLUSION"
    qtbot.keyClicks(dialog.statement, "Vitamin K2 changed bone metabolism only modestly in these rat models.")
    save = next(b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "") == "Save")
    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    new = writable_library.get_finding(saved.args[0])
    assert new.section == "CONCLUSION" and new.locator["marked"]
    start, end = new.locator["sentences"][0]
    assert p.start <= start < end <= p.end and re.sub(r"\s+", " ", text[start:end])[:20] in p.text
    assert writable_library.locate(new.id)["sentences"] == [[start, end]]
    reader.close()


def test_a_full_text_dropped_on_a_review_row_is_attached_and_passages_show(qtbot, writable_library, settings):
    w = shown(qtbot, writable_library, settings, "osteopenia rats models")
    row = next(r for r in range(w.model.rowCount())
               if w.model.data(w.model.index(r, 0), KEY_ROLE) == "review:iwamoto-2006-ymj")
    rect = w.table.visualRect(w.model.index(row, 1))
    at = QPointF(w.table.viewport().mapTo(w, rect.center()))
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(SEED))])
    copy, left, none = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at.toPoint(), copy, data, left, none)
    QApplication.sendEvent(w, enter)
    with qtbot.waitSignal(w.librarian.changed, timeout=20000):
        QApplication.sendEvent(w, QDropEvent(at, copy, data, left, none))
    assert writable_library.passages("iwamoto-2006-ymj")
    w.open_key("review:iwamoto-2006-ymj")
    page = w.detail.plain_text()
    assert "Read it in the reader" in page and "INTRODUCTION" in page and "# INTRODUCTION" not in page
    click_link(qtbot, w.detail.browser, "vkref-open:reader")
    qtbot.waitUntil(lambda: w.fulltext.reader is not None and w.fulltext.reader.isVisible(), timeout=5000)
    assert w.fulltext.reader.view.toPlainText().startswith(writable_library.passages("iwamoto-2006-ymj")[0].text)
    w.fulltext.reader.close()
    search(qtbot, w, '"Hind-limb immobilization"')
    keys = [w.model.data(w.model.index(r, 0), KEY_ROLE) for r in range(w.model.rowCount())]
    passage = next(k for k in keys if k.startswith("passage:"))
    w.open_key(passage)
    assert "FULL TEXT" in w.detail.plain_text() and "immobilization" in w.detail.plain_text()
