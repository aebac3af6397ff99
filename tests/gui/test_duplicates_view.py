"""The Duplicates view driven through the shown window: open it (Ctrl+Shift+D), compare a pair side by side,
take one field from the other record, merge, undo; "Not a duplicate" is remembered; the PRISMA summary is copied;
all exact pairs are merged in one step."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QRadioButton

from tests.gui.conftest import make_window, search
from vkref.core.entities import Author, Review

TITLE = "Menaquinone-7 supplementation and bone loss in postmenopausal women"


def pair(lib, journal_b="Osteoporosis International", pmid_b="23525894"):
    keep = Review(id="dup-keep", title=TITLE, year=2013, authors=[Author("Knapen", "Marjo")],
                  doi="10.1007/s00198-013-2325-6", journal="Osteoporos Int")
    other = Review(id="dup-other", title=TITLE.upper() + ".", year=2013, authors=[Author("Knapen", "M")],
                   pmid=pmid_b, journal=journal_b, summary="A three-year trial of 180 ug MK-7 a day.")
    lib.add_records([keep, other], [])


def open_view(qtbot, lib, settings):
    w = make_window(qtbot, lib, settings)
    with qtbot.waitSignal(w.resultsShown, timeout=10000):
        w.search_now()
    w.show()
    qtbot.waitExposed(w)
    search(qtbot, w, "menaquinone")
    w.table.setFocus()
    qtbot.waitUntil(w.table.hasFocus, timeout=5000)
    qtbot.keyClick(w.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: getattr(w, "duplicates", None) is not None and w.duplicates.view is not None,
                    timeout=5000)
    view = w.duplicates.view
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.summary != {}, timeout=20000)
    return w, view


def click_pair(qtbot, view, ids) -> None:
    row = next(r for r in range(view.table.rowCount()) if set(view.table.item(r, 0).data(Qt.ItemDataRole.UserRole
                                                                                          + 1)) == set(ids))
    rect = view.table.visualItemRect(view.table.item(row, 1))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert set(view.current_pair()) == set(ids)


def listed(view, ids) -> bool:
    return any({p.a, p.b} == set(ids) for p in view.pairs)


def test_merge_a_pair_taking_a_field_from_the_other_record_then_undo(qtbot, writable_library, settings):
    lib = writable_library
    pair(lib)
    w, view = open_view(qtbot, lib, settings)
    assert listed(view, ("dup-keep", "dup-other"))
    click_pair(qtbot, view, ("dup-keep", "dup-other"))
    qtbot.mouseClick(view.compare_button, Qt.MouseButton.LeftButton)
    dialog = view.merge_dialog
    qtbot.waitExposed(dialog)
    assert dialog.ids == ("dup-keep", "dup-other") and dialog.keep_buttons[0].isChecked()
    journal_b = dialog.findChild(QRadioButton, "choose:journal:B")
    assert journal_b.parentWidget().property("differs") and not journal_b.isChecked()
    assert dialog.findChild(QRadioButton, "choose:year:A") is None  # the same year: nothing to choose
    qtbot.mouseClick(journal_b, Qt.MouseButton.LeftButton)
    assert dialog.choose() == ["journal"]
    with qtbot.waitSignal(dialog.merged, timeout=20000), qtbot.waitSignal(view.loaded, timeout=20000):
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    merged = lib.get_review("dup-keep")
    assert lib.get_review("dup-other") is None
    assert merged.journal == "Osteoporosis International"  # chosen from B
    assert merged.title == TITLE and merged.pmid == "23525894"  # kept from A; filled from B
    assert not listed(view, ("dup-keep", "dup-other")) and view.summary["duplicates_merged"] == 1
    assert "merge" in w.librarian.undo_action.text().lower()
    with qtbot.waitSignal(view.loaded, timeout=20000):
        qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
    assert lib.get_review("dup-other") is not None and lib.get_review("dup-keep").journal == "Osteoporos Int"
    assert listed(view, ("dup-keep", "dup-other")) and view.summary["duplicates_merged"] == 0


def test_not_a_duplicate_is_remembered_and_the_summary_copied(qtbot, writable_library, settings):
    lib = writable_library
    pair(lib, pmid_b="")
    w, view = open_view(qtbot, lib, settings)
    click_pair(qtbot, view, ("dup-keep", "dup-other"))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)  # Enter on a pair compares it
    dialog = view.merge_dialog
    qtbot.waitExposed(dialog)
    assert dialog.merge_button.isEnabled()  # the Enter that opened it did not also press Merge
    with qtbot.waitSignal(dialog.declaredDistinct, timeout=20000), qtbot.waitSignal(view.loaded, timeout=20000):
        qtbot.mouseClick(dialog.distinct_button, Qt.MouseButton.LeftButton)
    assert not listed(view, ("dup-keep", "dup-other"))
    assert not any({p.a, p.b} == {"dup-keep", "dup-other"} for p in lib.find_duplicates())
    assert view.summary["declared_distinct"] == 1
    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    text = QApplication.clipboard().text()
    assert "Records identified" in text and "declared not duplicates: 1" in text


def test_merge_all_exact_pairs_in_one_step(qtbot, writable_library, settings):
    lib = writable_library
    twins = [Review(id=f"twin-{n}", title=f"Vitamin K2 and bone: report {n}", year=2010 + n,
                    authors=[Author("Sato", "T")], doi="10.1000/same-doi") for n in (1, 2, 3)]
    lib.add_records(twins, [])
    w, view = open_view(qtbot, lib, settings)
    assert view.exact_button.isEnabled() and "(3)" in view.exact_button.text()
    with qtbot.waitSignal(view.loaded, timeout=20000):
        qtbot.mouseClick(view.exact_button, Qt.MouseButton.LeftButton)
    assert [lib.get_review(f"twin-{n}") is not None for n in (1, 2, 3)] == [True, False, False]
    assert not any(p.exact for p in view.pairs)


def test_the_import_preview_marks_a_possible_duplicate(qtbot, writable_library, settings, tmp_path):
    from tests.gui.test_librarian import import_through_dialog, shown_window

    lib = writable_library
    lib.add_records([Review(id="dup-keep", title=TITLE, year=2013, authors=[Author("Knapen", "Marjo")],
                            doi="10.1007/s00198-013-2325-6")], [])
    path = tmp_path / "embase.ris"
    path.write_text(f"TY  - JOUR\nTI  - {TITLE.replace('postmenopausal', 'post-menopausal')} (a 3-year trial)\n"
                    "AU  - Knapen, M.\nPY  - 2014\nER  -\n", encoding="utf-8")
    w = shown_window(qtbot, lib, settings)
    dialog = import_through_dialog(qtbot, w, path)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert dialog.records.item(0, 7).text() == "maybe dup-keep"
    assert "1 possible duplicate is imported for you to decide" in dialog.status.text()
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.report.candidates == 1 and dialog.maybes.isVisible()
    assert dialog.maybes.item(0, 3).text() == "dup-keep" and "year ±1" in dialog.maybes.item(0, 5).text()
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)  # straight to the Duplicates view
    qtbot.waitUntil(lambda: w.duplicates.view is not None and w.duplicates.view.isVisible(), timeout=5000)
    view = w.duplicates.view
    qtbot.waitUntil(lambda: any("dup-keep" in (p.a, p.b) for p in view.pairs), timeout=20000)


def test_a_pair_merged_elsewhere_is_not_opened_and_the_list_is_read_again(qtbot, writable_library, settings):
    lib = writable_library
    pair(lib)
    w, view = open_view(qtbot, lib, settings)
    click_pair(qtbot, view, ("dup-keep", "dup-other"))
    lib.merge("dup-keep", "dup-other", who="another window")
    with qtbot.waitSignal(view.loaded, timeout=20000):
        qtbot.mouseClick(view.compare_button, Qt.MouseButton.LeftButton)
    assert view.merge_dialog is None and not listed(view, ("dup-keep", "dup-other"))


def test_the_record_with_findings_is_kept_unless_the_user_picks_the_other(qtbot, writable_library, settings):
    from vkref.core.entities import Finding

    lib = writable_library
    pair(lib)
    lib.save_finding(Finding(id="dup-other-f1", review_id="dup-other", statement="MK-7 slowed bone loss.",
                             concepts={"agent": ["mk7"], "species": ["human"]}))
    w, view = open_view(qtbot, lib, settings)
    click_pair(qtbot, view, ("dup-keep", "dup-other"))
    qtbot.mouseClick(view.compare_button, Qt.MouseButton.LeftButton)
    dialog = view.merge_dialog
    qtbot.waitExposed(dialog)
    assert dialog.keep_buttons[1].isChecked()  # B holds the finding
    assert dialog.findChild(QRadioButton, "choose:doi:A").isChecked()  # B has no DOI: A's is taken
    qtbot.mouseClick(dialog.keep_buttons[0], Qt.MouseButton.LeftButton)
    journal_a = dialog.findChild(QRadioButton, "choose:journal:A")
    assert dialog.keep == 0 and journal_a.isChecked()
    journal_a.setFocus()
    qtbot.waitUntil(journal_a.hasFocus, timeout=5000)
    qtbot.keyClick(journal_a, Qt.Key.Key_Right)  # the keyboard takes B's journal
    assert dialog.findChild(QRadioButton, "choose:journal:B").isChecked() and dialog.choose() == ["journal"]
    with qtbot.waitSignal(dialog.merged, timeout=20000):
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert lib.get_finding("dup-other-f1").review_id == "dup-keep" and lib.get_review("dup-other") is None
    assert lib.get_review("dup-keep").journal == "Osteoporosis International"


def test_ctrl_z_in_the_window_undoes_a_merge_and_the_view_follows(qtbot, writable_library, settings):
    lib = writable_library
    pair(lib)
    w, view = open_view(qtbot, lib, settings)
    click_pair(qtbot, view, ("dup-keep", "dup-other"))
    qtbot.mouseClick(view.compare_button, Qt.MouseButton.LeftButton)
    dialog = view.merge_dialog
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(view.loaded, timeout=20000):
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert lib.get_review("dup-other") is None
    w.activateWindow()
    w.table.setFocus()
    qtbot.waitUntil(w.table.hasFocus, timeout=5000)
    with qtbot.waitSignal(view.loaded, timeout=20000):  # the Edit menu's undo: the open view reads the list again
        qtbot.keyClick(w.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert lib.get_review("dup-other") is not None and listed(view, ("dup-keep", "dup-other"))
