"""Layering (STYLE.md): only ui imports Qt, only store SQLAlchemy, only search Whoosh."""
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO  # noqa: E402


def test_import_linter_contracts():
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe) if exe.exists() else "lint-imports"], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_cli_search_never_imports_qt(built_library):
    code = ("import sys; from vkref.cli.main import main; "
            f"main(['--library', {str(built_library)!r}, 'search', 'MK-4', '--json']); "
            "assert 'PySide6' not in sys.modules, 'Qt imported'; print('ok')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr


def test_a_front_importing_the_store_breaks_a_contract(tmp_path):
    """The probe a reviewer ran: a UI module that imports vkref.store directly must fail lint-imports."""
    probe = tmp_path / "repo"
    shutil.copytree(REPO / "vkref", probe / "vkref", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", probe / "pyproject.toml")
    (probe / "vkref" / "ui" / "probe_store.py").write_text("from vkref.store import repository\n")
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe) if exe.exists() else "lint-imports"], cwd=probe, capture_output=True, text=True,
                       env={"PYTHONPATH": str(probe), "PATH": "/usr/bin:/bin"})
    assert r.returncode != 0
    assert "vkref.ui.probe_store -> vkref.store" in r.stdout
