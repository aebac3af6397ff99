"""File > Share library… and File > Open bundle… driven through shown windows: one library shared to a file,
opened in a second library, a conflict resolved by mouse, imported as one batch, undone with Ctrl+Z; a hostile
file refused with one line and nothing changed; ``vkref FILE.vkref`` opening the bundle dialog headless."""
from __future__ import annotations

import subprocess
import sys
import zipfile

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import SHARED
from tests.gui.conftest import make_window
from tests.gui.test_librarian import pick_file, shown_window

RIS = SHARED / "data" / "biblio" / "ris" / "asreview__embase.ris"
REVIEW, TAKEN, KEPT = "iwamoto-2006-ymj", "kjm-010", "kjm-011"


def second_settings(tmp_path):
    from PySide6.QtCore import QSettings

    from vkref.ui.settings import Settings

    return Settings(QSettings(str(tmp_path / "colleague.ini"), QSettings.Format.IniFormat))


def share(qtbot, window, target):
    window.bundles.share_action.trigger()  # File > Share library…
    dialog = window.bundles.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.scope.currentData() == "all"
    with qtbot.waitSignal(window.bundles.shared, timeout=60000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        pick_file(qtbot, "sharePicker", target)
    return dialog


def open_bundle(qtbot, window, path):
    window.bundles.open_action.trigger()  # File > Open bundle…
    pick_file(qtbot, "bundlePicker", path)
    qtbot.waitUntil(lambda: window.bundles.dialog is not None and window.bundles.dialog.isVisible(), timeout=5000)
    return window.bundles.dialog


def test_share_then_open_in_a_second_library_resolve_a_conflict_by_mouse_import_and_undo(
        qtbot, writable_library, settings, tmp_path):
    from vkref.library import Library

    mine = writable_library
    theirs = Library.open(tmp_path / "colleague")  # the same bundled records, a separate library
    try:
        theirs.edit(REVIEW, {"title": "Title agreed by the team"})
        mine.edit(REVIEW, {"title": "My own working title"})  # changed here last: "keep mine" is proposed
        theirs.edit(TAKEN, {"dose": "90 mg/day"})  # changed only there: "take theirs" is proposed
        mine.edit(KEPT, {"dose": "1 mg/day"})  # changed only here: "keep mine" is proposed
        new = theirs.import_files([RIS], tag="colleague-search")
        assert new.imported > 0
        before = {"reviews": mine.info()["reviews"], "findings": mine.info()["findings"],
                  TAKEN: mine.get_finding(TAKEN).dose}

        sharer = make_window(qtbot, theirs, second_settings(tmp_path))
        sharer.show()
        qtbot.waitExposed(sharer)
        target = tmp_path / "team.vkref"
        share(qtbot, sharer, target)
        assert zipfile.is_zipfile(target)
        sharer.close()

        w = shown_window(qtbot, mine, settings)
        dialog = open_bundle(qtbot, w, target)
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
        assert mine.info()["reviews"] == before["reviews"]  # the dry run wrote nothing
        ids = [dialog.conflicts.item(r, 0).text() for r in range(dialog.conflicts.rowCount())]
        assert {REVIEW, TAKEN, KEPT} <= set(ids)
        assert dialog.review_box.isVisible() and dialog.report["reviews"]["added"] == new.imported

        row = ids.index(REVIEW)
        cell = dialog.conflicts.visualRect(dialog.conflicts.model().index(row, 2))
        qtbot.mouseClick(dialog.conflicts.viewport(), Qt.MouseButton.LeftButton, pos=cell.center())
        assert dialog.conflicts.currentRow() == row
        assert dialog.choice_buttons["mine"].isChecked()  # the newer side, here, is proposed
        differing = [dialog.fields.item(r, 0).text() for r in range(dialog.fields.rowCount())
                     if dialog.fields.item(r, 0).font().bold()]
        assert differing == ["title"]
        side = {dialog.fields.item(r, 0).text(): (dialog.fields.item(r, 1).text(), dialog.fields.item(r, 2).text())
                for r in range(dialog.fields.rowCount())}
        assert side["title"] == ("My own working title", "Title agreed by the team")
        theirs_button = dialog.choice_buttons["theirs"]
        qtbot.mouseClick(theirs_button, Qt.MouseButton.LeftButton, pos=theirs_button.rect().center())
        assert dialog.choices[REVIEW] == "theirs" and dialog.conflicts.item(row, 4).text() == "take theirs"
        assert dialog.choices[TAKEN] == "theirs" and dialog.choices[KEPT] == "mine"

        with qtbot.waitSignal(w.bundles.imported, timeout=60000), qtbot.waitSignal(w.resultsShown, timeout=60000):
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert mine.get_review(REVIEW).title == "Title agreed by the team"
        assert mine.get_finding(TAKEN).dose == "90 mg/day"
        assert mine.get_finding(KEPT).dose == "1 mg/day"
        assert mine.info()["reviews"] == before["reviews"] + new.imported
        assert mine.can_undo() == "bundle: team.vkref"  # the kind once, then the file
        qtbot.mouseClick(dialog.buttons.findChild(type(dialog.import_button), "bundleClose"),
                         Qt.MouseButton.LeftButton)

        w.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
        w.table.setFocus()
        qtbot.waitUntil(w.table.hasFocus, timeout=5000)
        with qtbot.waitSignal(w.librarian.changed, timeout=60000):
            qtbot.keyClick(w.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert mine.get_review(REVIEW).title == "My own working title"
        assert mine.get_finding(TAKEN).dose == before[TAKEN]
        assert mine.info()["reviews"] == before["reviews"]
        assert mine.info()["findings"] == before["findings"]
    finally:
        theirs.close()


def test_a_hostile_bundle_is_refused_with_one_line_and_changes_nothing(qtbot, writable_library, settings,
                                                                     tmp_path):
    lib = writable_library
    hostile = tmp_path / "gift.vkref"
    with zipfile.ZipFile(hostile, "w") as z:
        z.writestr("manifest.json", "{}")
        z.writestr("../../escaped.txt", "written outside")
    undo_before, counts = lib.can_undo(), (lib.info()["reviews"], lib.info()["findings"])
    w = shown_window(qtbot, lib, settings)
    w.bundles.open_action.trigger()
    pick_file(qtbot, "bundlePicker", hostile)
    qtbot.waitUntil(lambda: w.bundles.dialog is not None, timeout=5000)
    dialog = w.bundles.dialog
    qtbot.waitUntil(lambda: dialog.import_button.isHidden(), timeout=30000)
    message = dialog.status.text()
    assert "\n" not in message and "gift.vkref" in message and "outside the library" in message
    assert "nothing was changed" in dialog.summary.text()
    assert dialog.report is None and not dialog.review_box.isVisible()
    assert lib.can_undo() == undo_before
    assert (lib.info()["reviews"], lib.info()["findings"]) == counts
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_vkref_given_a_bundle_opens_the_window_then_the_bundle_dialog(tmp_path, gui_library):
    """``vkref FILE.vkref`` (what the desktop entry runs on a double-click): headless with --screenshot, the
    bundle dialog is rendered once its check is shown; a refused file exits 2 with its one line."""
    gui_library.wait_for_index()
    bundle = tmp_path / "all.vkref"
    gui_library.export_bundle(bundle)
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = tmp_path / "bundle.png"
    proc = subprocess.run([sys.executable, "-m", "vkref", "--library", str(gui_library.path), str(bundle),
                           "--screenshot", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and out.stat().st_size > 1000
    bad = tmp_path / "broken.vkref"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    proc = subprocess.run([sys.executable, "-m", "vkref", "--library", str(gui_library.path), "gui", str(bad),
                           "--screenshot", str(tmp_path / "bad.png")], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.startswith("vkref:")]
    assert len(lines) == 1 and "broken.vkref: not a vkref bundle" in lines[0]


def test_a_bundle_dropped_on_the_window_opens_the_bundle_dialog(qtbot, gui_library, settings, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    bundle = tmp_path / "dropped.vkref"
    gui_library.export_bundle(bundle, "raloxifene")
    w = shown_window(qtbot, gui_library, settings)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(bundle))])
    at, copy, left, none = QPointF(200, 200), Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, \
        Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at.toPoint(), copy, data, left, none)
    QApplication.sendEvent(w, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(w, QDropEvent(at, copy, data, left, none))
    qtbot.waitUntil(lambda: w.bundles.dialog is not None and w.bundles.dialog.isVisible(), timeout=5000)
    dialog = w.bundles.dialog
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)  # the check shown (previewShown)
    assert dialog.path == str(bundle) and w.librarian.dialog is None
    assert dialog.report["reviews"]["unchanged"] > 0 and not dialog.import_button.isEnabled()  # all here already
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_cancel_during_the_import_writes_nothing_and_the_dialog_says_so(qtbot, writable_library, settings,
                                                                        tmp_path):
    """Import clicked, then Cancel while the merge waits for the library's writer (held here, as another write
    would hold it): the merge stops before its commit, nothing is written, and the dialog stays to say so."""
    from vkref.library import Library

    mine = writable_library
    theirs = Library.open(tmp_path / "colleague")
    try:
        assert theirs.import_files([RIS]).imported > 0
        theirs.export_bundle(tmp_path / "team.vkref")
    finally:
        theirs.close()
    undo_before, counts = mine.can_undo(), (mine.info()["reviews"], mine.info()["findings"])
    w = shown_window(qtbot, mine, settings)
    dialog = open_bundle(qtbot, w, tmp_path / "team.vkref")
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.import_button.isEnabled(), timeout=30000)
    with mine._write_lock:  # the merge will wait here, after its plan, before it writes
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert dialog.operation.running
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and dialog.status.text() == "Cancelling…"
        with qtbot.waitSignal(dialog.stopped, timeout=60000) as stopped:
            mine._write_lock.release()  # let the waiting merge go on: it must see the cancel and roll back
            try:
                qtbot.waitUntil(lambda: not dialog.operation.running, timeout=60000)
            finally:
                mine._write_lock.acquire()
    assert "cancelled" in stopped.args[0] and "nothing was changed" in stopped.args[0]
    assert dialog.status.text() == stopped.args[0] and dialog.isVisible()
    assert mine.can_undo() == undo_before
    assert (mine.info()["reviews"], mine.info()["findings"]) == counts
    assert dialog.import_button.isEnabled()  # the librarian may try again


