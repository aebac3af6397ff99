"""Sharing a library as one ``.vkref`` file: File > Share library… and File > Open bundle….

:class:`Bundles` is the window's controller (``window.bundles``; :func:`install` adds its two actions to the File
menu). :class:`ShareDialog` picks what to share (the whole library, the current search and filters, or the
reviews carrying a tag), asks where to save, and writes the bundle with a progress bar and Cancel.
:class:`OpenBundleDialog` first checks and merges the bundle as a dry run (nothing written); a refused file
(hostile, damaged, not a bundle) gets its one-line reason and nothing else. Otherwise it shows what would be
added and, when there are conflicts, each conflicting record side by side, field by field, the differing fields
highlighted, with keep mine / take theirs / keep both (the side with the newer ``updated_at`` proposed), plus the
new vocabulary concepts and conflicting labels. Import then merges everything as one undoable batch.

Every check, merge and write runs through :class:`~vkref.ui.operation.Operation`, never on the GUI thread.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar,
                               QRadioButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from vkref.ui.colours import colours
from vkref.ui.operation import Operation

BUNDLE_FILTER = "vkref bundles (*.vkref);;All files (*)"
CHOICES = (("mine", "Keep &mine"), ("theirs", "Take &theirs"), ("both", "Keep &both"))
CHOICE_TEXT = {"mine": "keep mine", "theirs": "take theirs", "both": "keep both"}
CELL_CHARS = 400


def install(window, menu) -> "Bundles":
    """Add "Share library…" and "Open bundle…" to ``menu``; the controller is ``window.bundles``."""
    window.bundles = Bundles(window)
    window.bundles.add_actions(menu)
    return window.bundles


def show(value) -> str:
    """One field value as text for the side-by-side table."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and "family" in value[0]:
            return "; ".join(" ".join(x for x in (a.get("family"), a.get("given")) if x) for a in value)
        return "; ".join(show(v) for v in value)
    return str(value)


def title_of(conflict: dict) -> str:
    fields = (conflict.get("records") or {}).get("mine") or {}
    return str(fields.get("title") or fields.get("statement") or fields.get("label") or "")


def _table(headers, parent, name) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    return table


class Bundles(QObject):
    """The window's two bundle actions and the dialogs they open (``dialog`` is the last one)."""

    shared = Signal(str)
    imported = Signal(object)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.dialog = None
        self.picker = None

    def add_actions(self, menu) -> None:
        w = self.window
        self.share_action = w.action(menu, "&Share library…", self.share, None, "actionShareLibrary")
        self.open_action = w.action(menu, "Open &bundle…", self.choose_bundle, None, "actionOpenBundle")
        menu.addSeparator()

    # ------------------------------------------------------------------ share
    def share(self) -> "ShareDialog":
        self.dialog = ShareDialog(self.library, self.window.request, self.window)
        self.dialog.saved.connect(self._shared)
        self.dialog.open()
        return self.dialog

    def _shared(self, path: str, manifest: dict) -> None:
        c = manifest["counts"]
        self.window.statusBar().showMessage(f"Shared {c['reviews']} reviews and {c['findings']} findings as {path}",
                                            6000)
        self.shared.emit(path)

    # ------------------------------------------------------------------ open
    def choose_bundle(self) -> QFileDialog:
        picker = QFileDialog(self.window, "Open bundle", "", BUNDLE_FILTER)
        picker.setObjectName("bundlePicker")
        picker.setFileMode(QFileDialog.FileMode.ExistingFile)
        picker.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        picker.fileSelected.connect(self.open_bundle)
        picker.open()
        self.picker = picker
        return picker

    def open_bundle(self, path: str) -> "OpenBundleDialog":
        self.dialog = OpenBundleDialog(self.library, str(path), self.window)
        self.dialog.imported.connect(self._imported)
        self.dialog.open()
        return self.dialog

    def _imported(self, report: dict) -> None:
        self.window.librarian.written(f"Bundle {Path(self.dialog.path).name} merged")
        self.imported.emit(report)


