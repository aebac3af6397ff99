"""Curating in the window, driven by keys and clicks: edit a finding's species (the facet counts follow, Undo puts
them back, History still lists the change after a restart), a new finding with an unknown concept (inline
message, nothing saved), a review marked retracted (the banner in the detail and in ``vkref search --json``),
duplicate, trash and restore, revert one change."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QPushButton

from tests.gui.conftest import make_window, search
from vkref.library import Library

FINDING = "kjm-006"  # an animal study coded Rat
REVIEW = "iwamoto-2006-cds"


def open_window(qtbot, library, settings, query: str):
    w = make_window(qtbot, library, settings)
    with qtbot.waitSignal(w.resultsShown, timeout=10000):
        w.search_now()
    w.show()
    qtbot.waitExposed(w)
    search(qtbot, w, query)
    activate(qtbot, w)
    return w


def activate(qtbot, w) -> None:
    """The window in front, as after a click on it (offscreen, a closed dialog does not give it back)."""
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)


def select(qtbot, w, key: str) -> None:
    """Click the row of ``key`` (the detail pane follows)."""
    row = w.model.row_of(key)
    assert row >= 0, f"{key} is not among the results"
    rect = w.table.visualRect(w.model.index(row, 1))
    qtbot.mouseClick(w.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: w.detail.key == key, timeout=5000)


def count(w, facet: str, label: str) -> int:
    model = w.facets.model
    return model.node(model.index_of(facet, label)).count


def retype(qtbot, field, text: str) -> None:
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def save(qtbot, w, form) -> None:
    with qtbot.waitSignal(w.records.written, timeout=20000), qtbot.waitSignal(w.resultsShown, timeout=20000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)


def test_change_species_counts_follow_undo_restores_history_survives_restart(qtbot, writable_library, settings):
    lib = writable_library
    w = open_window(qtbot, lib, settings, "ovariectomized rats vitamin D3")
    rats, mice = count(w, "species", "Rat"), count(w, "species", "Mouse")
    select(qtbot, w, f"finding:{FINDING}")
    w.table.setFocus()
    qtbot.keyClick(w.table, Qt.Key.Key_F2)
    form = w.records.dialog
    qtbot.waitUntil(lambda: form.isVisible(), timeout=5000)
    retype(qtbot, form.concepts["species"], "mice")  # a synonym of Mouse
    assert form.save_button.isEnabled()
    save(qtbot, w, form)
    assert lib.get_finding(FINDING).concepts["species"] == ["mouse"]
    assert (count(w, "species", "Rat"), count(w, "species", "Mouse")) == (rats - 1, mice + 1)
    activate(qtbot, w)  # the form has closed
    w.table.setFocus()
    with qtbot.waitSignal(w.librarian.changed, timeout=20000), qtbot.waitSignal(w.resultsShown, timeout=20000):
        qtbot.keyClick(w.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert lib.get_finding(FINDING).concepts["species"] == ["rat"]
    assert (count(w, "species", "Rat"), count(w, "species", "Mouse")) == (rats, mice)
    path = lib.path
    w.close()
    lib.close()
    with Library.open(path) as again:  # a restart: the history is in the database
        w2 = open_window(qtbot, again, settings, "ovariectomized rats vitamin D3")
        select(qtbot, w2, f"finding:{FINDING}")
        qtbot.keyClick(w2.table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
        panel = w2.records.dialog
        qtbot.waitUntil(lambda: panel.isVisible(), timeout=5000)
        rows = [[panel.table.item(r, c).text() for c in range(5)] for r in range(panel.table.rowCount())]
        assert ["species", "Rat", "Mouse"] in [r[2:] for r in rows]  # the edit
        assert ["species", "Mouse", "Rat"] in [r[2:] for r in rows]  # its undo
        panel.close()
        w2.close()


def test_a_new_finding_with_an_unknown_concept_is_not_saved(qtbot, writable_library, settings):
    lib = writable_library
    w = open_window(qtbot, lib, settings, "raloxifene vertebral")
    select(qtbot, w, "finding:cds-001")
    before = len(lib.findings_of(REVIEW)), len(lib.batches())
    qtbot.keyClick(w.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = w.records.dialog
    qtbot.waitUntil(lambda: form.isVisible(), timeout=5000)
    qtbot.keyClicks(form.statement, "Menatetrenone with a bisphosphonate prevented more fractures.")
    retype(qtbot, form.concepts["agent"], "menatetrenone; unobtainium")
    retype(qtbot, form.concepts["species"], "Human")
    error = form.errors["agent"]
    assert error.isVisible() and "unobtainium" in error.text()
    assert not form.save_button.isEnabled()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(form.concepts["agent"], Qt.Key.Key_Return)
    assert (len(lib.findings_of(REVIEW)), len(lib.batches())) == before  # nothing saved
    retype(qtbot, form.concepts["evidence"], "animal study")
    assert "animal study" in form.errors["species"].text()  # species and evidence contradict each other
    retype(qtbot, form.concepts["evidence"], "clinical study")
    retype(qtbot, form.concepts["agent"], "menatetrenone; alendronate")
    assert not error.isVisible() and form.save_button.isEnabled()
    save(qtbot, w, form)
    assert len(lib.findings_of(REVIEW)) == before[0] + 1
    new = lib.findings_of(REVIEW)[-1]
    wanted = {lib.vocabulary.resolve("agent", name).id for name in ("menatetrenone", "alendronate")}
    assert set(new.concepts["agent"]) == wanted
    qtbot.waitUntil(lambda: w.detail.key == f"finding:{new.id}", timeout=5000)


def test_a_retracted_review_shows_its_banner_in_the_detail_and_the_json(qtbot, writable_library, settings):
    lib = writable_library
    w = open_window(qtbot, lib, settings, "raloxifene vertebral")
    select(qtbot, w, "finding:cds-001")
    assert "RETRACTED" not in w.detail.plain_text()
    w.open_key(f"review:{REVIEW}")
    qtbot.keyClick(w.table, Qt.Key.Key_F2)
    form = w.records.dialog
    qtbot.waitUntil(lambda: form.isVisible(), timeout=5000)
    form.status.setFocus()
    qtbot.keyClicks(form.status, "Retr")
    assert form.status.currentData() == "retracted"
    qtbot.keyClicks(form.status_date, "2024-05")
    qtbot.keyClicks(form.status_note, "data integrity concerns")
    save(qtbot, w, form)
    assert lib.get_review(REVIEW).status == "retracted"
    select(qtbot, w, "finding:cds-001")
    assert "RETRACTED 2024-05: data integrity concerns" in w.detail.plain_text()
    row = w.model.row_data(w.model.row_of("finding:cds-001"))
    assert w.model.data(w.model.index(w.model.row_of("finding:cds-001"), 1)).startswith("[Retracted]")
    assert "[RETRACTED 2024-05" in row.citation
    env = dict(os.environ, VKREF_HOME=str(lib.path))
    out = subprocess.run([sys.executable, "-m", "vkref", "--library", str(lib.path), "search", "raloxifene",
                          "--filter", f"review={REVIEW}", "--json"], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)["hits"]
    assert hits and all(h["status"]["kind"] == "retracted" for h in hits)


def test_duplicate_trash_restore_and_revert_from_the_window(qtbot, writable_library, settings):
    lib = writable_library
    w = open_window(qtbot, lib, settings, "raloxifene vertebral")
    select(qtbot, w, "finding:cds-001")
    w.table.setFocus()
    with qtbot.waitSignal(w.records.written, timeout=20000):
        qtbot.keyClick(w.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    copies = [f for f in lib.findings_of(REVIEW) if f.statement == lib.get_finding("cds-001").statement]
    copy = next(f.id for f in copies if f.id != "cds-001")
    qtbot.waitUntil(lambda: w.detail.key == f"finding:{copy}", timeout=10000)
    search(qtbot, w, "raloxifene vertebral")
    rect = w.table.visualRect(w.model.index(w.model.row_of(f"finding:{copy}"), 1))
    qtbot.mouseClick(w.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    w.table.customContextMenuRequested.emit(rect.center())  # what a right click sends (offscreen has no menu key)
    menu = next(m for m in QApplication.topLevelWidgets() if m.objectName() == "rowMenu" and m.isVisible())
    trash = next(a for a in menu.actions() if a.text() == "Move to trash")
    with qtbot.waitSignal(w.records.written, timeout=20000):
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(trash).center())
    assert lib.get_finding(copy) is None
    w.records.trash_list_action.trigger()
    trash = w.records.dialog
    qtbot.waitUntil(lambda: trash.isVisible() and trash.table.rowCount() == 1, timeout=5000)
    qtbot.mouseClick(trash.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=trash.table.visualRect(trash.table.model().index(0, 0)).center())
    with qtbot.waitSignal(trash.written, timeout=20000):
        qtbot.mouseClick(trash.action, Qt.MouseButton.LeftButton)
    assert lib.get_finding(copy) is not None and trash.table.rowCount() == 0
    trash.close()
    lib.edit("cds-001", {"dose": "45 mg/day"})
    select(qtbot, w, "finding:cds-001")
    w.records.history_action.trigger()
    panel = w.records.dialog
    qtbot.waitUntil(lambda: panel.isVisible(), timeout=5000)
    assert panel.table.item(0, 2).text() == "dose"
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.table.visualRect(panel.table.model().index(0, 2)).center())
    with qtbot.waitSignal(panel.written, timeout=20000):
        qtbot.mouseClick(panel.action, Qt.MouseButton.LeftButton)
    assert lib.get_finding("cds-001").dose == ""
    assert panel.table.item(0, 2).text() == "dose" and panel.table.item(0, 4).text() == ""
    panel.close()
    assert QApplication.activeModalWidget() is None


def test_review_form_reorders_authors_and_a_finding_is_flagged_from_the_context_menu(qtbot, writable_library,
                                                                                     settings):
    lib = writable_library
    w = open_window(qtbot, lib, settings, "raloxifene vertebral")
    w.open_key(f"review:{REVIEW}")
    qtbot.mouseClick(w.records.buttons["detailEdit"], Qt.MouseButton.LeftButton)
    form = w.records.dialog
    qtbot.waitUntil(lambda: form.isVisible(), timeout=5000)
    authors = form.authors.list
    last = authors.visualItemRect(authors.item(2)).center()
    qtbot.mouseClick(authors.viewport(), Qt.MouseButton.LeftButton, pos=last)
    qtbot.mouseClick(form.findChild(QPushButton, "authorUp"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.findChild(QPushButton, "authorRemove"), Qt.MouseButton.LeftButton)  # Sato, now 2nd
    retype(qtbot, form.edits["year"], "20x6")
    assert "number" in form.errors["year"].text() and not form.save_button.isEnabled()
    retype(qtbot, form.edits["year"], "2006")
    save(qtbot, w, form)
    assert [a.family for a in lib.get_review(REVIEW).authors] == ["Iwamoto", "Takeda"]
    activate(qtbot, w)
    select(qtbot, w, "finding:cds-001")
    rect = w.table.visualRect(w.model.index(w.model.row_of("finding:cds-001"), 1))
    w.table.customContextMenuRequested.emit(rect.center())
    menu = next(m for m in QApplication.topLevelWidgets() if m.objectName() == "rowMenu" and m.isVisible())
    flag = next(a for a in menu.actions() if a.text() == "Flag: rests on a retracted study")
    with qtbot.waitSignal(w.records.written, timeout=20000), qtbot.waitSignal(w.resultsShown, timeout=20000):
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(flag).center())
    assert lib.get_finding("cds-001").source_retracted
    qtbot.waitUntil(lambda: "RESTS ON A RETRACTED STUDY" in w.detail.plain_text(), timeout=5000)


def test_a_concept_field_completes_the_last_name_over_labels_and_synonyms(qtbot, gui_library, settings):
    """The completer's model once belonged to nobody and was freed under it: typing into a field crashed."""
    w = open_window(qtbot, gui_library, settings, "raloxifene vertebral")
    select(qtbot, w, "finding:cds-001")
    qtbot.keyClick(w.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = w.records.dialog
    qtbot.waitUntil(lambda: form.isVisible(), timeout=5000)
    field = form.concepts["agent"]
    activate(qtbot, form)
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=5000)
    qtbot.keyClicks(field, "calcium; menatetr")
    popup = field.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    first = field.completer().completionModel().index(0, 0).data()
    assert "menatetr" in first.lower()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert field.text() == f"calcium; {first}" and not form.errors["agent"].isVisible()
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=5000)


