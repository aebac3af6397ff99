"""Start the desktop application: QApplication set-up, theme, crash handler, and the ``--screenshot`` mode.

``run()`` returns the exit code. With ``screenshot`` it shows the real window at 1280×800 (or ``size``) with the query and
filters applied, waits for the worker to deliver that search (a signal, not a timer), saves ``window.grab()``
and exits 0. Known problems (a library that cannot be opened, a bad filter) get a one-line message; anything
unexpected reaches one crash handler that writes a report and tells the user where it is.
"""
from __future__ import annotations

import importlib
import os
import sys
import threading
import tempfile
from pathlib import Path

from vkref.core.errors import VkrefError


def _qt_app():
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from vkref.ui import qtcompat

    qtcompat.apply()
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(app.organizationName() or "vkref")
    app.setApplicationName(app.applicationName() if app.applicationName() not in ("", "python", "vkref.exe")
                           else "vkref")
    app.setApplicationDisplayName("vkref")
    icons = _icon_paths()
    if icons:
        from PySide6.QtGui import QIcon

        icon = QIcon()
        for p in icons:
            icon.addFile(str(p))
        app.setWindowIcon(icon)
    return app


def _icon_paths() -> list[Path]:
    from vkref.core import paths

    try:
        return sorted((paths.resources_dir() / "icons").glob("vkref-*.png"))
    except OSError:
        return []


def _headless() -> bool:
    return os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal")


def _report(message: str, exc_info=None) -> str:
    from vkref.core import logs

    return str(logs.write_crash_report(exc_info, context=message) or "(no writable log directory)")


def install_crash_handler(parent_getter=lambda: None, fatal: bool = False) -> None:
    """Route uncaught exceptions (also from Qt slots) to one handler: report file + non-blocking message."""
    def hook(kind, value, tb):
        path = _report("vkref internal error", (kind, value, tb))
        print(f"vkref: internal error: {kind.__name__}: {value} (details in {path})", file=sys.stderr)
        if fatal:
            from PySide6.QtWidgets import QApplication

            QApplication.exit(1)
            return
        if not _headless():
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Critical, "vkref internal error",
                              f"Something went wrong: {kind.__name__}: {value}\n\nA report was written to {path}.\n"
                              "vkref keeps running; if it misbehaves, restart it.", parent=parent_getter())
            box.setModal(False)
            box.show()

    sys.excepthook = hook
    from vkref.core import logs

    logs.install_thread_hook()


def resolve_filters(library, spec: dict | None) -> dict[str, list[str]]:
    """FACET -> values (labels or synonyms, any case) as the facet panel's display labels; QueryError if unknown."""
    out: dict[str, list[str]] = {}
    for facet, values in (spec or {}).items():
        for value in ([values] if isinstance(values, str) else values):
            out.setdefault(facet, []).append(_label(library, facet, str(value).strip()))
    return out


def _label(library, facet: str, value: str) -> str:
    return library.facet_label(facet, library.resolve_value(facet, value))


def _open_library(library, catalog: str | None = None, typed: dict | None = None):
    """Open ``library`` (a directory, or None for the default) behind the start window of
    :mod:`vkref.ui.preparing`, shown before the library layer is imported: "Preparing the library…" while a new
    one is built, "Opening the library…" otherwise (a damaged index is rebuilt in the background later). Its
    search field takes typing meanwhile; ``typed`` receives it. A :class:`Library` given is used as it is.
    ``catalog``: a shared catalog's URL (``--catalog``, ``VKREF_CATALOG`` or File > Connect to catalog…)."""
    if not (library is None or isinstance(library, (str, os.PathLike))):
        return library, False  # an open Library
    from vkref.core import paths
    from vkref.ui.preparing import open_with_feedback

    def open_it():
        from vkref.library import Library

        if catalog:
            return Library.open(library, background_rebuild=True, catalog=catalog)
        return Library.open(library, background_rebuild=True)

    new = not catalog and not (paths.library_dir(library) / paths.DB_FILENAME).exists()
    return open_with_feedback(open_it, new=new, typed=typed), True


def _saved_catalog(screenshot) -> str | None:
    """The catalog chosen with File > Connect to catalog… (not for reproducible screenshots)."""
    if screenshot:
        return None
    from vkref.ui.settings import Settings

    return Settings().get("catalog/url") or None


def run(library=None, query: str = "", screenshot: str | None = None, filters: dict | None = None,
        exclude: dict | None = None, select: str | None = None, size: tuple[int, int] | None = None,
        open_bundle: str | None = None, catalog: str | None = None) -> int:
    """Open the main window on ``library`` (a Library, a directory, or None for the default) and run.

    ``open_bundle``: once the first results are shown, open that ``.vkref`` file as File > Open bundle… does
    (a double-click on a bundle). With ``screenshot`` too, the bundle dialog is saved once its check is shown
    (the headless path of the file association)."""
    # Import the library layer (SQLAlchemy, Whoosh: ~0.5 s) in a thread while Qt loads in this one: much of
    # either import is file reading and native loading, so on two cores they overlap. The start window does not
    # wait for it: it is shown, and typed into, while the library layer is imported and the library opened.
    preload = threading.Thread(target=importlib.import_module, args=("vkref.library",), daemon=True)
    preload.start()
    app = _qt_app()
    from vkref.ui.theme import Theme

    theme = Theme(app)
    theme.apply()  # before the start window is shown
    _file_open_router(app)
    typed = {"text": query or ""}
    try:
        lib, owned = _open_library(library, catalog or _saved_catalog(screenshot), typed)
    except VkrefError as exc:
        if screenshot or _headless():
            raise
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "vkref", f"The library could not be opened.\n\n{exc}")
        return exc.exit_code
    try:
        include = resolve_filters(lib, filters)
        avoid = resolve_filters(lib, exclude)
        return _run_window(app, lib, typed.get("text", query), screenshot, include, avoid, select, size, theme,
                           open_bundle, typed.get("cursor") if typed.get("text") != (query or "") else None)
    finally:
        if owned:
            lib.close()


