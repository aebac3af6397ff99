"""The GUI on a shared catalog (issue 15): the server stops and restarts while the window is open -> a read-only
banner, then it goes and the window catches up; another curator's change re-runs the shown search; File >
Connect to catalog… keeps no password."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path, qapp):
    qapp.setOrganizationName("vkref-tests")
    qapp.setApplicationName("vkref-catalog-gui-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))


@pytest.fixture
def window(qtbot, open_client):
    from vkref.ui.main_window import MainWindow

    lib = open_client("desk")
    w = MainWindow(lib)
    qtbot.addWidget(w)
    w.resize(1100, 700)
    with qtbot.waitSignal(w.resultsShown, timeout=30000):
        w.show()
        w.search_now()
    yield w
    w.shutdown()


def _type_query(qtbot, w, text: str) -> None:
    w.search_field.setFocus()
    with qtbot.waitSignal(w.resultsShown, timeout=30000):
        qtbot.keyClicks(w.search_field, text)
        qtbot.keyClick(w.search_field, Qt.Key.Key_Return)


def test_server_away_shows_the_banner_then_catches_up(qtbot, pg, window, open_client):
    banner = window.catalog_banner
    assert banner.label.isHidden()
    _type_query(qtbot, window, "quokkaword")
    assert window.page.total == 0
    with qtbot.waitSignal(banner.stateChanged, timeout=30000, check_params_cb=lambda e: e == "offline"):
        pg.stop("immediate")
    try:
        assert banner.label.isVisible() and "read-only" in banner.label.text()
        window.search_field.clear()
        _type_query(qtbot, window, "vitamin")  # searching goes on from this computer's index
        assert window.page.total > 0 and window.stack.currentWidget() is window.table
        assert "not reachable" in window.detail.browser.toPlainText()  # the record itself needs the server
    finally:
        with qtbot.waitSignal(banner.stateChanged, timeout=60000, check_params_cb=lambda e: e == "online"):
            pg.start()
    assert banner.label.isHidden()
    window.search_field.clear()
    _type_query(qtbot, window, "quokkaword")
    other = open_client("other")
    fid = other.search("", kind="finding", limit=1).hits[0].id
    with qtbot.waitSignal(banner.stateChanged, timeout=30000, check_params_cb=lambda e: e == "changed"):
        other.edit(fid, {"effect_size": "quokkaword"})
    target = window.generation  # the other curator's change re-ran the search: wait for its answer
    with qtbot.waitSignal(window.resultsShown, timeout=30000, check_params_cb=lambda g: g == target):
        pass
    assert window.page.total == 1 and window.page.hits[0].id == fid


def test_connect_dialog_refuses_a_password_and_keeps_the_url(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from vkref.ui.catalog_link import SETTING, ConnectDialog

    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
    dialog = ConnectDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.url.setFocus()
    qtbot.keyClicks(dialog.url, "postgresql://curator:secret@db.example/vkref")
    qtbot.keyClick(dialog.url, Qt.Key.Key_Return)
    assert warned and "password" in warned[0] and window.settings.get(SETTING) == ""
    dialog.url.clear()
    qtbot.keyClicks(dialog.url, "postgresql://curator@db.example/vkref?sslmode=require")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.url, Qt.Key.Key_Return)
    assert window.settings.get(SETTING) == "postgresql://curator@db.example/vkref?sslmode=require"


def test_a_reader_role_sees_that_the_catalog_is_read_only(qtbot, catalog_url, open_client):
    from vkref.ui.catalog_link import ROLE_TEXT
    from vkref.ui.main_window import MainWindow

    w = MainWindow(open_client("ward", catalog_url.replace("postgres@", "clinician@")))
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.resultsShown, timeout=30000):
        w.show()
        w.search_now()
    try:
        assert w.catalog_banner.label.isVisible() and w.catalog_banner.label.text() == ROLE_TEXT
        assert w.page.total > 0
    finally:
        w.shutdown()