def test_the_answer_card_shows_the_banner_of_a_doubtful_source_with_its_key_finding(writable_library):
    from vkref.ui.answer_view import card_html

    lib = writable_library
    before = card_html(lib.answer("raloxifene vertebral"), {}, False)
    lib.edit(REVIEW, {"status": "expression of concern", "status_date": "2023-11"})
    card = lib.answer("raloxifene vertebral")
    assert any(h.review["id"] == REVIEW for h in card.key_findings)
    assert "EXPRESSION OF CONCERN 2023-11" not in before
    assert card_html(card, {}, False).count("EXPRESSION OF CONCERN 2023-11") >= 2  # key finding and cautions


def test_a_new_review_from_scratch_then_its_first_finding(qtbot, writable_library, settings):
    lib = writable_library
    w = open_window(qtbot, lib, settings, "raloxifene vertebral")
    w.table.setFocus()
    qtbot.keyClick(w.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    form = w.records.dialog
    qtbot.waitUntil(lambda: form.isVisible(), timeout=5000)
    assert not form.save_button.isEnabled() and form.errors["title"].isVisible()  # no title yet
    activate(qtbot, form)
    qtbot.keyClicks(form.edits["title"], "Vitamin K2 and hip fracture: an umbrella review")
    qtbot.keyClicks(form.edits["year"], "2024")
    qtbot.keyClicks(form.edits["journal"], "Osteoporosis Int")
    qtbot.mouseClick(form.findChild(QPushButton, "authorAdd"), Qt.MouseButton.LeftButton)
    editor = QApplication.focusWidget()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "Doe, Jane")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.authors.authors() == [{"family": "Doe", "given": "Jane"}], timeout=5000)
    save(qtbot, w, form)
    review = next(r for r in lib.reviews() if r.title.startswith("Vitamin K2 and hip fracture"))
    assert review.year == 2024 and [a.family for a in review.authors] == ["Doe"]
    qtbot.waitUntil(lambda: w.detail.key == f"review:{review.id}", timeout=10000)
    activate(qtbot, w)
    qtbot.mouseClick(w.records.buttons["detailNewFinding"], Qt.MouseButton.LeftButton)
    form = w.records.dialog
    qtbot.waitUntil(lambda: form.isVisible(), timeout=5000)
    activate(qtbot, form)
    qtbot.keyClicks(form.statement, "Pooled trials found fewer hip fractures with menatetrenone.")
    for facet, text in (("agent", "menatetrenone"), ("species", "Human"), ("evidence", "meta-analysis"),
                        ("outcome", "hip fracture"), ("direction", "beneficial")):
        retype(qtbot, form.concepts[facet], text)
    assert form.review_id == review.id
    save(qtbot, w, form)
    [finding] = lib.findings_of(review.id)
    assert finding.concepts["evidence"] == ["meta-analysis"]
    assert finding.id in [h.id for h in lib.search("pooled hip fractures menatetrenone", limit=5).hits]