def test_a_bundle_the_desktop_hands_over_opens_the_bundle_dialog_also_before_the_window(
        qtbot, gui_library, settings, tmp_path):
    """macOS opens a double-clicked document with a QFileOpenEvent, not an argument; one sent before the window
    exists (the document that launched the app) is kept until the window is there."""
    from PySide6.QtGui import QFileOpenEvent

    from vkref.ui.app import _file_open_router

    bundle = tmp_path / "handed.vkref"
    gui_library.export_bundle(bundle, "raloxifene")
    app = QApplication.instance()
    router = _file_open_router(app)
    try:
        QApplication.sendEvent(app, QFileOpenEvent(str(bundle)))
        assert router.pending == [str(bundle)]
        other = QFileOpenEvent(str(tmp_path / "refs.ris"))
        QApplication.sendEvent(app, other)
        assert router.pending == [str(bundle)]  # not a bundle: left to whoever else wants it
        w = shown_window(qtbot, gui_library, settings)
        router.attach(w)
        qtbot.waitUntil(lambda: w.bundles.dialog is not None and w.bundles.dialog.isVisible(), timeout=5000)
        assert w.bundles.dialog.path == str(bundle) and router.pending == []
        qtbot.waitUntil(lambda: w.bundles.dialog.report is not None, timeout=20000)
        qtbot.keyClick(w.bundles.dialog, Qt.Key.Key_Escape)
        second = tmp_path / "second.vkref"
        bundle.rename(second)
        QApplication.sendEvent(app, QFileOpenEvent(str(second)))  # the window is there: opened at once
        qtbot.waitUntil(lambda: w.bundles.dialog.path == str(second) and w.bundles.dialog.isVisible(), timeout=5000)
        qtbot.keyClick(w.bundles.dialog, Qt.Key.Key_Escape)
    finally:
        app.removeEventFilter(router)
        router.setParent(None)
