"""GUI test fixtures: offscreen Qt, a library in a temporary directory, QSettings redirected, one main window.

``QT_QPA_PLATFORM=offscreen`` is set before anything imports Qt. Settings go to an ini file in tmp_path, never
to the user's configuration. Windows are closed (which joins the search thread) at the end of each test.
"""
from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

# The offscreen platform plugin warns that it cannot propagate size hints when a window is shown; that is a
# property of the test platform, not of vkref.
OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints", "This plugin does not support raise",
                   "This plugin does not support grabbing the keyboard")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/gui" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path, qapp):
    from PySide6.QtCore import QSettings

    qapp.setOrganizationName("vkref-tests")
    qapp.setApplicationName("vkref-gui-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield


@pytest.fixture(scope="session")
def gui_library(tmp_path_factory):
    """A library created with Library.open in a temporary directory (bundled data); tests must not write to it."""
    from vkref.library import Library

    lib = Library.open(tmp_path_factory.mktemp("gui") / "lib")
    yield lib
    lib.close()


@pytest.fixture
def writable_library(tmp_path, gui_library):
    """A private copy of the library for tests that write records."""
    from vkref.library import Library

    gui_library.wait_for_index()
    target = tmp_path / "lib"
    shutil.copytree(gui_library.path, target)
    lib = Library.open(target)
    yield lib
    lib.close()


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    from vkref.ui.settings import Settings

    return Settings(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))


def make_window(qtbot, library, settings):
    from vkref.ui.main_window import MainWindow

    window = MainWindow(library, settings)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.resize(1280, 800)
    return window


@pytest.fixture
def window(qtbot, gui_library, settings):
    """The main window after its first (empty) search has been shown."""
    w = make_window(qtbot, gui_library, settings)
    with qtbot.waitSignal(w.resultsShown, timeout=10000):
        w.search_now()
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.shutdown()


def search(qtbot, window, query: str):
    """Set the query and wait until its results are on screen."""
    with qtbot.waitSignal(window.resultsShown, timeout=10000,
                          check_params_cb=lambda g: g == window.generation):
        window.set_query(query)