def test_a_finding_saved_elsewhere_meanwhile_shows_what_changed_and_merges_by_choice(qtbot, writable_library,
                                                                                     settings, tmp_path):
    """The form was opened on version N; another window (here a second open library on the same files, as a
    colleague's client would be) saves the finding first. Save is refused whole and the conflict dialog lists
    the fields: the one only I changed is kept, the one both changed is mine unless I untick it; what the
    colleague alone changed stays theirs."""
    lib = writable_library
    w = open_window(qtbot, lib, settings, "ovariectomized rats vitamin D3")
    select(qtbot, w, f"finding:{FINDING}")
    w.table.setFocus()
    qtbot.keyClick(w.table, Qt.Key.Key_F2)
    form = w.records.dialog
    qtbot.waitUntil(lambda: form.isVisible(), timeout=5000)
    retype(qtbot, form.texts["dose"], "mine: 45 mg/day")
    retype(qtbot, form.texts["duration"], "mine: 12 weeks")
    other = Library.open(lib.path)
    try:
        other.edit(FINDING, {"duration": "theirs: 10 weeks", "caution": "theirs: check the dose"})
    finally:
        other.close()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(form, "conflict", None) is not None and form.conflict.isVisible(),
                    timeout=20000)
    dialog = form.conflict
    rows = {dialog.table.item(r, 0).text(): (dialog.table.item(r, 1).text(), dialog.table.item(r, 2).text())
            for r in range(dialog.table.rowCount())}
    assert rows == {"dose": ("mine: 45 mg/day", lib.get_finding(FINDING).dose),
                    "duration": ("mine: 12 weeks", "theirs: 10 weeks")}  # the fields I changed, nothing else
    assert not dialog.keep["dose"].isEnabled() and dialog.keep["duration"].isEnabled()
    assert lib.get_finding(FINDING).dose != "mine: 45 mg/day"  # nothing of mine saved yet
    box = dialog.keep["duration"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # theirs, for this one
    assert not box.isChecked()
    with qtbot.waitSignal(w.records.written, timeout=20000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = lib.get_finding(FINDING)
    assert (saved.dose, saved.duration, saved.caution) == ("mine: 45 mg/day", "theirs: 10 weeks",
                                                            "theirs: check the dose")


def test_a_review_saved_elsewhere_meanwhile_shows_what_changed_and_merges_by_choice(qtbot, writable_library,
                                                                                    settings):
    """As for findings: the review form was opened on version N, a colleague saved the review first; Save is
    refused whole and the conflict dialog lists the fields I changed with the colleague's value beside them."""
    lib = writable_library
    w = open_window(qtbot, lib, settings, "raloxifene vertebral")
    w.open_key(f"review:{REVIEW}")
    qtbot.mouseClick(w.records.buttons["detailEdit"], Qt.MouseButton.LeftButton)
    form = w.records.dialog
    qtbot.waitUntil(lambda: form.isVisible(), timeout=5000)
    retype(qtbot, form.edits["pages"], "mine: 100-110")
    retype(qtbot, form.edits["volume"], "mine: 7")
    other = Library.open(lib.path)
    try:
        other.edit(REVIEW, {"volume": "theirs: 9", "notes": "theirs: checked against the journal"})
    finally:
        other.close()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(form, "conflict", None) is not None and form.conflict.isVisible(),
                    timeout=20000)
    dialog = form.conflict
    rows = {dialog.table.item(r, 0).text(): (dialog.table.item(r, 1).text(), dialog.table.item(r, 2).text())
            for r in range(dialog.table.rowCount())}
    assert rows == {"pages": ("mine: 100-110", lib.get_review(REVIEW).pages), "volume": ("mine: 7", "theirs: 9")}
    assert lib.get_review(REVIEW).pages != "mine: 100-110"  # nothing of mine saved yet
    with qtbot.waitSignal(w.records.written, timeout=20000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # "volume" kept as mine (checked)
    saved = lib.get_review(REVIEW)
    assert (saved.pages, saved.volume, saved.notes) == ("mine: 100-110", "mine: 7",
                                                        "theirs: checked against the journal")
