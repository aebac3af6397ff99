"""The poly-hierarchy on a shared catalog (PostgreSQL): a second parent one curator adds reaches a colleague's
vocabulary and index (a filter by the new parent finds the child's findings there), and its undo does too."""
from __future__ import annotations

import threading


def _ids(lib, label: str) -> set[str]:
    page = lib.search("", filters={"agent": [label]}, kind="finding", limit=10_000, spell=False, broader=False)
    return {h.id for h in page.hits}


def test_a_second_parent_reaches_the_other_client_and_so_does_its_undo(open_client):
    a, b = open_client("a"), open_client("b")
    mk4 = _ids(b, a.vocabulary["mk4"].label)
    assert mk4 and not mk4 <= _ids(b, "Fermented foods")
    changed = threading.Event()
    b.on_catalog_event(lambda event, detail: changed.set() if event == "changed" else None)
    a.add_parent("mk4", "fermented-foods")
    assert changed.wait(20)
    assert mk4 <= _ids(b, "Fermented foods")  # the search reads the changed vocabulary and the re-indexed codes
    assert b.vocabulary["mk4"].parents == ("vitamin-k2", "fermented-foods")
    changed.clear()
    a.undo()
    assert changed.wait(20)
    assert not mk4 <= _ids(b, "Fermented foods") and b.vocabulary["mk4"].parents == ("vitamin-k2",)
