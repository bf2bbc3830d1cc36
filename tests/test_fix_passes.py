"""The fix loop's pass limit: fixes that clash at one spot go in one per pass, and a pass that
leaves fewer fixable findings than ever before does not count against the limit, so one ``--fix``
applies seven insertions at one spot; a loop that makes no such progress still stops."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.diagnostic import Diagnostic, Edit, Fix, Location, Severity
from cursus_lint.fix.apply import MAX_PASSES, run_fixes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCRIPT = "steps/scripts/tabular_preprocessing.py"
LABEL_READ = '        "LABEL_FIELD": os.environ["LABEL_FIELD"],\n'


def _repo(tmp_path: Path, fixture: str, read: str) -> Path:
    """A copy of ``fixture`` whose TabularPreprocessing script reads V1..V7 (``read`` formats one read)."""
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root)
    script = root / SCRIPT
    text = script.read_text(encoding="utf-8")
    assert text.count(LABEL_READ) == 1
    reads = "".join(f'        "V{i}": {read.format(i=i)},\n' for i in range(1, 8))
    script.write_text(text.replace(LABEL_READ, LABEL_READ + reads), encoding="utf-8")
    return root


def _fix_twice(root: Path, target: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str, str]:
    """The target's text after one ``--fix``, what that run printed, and what a second one printed."""
    capsys.readouterr()
    main(["check", str(root), "--no-cache", "--fix", "--exit-zero"])
    out = capsys.readouterr()
    first = out.out + out.err
    text = (root / target).read_text(encoding="utf-8")
    main(["check", str(root), "--no-cache", "--fix", "--exit-zero"])
    out = capsys.readouterr()
    second = out.out + out.err
    assert (root / target).read_text(encoding="utf-8") == text  # the second --fix changes nothing
    return text, first, second


def test_seven_required_env_vars_in_one_interface_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = "steps/interfaces/tabular_preprocessing.step.yaml"
    root = _repo(tmp_path, "interface_repo", 'os.environ["V{i}"]')
    original = (root / target).read_text(encoding="utf-8")
    text, first, second = _fix_twice(root, target, capsys)
    assert text == original.replace("    required: [LABEL_FIELD]\n",
                                    "    required: [LABEL_FIELD, V1, V2, V3, V4, V5, V6, V7]\n", 1)
    assert "Fixed 7 finding(s) in 1 file(s)." in first
    assert "Fixed" not in second and "CL103" not in second


def test_seven_optional_env_vars_in_one_python_contract_fix(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    target = "steps/contracts/tabular_preprocessing_contract.py"
    root = _repo(tmp_path, "example_repo", 'os.environ.get("V{i}", "d{i}")')
    original = (root / target).read_text(encoding="utf-8")
    text, first, second = _fix_twice(root, target, capsys)
    old = '        "TEST_VAL_RATIO": "0.5",\n    },\n'
    assert original.count(old) == 1
    assert text == original.replace(old, '        "TEST_VAL_RATIO": "0.5",\n'
                                    + "".join(f'        "V{i}": "d{i}",\n' for i in range(1, 8)) + "    },\n")
    assert "Fixed 7 finding(s) in 1 file(s)." in first
    assert "Fixed" not in second and "CL103" not in second


@dataclass
class _Result:
    diagnostics: list[Diagnostic]


def test_a_fix_that_keeps_producing_fixes_still_stops(tmp_path: Path) -> None:
    """Every run finds one fixable finding again (the fix appends a line that brings the next one):
    no pass makes progress, so the loop stops at the limit, as before."""
    target = tmp_path / "a.py"
    target.write_text("x = 1\n", encoding="utf-8")
    runs: list[dict[Path, str]] = []

    def run(overlay: dict[Path, str]) -> _Result:
        runs.append(dict(overlay))
        lines = overlay.get(target, "x = 1\n").count("\n")
        grow = Fix("one more line", (Edit(target, lines + 1, 1, lines + 1, 1, "x = 1\n"),), True)
        return _Result([Diagnostic("CL103", "n", Severity.ERROR, Location(target, 1, 1), "m", fix=grow)])

    outcome = run_fixes(run)
    # the first run, one that lints the snapshot, then one per applied pass
    assert len(outcome.applied) == MAX_PASSES
    assert len(runs) == MAX_PASSES + 2
    assert outcome.current[target] == "x = 1\n" * (MAX_PASSES + 1)


def test_progress_passes_are_free_but_the_loop_ends(tmp_path: Path) -> None:
    """Twelve clashing insertions at one offset: one per pass, all twelve in one run_fixes."""
    target = tmp_path / "a.py"
    target.write_text("x = []\n", encoding="utf-8")

    def run(overlay: dict[Path, str]) -> _Result:
        text = overlay.get(target, "x = []\n")
        have = text.count("1")
        fixes = [Fix(f"add {i}", (Edit(target, 1, 6, 1, 6, "1,"),), True) for i in range(12 - have)]
        return _Result([Diagnostic("CL103", "n", Severity.ERROR, Location(target, 1, 1), "m", fix=f)
                        for f in fixes])

    outcome = run_fixes(run, max_passes=2)
    assert outcome.current[target] == "x = [" + "1," * 12 + "]\n"
    assert len(outcome.applied) == 12 and outcome.result.diagnostics == []
