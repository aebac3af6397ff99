"""Running an evidence tab's computation off the GUI thread, safely for a view that may be closed meanwhile.

:func:`run_job` is what the Matrix and Answer tabs (:mod:`vkref.ui.matrix_view`, :mod:`vkref.ui.answer_view`) use
to compute: an :class:`~vkref.ui.operation.Operation` without a Qt parent, kept alive here until it ends, whose
result or failure reaches the view on the GUI thread only while the view still exists.
"""
from __future__ import annotations

from shiboken6 import isValid

from vkref.ui.operation import Operation

_LIVE: set = set()  # running jobs, kept here so a view closed meanwhile is never called back


def run_job(view, fn, done, failed) -> None:
    """Run ``fn()`` off the GUI thread; call ``done(result)`` or ``failed(message)`` on the GUI thread, unless
    ``view`` was deleted in the meantime (the job has no Qt parent, so its signals outlive the view)."""
    job = Operation(lambda _progress, _cancelled: fn())
    _LIVE.add(job)

    def finish(callback, value) -> None:
        _LIVE.discard(job)
        job.deleteLater()
        if isValid(view):
            callback(value)

    job.finished.connect(lambda result: finish(done, result))
    job.failed.connect(lambda message, _known: finish(failed, message))
    job.start()