class ShareDialog(QDialog):
    """What to share, where, then the bundle written off the GUI thread with progress and Cancel."""

    saved = Signal(str, object)  # path, manifest
    stopped = Signal(str)

    def __init__(self, library, request, parent=None):
        super().__init__(parent)
        self.library, self.request = library, request
        self.operation: Operation | None = None
        self.picker = None
        self.setWindowTitle("Share library")
        self.setObjectName("shareDialog")
        self.setMinimumWidth(520)
        form = QFormLayout(self)
        intro = QLabel("Write one .vkref file a colleague can open in vkref: the reviews with all their findings, "
                       "full texts, the vocabulary and provenance.", self)
        intro.setWordWrap(True)
        form.addRow(intro)
        self.scope = QComboBox(self, objectName="shareScope")
        r = request
        searching = r is not None and bool(r.query or r.filters or r.exclude or r.year_from or r.year_to)
        self.scope.addItem("The whole library", "all")
        self.scope.addItem("The current search and filters", "search")
        self.scope.addItem("The reviews with a tag", "tag")
        self.tags = library.tags()
        self.scope.model().item(1).setEnabled(searching)
        self.scope.model().item(2).setEnabled(bool(self.tags))
        form.addRow("&Share:", self.scope)
        self.tag = QComboBox(self, objectName="shareTag")
        self.tag.addItems(self.tags)
        self.tag.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.tag.setMinimumContentsLength(30)
        self.tag.setAccessibleName("Tag to share")
        form.addRow("&Tag:", self.tag)
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self._scope_changed()
        self.progress = QProgressBar(self, objectName="shareProgress")
        self.progress.setAccessibleName("Sharing progress")
        self.progress.hide()
        form.addRow(self.progress)
        self.status = QLabel("", self, objectName="shareStatus")
        self.status.setWordWrap(True)
        form.addRow(self.status)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("&Save…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.clicked.connect(self.choose_file)
        self.cancel_button.clicked.connect(self.cancel)
        form.addRow(self.buttons)

    def _scope_changed(self) -> None:
        self.tag.setEnabled(self.scope.currentData() == "tag")

    def arguments(self) -> dict:
        """The keyword arguments of ``Library.export_bundle`` for the choices made."""
        scope, r = self.scope.currentData(), self.request
        if scope == "tag" and self.tag.currentText():
            return {"tag": self.tag.currentText()}
        if scope == "search" and r is not None:
            return {"query": r.query, "filters": r.filters or None, "exclude": r.exclude or None}
        return {}

    def suggested_name(self) -> str:
        args = self.arguments()
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in args["tag"]) if "tag" in args else \
            "search" if "query" in args else "library"
        return f"vkref-{stem}.vkref"

    def choose_file(self) -> QFileDialog:
        picker = QFileDialog(self, "Save bundle", self.suggested_name(), BUNDLE_FILTER)
        picker.setObjectName("sharePicker")
        picker.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        picker.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        picker.setDefaultSuffix("vkref")
        picker.fileSelected.connect(self.save)
        picker.open()
        self.picker = picker
        return picker

    def save(self, path: str) -> None:
        lib, args = self.library, self.arguments()
        self.save_button.setEnabled(False)
        self.scope.setEnabled(False)
        self.tag.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(f"Writing {Path(path).name}…")
        self.operation = op = Operation(
            lambda progress, cancelled: (path, lib.export_bundle(path, progress=progress, cancel=cancelled, **args)),
            self)
        op.progress.connect(self._progress)
        op.finished.connect(self._saved)
        op.failed.connect(self._failed)
        op.start()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _saved(self, result) -> None:
        path, manifest = result
        self.saved.emit(path, manifest)
        self.accept()

    def _failed(self, message: str, _known: bool) -> None:
        self.progress.hide()
        self.save_button.setEnabled(True)
        self.scope.setEnabled(True)
        self._scope_changed()
        self.status.setText(message)
        self.stopped.emit(message)

    def cancel(self) -> None:
        self.reject()

    def reject(self) -> None:
        """Cancel, Escape or the title bar: stop a running export (no file is written), else close."""
        if self.operation is not None and self.operation.running:
            self.operation.cancel()
            self.status.setText("Cancelling…")
            return
        super().reject()


