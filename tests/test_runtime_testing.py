"""Runtime testing of the example pipeline's real scripts on generated data."""

from __future__ import annotations

import importlib.util
import json
import shutil
import tarfile
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cursus_core.dag import PipelineDAG, load_dag
from cursus_core.testing import (
    RuntimeTestingFactory, ScriptConfigurationError, TestingSetupError, render_report,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example_repo"
N_ROWS, N_UNLABELLED = 300, 10

#: The part of the example DAG whose scripts need only pandas/numpy (XGBoost steps left out).
RUNNABLE = PipelineDAG(
    ["DataLoading_training", "TabularPreprocessing_training", "DataLoading_calibration",
     "TabularPreprocessing_calibration", "Package", "Registration"],
    [("DataLoading_training", "TabularPreprocessing_training"),
     ("DataLoading_calibration", "TabularPreprocessing_calibration"), ("Package", "Registration")])


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A private copy of the example repo, so a run can be checked for writes outside its workspace."""
    dest = tmp_path / "repo"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.fixture()
def data(tmp_path: Path) -> dict[str, Path]:
    """Raw order shards (some rows without a label), a trained-model archive and inference code."""
    rng = np.random.default_rng(7)
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    labels = rng.integers(0, 2, N_ROWS).astype(float)
    labels[:N_UNLABELLED] = np.nan
    frame = pd.DataFrame({"order_id": np.arange(N_ROWS), "amount": rng.random(N_ROWS).round(2),
                          "account_age_days": rng.integers(0, 900, N_ROWS), "is_fraud": labels})
    frame.iloc[:150].to_csv(raw / "part-0.csv", index=False)
    frame.iloc[150:].to_csv(raw / "part-1.csv", index=False)
    model = tmp_path / "data" / "model"
    model.mkdir()
    (tmp_path / "xgboost-model").write_text("booster", encoding="utf-8")
    with tarfile.open(model / "model.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "xgboost-model", arcname="xgboost-model")
    code = tmp_path / "data" / "inference"
    code.mkdir()
    (code / "inference.py").write_text("def model_fn(model_dir):\n    return model_dir\n", encoding="utf-8")
    return {"raw": raw, "model": model, "code": code}


def _factory(repo: Path, tmp_path: Path, dag=RUNNABLE, **kwargs) -> RuntimeTestingFactory:
    return RuntimeTestingFactory(dag, repo / "pipeline" / "config.json", workspace_dir=tmp_path / "ws", **kwargs)


def _configure_runnable(factory: RuntimeTestingFactory, data: dict[str, Path]) -> None:
    factory.configure("TabularPreprocessing_training", inputs={"DATA": data["raw"]})
    factory.configure("TabularPreprocessing_calibration", inputs={"DATA": data["raw"]})
    factory.configure("Package", inputs={"model_input": data["model"], "inference_scripts_input": data["code"]})


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


# ----------------------------------------------------------------------------- discovery


def test_scripts_come_from_config_entry_points_and_phantoms_are_skipped(repo: Path, tmp_path: Path) -> None:
    factory = _factory(repo, tmp_path, dag=load_dag(repo / "pipeline" / "dag.json"))
    assert factory.scripts_requiring_testing() == [
        "TabularPreprocessing_training", "XGBoostTraining", "TabularPreprocessing_calibration",
        "XGBoostModelEval_calibration", "Package"]
    no_field = "has no entry point (processing_entry_point, training_entry_point, inference_entry_point, script_path)"
    assert factory.skipped_nodes() == {
        "DataLoading_training": "no script: processing_entry_point is null in DataLoadingConfig",
        "DataLoading_calibration": "no script: processing_entry_point is null in DataLoadingConfig",
        "XGBoostModel": f"no script: XGBoostModelConfig {no_field}",
        "BatchTransform_calibration": f"no script: BatchTransformConfig {no_field}",
        "Registration": f"no script: RegistrationConfig {no_field}",
    }
    assert factory.node_errors() == {}
    wired = "wired to {0}.DATA, which has no script: configure a local path"
    assert factory.pending_scripts() == {
        "TabularPreprocessing_training": [
            "required input 'DATA' has no source (" + wired.format("DataLoading_training") + ")"],
        "TabularPreprocessing_calibration": [
            "required input 'DATA' has no source (" + wired.format("DataLoading_calibration") + ")"],
    }
    assert factory.requirements("XGBoostModelEval_calibration").input("model_input").upstream == \
        "XGBoostTraining.model_output"
    summary = factory.summary()
    # Package runs as it is: its model comes from XGBoostTraining's output and its serving code from
    # the folder its builder mounts from config.inference_scripts_path (steps/scripts/inference)
    assert summary["nodes"] == 10 and summary["configured"] == ["Package"] and len(summary["skipped"]) == 5


def test_requirements_come_from_contract_spec_builder_and_config(repo: Path, tmp_path: Path) -> None:
    req = _factory(repo, tmp_path).requirements("TabularPreprocessing_training")
    assert req.script == "steps/scripts/tabular_preprocessing.py"
    assert req.entry_point_field == "processing_entry_point" and req.has_main is True
    assert req.contract == "steps/contracts/tabular_preprocessing_contract.py"
    assert req.spec == "steps/specs/tabular_preprocessing_training_spec.py"
    assert [(i.logical_name, i.container_path, i.required) for i in req.inputs] == [
        ("DATA", "/opt/ml/processing/input/data", True), ("SIGNATURE", "/opt/ml/processing/input/signature", False)]
    assert [(o.logical_name, o.container_path) for o in req.outputs] == [
        ("processed_data", "/opt/ml/processing/output")]
    assert [(e.name, e.required, e.value, e.source) for e in req.env_vars] == [
        ("LABEL_FIELD", True, "is_fraud", "config.label_name"),
        ("TRAIN_RATIO", False, "0.8", "config.train_ratio"),
        ("TEST_VAL_RATIO", False, "0.5", "config.test_val_ratio")]
    assert req.job_args == ["--job_type", "training"]
    # a script file name used by two nodes is ambiguous
    with pytest.raises(KeyError, match="runs in several nodes"):
        _factory(repo, tmp_path).requirements("tabular_preprocessing.py")
    assert _factory(repo, tmp_path).requirements("package.py").node == "Package"


def test_missing_entry_point_file_and_node_without_config_are_errors(repo: Path, tmp_path: Path) -> None:
    config = json.loads((repo / "pipeline" / "config.json").read_text())
    config["configuration"]["specific"]["Package"]["processing_entry_point"] = "packge.py"
    (repo / "pipeline" / "config.json").write_text(json.dumps(config))
    dag = PipelineDAG(["Package", "Package_testing"], [("Package", "Package_testing")])
    factory = _factory(repo, tmp_path, dag=dag)
    assert factory.node_errors() == {
        "Package": "entry point processing_entry_point='packge.py' (source dir source_dir='steps/scripts'): "
                   "script file steps/scripts/packge.py does not exist",
        "Package_testing": "DAG node 'Package_testing' has no config of that name; candidates: 'Package' "
                     "(rename the config or map the node explicitly)",
    }
    report = factory.run()
    assert [(r.node, r.status) for r in report.results] == [("Package", "error"), ("Package_testing", "error")]
    assert report.ok is False


def test_unreadable_config_is_a_setup_error(tmp_path: Path) -> None:
    bad = tmp_path / "config.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(TestingSetupError, match=r"config.json:1:2: invalid JSON: Expecting property name"):
        RuntimeTestingFactory(RUNNABLE, bad, workspace_dir=tmp_path / "ws", repo_root=EXAMPLE)


# ----------------------------------------------------------------------------- configure


def test_configure_reports_every_problem_with_what_is_expected(repo: Path, tmp_path: Path, data) -> None:
    factory = _factory(repo, tmp_path)
    with pytest.raises(ScriptConfigurationError) as info:
        factory.configure("TabularPreprocessing_training", inputs={"data": data["raw"], "SIGNATURE": tmp_path / "nope"},
                          outputs={"processed_data": tmp_path / "elsewhere"}, env={"LABEL": "y"}, args={"jobtype": "x"})
    assert info.value.problems == [
        "unknown input 'data'",
        f"input 'SIGNATURE' path {tmp_path / 'nope'} does not exist",
        f"output 'processed_data' path {tmp_path / 'elsewhere'} is outside the workspace {tmp_path / 'ws'}",
        "env var 'LABEL' is not declared by the contract",
        "unknown argument 'jobtype'",
        "required input 'DATA' has no source (wired to DataLoading_training.DATA, which has no script: "
        "configure a local path)",
    ]
    assert str(info.value).endswith(
        "Expected: inputs: DATA (required), SIGNATURE (optional); outputs: processed_data; "
        "env vars: LABEL_FIELD, TRAIN_RATIO, TEST_VAL_RATIO; arguments: --job_type")
    assert list(factory.settings) == ["Package"]  # configured before, from its upstream and its config
    with pytest.raises(KeyError, match="node 'Registration' has no script to test: no script: RegistrationConfig"):
        factory.configure("Registration", inputs={})
    with pytest.raises(KeyError, match=r"unknown script or node 'Nope' \(nodes with scripts: "
                                       r"TabularPreprocessing_training, "):
        factory.configure("Nope")


def test_unconfigured_script_is_reported_not_run(repo: Path, tmp_path: Path) -> None:
    dag = PipelineDAG(["DataLoading_training", "TabularPreprocessing_training"],
                      [("DataLoading_training", "TabularPreprocessing_training")])
    report = _factory(repo, tmp_path, dag=dag).run()
    result = report.result("TabularPreprocessing_training")
    assert result.status == "unconfigured" and result.duration_s == 0.0
    assert result.reason == ("required input 'DATA' has no source (wired to DataLoading_training.DATA, "
                             "which has no script: configure a local path)")


# ----------------------------------------------------------------------------- running


def test_example_scripts_run_end_to_end(repo: Path, tmp_path: Path, data) -> None:
    factory = _factory(repo, tmp_path)
    _configure_runnable(factory, data)
    assert factory.pending_scripts() == {}
    before = _tree(repo)
    events: list[tuple[str, str | None]] = []
    report = factory.run(on_progress=lambda node, r: events.append((node, r.status if r else None)))
    assert [(r.node, r.status) for r in report.results] == [
        ("DataLoading_training", "skipped"), ("TabularPreprocessing_training", "passed"),
        ("DataLoading_calibration", "skipped"), ("TabularPreprocessing_calibration", "passed"),
        ("Package", "passed"), ("Registration", "skipped")], render_report(report)
    assert report.ok is True and report.counts() == {"passed": 3, "skipped": 3}
    assert events[:3] == [("DataLoading_training", "skipped"), ("TabularPreprocessing_training", None),
                          ("TabularPreprocessing_training", "passed")]
    train = report.result("TabularPreprocessing_training")
    assert train.mode == "main" and train.failing_frame is None
    assert train.outputs == {"processed_data": ["test/test_processed_data.csv", "train/train_processed_data.csv",
                                                "val/val_processed_data.csv"]}
    out = Path(train.output_paths["processed_data"])
    assert out == tmp_path / "ws" / "TabularPreprocessing_training" / "outputs" / "processed_data"
    labelled = N_ROWS - N_UNLABELLED  # 290: rows without a label are dropped
    n_train = int(labelled * 0.8)  # TRAIN_RATIO from the config, not the contract default 0.7
    sizes = {s: len(pd.read_csv(out / s / f"{s}_processed_data.csv")) for s in ("train", "test", "val")}
    assert sizes == {"train": n_train, "test": (labelled - n_train) // 2, "val": labelled - n_train - 29}
    calib = report.result("TabularPreprocessing_calibration")
    assert calib.outputs == {"processed_data": ["calibration/calibration_processed_data.csv"]}
    frame = pd.read_csv(Path(calib.output_paths["processed_data"]) / "calibration" / "calibration_processed_data.csv")
    assert list(frame.columns) == ["order_id", "amount", "account_age_days", "is_fraud"] and len(frame) == labelled
    package = report.result("Package")
    assert package.outputs == {"packaged_model": ["model.tar.gz"]}
    with tarfile.open(Path(package.output_paths["packaged_model"]) / "model.tar.gz") as tar:
        assert sorted(tar.getnames()) == ["code", "code/inference.py", "xgboost-model"]
    assert _tree(repo) == before  # nothing written into the step repo
    assert {p.name for p in (tmp_path / "ws").iterdir()} == {
        "TabularPreprocessing_training", "TabularPreprocessing_calibration", "Package"}
    text = render_report(report)
    assert "PASS  Package (" in text and text.splitlines()[-1].startswith("OK: 3 passed, 3 skipped in ")


@pytest.mark.skipif(importlib.util.find_spec("xgboost") is not None, reason="xgboost is installed here")
def test_full_example_dag_fails_clearly_without_xgboost(repo: Path, tmp_path: Path, data) -> None:
    factory = _factory(repo, tmp_path, dag=load_dag(repo / "pipeline" / "dag.json"))
    _configure_runnable(factory, data)
    report = factory.run()
    failed = report.result("XGBoostTraining")
    assert failed.status == "failed" and failed.returncode == 1
    assert failed.error == (f"ModuleNotFoundError: No module named 'xgboost' (the interpreter {sys.executable} "
                            "cannot import 'xgboost'; run the scripts with one that has it: "
                            "test-scripts --python PATH)")
    assert failed.failing_frame is not None
    assert (failed.failing_frame.line, failed.failing_frame.code) == (16, "import xgboost as xgb")
    assert failed.reason == "exit code 1 at xgboost_training.py:16"
    assert report.result("XGBoostModelEval_calibration").reason == "upstream 'XGBoostTraining' failed"
    assert report.result("Package").status == "blocked"
    assert report.result("TabularPreprocessing_calibration").status == "passed"


def test_failure_reports_last_frame_in_script_and_blocks_downstream(repo: Path, tmp_path: Path) -> None:
    raw = tmp_path / "unlabelled"
    raw.mkdir()
    pd.DataFrame({"order_id": [1, 2], "amount": [3.0, 4.0]}).to_csv(raw / "part.csv", index=False)
    dag = PipelineDAG(["TabularPreprocessing_training", "XGBoostTraining"],
                      [("TabularPreprocessing_training", "XGBoostTraining")])
    factory = _factory(repo, tmp_path, dag=dag)
    factory.configure("TabularPreprocessing_training", inputs={"DATA": raw})
    report = factory.run()
    script = repo / "steps" / "scripts" / "tabular_preprocessing.py"
    line = next(i for i, text in enumerate(script.read_text().splitlines(), 1) if "raise KeyError(" in text)
    failed = report.result("TabularPreprocessing_training")
    assert failed.status == "failed" and failed.returncode == 1
    assert failed.error == "KeyError: \"Label field 'is_fraud' not in columns ['order_id', 'amount']\""
    assert failed.failing_frame.model_dump() == {
        "path": str(script), "line": line, "function": "main",
        "code": "raise KeyError(f\"Label field '{label_field}' not in columns {list(df.columns)[:10]}\")"}
    assert failed.reason == f"exit code 1 at tabular_preprocessing.py:{line}"
    assert failed.stderr_tail.splitlines()[-1] == failed.error
    blocked = report.result("XGBoostTraining")
    assert (blocked.status, blocked.reason) == ("blocked", "upstream 'TabularPreprocessing_training' failed")


def _package_only(repo: Path, tmp_path: Path, data, script: str, timeout: float = 60.0) -> RuntimeTestingFactory:
    (repo / "steps" / "scripts" / "package.py").write_text(script, encoding="utf-8")
    factory = _factory(repo, tmp_path, dag=PipelineDAG(["Package"]), timeout=timeout)
    factory.configure("Package", inputs={"model_input": data["model"]})
    return factory


def test_hanging_script_is_stopped_at_the_limit(repo: Path, tmp_path: Path, data) -> None:
    hang = ("import time\n\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n"
            "    print('started', flush=True)\n    time.sleep(120)\n")
    report = _package_only(repo, tmp_path, data, hang, timeout=3).run()
    result = report.result("Package")
    assert result.status == "timeout" and result.reason == "stopped after the 3 s time limit"
    assert 3 <= result.duration_s < 20
    assert result.stdout_tail == "started"


def test_program_without_main_runs_with_container_paths_mapped(repo: Path, tmp_path: Path, data) -> None:
    program = (
        "import os\nimport sys\n\n"
        "MODEL_DIR = '/opt/ml/processing/input/model'\n"
        "OUT_DIR = '/opt/ml/processing/output'\n"
        "SCRATCH = '/opt/ml/processing/scratch'\n\n"
        "if __name__ == '__main__':\n"
        "    os.makedirs(SCRATCH, exist_ok=True)\n"
        "    names = sorted(os.listdir(MODEL_DIR))\n"
        "    with open(os.path.join(OUT_DIR, 'listing.txt'), 'w') as fh:\n"
        "        fh.write(','.join(names) + ' ' + os.environ['COMPRESSION_LEVEL'] + ' ' + str(sys.argv[1:]))\n"
    )
    factory = _package_only(repo, tmp_path, data, program)
    assert factory.requirements("Package").has_main is False
    result = factory.run().result("Package")
    assert (result.status, result.mode) == ("passed", "program"), result.stderr_tail
    assert result.outputs == {"packaged_model": ["listing.txt"]}
    listing = Path(result.output_paths["packaged_model"]) / "listing.txt"
    assert listing.read_text() == "model.tar.gz 6 []"
    assert (tmp_path / "ws" / "Package" / "container" / "opt" / "ml" / "processing" / "scratch").is_dir()


def test_program_exit_code_reports_the_exit_line(repo: Path, tmp_path: Path, data) -> None:
    program = "import sys\n\n\ndef check():\n    sys.exit(3)\n\n\nif __name__ == '__main__':\n    check()\n"
    result = _package_only(repo, tmp_path, data, program).run().result("Package")
    assert (result.status, result.returncode, result.error) == ("failed", 3, "SystemExit: 3")
    assert (result.failing_frame.line, result.failing_frame.function, result.failing_frame.code) == \
        (5, "check", "sys.exit(3)")


def test_run_only_named_nodes_and_their_upstream(repo: Path, tmp_path: Path, data) -> None:
    factory = _factory(repo, tmp_path)
    _configure_runnable(factory, data)
    report = factory.run(nodes=["TabularPreprocessing_calibration"])
    assert [(r.node, r.status) for r in report.results] == [
        ("DataLoading_calibration", "skipped"), ("TabularPreprocessing_calibration", "passed")]
