"""The Records menu and the record actions of the window: New review…, New finding…, Edit record…, Duplicate finding,
Move to trash, Trash…, History…; the same on the results' context menu and as buttons on the detail pane.

The record acted on is the one the detail pane shows (``window.detail.key``). Forms and lists are dialogs
(:mod:`vkref.ui.finding_form`, :mod:`vkref.ui.review_form`, :mod:`vkref.ui.record_dialogs`); every write runs
through an :class:`~vkref.ui.operation.Operation` and then refreshes the window as the librarian's writes do
(facets, undo labels, the search again), so an edit is searchable and counted at once. A record created or edited
is shown in the detail pane afterwards; a new one the current search does not find is shown among its review's
records (the query is cleared and the review set as the filter). ``written(message)`` is emitted after each
refresh request.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton

from vkref.ui.finding_form import FindingForm
from vkref.ui.operation import Operation
from vkref.ui.record_dialogs import HistoryDialog, TrashDialog
from vkref.ui.review_form import ReviewForm



def install(window, menu) -> "Records":
    """The Records menu in ``menu``, the results' context-menu actions and the detail pane's buttons."""
    records = Records(window)
    records.add_actions(menu)
    window.table.menu_hooks.append(records.add_row_actions)
    records.add_detail_buttons(window.detail)
    return records


class Records(QObject):
    written = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.dialog = None
        self.operation = None
        self._show_after: str | None = None  # the record to show after the search that follows a write
        self._created = self._refiltered = False
        window.resultsShown.connect(self._reopen)

    # ------------------------------------------------------------------ actions
    def add_actions(self, menu) -> None:
        w = self.window
        self.new_review_action = w.action(menu, "New re&view…", self.new_review, "Ctrl+Shift+N",
                                           "actionNewReview")
        self.new_action = w.action(menu, "&New finding…", self.new_finding, "Ctrl+N", "actionNewFinding")
        self.edit_action = w.action(menu, "&Edit record…", self.edit_record, "F2", "actionEditRecord")
        self.duplicate_action = w.action(menu, "&Duplicate finding", self.duplicate, "Ctrl+D", "actionDuplicate")
        self.trash_action = w.action(menu, "Move to &trash", self.trash, "Ctrl+Delete", "actionTrash")
        menu.addSeparator()
        self.trash_list_action = w.action(menu, "Tr&ash…", self.open_trash, None, "actionTrashList")
        self.history_action = w.action(menu, "&History…", self.open_history, "Ctrl+H", "actionHistory")
        menu.aboutToShow.connect(self.update_actions)
        self.update_actions()

    def add_row_actions(self, menu, row) -> None:
        """Record actions on the results' context menu (the row is selected and shown in the detail pane)."""
        menu.addSeparator()
        menu.addAction("Edit…", lambda: self.edit_record(row.key))
        if row.kind == "finding":
            menu.addAction("Duplicate finding", lambda: self.duplicate(row.key))
            menu.addAction("Move to trash", lambda: self.trash(row.key))
            flagged = row.status_label == "Retracted source"
            menu.addAction("Remove the retracted-study flag" if flagged else "Flag: rests on a retracted study",
                           lambda: self.flag(row.key, not flagged))
        else:
            menu.addAction("New finding…", lambda: self.new_finding(row.key))
        menu.addAction("History…", lambda: self.open_history(row.key))

    def add_detail_buttons(self, detail) -> None:
        self.buttons = {}
        for text, slot, name in (("New finding…", self.new_finding, "detailNewFinding"),
                                 ("Edit…", self.edit_record, "detailEdit"),
                                 ("History…", self.open_history, "detailHistory")):
            button = QPushButton(text, detail, objectName=name)
            button.clicked.connect(lambda _c=False, s=slot: s())
            detail.toolbar.insertWidget(detail.toolbar.count() - 1, button)
            self.buttons[name] = button
        self.window.resultsShown.connect(lambda _g: self.update_actions())
        self.window.table.selectionModel().currentRowChanged.connect(lambda *_: self.update_actions())

    def update_actions(self) -> None:
        kind, rid = self._current()
        busy = self.operation is not None and self.operation.running
        for action, ok in ((self.new_action, bool(rid)), (self.edit_action, bool(rid)),
                           (self.duplicate_action, kind == "finding"), (self.trash_action, kind == "finding"),
                           (self.history_action, bool(rid))):
            action.setEnabled(ok and not busy)
        for button in getattr(self, "buttons", {}).values():
            button.setEnabled(bool(rid) and not busy)

    def _current(self, key: str | None = None) -> tuple[str, str]:
        kind, _, rid = (key or self.window.detail.key or "").partition(":")
        return kind, rid

    def _review_of(self, kind: str, rid: str) -> str | None:
        if kind == "review":
            return rid
        finding = self.library.get_finding(rid) if rid else None
        return finding.review_id if finding else None

    # ------------------------------------------------------------------ forms
    def new_finding(self, key: str | None = None) -> FindingForm | None:
        review_id = self._review_of(*self._current(key))
        if not review_id:
            return None
        return self._open(FindingForm(self.library, review_id, None, self.window), "finding", "Finding created",
                          created=True)

    def new_review(self) -> ReviewForm:
        return self._open(ReviewForm(self.library, None, self.window), "review", "Review created", created=True)

    def edit_record(self, key: str | None = None):
        kind, rid = self._current(key)
        if kind == "finding" and (finding := self.library.get_finding(rid)) is not None:
            return self._open(FindingForm(self.library, finding.review_id, finding, self.window), "finding",
                              "Finding saved")
        if kind == "review" and (review := self.library.get_review(rid)) is not None:
            return self._open(ReviewForm(self.library, review, self.window), "review", "Review saved")
        return None

    def _open(self, dialog, kind: str, message: str, created: bool = False):
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda result: self._written(message, f"{kind}:{result['id']}", created))
        dialog.open()
        self.dialog = dialog
        return dialog

    def open_history(self, key: str | None = None) -> HistoryDialog | None:
        kind, rid = self._current(key)
        if not rid:
            return None
        return self._list(HistoryDialog(self.library, rid, self.window), f"{kind}:{rid}")

    def open_trash(self) -> TrashDialog:
        return self._list(TrashDialog(self.library, self.window), None)

    def _list(self, dialog, key: str | None):
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.written.connect(lambda message: self._written(message, key))
        dialog.open()
        self.dialog = dialog
        return dialog

    # ------------------------------------------------------------------ one-step writes
    def duplicate(self, key: str | None = None) -> None:
        kind, rid = self._current(key)
        if kind == "finding":
            self._run(lambda: self.library.duplicate_finding(rid, who="user"), "Finding duplicated", "finding",
                      created=True)

    def trash(self, key: str | None = None) -> None:
        kind, rid = self._current(key)
        if kind == "finding":
            self._run(lambda: self.library.trash_finding(rid, who="user"),
                      f"{rid} moved to the trash (Edit > Undo or Records > Trash… brings it back)", None)

    def flag(self, key: str, on: bool) -> None:
        """Flag a finding as resting on a retracted primary study (or take the flag off)."""
        kind, rid = self._current(key)
        if kind == "finding":
            self._run(lambda: self.library.edit(rid, {"source_retracted": "yes" if on else "no"}, who="user"),
                      "Flagged as resting on a retracted study" if on else "Flag removed", "finding")

    def _run(self, job, message: str, kind: str | None, created: bool = False) -> None:
        if self.operation is not None and self.operation.running:
            return
        self.operation = Operation(lambda _p, _c: job(), self)
        self.operation.finished.connect(
            lambda result: self._written(message, f"{kind}:{result['id']}" if kind else None, created))
        self.operation.failed.connect(self._failed)
        self.operation.start()
        self.update_actions()

    def _failed(self, message: str, known: bool) -> None:
        self.update_actions()
        if known:
            QMessageBox.warning(self.window, "vkref", message)

    def _written(self, message: str, key: str | None, created: bool = False) -> None:
        """Refresh as every write does (the librarian's refresh: vocabulary, facets, undo labels, search)."""
        self._show_after, self._created, self._refiltered = key, created, False
        self.window.librarian.written(message)
        self.update_actions()
        self.written.emit(message)

    def _reopen(self, generation: int) -> None:
        """After the (newest) search that follows a write, show the record written (it need not be a result;
        an earlier search's answer would put the previous record back)."""
        key = self._show_after
        if generation != self.window.generation or not key:
            return
        if self._created and self.window.model.row_of(key) < 0 and not self._refiltered:
            self._refiltered = True  # a new record the search does not show: show its review's records
            self._show_review_of(key)
            return
        self._show_after = None
        if self.window.detail.key != key:
            self.window.open_key(key)

    def _show_review_of(self, key: str) -> None:
        kind, rid = self._current(key)
        review_id = self._review_of(kind, rid)
        w = self.window
        w.filters.clear()
        w.search_field.setText("")
        w.add_filter("review", self.library.review_label(review_id or rid))
