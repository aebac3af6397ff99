"""The librarian's actions driven through the shown window: Import (file dialog, preview, CSV mapping, import,
report), Undo/Redo from the Edit menu's shortcuts (and Ctrl+Z in the search field undoing typing), Export."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QFileDialog, QLineEdit

from tests.conftest import SHARED
from tests.gui.conftest import make_window, search

RIS = SHARED / "data" / "biblio" / "ris" / "asreview__embase.ris"


def shown_window(qtbot, library, settings):
    w = make_window(qtbot, library, settings)
    with qtbot.waitSignal(w.resultsShown, timeout=10000):
        w.search_now()
    w.show()
    qtbot.waitExposed(w)
    search(qtbot, w, "vitamin")
    w.table.setFocus()
    qtbot.waitUntil(w.table.hasFocus, timeout=5000)
    return w


def pick_file(qtbot, picker_name: str, path) -> None:
    """Type ``path`` into the open (non-native) file dialog and press its Open/Save button."""
    qtbot.waitUntil(lambda: any(isinstance(d, QFileDialog) and d.objectName() == picker_name and d.isVisible()
                                for d in QApplication.topLevelWidgets()), timeout=5000)
    picker = next(d for d in QApplication.topLevelWidgets() if d.objectName() == picker_name and d.isVisible())
    picker.setDirectory(str(path.parent))  # typing a whole path walks the directories as it goes
    edit = picker.findChild(QLineEdit, "fileNameEdit")
    edit.setFocus()
    qtbot.keyClicks(edit, path.name)
    box = picker.findChild(QDialogButtonBox, "buttonBox")
    accept = next(b for b in box.buttons() if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole)
    qtbot.waitUntil(accept.isEnabled, timeout=5000)
    qtbot.mouseClick(accept, Qt.MouseButton.LeftButton)  # (Enter would go to the completer's popup)


def import_through_dialog(qtbot, w, path):
    qtbot.keyClick(w.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    pick_file(qtbot, "importPicker", path)
    qtbot.waitUntil(lambda: w.librarian.dialog is not None and w.librarian.dialog.isVisible(), timeout=5000)
    return w.librarian.dialog


def test_import_preview_then_import_then_undo_and_redo(qtbot, writable_library, settings):
    lib = writable_library
    w = shown_window(qtbot, lib, settings)
    before = lib.search("", limit=1).total
    expected = lib.import_files([RIS], dry_run=True)
    dialog = import_through_dialog(qtbot, w, RIS)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10000)
    assert lib.search("", limit=1).total == before  # the preview wrote nothing
    assert dialog.files.item(0, 3).text() == str(expected.imported)
    assert dialog.records.rowCount() == len(expected.files[0].preview)
    assert dialog.records.item(0, 2).text() == expected.files[0].preview[0]["title"]
    qtbot.keyClicks(dialog.tag, "embase-run")
    with qtbot.waitSignal(dialog.imported, timeout=20000), qtbot.waitSignal(w.resultsShown, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.report.imported == expected.imported > 0
    qtbot.waitUntil(lambda: lib.search("", limit=1).total > before, timeout=10000)
    assert w.librarian.undo_action.text().startswith("&Undo import: asreview__embase.ris")
    assert w.librarian.undo_action.isEnabled() and not w.librarian.redo_action.isEnabled()
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Close), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    w.table.setFocus()
    with qtbot.waitSignal(w.librarian.changed, timeout=20000):
        qtbot.keyClick(w.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: lib.search("", limit=1).total == before, timeout=10000)
    assert w.librarian.redo_action.text().startswith("&Redo import: asreview__embase.ris")
    with qtbot.waitSignal(w.librarian.changed, timeout=20000):
        qtbot.keyClick(w.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: lib.search("", limit=1).total > before, timeout=10000)


def test_ctrl_z_in_the_search_field_undoes_typing_not_the_library(qtbot, writable_library, settings):
    lib = writable_library
    lib.import_files([RIS])
    w = shown_window(qtbot, lib, settings)
    w.librarian.update_undo()
    assert w.librarian.undo_action.isEnabled()
    label = lib.can_undo()
    w.search_field.setFocus()
    qtbot.keyClicks(w.search_field, "bone")
    qtbot.keyClick(w.search_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w.search_field.text() != "bone"
    assert lib.can_undo() == label  # nothing was taken back from the library
    assert w.librarian.operation is None


def test_csv_needs_a_title_column_mapping(qtbot, writable_library, settings, tmp_path):
    lib = writable_library
    csv_file = tmp_path / "mine.csv"
    csv_file.write_text("Heading,Yr\nMenatetrenone and hip fracture in a test cohort,2004\n"
                        "Phylloquinone intake and bone loss in a test cohort,2011\n", encoding="utf-8")
    w = shown_window(qtbot, lib, settings)
    dialog = import_through_dialog(qtbot, w, csv_file)
    with qtbot.waitSignal(dialog.stopped, timeout=10000) as refused:
        pass
    assert "mine.csv" in refused.args[0] and not dialog.import_button.isEnabled()
    assert dialog.mapping_box.isVisible()
    heading = dialog.findChild(QComboBox, "map:Heading")
    with qtbot.waitSignal(dialog.previewShown, timeout=10000):
        heading.setFocus()
        qtbot.keyClick(heading, Qt.Key.Key_Down)  # (automatic) -> title
    assert heading.currentText() == "title"
    assert dialog.records.rowCount() == 2 and dialog.records.item(1, 4).text() == ""  # Yr is not known
    year = dialog.findChild(QComboBox, "map:Yr")
    year.setFocus()
    for _ in range(4):  # (automatic) -> title, abstract, authors, year
        qtbot.keyClick(year, Qt.Key.Key_Down)
    assert year.currentText() == "year"
    qtbot.waitUntil(lambda: dialog.records.rowCount() == 2 and dialog.records.item(1, 4).text() == "2011",
                    timeout=10000)
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=10000)
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.report.imported == 2


def test_export_everything_as_ris_through_the_save_dialog(qtbot, gui_library, settings, tmp_path):
    w = shown_window(qtbot, gui_library, settings)
    qtbot.keyClick(w.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.librarian.dialog is not None and w.librarian.dialog.isVisible(), timeout=5000)
    dialog = w.librarian.dialog
    qtbot.keyClick(dialog.scope, Qt.Key.Key_End)  # Everything
    assert dialog.scope.currentData() == "all" and dialog.format.currentData() == "ris"
    assert not dialog.style.isEnabled()
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    target = tmp_path / "out.ris"
    with qtbot.waitSignal(w.librarian.exported, timeout=20000):
        pick_file(qtbot, "exportPicker", target)
    assert target.read_text(encoding="utf-8") == gui_library.export("ris")


def test_files_dropped_on_the_window_open_the_import_preview(qtbot, writable_library, settings):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    w = shown_window(qtbot, writable_library, settings)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(RIS))])
    at, copy, left, none = QPointF(200, 200), Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, \
        Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at.toPoint(), copy, data, left, none)
    QApplication.sendEvent(w, enter)  # a drop is delivered to the widget that accepted the drag
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(w, drop)
    qtbot.waitUntil(lambda: w.librarian.dialog is not None and w.librarian.dialog.isVisible(), timeout=5000)
    with qtbot.waitSignal(w.librarian.dialog.previewShown, timeout=10000):
        pass
    assert w.librarian.dialog.paths == [str(RIS)]


def test_citation_style_from_the_edit_menu_is_used_and_remembered(qtbot, gui_library, settings):
    w = shown_window(qtbot, gui_library, settings)
    qtbot.keyClick(w.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: w.detail.review_id() is not None, timeout=5000)
    rid = w.detail.review_id()
    w.librarian.style_actions["apa"].trigger()
    assert w.detail.copy_citation() == gui_library.cite([rid], "apa")[0] != gui_library.citation(rid)
    assert settings.get("cite/style") == "apa"
    again = shown_window(qtbot, gui_library, settings)
    assert again.librarian.style_actions["apa"].isChecked() and again.detail.cite_style == "apa"
