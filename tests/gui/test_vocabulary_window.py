"""Tools > Vocabulary…: the concept tree model, merging through the window (and undoing it), parent changes with
cycles refused, label and synonym edits; the main window's facets and filters follow each change."""
from __future__ import annotations

from PySide6.QtCore import Qt

from vkref.core import records as R
from tests.gui.conftest import make_window


def shown(qtbot, library, settings):
    w = make_window(qtbot, library, settings)
    with qtbot.waitSignal(w.resultsShown, timeout=10000):
        w.search_now()
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    return w


def open_editor(qtbot, w):
    """Tools > Vocabulary… by its shortcut; returns the editor window once its concepts are shown."""
    w.table.setFocus()
    with qtbot.waitSignal(w.vocabulary_editor.loaded, timeout=15000):
        qtbot.keyClick(w.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    v = w.vocabulary_editor.window
    qtbot.waitExposed(v)
    return v


def click_concept(qtbot, v, concept_id):
    index = v.model.index_of(concept_id)
    assert index.isValid(), concept_id
    v.tree.scrollTo(index)
    rect = v.tree.visualRect(index)
    qtbot.mouseClick(v.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert v.current().id == concept_id


def choose(qtbot, box, data):
    """Move a combo box to the item holding ``data`` with the keyboard."""
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(box.count()):
        if box.currentData() == data:
            return
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentData() == data


def finding_ids(lib, **filters):
    page = lib.search("", filters={k: [v] for k, v in filters.items()}, kind="finding", limit=10_000)
    return {h.id for h in page.hits}


def test_concept_tree_model(qtmodeltester, gui_library):
    from vkref.ui.vocabulary_model import ConceptTreeModel

    model = ConceptTreeModel()
    model.set_rows(gui_library.concepts("agent"))
    qtmodeltester.check(model, force_py=True)
    top = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert "Vitamin K" in top and "Vitamin K2" not in top  # a narrower concept sits under its parent
    model.set_filter("menatetrenone")  # a synonym matches; its ancestors stay to hold it
    qtmodeltester.check(model, force_py=True)
    shown_ids = []
    index = model.index(0, 0)
    while index.isValid():
        shown_ids.append(model.info(index).id)
        index = model.index(0, 0, index)
    assert shown_ids == ["vitamin-k", "vitamin-k2", "mk4"]


def test_merge_in_the_window_recodes_every_finding_and_undo_restores_them(qtbot, writable_library, settings):
    lib = writable_library
    w = shown(qtbot, lib, settings)
    mk4 = finding_ids(lib, agent="mk4")
    before = {fid: R.finding_fields(lib.get_finding(fid)) for fid in mk4}
    old_label = lib.vocabulary["mk4"].label
    with qtbot.waitSignal(w.resultsShown, timeout=10000):
        w.add_filter("agent", old_label)
    v = open_editor(qtbot, w)
    click_concept(qtbot, v, "mk4")
    assert v.panel.usage.text().startswith(f"Coded on {len(mk4)} findings")
    qtbot.mouseClick(v.merge_button, Qt.MouseButton.LeftButton)
    dialog = v.dialog
    qtbot.waitExposed(dialog)
    choose(qtbot, dialog.keep, "vitamin-k2")
    assert f"{len(mk4)} findings coded with “{old_label}” will be recoded to “Vitamin K2”" in dialog.summary.text()
    with qtbot.waitSignal(v.saved, timeout=20000), qtbot.waitSignal(w.resultsShown, timeout=20000):
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert "mk4" not in lib.vocabulary and v.current().id == "vitamin-k2"
    for fid in mk4:
        assert "vitamin-k2" in lib.get_finding(fid).concepts["agent"]
    assert mk4 <= finding_ids(lib, agent=old_label)  # the old label is a synonym of the kept concept
    assert w.filters.include["agent"] == ["Vitamin K2"]  # the active filter followed the merge
    assert w.facets.model.index_of("agent", old_label).isValid() is False
    assert w.page.total >= len(mk4)
    assert "Merged" in v.message.text() and f"{len(mk4)} findings recoded" in v.message.text()
    assert v.undo_action.text().startswith("&Undo vocabulary: merge") and v.undo_action.isEnabled()

    v.activateWindow()
    qtbot.waitUntil(v.isActiveWindow, timeout=5000)
    v.tree.setFocus()
    with qtbot.waitSignal(w.librarian.changed, timeout=20000), qtbot.waitSignal(v.loaded, timeout=20000):
        qtbot.keyClick(v.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert lib.vocabulary["mk4"].label == old_label
    for fid in mk4:
        assert R.finding_fields(lib.get_finding(fid)) == before[fid]
    assert v.model.index_of("mk4").isValid()
    assert w.facets.model.index_of("agent", old_label).isValid()


def test_parent_chosen_in_the_panel_and_a_cycle_refused_with_its_reason(qtbot, writable_library, settings):
    lib = writable_library
    w = shown(qtbot, lib, settings)
    v = open_editor(qtbot, w)
    click_concept(qtbot, v, "vitamin-k")
    batches = len(lib.batches(500))
    choose(qtbot, v.panel.parent_box, "mk4")
    with qtbot.waitSignal(v.failed, timeout=10000) as failed:
        qtbot.mouseClick(v.panel.save_button, Qt.MouseButton.LeftButton)
    assert "cycle" in failed.args[0] and "cycle" in v.message.text()
    assert v.panel.parent_box.currentData() == "mk4"  # what the user chose stays, to be corrected
    assert len(lib.batches(500)) == batches and lib.vocabulary["vitamin-k"].parent is None

    click_concept(qtbot, v, "natto")
    choose(qtbot, v.panel.parent_box, "vitamin-k2")
    with qtbot.waitSignal(v.saved, timeout=10000):
        qtbot.mouseClick(v.panel.save_button, Qt.MouseButton.LeftButton)
    assert lib.vocabulary["natto"].parent == "vitamin-k2"
    assert finding_ids(lib, agent="natto") <= finding_ids(lib, agent="Vitamin K2")
    assert v.model.parent(v.model.index_of("natto")).data() == "Vitamin K2"

    # dropping a dragged concept asks the window to move it (here: back to where it was)
    mime = v.model.mimeData([v.model.index_of("natto")])
    with qtbot.waitSignal(v.saved, timeout=10000):
        v.model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, v.model.index_of("fermented-foods"))
    assert lib.vocabulary["natto"].parent == "fermented-foods"


def test_label_and_synonym_edits_are_checked_and_searchable_at_once(qtbot, writable_library, settings):
    lib = writable_library
    w = shown(qtbot, lib, settings)
    v = open_editor(qtbot, w)
    qtbot.keyClicks(v.filter_edit, "alendr")
    assert v.current().id == "alendronate"
    label = v.panel.label
    v.activateWindow()
    qtbot.waitUntil(v.isActiveWindow, timeout=5000)
    v.tree.setFocus()
    qtbot.keyClick(v.tree, Qt.Key.Key_Return)  # Enter on a concept edits its label
    qtbot.waitUntil(label.hasFocus, timeout=5000)
    assert label.selectedText() == "Alendronate"
    qtbot.keyClicks(label, "risedronate")
    with qtbot.waitSignal(v.failed, timeout=10000) as failed:
        qtbot.keyClick(label, Qt.Key.Key_Return)
    assert "labels are unique within a facet" in failed.args[0]
    assert lib.vocabulary["alendronate"].label == "Alendronate"
    qtbot.mouseClick(v.panel.revert_button, Qt.MouseButton.LeftButton)
    assert label.text() == "Alendronate"
    assert not v.panel.save_button.isEnabled()  # nothing to save
    v.panel.new_synonym.setFocus()
    qtbot.keyClicks(v.panel.new_synonym, "Binosto")
    qtbot.keyClick(v.panel.new_synonym, Qt.Key.Key_Return)
    assert v.panel.save_button.isEnabled()
    qtbot.keyClick(v.filter_edit, Qt.Key.Key_O)  # "alendro": the concept stays shown, and so do the edits
    assert v.panel.synonyms.item(v.panel.synonyms.count() - 1).text() == "Binosto"
    with qtbot.waitSignal(v.saved, timeout=10000):
        qtbot.mouseClick(v.panel.save_button, Qt.MouseButton.LeftButton)
    assert "Binosto" in lib.vocabulary["alendronate"].synonyms
    found = {h.id for h in lib.search("Binosto", kind="finding", limit=100).hits}  # expands like the label
    assert finding_ids(lib, agent="alendronate") <= found
    assert found == {h.id for h in lib.search("alendronate", kind="finding", limit=100).hits}
    assert v.message.text() == "Saved “Alendronate”."


def test_new_concept_then_delete_it_and_the_facet_tree_follows(qtbot, writable_library, settings):
    lib = writable_library
    w = shown(qtbot, lib, settings)
    v = open_editor(qtbot, w)
    click_concept(qtbot, v, "vitamin-k2")
    qtbot.mouseClick(v.new_button, Qt.MouseButton.LeftButton)
    dialog = v.dialog
    qtbot.waitExposed(dialog)
    assert dialog.parent_box.currentData() == "vitamin-k2"  # proposed: under the selected concept
    qtbot.keyClicks(dialog.label, "Vitamin K2 analogue")
    with qtbot.waitSignal(v.saved, timeout=10000):
        qtbot.keyClick(dialog.label, Qt.Key.Key_Return)
    made = lib.vocabulary["vitamin-k2-analogue"]
    assert made.label == "Vitamin K2 analogue" and made.parent == "vitamin-k2"
    assert v.current().id == made.id and v.delete_button.isEnabled()
    assert w.facets.model.index_of("agent", "Vitamin K2 analogue").isValid()  # the main window's tree
    with qtbot.waitSignal(v.saved, timeout=10000):
        qtbot.mouseClick(v.delete_button, Qt.MouseButton.LeftButton)
    assert "vitamin-k2-analogue" not in lib.vocabulary and v.current().id == "vitamin-k2"
    assert not w.facets.model.index_of("agent", "Vitamin K2 analogue").isValid()
    assert not v.delete_button.isEnabled()  # Vitamin K2 is in use


def test_an_edit_made_in_another_process_reaches_the_facet_tree_at_the_next_search(qtbot, writable_library,
                                                                                   settings):
    from vkref.library import Library
    from tests.gui.conftest import search

    w = shown(qtbot, writable_library, settings)
    search(qtbot, w, "natto")
    assert w.facets.model.index_of("agent", "Natto (fermented soybeans)").isValid()
    with Library.open(writable_library.path) as elsewhere:
        elsewhere.rename_concept("natto", "Natto (fermented soybean food)")
    search(qtbot, w, "natto")
    assert w.facets.model.index_of("agent", "Natto (fermented soybean food)").isValid()
    assert not w.facets.model.index_of("agent", "Natto (fermented soybeans)").isValid()
    assert "Natto (fermented soybean food)" in w.page.facets["agent"]


def test_the_facet_box_shows_each_facet_and_the_filter_matches_synonyms(qtbot, gui_library, settings):
    w = shown(qtbot, gui_library, settings)
    v = open_editor(qtbot, w)
    v.facet_box.setFocus()
    with qtbot.waitSignal(v.loaded, timeout=10000):
        qtbot.keyClick(v.facet_box, Qt.Key.Key_S)  # the combo box jumps to "Species"
    assert v.facet() == "species"
    ids = {r.id for r in v.model.rows()}
    assert ids == {c.id for c in gui_library.vocabulary.in_facet("species")}
    qtbot.keyClicks(v.filter_edit, "murine")  # a synonym of Mouse
    assert v.model.rowCount() == 1 and v.current().id == "mouse"
    assert v.panel.usage.text().startswith(f"Coded on {v.current().findings} finding")
    v.filter_edit.clear()
    assert v.model.rowCount() == len([c for c in gui_library.vocabulary.in_facet("species") if not c.parent])
    v.facet_box.setFocus()
    qtbot.keyClick(v.facet_box, Qt.Key.Key_Down)  # two switches in a row: the second waits for the first
    qtbot.keyClick(v.facet_box, Qt.Key.Key_Down)
    assert v.facet() == "direction"
    qtbot.waitUntil(lambda: {r.facet for r in v.model.rows()} == {"direction"}, timeout=10000)


def test_a_reload_while_a_delete_is_saved_keeps_the_parent_chosen(qtbot, writable_library, settings):
    """A read of the vocabulary asked for while a change is being saved (the main window noticed the library's
    new vocabulary mid-save) once replaced the change's choice with the deleted concept: nothing stayed
    selected. The read now waits for the change, and the deleted concept's parent is chosen."""
    lib = writable_library
    w = shown(qtbot, lib, settings)
    v = open_editor(qtbot, w)
    click_concept(qtbot, v, "vitamin-k2")
    qtbot.mouseClick(v.new_button, Qt.MouseButton.LeftButton)
    dialog = v.dialog
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.label, "Vitamin K2 analogue")
    with qtbot.waitSignal(v.saved, timeout=10000):
        qtbot.keyClick(dialog.label, Qt.Key.Key_Return)
    assert v.current().id == "vitamin-k2-analogue"
    with qtbot.waitSignal(v.saved, timeout=10000):
        qtbot.mouseClick(v.delete_button, Qt.MouseButton.LeftButton)
        v.reload()  # the delete is still running on its worker thread
    with qtbot.waitSignal(v.loaded, timeout=10000):  # the read that waited
        pass
    assert "vitamin-k2-analogue" not in lib.vocabulary and v.current().id == "vitamin-k2"
