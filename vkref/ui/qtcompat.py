"""Work around a reference-count bug of PySide6 6.12.0 on CPython < 3.12.

Measured here (PySide6-Essentials 6.12.0, CPython 3.11.7): every call from Python into a Qt method that
returns ``void`` (``QObject.setObjectName``, ``QTimer.stop``, ``QSortFilterProxyModel.sort`` ...), and every
Python ``data()`` override that returns ``None`` to C++, drops one reference to ``None`` that it never took.
``None`` starts with a few thousand references, so the process aborts with "Fatal Python error: none_dealloc"
after a few seconds of use. CPython 3.12 made ``None``, ``True`` and ``False`` immortal (PEP 683), which is
why the bug does not show there.

:func:`apply` probes for the bug once and, only when it is present, gives those singletons a very large
reference count -- what PEP 683 does on 3.12+. It never lowers a count and is a no-op on healthy builds.
The real fix is a PySide6 release without the bug, or Python >= 3.12 (see the GUI engineer's report).
"""
from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40
_state = {"checked": False, "applied": False}


def _probe() -> bool:
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(20):
        obj.setObjectName("vkref-probe")
    return sys.getrefcount(None) < before - 10


def apply() -> bool:
    """Detect the bug once; if present, make ``None``/``True``/``False`` effectively immortal. Returns applied."""
    if _state["checked"]:
        return _state["applied"]
    _state["checked"] = True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not _probe():
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _BOOST
    _state["applied"] = True
    return True
