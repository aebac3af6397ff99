"""The reliability script runs, and every scenario holds in a few trials (the long run is for docs, not CI)."""
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO  # noqa: E402


def test_reliability_script_short_run(tmp_path):
    out = tmp_path / "results.md"
    r = subprocess.run([sys.executable, "scripts/reliability.py", "--trials", "2", "--out", str(out)], cwd=REPO,
                       capture_output=True, text=True, timeout=1500)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [line for line in out.read_text().splitlines() if line.startswith("| ") and "trials" not in line]
    assert len(rows) == 9 and all("| 2 | 2 |" in row for row in rows), out.read_text()