class OpenBundleDialog(QDialog):
    """Check (a dry run), review the conflicts, merge as one batch."""

    previewShown = Signal()
    refused = Signal(str)  # the one-line reason a file was refused (nothing was changed)
    imported = Signal(object)  # the merge report
    stopped = Signal(str)

    def __init__(self, library, path: str, parent=None):
        super().__init__(parent)
        self.library, self.path = library, path
        self.report: dict | None = None
        self.choices: dict[str, str] = {}
        self.operation: Operation | None = None
        self.dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self.setWindowTitle(f"Open bundle: {Path(path).name}")
        self.setObjectName("openBundleDialog")
        self.resize(640, 180)
        self._build()
        self.check()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.summary = QLabel(f"Checking {Path(self.path).name}…", self, objectName="bundleSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.review_box = QGroupBox("Conflicts: the same record changed here and in the bundle", self)
        box = QVBoxLayout(self.review_box)
        split = QSplitter(Qt.Orientation.Horizontal, self.review_box)
        self.conflicts = _table(("Record", "Kind", "Title", "Newer", "Choice"), split, "bundleConflicts")
        self.conflicts.setAccessibleName("Conflicting records")
        header = self.conflicts.horizontalHeader()
        header.setStretchLastSection(False)
        for col in (0, 1, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.conflicts.currentCellChanged.connect(lambda row, *_: self._show_conflict(row))
        split.addWidget(self.conflicts)
        split.addWidget(self._side_by_side(split))
        split.setSizes([440, 560])
        box.addWidget(split)
        layout.addWidget(self.review_box, 1)
        self.review_box.hide()
        self.vocabulary = QLabel("", self, objectName="bundleVocabulary")
        self.vocabulary.setWordWrap(True)
        self.vocabulary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.vocabulary.hide()
        layout.addWidget(self.vocabulary)
        layout.addStretch(0)
        row = QHBoxLayout()
        self.status = QLabel("", self, objectName="bundleStatus")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        self.progress = QProgressBar(self, objectName="bundleProgress")
        self.progress.setAccessibleName("Bundle progress")
        row.addWidget(self.progress)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("bundleImport")
        self.import_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.run_import)
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.buttons)

    def _side_by_side(self, parent) -> QWidget:
        pane = QWidget(parent)
        column = QVBoxLayout(pane)
        column.setContentsMargins(0, 0, 0, 0)
        self.record_label = QLabel("", pane, objectName="bundleRecord")
        self.record_label.setWordWrap(True)
        column.addWidget(self.record_label)
        self.fields = _table(("Field", "In this library", "In the bundle"), pane, "bundleFields")
        self.fields.setAccessibleName("Fields of the conflicting record, side by side")
        self.fields.setWordWrap(True)
        self.fields.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.fields.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.fields.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.fields.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.fields, 1)
        choose = QHBoxLayout()
        self.choice_group = QButtonGroup(pane)
        self.choice_buttons: dict[str, QRadioButton] = {}
        for key, text in CHOICES:
            button = QRadioButton(text, pane, objectName=f"choose_{key}")
            self.choice_group.addButton(button)
            self.choice_buttons[key] = button
            button.toggled.connect(lambda on, k=key: on and self._choose(k))
            choose.addWidget(button)
        choose.addStretch(1)
        column.addLayout(choose)
        return pane

    # ------------------------------------------------------------------ stages
    def _start(self, fn, done) -> None:
        op = self.operation = Operation(fn, self)
        op.progress.connect(self._progress)
        op.finished.connect(done)
        op.failed.connect(self._failed)
        self.progress.setValue(0)
        self.progress.show()
        op.start()

    def check(self) -> None:
        """The dry run: the archive checked, the merge planned, nothing written."""
        lib, path = self.library, self.path
        self._start(lambda progress, cancelled: lib.import_bundle(path, dry_run=True, details=True,
                                                                  progress=progress, cancel=cancelled),
                    self._show_preview)

    def _show_preview(self, report: dict) -> None:
        self.report = report
        self.progress.hide()
        conflicts = report["conflicts"]
        self.choices = {c["id"]: c["proposed"] for c in conflicts}
        b = report.get("bundle") or {}
        made = ", ".join(x for x in (f"made by {b['created_by']}" if b.get("created_by") else "",
                                     f"on {b['created_at'][:10]}" if b.get("created_at") else "",
                                     f"with vkref {b['vkref_version']}" if b.get("vkref_version") else "") if x)
        lines = [f"<b>{Path(self.path).name}</b>" + (f" ({made})" if made else "")]
        for kind in ("reviews", "findings", "concepts"):
            c = report[kind]
            lines.append(f"{kind.capitalize()}: {c['added']} new, {c['unchanged']} already here, "
                         f"{c['conflicts']} in conflict")
        self.summary.setText("<br>".join(lines))
        self._fill_conflicts(conflicts)
        self.review_box.setVisible(bool(conflicts))
        if conflicts:
            self.resize(max(self.width(), 1000), max(self.height(), 660))
        self._show_vocabulary(report)
        new = sum(report[k]["added"] for k in ("reviews", "findings", "concepts"))
        if conflicts:
            self.status.setText(f"{len(conflicts)} conflicts: choose for each record (the side changed last is "
                                "proposed). Nothing is written until you press Import; Undo takes it all back.")
        elif new:
            self.status.setText("No conflicts. Nothing is written until you press Import; Undo takes it all back.")
        else:
            self.status.setText("Everything in this bundle is already in the library: nothing to import.")
        self.import_button.setEnabled(bool(new or conflicts))
        if conflicts:
            self.conflicts.setCurrentCell(0, 0)
        self.previewShown.emit()

    def _fill_conflicts(self, conflicts: list[dict]) -> None:
        self.conflicts.setRowCount(len(conflicts))
        for row, c in enumerate(conflicts):
            newer = {"theirs": "bundle", "mine": "here"}[c["proposed"]] if c["kind"] != "concept" else ""
            for col, text in enumerate((c["id"], c["kind"], title_of(c), newer, CHOICE_TEXT[self.choices[c["id"]]])):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.conflicts.setItem(row, col, item)

    def _show_vocabulary(self, report: dict) -> None:
        new = report.get("new_concepts") or []
        labels = [c for c in report["conflicts"] if c["kind"] == "concept"]
        parts = []
        if new:
            shown = ", ".join(f"{c['label']} ({c['facet']})" for c in new[:12])
            parts.append(f"<b>New vocabulary concepts ({len(new)}):</b> {shown}" + (" …" if len(new) > 12 else ""))
        if labels:
            shown = "; ".join(f"{c['id']}: " + ", ".join(f"{k} “{show(v['mine'])}” here, “{show(v['theirs'])}” in "
                                                          "the bundle" for k, v in c["fields"].items())
                              for c in labels[:8])
            parts.append(f"<b>Conflicting concepts ({len(labels)}):</b> {shown}" + (" …" if len(labels) > 8 else ""))
        self.vocabulary.setText("<br>".join(parts))
        self.vocabulary.setVisible(bool(parts))

    def _show_conflict(self, row: int) -> None:
        if self.report is None or not 0 <= row < len(self.report["conflicts"]):
            return
        c = self.report["conflicts"][row]
        mine, theirs = c["records"]["mine"], c["records"]["theirs"]
        when = ""
        if c["kind"] != "concept":
            here, there = ((c.get(k) or "at an unknown time").replace("T", " ")
                           for k in ("local_updated_at", "bundle_updated_at"))
            when = f" — changed here {here}, in the bundle {there}; proposed: {CHOICE_TEXT[c['proposed']]}"
        self.record_label.setText(f"<b>{c['kind'].capitalize()} {c['id']}</b>{when}")
        palette = colours(self.dark)
        mark = QBrush(QColor(palette["mark"]))
        names = [k for k in mine if k in c["fields"]] + [k for k in mine if k not in c["fields"]]
        names += [k for k in theirs if k not in mine]
        self.fields.setRowCount(len(names))
        bold = QFont(self.fields.font())
        bold.setBold(True)
        for r, name in enumerate(names):
            differs = name in c["fields"]
            for col, text in enumerate((name, show(mine.get(name)), show(theirs.get(name)))):
                item = QTableWidgetItem(text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 1] + "…")
                item.setToolTip(text[:2000])
                if differs:
                    item.setBackground(mark)
                    item.setForeground(QBrush(QColor(palette["text"])))
                    item.setFont(bold)
                self.fields.setItem(r, col, item)
        self.fields.resizeRowsToContents()
        self.choice_buttons["both"].setEnabled(c["kind"] != "concept")
        button = self.choice_buttons[self.choices[c["id"]]]
        button.blockSignals(True)
        button.setChecked(True)
        button.blockSignals(False)

    def _choose(self, key: str) -> None:
        row = self.conflicts.currentRow()
        if self.report is None or not 0 <= row < len(self.report["conflicts"]):
            return
        self.choices[self.report["conflicts"][row]["id"]] = key
        self.conflicts.item(row, 4).setText(CHOICE_TEXT[key])

    def run_import(self) -> None:
        self.import_button.setEnabled(False)
        self.review_box.setEnabled(False)
        self.status.setText("Importing…")
        lib, path, choices = self.library, self.path, dict(self.choices)
        self._start(lambda progress, cancelled: lib.import_bundle(path, resolutions=choices, who="user",
                                                                  progress=progress, cancel=cancelled),
                    self._show_result)

    def _show_result(self, report: dict) -> None:
        self.report = {**report, "dry_run": False}
        self.progress.hide()
        r, f, c = report["reviews"], report["findings"], report["concepts"]
        self.status.setText(f"Imported {r['added']} reviews, {f['added']} findings and {c['added']} concepts; "
                            f"{r['taken'] + f['taken'] + c['taken']} records taken from the bundle, "
                            f"{r['kept_both'] + f['kept_both']} kept as both. Edit > Undo takes it back.")
        self.cancel_button.hide()
        self.import_button.hide()
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("bundleClose")
        close.clicked.connect(self.accept)
        close.setFocus(Qt.FocusReason.OtherFocusReason)
        self.imported.emit(report)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _failed(self, message: str, known: bool) -> None:
        self.progress.hide()
        if self.report is None:  # the check itself failed: the file is refused
            self.summary.setText(f"<b>{Path(self.path).name} was not opened; nothing was changed.</b>")
            self.status.setText(message)
            self.status.setStyleSheet(f"color: {colours(self.dark)['error']};")
            self.cancel_button.setText("Close")
            self.import_button.hide()
            self.refused.emit(message)
            return
        self.review_box.setEnabled(True)
        self.import_button.setEnabled(True)
        self.status.setText(message)
        self.stopped.emit(message)

    def cancel(self) -> None:
        self.reject()

    def reject(self) -> None:
        """Cancel, Escape or the title bar: a running import is stopped (nothing is written) and the dialog stays
        to say so; a running check is simply abandoned (it writes nothing); otherwise the dialog closes."""
        if self.operation is not None and self.operation.running:
            self.operation.cancel()
            if self.report is not None:  # importing
                self.status.setText("Cancelling…")
                return
        super().reject()
