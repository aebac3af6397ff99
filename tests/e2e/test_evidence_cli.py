"""``vkref matrix`` and ``vkref answer``: the command functions run through the real parser and the CLI's error
rule (in process, wired here as ``vkref.cli.main`` wires the curation commands), and as subprocesses once
``vkref.cli.main`` lists the commands."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from vkref.cli import evidence as cli
from vkref.cli import main as M
from vkref.core.errors import VkrefError
from vkref.library import answer_card, evidence_matrix

COMMANDS = {"matrix": cli.cmd_matrix, "answer": cli.cmd_answer}


def parser() -> argparse.ArgumentParser:
    p = M.build_parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    if "matrix" not in sub.choices:
        cli.add_parsers(sub)
    return p


def run(library, *argv, capsys) -> tuple[int, str, str]:
    """Parse ``argv`` and run the command on the open library, printing errors the way ``vkref`` does."""
    try:
        args = parser().parse_args([str(a) for a in argv])
        code = COMMANDS[args.command](args, library, M._facet_pairs)
    except VkrefError as exc:
        print(f"vkref: {exc}", file=sys.stderr)
        code = exc.exit_code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_matrix_json_is_the_library_matrix(library, capsys):
    code, out, err = run(library, "matrix", "menatetrenone", "--filter", "species=human", "--json", capsys=capsys)
    assert code == 0 and not err
    expected = evidence_matrix.matrix(library, "menatetrenone", filters={"species": ["human"]}).to_dict()
    assert json.loads(out) == expected and expected["cells"]


def test_matrix_rows_cols_and_exclusions(library, capsys):
    code, out, _ = run(library, "matrix", "--rows", "species", "--cols", "evidence", "--exclude",
                       "direction=harmful", "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and data["rows"]["facet"] == "species" and data["cols"]["facet"] == "evidence"
    for cell in data["cells"]:
        page = library.search("", filters={"species": [cell["row"]], "evidence": [cell["col"]]},
                              exclude={"direction": ["harmful"]}, kind="finding", limit=0)
        assert cell["findings"] == page.total


def test_matrix_text_lists_rows_with_their_cells(library, capsys):
    code, out, _ = run(library, "matrix", "alendronate", capsys=capsys)
    assert code == 0 and "Query: alendronate" in out and "Alendronate:" in out


@pytest.mark.parametrize("suffix", ["html", "svg"])
def test_matrix_files(library, tmp_path, capsys, suffix):
    target = tmp_path / f"m.{suffix}"
    code, out, _ = run(library, "matrix", "vitamin K2", "-o", target, capsys=capsys)
    assert code == 0 and str(target) in out
    text = target.read_text(encoding="utf-8")
    assert ("<!DOCTYPE html>" in text) == (suffix == "html") and "<svg" in text and "no finding" in text


@pytest.mark.parametrize("argv,needle", [
    (["matrix", "-o", "m.png"], "PNG/PDF export needs the desktop application"),
    (["answer", "bone", "-o", "a.pdf"], "PNG/PDF export needs the desktop application"),
    (["matrix", "-o", "m.docx"], "must end with"),
    (["matrix", "--rows", "colour"], "unknown matrix facet 'colour'"),
    (["matrix", "--rows", "outcome"], "two different facets"),
    (["matrix", "--filter", "agent=unobtainium"], "unknown agent value 'unobtainium'"),
    (["answer", "bone", "--filter", "species"], "expected FACET=VALUE"),
    (["answer"], "the following arguments are required: query"),
])
def test_bad_input_exits_2_with_one_line(library, tmp_path, capsys, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(library, *argv, capsys=capsys)
    assert code == 2 and needle in err and err.count("\n") == 1 and not out
    assert not list(tmp_path.iterdir()), "nothing is written on bad input"


def test_answer_json_and_text(library, capsys):
    code, out, _ = run(library, "answer", "vitamin K2 fracture", "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and data == answer_card.answer(library, "vitamin K2 fracture").to_dict()
    code, text, _ = run(library, "answer", "vitamin K2 fracture", capsys=capsys)
    assert code == 0 and f"{data['total']} findings for 'vitamin K2 fracture'" in text
    assert "outcomes:" in text and "key findings:" in text and data["key_findings"][0]["text"] in text
    for caution in data["cautions"]:
        assert f"! {caution}" in text


def test_answer_html_file(library, tmp_path, capsys):
    target = tmp_path / "card.html"
    code, out, _ = run(library, "answer", "OVX rats", "-o", target, capsys=capsys)
    html = target.read_text(encoding="utf-8")
    assert code == 0 and "What the library says: OVX rats" in html and "http" not in html.lower()


# ---------------------------------------------------------------------------------------------- as a subprocess
wired = pytest.mark.skipif("matrix" not in M.COMMANDS or "answer" not in M.COMMANDS,
                           reason="vkref.cli.main does not list the evidence commands yet")


@wired
def test_subprocess_matrix_and_answer(built_library, library, tmp_path):
    def vkref(*args):
        return subprocess.run([sys.executable, "-m", "vkref", "--library", str(built_library), *args],
                              capture_output=True, text=True, timeout=300)

    r = vkref("matrix", "--rows", "species", "--cols", "direction", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == evidence_matrix.matrix(library, rows="species", cols="direction").to_dict()
    r = vkref("answer", "menatetrenone", "-o", str(tmp_path / "a.html"))
    assert r.returncode == 0 and (tmp_path / "a.html").exists()
    r = vkref("matrix", "-o", str(tmp_path / "m.png"))
    assert r.returncode == 2 and "desktop application" in r.stderr and "Traceback" not in r.stderr
