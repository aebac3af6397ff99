"""A concept with several parents in the window: the facet panel shows it under each parent with the same count
and check state, and filtering at either place filters by it; the vocabulary editor adds a second parent (the
concept then appears under both, in its tree and in the facet panel) and Edit > Undo takes it back."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.conftest import search
from tests.gui.test_vocabulary_window import choose, click_concept, open_editor, shown


def parents_shown(model, facet: str, label: str) -> list[str]:
    return sorted(model.node(i).parent.label for i in model.places(facet, label))


def test_the_facet_panel_shows_a_concept_under_each_parent(qtbot, window, gui_library):
    search(qtbot, window, "natto")
    model, proxy, tree = window.facets.model, window.facets.proxy, window.facets.tree
    natto = gui_library.vocabulary["natto"].label
    assert parents_shown(model, "agent", natto) == ["Fermented foods", "Soy foods"]
    page = gui_library.search("natto", limit=0)
    assert {model.node(i).count for i in model.places("agent", natto)} == {page.facets["agent"][natto]}
    second = next(i for i in model.places("agent", natto) if model.node(i).parent.label == "Soy foods")
    index = proxy.mapFromSource(second)
    assert index.isValid()  # not hidden
    tree.setFocus()
    tree.expand(index.parent())
    tree.setCurrentIndex(index)
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert window.filters.include == {"agent": [natto]}
    assert all(i.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
               for i in model.places("agent", natto))
    filtered = gui_library.search("natto", filters={"agent": [natto]}, limit=0, all_keys=True)
    assert window.model.keys() == filtered.keys


def test_a_second_parent_added_in_the_editor_shows_in_both_places_and_undoes(qtbot, writable_library, settings):
    lib = writable_library
    w = shown(qtbot, lib, settings)
    v = open_editor(qtbot, w)
    click_concept(qtbot, v, "mk7")
    choose(qtbot, v.panel.add_parent_box, "fermented-foods")
    with qtbot.waitSignal(v.saved, timeout=10000):
        qtbot.mouseClick(v.panel.add_parent_button, Qt.MouseButton.LeftButton)
    assert lib.vocabulary["mk7"].parents == ("long-chain-menaquinones", "fermented-foods")
    places = [i for i in _tree_places(v.model, "mk7")]
    assert sorted(v.model.data(p.parent()) for p in places) == ["Fermented foods", "Long-chain menaquinones (MK-7 to MK-9)"]
    assert v.current().id == "mk7" and [v.panel.other_parents.item(0).text()] == ["Fermented foods"]
    label = lib.vocabulary["mk7"].label
    assert parents_shown(w.facets.model, "agent", label) == ["Fermented foods", "Long-chain menaquinones (MK-7 to MK-9)"]
    mk7 = {h.id for h in lib.search("", filters={"agent": [label]}, kind="finding", limit=1000).hits}
    assert mk7 <= {h.id for h in lib.search("", filters={"agent": ["Fermented foods"]}, kind="finding",
                                            limit=1000).hits}

    # remove it again with the panel's button, then undo the removal: both places are back
    click_concept(qtbot, v, "mk7")
    v.panel.other_parents.setFocus()
    qtbot.keyClick(v.panel.other_parents, Qt.Key.Key_Home)
    with qtbot.waitSignal(v.saved, timeout=10000):
        qtbot.mouseClick(v.panel.remove_parent_button, Qt.MouseButton.LeftButton)
    assert lib.vocabulary["mk7"].parents == ("long-chain-menaquinones",)
    assert len(_tree_places(v.model, "mk7")) == 1
    v.activateWindow()
    qtbot.waitUntil(v.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(v.loaded, timeout=10000):
        qtbot.keyClick(v.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert lib.vocabulary["mk7"].parents == ("long-chain-menaquinones", "fermented-foods")
    qtbot.waitUntil(lambda: len(_tree_places(v.model, "mk7")) == 2, timeout=10000)
    qtbot.waitUntil(lambda: len(w.facets.model.places("agent", label)) == 2, timeout=10000)


def _tree_places(model, concept_id: str) -> list:
    """Every index of ``concept_id`` in the editor's tree (column 0)."""
    from vkref.ui.vocabulary_model import ID_ROLE

    out, stack = [], [model.index(r, 0) for r in range(model.rowCount())]
    while stack:
        index = stack.pop()
        if model.data(index, ID_ROLE) == concept_id:
            out.append(index)
        stack.extend(model.index(r, 0, index) for r in range(model.rowCount(index)))
    return out


def test_dragging_one_place_of_a_concept_moves_only_that_place(qtbot, writable_library, settings):
    """Dropping natto's place under Soy foods onto Vitamin K2 replaces that parent; Fermented foods stays. (The drop
    goes through the model's drop method: a real drag blocks on the offscreen platform.)"""
    lib = writable_library
    w = shown(qtbot, lib, settings)
    v = open_editor(qtbot, w)
    soy_place = next(i for i in _tree_places(v.model, "natto") if v.model.data(i.parent()) == "Soy foods")
    mime = v.model.mimeData([soy_place])
    with qtbot.waitSignal(v.saved, timeout=10000):
        v.model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, v.model.index_of("vitamin-k2"))
    assert lib.vocabulary["natto"].parents == ("fermented-foods", "vitamin-k2")
    assert sorted(v.model.data(i.parent()) for i in _tree_places(v.model, "natto")) == ["Fermented foods",
                                                                                         "Vitamin K2"]
    # dropped on the empty area: that place goes, the concept stays under its other parent
    k2_place = next(i for i in _tree_places(v.model, "natto") if v.model.data(i.parent()) == "Vitamin K2")
    with qtbot.waitSignal(v.saved, timeout=10000):
        v.model.dropMimeData(v.model.mimeData([k2_place]), Qt.DropAction.MoveAction, -1, -1, v.model.index(-1, -1))
    assert lib.vocabulary["natto"].parents == ("fermented-foods",)
