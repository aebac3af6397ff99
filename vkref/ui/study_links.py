"""Records > Studies of this finding…: which primary studies the finding in the detail pane rests on.

A dialog lists every study (label, first author, how many findings rest on it) with a check box each, the
finding's own studies checked and listed first; a filter box narrows the list by label or first author. OK links
the newly checked studies and unlinks the unchecked ones in one undoable batch each way (``Library.link_studies``
/ ``unlink_studies``), off the GUI thread, then the window refreshes as after every write.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMessageBox, QVBoxLayout)

from vkref.ui.operation import Operation


def install(window, menu) -> "StudyLinks":
    links = StudyLinks(window)
    links.action = window.action(menu, "Studies of this &finding…", links.open, None, "actionStudyLinks")
    menu.aboutToShow.connect(links.update_action)
    window.table.menu_hooks.append(links.add_row_action)
    return links


class StudyLinks:
    def __init__(self, window):
        self.window = window
        self.library = window.library
        self.dialog: StudyLinkDialog | None = None
        self.operation = None
        self.action = None

    def _finding(self, key: str | None = None) -> str | None:
        kind, _, rid = (key or self.window.detail.key or "").partition(":")
        return rid if kind == "finding" else None

    def update_action(self) -> None:
        if self.action is not None:
            self.action.setEnabled(self._finding() is not None)

    def add_row_action(self, menu, row) -> None:
        if row.kind == "finding":
            menu.addAction("Studies of this finding…", lambda: self.open(row.key))

    def open(self, key: str | None = None) -> "StudyLinkDialog | None":
        fid = self._finding(key)
        if fid is None:
            return None
        finding = self.library.get_finding(fid)
        self.dialog = StudyLinkDialog(fid, finding.studies, self.library.studies(), self.window)
        self.dialog.accepted.connect(lambda: self._save(fid, finding.studies, self.dialog.checked()))
        self.dialog.open()
        return self.dialog

    def _save(self, fid: str, before: list[str], after: list[str]) -> None:
        added = [s for s in after if s not in before]
        dropped = [s for s in before if s not in after]
        if not added and not dropped:
            return

        def job(_progress, _cancel):
            if added:
                self.library.link_studies(fid, added, who="user")
            if dropped:
                self.library.unlink_studies(fid, dropped, who="user")
            return fid

        self.operation = Operation(job, self.window)
        self.operation.finished.connect(lambda _r: self.window.librarian.written(f"Studies of {fid} saved"))
        self.operation.failed.connect(lambda message, known: known and QMessageBox.warning(self.window, "vkref",
                                                                                          message))
        self.operation.start()


class StudyLinkDialog(QDialog):
    def __init__(self, finding_id: str, linked: list[str], studies: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Studies of {finding_id}")
        self.setObjectName("studyLinkDialog")
        self.resize(560, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"The primary studies finding {finding_id} rests on (none: the review's own "
                                "synthesis)", self, wordWrap=True))
        self.filter = QLineEdit(self, placeholderText="Filter by label or first author", objectName="studyFilter")
        self.filter.setAccessibleName("Filter studies")
        self.filter.textChanged.connect(self._filter)
        layout.addWidget(self.filter)
        self.list = QListWidget(self, objectName="studyList")
        self.list.setAccessibleName("Studies")
        order = sorted(studies, key=lambda s: (s["id"] not in linked, s["label"].casefold()))
        for s in order:
            who = f" · {s['first_author']}" if s.get("first_author") else ""
            item = QListWidgetItem(f"{s['label']}{who} · {s['findings']} finding{'s' if s['findings'] != 1 else ''}")
            item.setData(Qt.ItemDataRole.UserRole, s["id"])
            item.setData(Qt.ItemDataRole.UserRole + 1, f"{s['label']} {s.get('first_author') or ''}".casefold())
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if s["id"] in linked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        layout.addWidget(self.list)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        for n in range(self.list.count()):
            item = self.list.item(n)
            item.setHidden(not all(w in item.data(Qt.ItemDataRole.UserRole + 1) for w in words))

    def item_of(self, study_id: str) -> QListWidgetItem | None:
        for n in range(self.list.count()):
            if self.list.item(n).data(Qt.ItemDataRole.UserRole) == study_id:
                return self.list.item(n)
        return None

    def checked(self) -> list[str]:
        return [self.list.item(n).data(Qt.ItemDataRole.UserRole) for n in range(self.list.count())
                if self.list.item(n).checkState() == Qt.CheckState.Checked]
