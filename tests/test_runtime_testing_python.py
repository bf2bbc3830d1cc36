"""`test-scripts --python` (and the project environment it finds by itself), `build --python`,
temporary directories removed after a run, each result printed once on a terminal."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from cursus_core.testing.interpreter import project_python
from cursus_lint.build import check_build_python
from cursus_lint.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example_repo"
DAG = {"nodes": ["DataLoading_training", "TabularPreprocessing_training"],
       "edges": [["DataLoading_training", "TabularPreprocessing_training"]]}
NODE = "TabularPreprocessing_training"


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python environment with nothing installed: no numpy, no cursus-lint."""
    env = tmp_path_factory.mktemp("bare") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120)
    return env


@pytest.fixture()
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", ".cursus-lint-cache"))
    (tmp_path / "dag.json").write_text(json.dumps(DAG), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    pd.DataFrame({"order_id": range(60), "amount": [1.5] * 60, "is_fraud": [0, 1] * 30}).to_csv(
        data / "part.csv", index=False)
    (tmp_path / "testing.yaml").write_text(f"scripts:\n  {NODE}:\n    inputs: {{DATA: data}}\n", encoding="utf-8")
    return {"repo": repo, "dag": tmp_path / "dag.json", "config": repo / "pipeline" / "config.json",
            "spec": tmp_path / "testing.yaml"}


def _args(s: dict[str, Path], *extra: str) -> list[str]:
    return ["test-scripts", "--dag", str(s["dag"]), "--config", str(s["config"]), "--spec", str(s["spec"]),
            "--format", "json", *extra]


def _missing_numpy(python: Path) -> str:  # the script's first import
    return (f"ModuleNotFoundError: No module named 'numpy' (the interpreter {python} cannot import 'numpy'; "
            "run the scripts with one that has it: test-scripts --python PATH)")


def test_python_option_runs_the_scripts_there_and_names_what_it_lacks(setup, bare_venv: Path, capsys) -> None:
    python = bare_venv / "bin" / "python"
    assert main(_args(setup, "--python", str(python), "--no-progress")) == 1
    data = json.loads(capsys.readouterr().out)
    result = data["results"][1]
    assert (result["node"], result["status"], result["error"]) == (NODE, "failed", _missing_numpy(python))
    assert data["python"] == str(python)


@pytest.mark.parametrize("how", ["repo .venv", "$VIRTUAL_ENV"])
def test_the_project_environment_is_the_default(setup, bare_venv: Path, how: str, monkeypatch, capsys) -> None:
    if how == "$VIRTUAL_ENV":
        monkeypatch.setenv("VIRTUAL_ENV", str(bare_venv))
        python = bare_venv / "bin" / "python"
    else:
        shutil.copytree(bare_venv, setup["repo"] / ".venv", symlinks=True)
        python = setup["repo"] / ".venv" / "bin" / "python"
    assert project_python(setup["repo"]).path == str(python)
    assert main(_args(setup, "--progress")) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["results"][1]["error"] == _missing_numpy(python)
    source = "$VIRTUAL_ENV" if how == "$VIRTUAL_ENV" else str(setup["repo"] / ".venv")
    assert captured.err.splitlines()[0] == f"running the scripts with {python} ({source})"


def test_without_a_project_environment_it_is_this_interpreter(setup) -> None:
    assert project_python(setup["repo"]).path == sys.executable


def test_a_python_that_cannot_run_is_a_usage_error(setup, tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nope" / "python"
    assert main(_args(setup, "--python", str(missing))) == 2
    assert capsys.readouterr().err == (f"cursus-lint: error: --python {missing} cannot be run: "
                                       "No such file or directory\n")
    text = tmp_path / "not-python"
    text.write_text("#!/bin/sh\necho hello\n")
    text.chmod(0o755)
    assert main(_args(setup, "--python", str(text))) == 2
    assert capsys.readouterr().err == f"cursus-lint: error: --python {text} is not a Python interpreter\n"


def test_a_broken_project_environment_is_named_as_found(setup, tmp_path: Path, monkeypatch, capsys) -> None:
    env = tmp_path / "broken-env"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").write_text("#!/bin/sh\nexit 3\n")
    (env / "bin" / "python").chmod(0o755)
    monkeypatch.setenv("VIRTUAL_ENV", str(env))
    assert main(_args(setup)) == 2
    assert capsys.readouterr().err == (f"cursus-lint: error: the project interpreter {env / 'bin' / 'python'} "
                                       "(from $VIRTUAL_ENV) is not a Python interpreter\n")


def test_temporary_directories_are_removed_after_the_run(setup, bare_venv: Path, tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    # another interpreter too: its harness copy is a temporary directory as well
    assert main(["test-scripts", "--dag", str(setup["dag"]), "--config", str(setup["config"]), "--spec",
                 str(setup["spec"]), "--python", str(bare_venv / "bin" / "python"), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1].endswith("(temporary workspace removed; --workspace DIR keeps the files)")
    assert list(scratch.iterdir()) == []


def test_on_a_terminal_each_result_is_printed_once(setup, capsys) -> None:
    assert main(["test-scripts", "--dag", str(setup["dag"]), "--config", str(setup["config"]), "--spec",
                 str(setup["spec"]), "--progress"]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"[1/1] running {NODE} ...\n"
    lines = captured.out.splitlines()
    assert [line for line in lines if NODE in line] == [lines[1]] and lines[1].startswith(f"PASS  {NODE} (")


def test_with_a_json_report_the_progress_shows_the_results(setup, capsys) -> None:
    assert main(_args(setup, "--progress")) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == ["        SKIP  DataLoading_training: no script: processing_entry_point is null in "
                       "DataLoadingConfig", f"[1/1] running {NODE} ..."]
    assert err[2].startswith(f"        PASS  {NODE} (") and len(err) == 3


def test_build_python_must_have_cursus_lint(setup, bare_venv: Path, capsys) -> None:
    python = bare_venv / "bin" / "python"
    assert check_build_python(sys.executable, setup["repo"]) is None
    assert main(["build", "--dag", str(setup["dag"]), "--config", str(setup["config"]), "--repo",
                 str(setup["repo"]), "--python", str(python)]) == 2
    assert capsys.readouterr().err == (
        f"cursus-lint: error: --python {python} cannot import cursus-lint (ModuleNotFoundError: No module named "
        "'cursus_core'); the build child runs in that interpreter, so install cursus-lint with its build extra "
        "there: pip install '.[build]' in a clone of cursus-lint\n")
