"""``vkref --self-test`` end to end from source: exit 0, one ``ok`` line per check, nothing on stderr."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

EXPECTED = ["database and migrations", "bundled data", "index build", "search (MK-4 vertebral fracture)",
            "faceted search (species=Rat)", "spelling suggestion (menatetreone)", "vocabulary edit and undo",
            "index rebuild after deletion", "full text (PDF attached, passage found)", "catalog client (psycopg, libpq)"]


@pytest.mark.slow
def test_self_test_passes(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VKREF_HOME=str(tmp_path / "home"),
               XDG_RUNTIME_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "vkref", "--self-test"], capture_output=True, text=True,
                          env=env, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    for name in EXPECTED:
        assert any(line.startswith(f"ok  {name}") for line in lines), f"no ok line for {name}:\n{proc.stdout}"
    window = [line for line in lines if "main window offscreen" in line]
    assert window and window[0].startswith(("ok  ", "skip ")), proc.stdout
    assert not any(line.startswith("FAIL") for line in lines)
    assert lines[-1].startswith("self-test passed"), proc.stdout
    assert proc.stderr.strip() == "", proc.stderr
    # the self-test works on a temporary library: the user's library is never created
    assert not (tmp_path / "home").exists()


def test_self_test_reports_failure_and_cleans_up(tmp_path, monkeypatch, capsys):
    """A failing check prints FAIL, the others still run, the exit code is 1 and the temp dir is removed."""
    from vkref import selftest

    test = selftest.SelfTest()
    monkeypatch.setattr(test, "suggestion", lambda: (_ for _ in ()).throw(AssertionError("no suggestion")))
    monkeypatch.setattr(test, "main_window", lambda: (_ for _ in ()).throw(selftest.Skip("no GUI")))
    code = test.run()
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL spelling suggestion (menatetreone): AssertionError: no suggestion" in out
    assert "ok  index rebuild after deletion" in out
    assert "skip main window offscreen: no GUI" in out
    assert not test.tmp.exists()
