"""`cursus-lint test-scripts` and the saved testing spec."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

from cursus_core.testing import RuntimeTestingFactory, TestingSetupError
from cursus_lint.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example_repo"
DAG = {"nodes": ["DataLoading_training", "TabularPreprocessing_training"],
       "edges": [["DataLoading_training", "TabularPreprocessing_training"]]}


@pytest.fixture()
def setup(tmp_path: Path) -> dict[str, Path]:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__"))
    dag = tmp_path / "dag.json"
    dag.write_text(json.dumps(DAG), encoding="utf-8")
    raw = tmp_path / "ci" / "data"
    raw.mkdir(parents=True)
    pd.DataFrame({"order_id": range(200), "amount": [1.5] * 200, "is_fraud": [0, 1] * 100}).to_csv(
        raw / "part.csv", index=False)
    spec = tmp_path / "ci" / "testing.yaml"
    spec.write_text("scripts:\n  TabularPreprocessing_training:\n    inputs: {DATA: data}\n", encoding="utf-8")
    return {"repo": repo, "dag": dag, "config": repo / "pipeline" / "config.json", "spec": spec,
            "ws": tmp_path / "ws"}


def _args(s: dict[str, Path], *extra: str) -> list[str]:
    return ["test-scripts", "--dag", str(s["dag"]), "--config", str(s["config"]), "--workspace", str(s["ws"]),
            "--no-progress", *extra]


def test_green_run_from_spec_json(setup, capsys) -> None:
    assert main(_args(setup, "--spec", str(setup["spec"]), "--format", "json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["counts"] == {"passed": 1, "skipped": 1}
    passed = data["results"][1]
    assert (passed["node"], passed["status"]) == ("TabularPreprocessing_training", "passed")
    assert passed["outputs"] == {"processed_data": ["test/test_processed_data.csv", "train/train_processed_data.csv",
                                                    "val/val_processed_data.csv"]}
    assert data["results"][0]["reason"] == "no script: processing_entry_point is null in DataLoadingConfig"


def test_unconfigured_run_exits_1_with_junit(setup, capsys) -> None:
    assert main(_args(setup, "--format", "junit", "--no-generate-data")) == 1
    suite = ET.fromstring(capsys.readouterr().out)
    assert (suite.get("tests"), suite.get("errors"), suite.get("skipped")) == ("2", "1", "1")
    error = suite.find("testcase[@name='TabularPreprocessing_training']/error")
    assert error is not None and error.get("type") == "unconfigured"


def test_progress_lines_and_text_report(setup, capsys) -> None:
    assert main(["test-scripts", "--dag", str(setup["dag"]), "--config", str(setup["config"]), "--workspace",
                 str(setup["ws"]), "--spec", str(setup["spec"]), "--progress"]) == 0
    captured = capsys.readouterr()
    assert "[1/1] running TabularPreprocessing_training ..." in captured.err
    assert captured.out.splitlines()[0] == "SKIP  DataLoading_training: no script: processing_entry_point is null " \
                                           "in DataLoadingConfig"
    assert captured.out.splitlines()[-1].startswith("OK: 1 passed, 1 skipped in ")


def test_usage_errors_exit_2(setup, tmp_path: Path, capsys) -> None:
    missing = tmp_path / "none.json"
    assert main(["test-scripts", "--dag", str(missing), "--config", str(setup["config"])]) == 2
    assert capsys.readouterr().err == f"cursus-lint: error: pipeline DAG file does not exist: {missing}\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("scripts:\n  Nope: {}\n", encoding="utf-8")
    assert main(_args(setup, "--spec", str(bad))) == 2
    assert capsys.readouterr().err == (
        f"cursus-lint: error: {bad}: no script to configure in node(s) Nope "
        "(nodes with scripts: TabularPreprocessing_training)\n")
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"scripts": {"TabularPreprocessing_training": {"input": {}}}}', encoding="utf-8")
    assert main(_args(setup, "--spec", str(wrong))) == 2
    assert "invalid testing spec: scripts.TabularPreprocessing_training.input: Extra inputs are not permitted" \
        in capsys.readouterr().err


def test_spec_round_trip(setup, tmp_path: Path) -> None:
    factory = RuntimeTestingFactory(setup["dag"], setup["config"], workspace_dir=setup["ws"], timeout=42)
    factory.configure("TabularPreprocessing_training", inputs={"DATA": setup["spec"].parent / "data"},
                      env={"TRAIN_RATIO": "0.5"}, args={"job_type": "training"})
    saved = factory.save_spec(tmp_path / "ci" / "saved.json")
    assert json.loads(saved.read_text()) == {
        "version": 1, "dag": "../dag.json", "config": "../repo/pipeline/config.json", "timeout": 42.0,
        "scripts": {"TabularPreprocessing_training": {"inputs": {"DATA": "data"}, "env": {"TRAIN_RATIO": "0.5"},
                                                      "args": {"job_type": "training"}}}}
    again = RuntimeTestingFactory(setup["dag"], setup["config"], workspace_dir=setup["ws"])
    again.load_spec(saved)
    assert again.settings == factory.settings and again.timeout == 42.0
    with pytest.raises(TestingSetupError, match="cannot read the testing spec"):
        again.load_spec(tmp_path / "absent.yaml")


def test_a_first_run_without_data_runs_on_generated_rows(setup, capsys) -> None:
    """No --spec: the input nothing feeds gets 300 deterministic CSV rows with the step's label field,
    so the script runs end to end; the run says what it generated and where."""
    assert main(_args(setup, "--format", "json")) == 0
    captured = capsys.readouterr()
    assert captured.err == ("generated 300 rows of CSV for TabularPreprocessing_training.DATA (no upstream script "
                            "or --spec path feeds it; --no-generate-data to turn off)\n")
    data = json.loads(captured.out)
    assert data["counts"] == {"passed": 1, "skipped": 1}
    table = setup["ws"] / "generated" / "TabularPreprocessing_training" / "DATA" / "part-00000.csv"
    rows = table.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 301
    assert rows[0] == "id,num_1,num_2,num_3,num_4,cat_1,cat_2,is_fraud"  # LABEL_FIELD from config.label_name
    assert main(_args(setup, "--format", "json")) == 0  # the same rows again: deterministic
    capsys.readouterr()
    assert table.read_text(encoding="utf-8").splitlines() == rows


def test_a_model_input_nothing_feeds_gets_a_placeholder_archive(setup, tmp_path, capsys) -> None:
    """Packaging downstream of training (which cannot run offline): the model input gets a
    model.tar.gz holding one note, the run says it generated it, and the packaging script runs."""
    import tarfile

    from cursus_core.testing.generate import PLACEHOLDER_NOTE

    setup["dag"].write_text(json.dumps({"nodes": ["Package"], "edges": []}), encoding="utf-8")
    (tmp_path / "ci" / "code").mkdir()
    (tmp_path / "ci" / "code" / "inference.py").write_text("def model_fn(model_dir):\n    return None\n")
    setup["spec"].write_text("scripts:\n  Package:\n    inputs: {inference_scripts_input: code}\n", encoding="utf-8")
    assert main(_args(setup, "--spec", str(setup["spec"]), "--format", "json")) == 0
    captured = capsys.readouterr()
    assert captured.err == ("generated a placeholder model.tar.gz (not a trained model) for Package.model_input "
                            "(no upstream script or --spec path feeds it; --no-generate-data to turn off)\n")
    [result] = json.loads(captured.out)["results"]
    assert (result["node"], result["status"], result["outputs"]) == (
        "Package", "passed", {"packaged_model": ["model.tar.gz"]})
    placeholder = setup["ws"] / "generated" / "Package" / "model_input" / "model.tar.gz"
    with tarfile.open(placeholder) as archive:
        assert archive.getnames() == [PLACEHOLDER_NOTE]
        note = archive.extractfile(PLACEHOLDER_NOTE).read().decode()
    assert note.startswith("Placeholder written by cursus-lint test-scripts for Package.model_input: ")
    packaged = setup["ws"] / "Package" / "outputs" / "packaged_model" / "model.tar.gz"
    with tarfile.open(packaged) as archive:
        assert PLACEHOLDER_NOTE in archive.getnames() and "code/inference.py" in archive.getnames()


def test_no_generate_data_leaves_the_model_input_unconfigured(setup, capsys) -> None:
    setup["dag"].write_text(json.dumps({"nodes": ["Package"], "edges": []}), encoding="utf-8")
    assert main(_args(setup, "--no-generate-data", "--format", "json")) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    [result] = json.loads(captured.out)["results"]
    assert (result["status"], result["reason"]) == ("unconfigured", "required input 'model_input' has no source "
                                                                    "(no upstream script provides it)")


def test_an_input_the_builder_mounts_from_the_config_is_mounted_for_the_script(setup, capsys) -> None:
    """The Package builder mounts config.inference_scripts_path when no step provides the code, so
    runtime testing mounts the same directory: no --spec needed for it."""
    import tarfile

    setup["dag"].write_text(json.dumps({"nodes": ["Package"], "edges": []}), encoding="utf-8")
    code = setup["repo"] / "steps" / "scripts" / "inference"  # the saved config's inference_scripts_path
    factory = RuntimeTestingFactory(setup["dag"], setup["config"], workspace_dir=setup["ws"])
    [item] = [i for i in factory.requirements("Package").inputs if i.logical_name == "inference_scripts_input"]
    assert (item.builder_path, item.note) == (str(code), "the builder mounts config inference_scripts_path="
                                                         "'steps/scripts/inference' when no step provides it")
    assert main(_args(setup, "--format", "json")) == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert (result["node"], result["status"]) == ("Package", "passed")
    packaged = setup["ws"] / "Package" / "outputs" / "packaged_model" / "model.tar.gz"
    with tarfile.open(packaged) as archive:
        assert "code/inference.py" in archive.getnames()


def test_a_builder_path_that_does_not_exist_is_named_in_the_note(setup) -> None:
    setup["dag"].write_text(json.dumps({"nodes": ["Package"], "edges": []}), encoding="utf-8")
    shutil.rmtree(setup["repo"] / "steps" / "scripts" / "inference")
    factory = RuntimeTestingFactory(setup["dag"], setup["config"], workspace_dir=setup["ws"])
    [item] = [i for i in factory.requirements("Package").inputs if i.logical_name == "inference_scripts_input"]
    assert item.builder_path is None
    assert item.note == (f"the builder mounts config inference_scripts_path='steps/scripts/inference', which does "
                         f"not exist under {setup['repo']}")
    assert factory.settings == {}
