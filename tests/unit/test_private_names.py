"""No vkref module uses another module's private names: ``module._name`` of an imported vkref module, or a call
``name._method(...)`` of a private method that the calling module does not define itself, or
``a.b._method(...)`` (another object's part) at all.

A module's private names may change with it alone; what another module needs gets a public name. Exempt:
``search/whoosh_private.py`` (the one place that reads Whoosh's internals on purpose) and the named tuple's own
API (``_replace``, ``_asdict``, ``_fields``, ``_make``).
"""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import vkref

ROOT = Path(vkref.__file__).parent
# Whoosh's internals: read in one module, written through in one (the rebuild's segment writer subclasses
# Whoosh's writer; both check the Whoosh version and fall back to the public path)
EXEMPT_MODULES = {"search/whoosh_private.py", "search/bulkwrite.py"}
PUBLIC_UNDERSCORE = {"_replace", "_asdict", "_fields", "_make"}


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in PUBLIC_UNDERSCORE


def is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:
        return False


def module_aliases(tree: ast.Module) -> set[str]:
    """Local names bound to vkref modules by the module's imports (at any depth)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname for a in node.names if a.name.startswith("vkref") and a.asname}
            names |= {"vkref" for a in node.names if a.name.startswith("vkref") and not a.asname}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vkref"):
            names |= {a.asname or a.name for a in node.names if is_module(f"{node.module}.{a.name}")}
    return names


def defined_here(tree: ast.Module) -> set[str]:
    return {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases, own = module_aliases(tree), defined_here(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr) and isinstance(node.value, ast.Name):
            if node.value.id in aliases:
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and private(node.func.attr):
            target = node.func.value
            mine = isinstance(target, ast.Name) and target.id in ("self", "cls")
            own_kind = isinstance(target, ast.Name) and node.func.attr in own  # e.g. another CatalogLink
            if not mine and not own_kind and not isinstance(target, ast.Call):
                found.append(f"{node.lineno}: {ast.unparse(node.func)}()")
    return found


def test_no_module_uses_another_modules_private_names():
    problems = [f"vkref/{p.relative_to(ROOT).as_posix()}:{v}" for p in sorted(ROOT.rglob("*.py"))
                if p.relative_to(ROOT).as_posix() not in EXEMPT_MODULES for v in violations(p)]
    assert problems == []


def test_the_check_sees_a_private_function_of_an_imported_module(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from vkref.store import repository as repo\nrepo._dump(1)\nlib.thing._hidden()\n"
                   "def _mine():\n    other._mine()\n    self.window._mine()\n")
    assert sorted(violations(bad)) == ["2: repo._dump", "2: repo._dump()", "3: lib.thing._hidden()",
                                     "6: self.window._mine()"]