def _run_window(app, lib, query, screenshot, include, avoid, select, size=None, theme=None,
                open_bundle=None, cursor: int | None = None) -> int:
    """The main window on ``lib``, searching ``query`` at once; ``cursor``: where the start window's field had
    its cursor (the user goes on typing there, nothing selected)."""
    window = _make_window(app, lib, screenshot, theme)
    router = _file_open_router(app)
    router.attach(window)
    previous_hook = sys.excepthook
    install_crash_handler(lambda: window, fatal=bool(screenshot))
    _apply_filters(window, include, avoid)
    if screenshot:
        window.resize(*(size or (1280, 800)))
    window.show()
    result = {"code": 0}
    window.resultsShown.connect(_when_shown(window, select, open_bundle, screenshot, result))
    window.search_field.setText(query or "")
    window.search_now()
    if not screenshot:
        window.focus_search()
        if cursor is not None:
            window.search_field.setCursorPosition(cursor)  # also drops the selection
    try:
        code = app.exec()
    finally:
        sys.excepthook = previous_hook
        # the last window closing posts a Quit event to the application; delivered later, it would end the next
        # event loop of a process that goes on (tests, docs/screenshots/make_screenshots.py) at once
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
        app.removeEventFilter(router)
        router.setParent(None)  # the next window of this process (tests) gets a router of its own
    window.shutdown()
    window.deleteLater()
    return result["code"] or code


def _make_window(app, lib, screenshot, theme=None):
    """The main window, themed; with ``screenshot`` on a fresh, throw-away settings file (reproducible)."""
    from PySide6.QtCore import QSettings

    from vkref.ui.main_window import MainWindow
    from vkref.ui.settings import Settings
    from vkref.ui.theme import Theme

    theme = theme or Theme(app)
    dark = theme.apply()
    settings = None
    if screenshot:
        tmp = tempfile.mkdtemp(prefix="vkref-shot-")
        settings = Settings(QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(lib, settings)
    theme.changed.connect(window.set_dark)
    window.set_dark(dark)
    return window


def _when_shown(window, select, open_bundle, screenshot, result):
    """What to do once the first results are shown: select a record, open a bundle, save a screenshot."""
    from PySide6.QtCore import QTimer

    def shown(generation: int) -> None:
        if generation != window.generation:
            return
        if select:
            window.right.setSizes([330, 440])  # a chosen record: give its detail the room
            window.open_key(select)
        if open_bundle:
            window.resultsShown.disconnect(shown)
            QTimer.singleShot(0, lambda: _open_bundle(window, open_bundle, screenshot, result))
        elif screenshot:
            window.resultsShown.disconnect(shown)
            QTimer.singleShot(0, lambda: _save(window, screenshot, result))
    return shown


def _file_open_router(app):
    """The desktop's "open this file" events (a double-clicked ``.vkref`` on macOS) go to the bundle dialog; one
    router per application, installed before the library opens so that an early event is kept, not lost."""
    from vkref.ui.file_open import FileOpenRouter

    router = app.findChild(FileOpenRouter)
    if router is None:
        router = FileOpenRouter(app)
        app.installEventFilter(router)
    return router


def _apply_filters(window, include: dict, avoid: dict) -> None:
    for state, spec in (("include", include), ("exclude", avoid)):
        for facet, labels in spec.items():
            for label in labels:
                window.filters.set(facet, label, state)
    window.facets.refresh()
    window.chips.set_filters(window.filters)


def _open_bundle(window, path: str, screenshot: str | None, result: dict) -> None:
    from PySide6.QtCore import QTimer

    dialog = window.bundles.open_bundle(path)
    if screenshot:
        def done(*_args) -> None:
            if dialog.report is None:  # refused: still a picture, but not a success
                print(f"vkref: {dialog.status.text()}", file=sys.stderr)
                result["code"] = 2
            QTimer.singleShot(0, lambda: _save(window, screenshot, result, dialog))  # after its layout
        dialog.previewShown.connect(done)
        dialog.refused.connect(done)


def _save(window, path: str, result: dict, widget=None) -> None:
    from PySide6.QtWidgets import QApplication

    image = (widget or window).grab()
    if not image.save(path):
        print(f"vkref: cannot write the screenshot to {path}", file=sys.stderr)
        result["code"] = 1
    window.close()
    QApplication.exit(result["code"])
