"""The start window: shown before the library layer is loaded, its search field takes typing while the library
opens, and what was typed becomes the main window's first search."""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading

from PySide6.QtCore import Qt

from tests.conftest import REPO  # noqa: E402


def test_the_window_modules_load_without_the_library_layer():
    """Nothing the start window needs imports the library layer (SQLAlchemy, Whoosh, numpy): it need not wait."""
    code = ("import sys; import vkref.ui.app, vkref.ui.preparing, vkref.ui.theme, vkref.ui.file_open; "
            "print([m for m in ('vkref.library', 'vkref.store', 'vkref.search', 'sqlalchemy', 'whoosh', 'numpy') "
            "if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_typing_while_the_library_opens_becomes_the_first_search(qtbot, gui_library, tmp_path, monkeypatch):
    from vkref.library import Library
    from vkref.ui import app as app_module
    from vkref.ui import preparing

    gui_library.wait_for_index()
    target = tmp_path / "lib"
    shutil.copytree(gui_library.path, target, ignore=shutil.ignore_patterns("running"))
    typed_all = threading.Event()
    real_open = Library.open

    def slow_open(*args, **kwargs):  # the library opens only once the user has typed
        assert typed_all.wait(120)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Library, "open", slow_open)
    seen = {}

    def shown(window):
        seen["label"] = window.label.text()
        seen["focus"] = window.focusWidget() is window.search_field
        qtbot.keyClicks(window.search_field, "menatetrenon")
        qtbot.keyClick(window.search_field, Qt.Key.Key_E)
        window.grab().save(str(tmp_path / "start-window.png"))
        typed_all.set()

    real = preparing.open_with_feedback
    monkeypatch.setattr(preparing, "open_with_feedback",
                        lambda open_library, shown_=None, **kw: real(open_library, shown, **kw))
    result = {}

    def save(window, path, outcome, widget=None):
        result.update(text=window.search_field.text(), keys=window.model.keys())
        real_save(window, path, outcome, widget)

    real_save = app_module._save
    monkeypatch.setattr(app_module, "_save", save)
    code = app_module.run(library=str(target), screenshot=str(tmp_path / "window.png"))
    assert code == 0
    assert seen == {"label": "Opening the library…", "focus": True}
    assert result["text"] == "menatetrenone"
    assert result["keys"] == gui_library.search("menatetrenone", all_keys=True).keys
