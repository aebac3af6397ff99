"""What the two bundle dialogs and their controller share: the pickers' file filter and the progress bar update.

Nothing here holds state. The controller is :mod:`vkref.ui.bundle_dialogs`, the dialogs
:mod:`vkref.ui.share_dialog` and :mod:`vkref.ui.open_bundle_dialog`.
"""
from __future__ import annotations

from PySide6.QtWidgets import QProgressBar

BUNDLE_FILTER = "vkref bundles (*.vkref);;All files (*)"


def show_progress(bar: QProgressBar, done: int, total: int) -> None:
    """An operation's progress (``done`` of ``total`` steps) on ``bar``."""
    bar.setMaximum(max(total, 1))
    bar.setValue(min(done, max(total, 1)))
