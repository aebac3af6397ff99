"""The Results, Matrix and Answer tabs of the main window: :class:`EvidenceTabs`.

:class:`EvidenceTabs` wraps the results stack of the main window in a QTabWidget: Results, the Matrix tab
(:mod:`vkref.ui.matrix_view`) and the Answer tab (:mod:`vkref.ui.answer_view`). It hands each search result to
both views (each recomputes off the GUI thread only while it is the current tab), adds their View menu items
(Ctrl+4, Ctrl+5) and passes on a change of theme.
"""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from vkref.ui.answer_view import AnswerView
from vkref.ui.matrix_view import MatrixView


class EvidenceTabs:
    """The Results, Matrix and Answer tabs of the main window (built around its results stack)."""

    def __init__(self, window):
        self.window = window
        self.tabs = QTabWidget(window)
        self.tabs.setObjectName("resultTabs")
        self.tabs.setDocumentMode(True)
        self.matrix = MatrixView(window, self.tabs)
        self.answer = AnswerView(window, self.tabs)
        self.tabs.addTab(window.stack, "Results")
        self.tabs.addTab(self.matrix, "Matrix")
        self.tabs.addTab(self.answer, "Answer")
        self.tabs.setTabToolTip(1, "Findings counted by two facets over this search (Ctrl+4)")
        self.tabs.setTabToolTip(2, "What the library says on this question, human evidence first (Ctrl+5)")

    def add_view_actions(self, menu) -> None:
        w = self.window
        w.action(menu, "&Matrix", lambda: self.tabs.setCurrentWidget(self.matrix), "Ctrl+4", "actionMatrix")
        w.action(menu, "&Answer card", lambda: self.tabs.setCurrentWidget(self.answer), "Ctrl+5", "actionAnswer")

    def result_arrived(self, request) -> None:
        self.matrix.result_arrived(request)
        self.answer.result_arrived(request)

    def show_results(self) -> None:
        self.tabs.setCurrentWidget(self.window.stack)

    def set_dark(self, dark: bool) -> None:
        self.matrix.grid.update()
        self.answer.set_dark(dark)
