"""Every custom model through qtmodeltester; the worker on its own; the screenshot mode end to end."""
from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from vkref.ui.facet_model import FacetModel, FacetProxy
from vkref.ui.filters import Filters
from vkref.ui.models import KEY_ROLE, ResultsModel
from vkref.ui.rows import ROW_LABELS, row_from_hit
from vkref.ui.worker import SearchRequest, SearchWorker

pytestmark = pytest.mark.gui


def _paged_model(library, query=""):
    """A model whose further pages are fetched synchronously from the facade (as the worker would)."""
    page = library.search(query, limit=50, all_keys=True)
    rows = lambda p: [row_from_hit(h, library.review_label) for h in p.hits]  # noqa: E731
    model = ResultsModel(lambda offset: model.add_rows(offset, rows(library.search(query, limit=50,
                                                                                    offset=offset))))
    model.set_results(page.keys, rows(page))
    return model, page


def test_results_model(qtmodeltester, gui_library):
    model, page = _paged_model(gui_library)
    assert model.rowCount() == 50 and model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == page.total
    assert [model.index(r, 0).data(KEY_ROLE) for r in range(model.rowCount())] == page.keys
    qtmodeltester.check(model, force_py=True)
    model.set_results([], [])
    qtmodeltester.check(model, force_py=True)


def test_rows_are_the_hits(gui_library):
    """Row data comes from what Library.search returned: a review row carries no evidence, and instead of a
    direction its findings counted by direction as its hit counted them."""
    model, page = _paged_model(gui_library, "bone")
    while model.canFetchMore():
        model.fetchMore()
    page = gui_library.search("bone", limit=page.total)
    assert model.rowCount() == page.total
    for r, hit in enumerate(page.hits):
        text = hit.text if hit.kind == "finding" else hit.review["title"]
        prefix = f"[{ROW_LABELS[hit.status['kind']]}] " if hit.status else ""  # a retracted or doubtful source
        assert model.index(r, 1).data() == prefix + text
        assert model.index(r, 2).data() == ", ".join(hit.facets.get("species", []))
        if hit.kind == "finding":
            assert model.index(r, 6).data() == ", ".join(hit.facets.get("direction", []))
        else:
            assert model.index(r, 6).data() == " · ".join(
                f"{n} {label.split(' (')[0].split(' or ')[0].lower()}".replace("no significant effect", "no effect")
                for label, n in hit.findings.items())
    reviews = [r for r, h in enumerate(page.hits) if h.kind == "review"]
    assert reviews
    assert all(model.index(r, 6).data() and model.index(r, 7).data() == "" for r in reviews)


def _facet_model(gui_library, filters=None):
    model = FacetModel(gui_library.vocabulary, filters or Filters())
    model.update_counts(gui_library.search("", limit=0).facets)
    return model


def test_facet_model(qtmodeltester, gui_library):
    filters = Filters()
    model = _facet_model(gui_library, filters)
    qtmodeltester.check(model, force_py=True)
    index = model.index_of("agent", "MK-4 (menatetrenone)")
    assert index.isValid() and index.parent().isValid()  # MK-4 sits under Vitamin K2 (a tree)
    assert model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert filters.include == {"agent": ["MK-4 (menatetrenone)"]}
    model.update_counts(gui_library.search("", filters=filters.include, limit=0).facets)
    qtmodeltester.check(model, force_py=True)


def test_facet_proxy(qtmodeltester, gui_library):
    model = _facet_model(gui_library)
    proxy = FacetProxy()
    proxy.setSourceModel(model)
    proxy.sort(0)
    qtmodeltester.check(proxy, force_py=True)
    group = proxy.mapFromSource(model.group_index("species"))
    labels = [proxy.index(r, 0, group).data() for r in range(proxy.rowCount(group))]
    assert labels[0] == "Human"  # vocabulary order, not alphabetical
    assert "Cell or tissue culture (organism not recorded)" not in labels  # no hits: hidden
    model.toggle_show_all("agent")
    proxy.refilter()
    qtmodeltester.check(proxy, force_py=True)


def test_worker_delivers_only_the_latest(qtbot, gui_library):
    worker = SearchWorker(gui_library)
    try:
        results = []
        worker.finished.connect(results.append)
        first = worker.next_generation()
        worker.submit(SearchRequest(first, "raloxifene"))
        last = worker.next_generation()
        with qtbot.waitSignal(worker.finished, timeout=10000):
            worker.submit(SearchRequest(last, "MK-7"))
        assert [r.request.generation for r in results] == [last]
        assert results[0].page.keys == gui_library.search("MK-7", limit=0, all_keys=True).keys
    finally:
        worker.stop()


def _pixel_variety(path) -> int:
    image = QImage(str(path))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1280, 800)
    seen = set()
    for y in range(0, image.height(), 7):
        for x in range(0, image.width(), 7):
            seen.add(image.pixel(x, y))
    return len(seen)


def test_screenshot_in_process(tmp_path, gui_library):
    from vkref.ui.app import run

    out = tmp_path / "shot.png"
    code = run(library=gui_library, query="MK-4 vertebral fracture", screenshot=str(out),
               filters={"species": ["human"]})
    assert code == 0
    assert _pixel_variety(out) > 50


def test_screenshot_command(tmp_path, gui_library):
    gui_library.wait_for_index()
    out = tmp_path / "cli.png"
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "vkref", "--library", str(gui_library.path), "gui", "--query",
                           "raloxifene rats", "--screenshot", str(out)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _pixel_variety(out) > 50


def test_none_refcount_guard(qapp):
    """PySide6 6.12.0 on CPython 3.11 drops a reference to None on every void call (see vkref.ui.qtcompat)."""
    from PySide6.QtCore import QObject

    from vkref.ui import qtcompat

    qtcompat.apply()
    obj = QObject()
    for _ in range(20000):  # more than None's natural reference count: would abort without the guard
        obj.setObjectName("x")
    assert sys.getrefcount(None) > 1000
