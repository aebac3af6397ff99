"""Saving a record form off the GUI thread, with the merge of a save that lost the race.

:class:`MergingSave` is mixed into the finding and review forms (QDialogs with a ``save_button``, a
``_failed(message, known)`` slot and a label the form names in ``_note_label``). A save runs ``_write(fields,
version)`` on a worker (:class:`~vkref.ui.operation.Operation`); when the library refuses it because the record
was saved elsewhere since the form was opened (:class:`~vkref.core.errors.EditConflict`), the conflict dialog
(:mod:`vkref.ui.conflict_dialog`) shows who changed which fields, and Save there writes the chosen fields over
the newer version. ``saved(result)`` is emitted and the form closes once a save went through.
"""
from __future__ import annotations

from vkref.core.errors import EditConflict
from vkref.ui.conflict_dialog import ConflictDialog
from vkref.ui.operation import Operation


class MergingSave:
    operation = None
    conflict = None

    def _note(self, text: str) -> None:
        self._note_label().setText(text)

    def _update_job(self, fields: dict, version: int):
        """The save of an edited record; a save that lost the race returns the library's merge proposal."""
        def job(_progress, _cancelled):
            try:
                return self._write(fields, version)
            except EditConflict as lost:
                return {"conflict": lost.proposal, "message": str(lost)}
        return job

    def _start(self, job) -> None:
        self.operation = Operation(job, self)
        self.operation.finished.connect(self._saved)
        self.operation.failed.connect(self._failed)
        self.save_button.setEnabled(False)
        self._note("Saving…")
        self.operation.start()

    def _saved(self, result) -> None:
        if isinstance(result, dict) and "conflict" in result:
            self._resolve(result["conflict"])
            return
        self.saved.emit(result)
        self.accept()

    def _resolve(self, proposal: dict) -> None:
        """Someone saved this record first: show what changed and let the editor keep their fields or not."""
        self._note("Changed by someone else while you edited it: choose what to keep.")
        self.conflict = ConflictDialog(proposal, self)
        self.conflict.accepted.connect(lambda: self._save_merged(proposal))
        self.conflict.rejected.connect(self.reject)
        self.conflict.open()

    def _save_merged(self, proposal: dict) -> None:
        if proposal["deleted"]:
            self._note(f"{proposal['id']} was deleted meanwhile; nothing was saved.")
            return
        self._start(self._update_job(self.conflict.chosen(), proposal["version"]))
