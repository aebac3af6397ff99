"""Logging and crash reports: the one place that decides where diagnostics go.

- Named loggers per area (``vkref.library``, ``vkref.index``, ``vkref.import``, ``vkref.ui``, ...) obtained with
  :func:`get`. :func:`setup` adds a rotating log file ``logs/vkref.log`` inside the library directory
  (1 MB × 3 files); before that, records go nowhere (no output on a user's terminal).
- :func:`write_crash_report` is the single crash-report writer used by the CLI, the GUI's exception hook and
  background workers. Reports go to the library's ``logs/`` directory (or the platform's user log directory
  when no library is open yet), named ``crash-YYYYmmdd-HHMMSS-<pid>.txt``; only the newest
  :data:`KEEP_REPORTS` are kept, so they never pile up.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import sys
import traceback
from datetime import datetime
from pathlib import Path

LOG_DIRNAME = "logs"
KEEP_REPORTS = 20
_state: dict[str, Path | None] = {"dir": None}
logging.getLogger("vkref").addHandler(logging.NullHandler())  # nothing on a user's terminal before setup()


def get(area: str) -> logging.Logger:
    """The logger of one area of vkref, e.g. ``get("index")`` -> ``vkref.index``."""
    return logging.getLogger(f"vkref.{area}")


def setup(library_dir: Path | None) -> Path | None:
    """Send vkref's log records to ``<library>/logs/vkref.log`` (rotating). Returns the log directory, or None
    when it cannot be created (read-only library: logging then stays off, nothing fails)."""
    root = logging.getLogger("vkref")
    root.setLevel(logging.INFO)
    root.propagate = False
    if library_dir is None:
        return None
    directory = Path(library_dir) / LOG_DIRNAME
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(directory / "vkref.log", maxBytes=1_000_000,
                                                       backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))
    for old in [h for h in root.handlers if getattr(h, "_vkref", False)]:
        root.removeHandler(old)
        old.close()
    handler._vkref = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    _state["dir"] = directory
    return directory


def log_dir() -> Path:
    """Where crash reports go now: the open library's ``logs/``, else the platform's user log directory."""
    if _state["dir"] is not None:
        return _state["dir"]
    from platformdirs import user_log_dir

    return Path(user_log_dir("vkref", appauthor=False))


def write_crash_report(exc_info=None, context: str = "") -> Path | None:
    """Write the traceback of ``exc_info`` (default: the exception being handled) with versions and context.
    Returns the report's path, or None if no directory could be written (the caller still reports one line)."""
    exc_info = exc_info or sys.exc_info()
    version = getattr(sys.modules.get("vkref"), "__version__", "?")  # not imported here: core sits below it
    lines = [f"vkref {version} internal error", f"when: {datetime.now().isoformat(timespec='seconds')}",
             f"python: {platform.python_version()} on {platform.platform()}", f"context: {context or '-'}", "",
             "".join(traceback.format_exception(*exc_info)) if exc_info[0] else "(no exception)"]
    for directory in (log_dir(), _fallback_dir()):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"crash-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.txt"
            path.write_text("\n".join(lines), encoding="utf-8")
        except OSError:
            continue
        _prune(directory)
        get("crash").error("internal error (%s): report %s", context or "-", path)
        return path
    return None


def _fallback_dir() -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / "vkref-logs"


def _prune(directory: Path) -> None:
    reports = sorted(directory.glob("crash-*.txt"), key=lambda p: p.stat().st_mtime)
    for old in reports[:-KEEP_REPORTS]:
        try:
            old.unlink()
        except OSError:
            pass


def one_line(exc: BaseException) -> str:
    """``TypeName: first line of the message`` for the one line a user sees."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def install_thread_hook() -> None:
    """A background thread's unexpected exception is written to a crash report and logged, with one line on
    stderr naming the report, instead of Python's raw traceback (``threading.excepthook``)."""
    import threading

    def hook(args) -> None:
        if args.exc_type is SystemExit:
            return
        report = write_crash_report((args.exc_type, args.exc_value, args.exc_traceback),
                                    context=f"background thread {getattr(args.thread, 'name', '?')}")
        where = f" (details in {report})" if report else ""
        try:
            print(f"vkref: internal error in a background task: {one_line(args.exc_value)}{where}",
                  file=sys.stderr)
        except (OSError, ValueError):  # no usable stderr (a GUI without a console)
            pass

    threading.excepthook = hook
