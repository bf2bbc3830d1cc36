"""`cursus-lint build` progress: a line per phase and node on stderr when asked (default: when
stderr is a terminal), never in stdout or the -o report; piped, nothing (see also
test_cli_consistency.test_build_writes_the_report_with_o_and_the_definition_with_definition,
whose piped stderr holds only the definition line)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from cursus_lint.build import ProgressTail
from cursus_lint.cli import _BuildProgress, cli

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example_repo"
NODES = ["DataLoading_training", "TabularPreprocessing_training", "XGBoostTraining", "DataLoading_calibration",
         "TabularPreprocessing_calibration", "XGBoostModelEval_calibration", "XGBoostModel",
         "BatchTransform_calibration", "Package", "Registration"]


def test_progress_lines_go_to_stderr_and_never_into_the_report(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".cursus-lint-cache"))
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["build", "--dag", "pipeline/dag.json", "--config", "pipeline/config.json",
                                      "--repo", ".", "--progress", "--format", "json", "-o", "report.json",
                                      "--definition", "definition.json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "build: importing sagemaker",
        "build: loading the saved config and the repo's config classes",
        *[f"build: [{i}/10] creating the builder of {n}" for i, n in enumerate(NODES, start=1)],
        *[f"build: [{i}/10] building step {n}" for i, n in enumerate(NODES, start=1)],
        "build: rendering the pipeline definition",
        "Wrote the pipeline definition (10 steps) to definition.json.",
    ]
    report = json.loads((root / "report.json").read_text())
    assert report["diagnostics"] == [] and report["summary"]["steps"] == 10


def test_on_a_forced_terminal_the_lines_show_with_a_spinner(monkeypatch, capsys) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich treats the stream as a terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    with _BuildProgress(True) as shown:
        assert shown.status is not None
        shown.line("[1/2] building step A")
        shown.line("[2/2] building step B")
    err = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", capsys.readouterr().err)
    lines = [line.strip() for line in err.replace("\r", "\n").splitlines()]
    assert "build: [1/2] building step A" in lines and "build: [2/2] building step B" in lines
    assert capsys.readouterr().out == ""


def test_progress_off_shows_nothing(capsys) -> None:
    with _BuildProgress(False) as shown:
        shown.line("[1/2] building step A")
    assert capsys.readouterr() == ("", "")


def test_progress_tail_passes_on_complete_lines_once(tmp_path: Path) -> None:
    seen: list[str] = []
    path = tmp_path / "progress.txt"
    tail = ProgressTail(path, seen.append)
    tail.poll()  # no file yet
    path.write_text("one\ntw")
    tail.poll()
    with path.open("a") as f:
        f.write("o\n" + "x" * 300 + "\n")
    tail.poll()
    tail.poll()
    assert seen == ["one", "two", "x" * 200]
