"""Shared fixtures. Every test library lives in a temporary directory; nothing touches the user's data dir."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The shared data sits beside the repository; from a git worktree nested one level deeper, look further up.
SHARED = next((p / "shared" for p in REPO.parents if (p / "shared" / "seeds").is_dir()), REPO.parent / "shared")
SEEDS = SHARED / "seeds"
# The index signing key (vkref.search.trust) of this test run, shared with the vkref subprocesses it starts;
# never the user's own key.
os.environ.setdefault("VKREF_INDEX_KEY", os.path.join(tempfile.mkdtemp(prefix="vkref-key-"), "index.key"))


# Test tiers (CONTRIBUTING.md) are directories: tests/unit, tests/integration, tests/e2e, tests/gui. A module
# elsewhere under tests/ counts as integration, except in tests/catalog/ (the shared-catalog tests, kept together
# around one PostgreSQL server): there a module ending in _gui is gui and one ending in _cli is e2e.
TIERS = ("unit", "integration", "e2e", "gui")


def tier_of(path: Path) -> str:
    parts = path.resolve().relative_to(REPO / "tests").parts
    if len(parts) > 1 and parts[0] == "catalog":
        return {"_gui": "gui", "_cli": "e2e"}.get(path.stem[-4:], "integration")
    return parts[0] if len(parts) > 1 and parts[0] in TIERS else "integration"


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(getattr(pytest.mark, tier_of(Path(str(item.fspath)))))


@pytest.fixture(autouse=True)
def _isolate_home(monkeypatch, tmp_path_factory):
    monkeypatch.delenv("VKREF_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))


@pytest.fixture(scope="session")
def built_library(tmp_path_factory) -> Path:
    """A library created once from the bundled data; tests that write copy it first."""
    from vkref.library import Library

    path = tmp_path_factory.mktemp("bundled") / "lib"
    Library.open(path).close()
    return path


@pytest.fixture(scope="session")
def library(built_library):
    """The bundled library, opened read-only by convention (tests must not write to it)."""
    from vkref.library import Library

    lib = Library.open(built_library)
    yield lib
    lib.close()


@pytest.fixture
def fresh_library(built_library, tmp_path):
    """A private writable copy of the bundled library."""
    from vkref.library import Library

    path = tmp_path / "lib"
    shutil.copytree(built_library, path)
    lib = Library.open(path)
    yield lib
    lib.close()


def keys(page) -> list[str]:
    return [f"{h.kind}:{h.id}" for h in page.hits]
