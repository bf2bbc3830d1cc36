"""The interface layout builds and runs: template builders from `.step.yaml` (dry run, runtime testing).

Every build here runs with the network blocked (socket connect raises).
"""

from __future__ import annotations

import json
import socket
import tarfile
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest

pytest.importorskip("sagemaker")

from cursus_core.compiler import dry_run, normalize_definition  # noqa: E402
from cursus_core.dag import PipelineDAG  # noqa: E402
from cursus_core.interface.discovery import discover, load  # noqa: E402
from cursus_core.templates import UnbuildableRoute, route_for  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IFACE = FIXTURES / "interface_repo"
CLASSIC = FIXTURES / "example_repo"


def _no_network(*_: Any, **__: Any) -> None:
    raise OSError("network access blocked in tests")


@pytest.fixture(scope="module")
def built() -> Iterator[dict[str, dict[str, Any]]]:
    """Both layouts' example pipelines, dry-run built once: repo name -> step name -> step."""
    out: dict[str, dict[str, Any]] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", _no_network)
        for repo in (IFACE, CLASSIC):
            result = dry_run(repo / "pipeline" / "dag.json", repo / "pipeline" / "config.json", repo)
            assert result.problems == [] and result.definition is not None, result.problems
            out[repo.name] = {s["Name"]: s for s in normalize_definition(result.definition)["Steps"]}
            out[repo.name]["__report__"] = result.report.to_dict()
    yield out


def _get(step: dict[str, Any], *path: Any) -> Any:
    value: Any = step["Arguments"]
    for key in path:
        value = value[key]
    return value


def _processing(step: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    items = _get(step, "ProcessingInputs") if kind == "in" else _get(step, "ProcessingOutputConfig", "Outputs")
    return next(i for i in items if i["InputName" if kind == "in" else "OutputName"] == name)


PREFIX = {"Get": "Parameters.EXECUTION_S3_PREFIX"}


# ----------------------------------------------------------------------------- routes


def test_every_fixture_interface_has_its_route_and_delegation_is_named() -> None:
    routes = {}
    for item in load(discover(IFACE)):
        if item.file.origin != "package":
            continue
        try:
            routes[item.interface.name] = route_for(item.interface).label
        except UnbuildableRoute as exc:
            routes[item.interface.name] = str(exc)
    assert routes == {
        "BatchTransform": "Transform", "DataLoading": "Processing/code", "Package": "Processing/code",
        "TabularPreprocessing": "Processing/code", "XGBoostModel": "CreateModel",
        "XGBoostModelEval": "Processing/step_args", "XGBoostTraining": "Training",
        "Registration": "step 'Registration' is built by SDK delegation (route MimsModelRegistrationProcessing x "
                        "delegation x -); no template builds it: its SDK package "
                        "'secure_ai_sandbox_workflow_python_sdk' is not installed",
    }


# ----------------------------------------------------------------------------- the build


def test_interface_pipeline_builds_every_step_type_offline(built) -> None:
    steps = built["interface_repo"]
    report = steps["__report__"]
    types = {name: s["Type"] for name, s in steps.items() if name != "__report__"}
    assert types == {
        "DataLoading_training": "Processing", "TabularPreprocessing_training": "Processing",
        "XGBoostTraining": "Training", "DataLoading_calibration": "Processing",
        "TabularPreprocessing_calibration": "Processing", "CurrencyConversion_calibration": "Processing",
        "XGBoostModelEval_calibration": "Processing", "XGBoostModel-CreateModel": "Model",
        "BatchTransform_calibration": "Transform", "Package": "Processing"}
    builders = {n["node"]: n["builder_class"] for n in report["nodes"]}
    assert builders["CurrencyConversion_calibration"] == "ProcessingTemplate[CurrencyConversion]"  # the step pack's
    assert builders["XGBoostModelEval_calibration"] == "ProcessingStepArgsTemplate[XGBoostModelEval]"
    assert {n["node"]: n["builder_file"] for n in report["nodes"]}["CurrencyConversion_calibration"] == \
        "projects/fraud_team/step_pack/interfaces/currency_conversion.step.yaml"


def test_template_wiring_env_vars_and_arguments(built) -> None:
    steps = built["interface_repo"]
    upstream = "Steps.TabularPreprocessing_training.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri"
    channels = {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"]
                for c in _get(steps["XGBoostTraining"], "InputDataConfig")}
    # one input fanned out into its declared channels, each below the upstream output's property Get
    assert channels == {ch: {"Std:Join": {"On": "/", "Values": [{"Get": upstream}, ch, ""]}}
                        for ch in ("train", "val", "test")}
    assert _get(steps["XGBoostTraining"], "OutputDataConfig", "S3OutputPath") == \
        {"Std:Join": {"On": "/", "Values": [PREFIX, "xgboost_training"]}}
    assert _get(steps["XGBoostTraining"], "Environment") == {"XGB_NTHREAD": "-1"}
    prep = steps["TabularPreprocessing_training"]
    assert _processing(prep, "in", "DATA")["S3Input"]["S3Uri"] == \
        {"Get": "Steps.DataLoading_training.ProcessingOutputConfig.Outputs['DATA'].S3Output.S3Uri"}
    assert _processing(prep, "in", "SIGNATURE")["S3Input"]["LocalPath"] == "/opt/ml/processing/input/signature"
    assert _processing(prep, "out", "processed_data")["S3Output"]["S3Uri"] == \
        {"Std:Join": {"On": "/", "Values": [PREFIX, "tabular_preprocessing", "training", "processed_data"]}}
    # env: the config's own collector (LABEL_FIELD <- label_name), fields, then the interface default
    assert _get(prep, "Environment") == {"LABEL_FIELD": "is_fraud", "TRAIN_RATIO": "0.8", "TEST_VAL_RATIO": "0.5"}
    assert _get(prep, "AppSpecification", "ContainerArguments") == ["--job_type", "training"]
    conv = steps["CurrencyConversion_calibration"]
    assert _get(conv, "Environment") == {"CURRENCY_FIELD": "currency", "AMOUNT_FIELD": "amount",
                                         "TARGET_CURRENCY": "USD"}
    assert _get(conv, "AppSpecification", "ContainerArguments") == ["--job_type", "calibration", "--mode", "per_row"]
    package = steps["Package"]  # Package has no job_type: no job-type segment
    assert _processing(package, "out", "packaged_model")["S3Output"]["S3Uri"] == \
        {"Std:Join": {"On": "/", "Values": [PREFIX, "package", "packaged_model"]}}
    assert _processing(package, "in", "inference_scripts_input")["S3Input"]["S3Uri"].endswith(
        "/Package/input/inference_scripts_input")  # input_source_overrides: the config's folder, uploaded
    evaluation = steps["XGBoostModelEval_calibration"]  # step_args route over the XGBoost framework processor
    assert _get(evaluation, "AppSpecification", "ContainerEntrypoint") == \
        ["/bin/bash", "/opt/ml/processing/input/entrypoint/runproc.sh"]
    assert _processing(evaluation, "in", "model_input")["S3Input"]["S3Uri"] == \
        {"Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"}
    model = steps["XGBoostModel-CreateModel"]
    assert _get(model, "PrimaryContainer", "ModelDataUrl") == {
        "Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"}
    transform = steps["BatchTransform_calibration"]
    assert _get(transform, "ModelName") == {"Get": "Steps.XGBoostModel-CreateModel.ModelName"}
    assert _get(transform, "TransformOutput", "S3OutputPath") == \
        {"Std:Join": {"On": "/", "Values": [PREFIX, "batch_transform", "calibration"]}}


def _flat(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flat(item, f"{path}.{key}")
    elif isinstance(value, list) and any(isinstance(i, (dict, list)) for i in value):
        for i, item in enumerate(value):
            yield from _flat(item, f"{path}[{i}]")
    else:
        yield path, value


#: Everything that differs (after normalize_definition: uploaded code hashes are equalized) between
#: the classic and the interface build of the shared steps, and why.
OUTPUT_PATHS = "output destinations: the assembler gives classic builders <prefix>/<node>/<output>; templates " \
               "use <prefix>/<snake step>[/<job_type>]/<output>, as upstream's templates do"
CODE_ROUTE = "the interface declares step_assembly 'code' (ProcessingStep(code=...)), which uploads the script " \
             "below the job name; the classic builder calls processor.run(), which uploads to <pipeline>/code/<hash>"
EXPECTED_DIFFS: dict[str, dict[str, str]] = {
    "TabularPreprocessing_training": {".Arguments.ProcessingOutputConfig": OUTPUT_PATHS,
                                      ".Arguments.ProcessingInputs[2].S3Input.S3Uri": CODE_ROUTE},
    "TabularPreprocessing_calibration": {".Arguments.ProcessingOutputConfig": OUTPUT_PATHS,
                                         ".Arguments.ProcessingInputs[2].S3Input.S3Uri": CODE_ROUTE},
    "Package": {".Arguments.ProcessingOutputConfig": OUTPUT_PATHS,
                ".Arguments.ProcessingInputs[2].S3Input.S3Uri": CODE_ROUTE},
    "XGBoostTraining": {
        ".Arguments.OutputDataConfig": OUTPUT_PATHS, ".Arguments.DebugHookConfig": OUTPUT_PATHS,
        ".Arguments.ProfilerConfig": OUTPUT_PATHS,
        ".Arguments.InputDataConfig[3]": "the classic builder adds a 'config' channel from its config's "
                                         "hyperparameters_s3_uri; the interface's optional hyperparameters input "
                                         "has no provider in the DAG, so no channel",
    },
    "XGBoostModelEval_calibration": {
        ".Arguments.ProcessingOutputConfig": OUTPUT_PATHS,
        ".Arguments.Environment.PREDICTION_THRESHOLD": "set by custom classic builder logic from a config field "
                                                       "the interface contract does not declare",
    },
    "XGBoostModel-CreateModel": {
        ".Arguments.PrimaryContainer.Environment": "serving env vars (SAGEMAKER_CONTAINER_LOG_LEVEL, "
                                                   "SAGEMAKER_MODEL_SERVER_WORKERS) come from the classic config's "
                                                   "serving_environment via custom builder logic; the interface "
                                                   "declares none",
    },
    "BatchTransform_calibration": {
        ".Arguments.TransformOutput.S3OutputPath": OUTPUT_PATHS,
        ".Arguments.TransformInput.DataSource.S3DataSource.S3Uri": "the classic builder scores the '<job_type>' "
                                                                   "sub-folder of processed_data (custom logic); the "
                                                                   "template scores the wired output itself",
        ".Arguments.Environment": "serving env (SAGEMAKER_MODEL_SERVER_WORKERS) from the classic config's "
                                  "transform_environment",
        ".Arguments.DataProcessing": "record handling (input_filter, join_source) exists only as classic "
                                     "config fields",
        ".Arguments.TransformInput.SplitType": "split_type exists only as a classic config field",
        ".Arguments.TransformOutput.Accept": "accept exists only as a classic config field",
        ".Arguments.TransformOutput.AssembleWith": "assemble_with is the classic config's split_type",
        ".Arguments.MaxPayloadInMB": "max_payload_mb exists only as a classic config field",
    },
}


def test_both_layouts_build_the_shared_steps_alike_apart_from_explained_differences(built) -> None:
    classic, iface = built["example_repo"], built["interface_repo"]
    shared = sorted(set(classic) & set(iface) - {"__report__"})
    # DataLoading is a different step in the two fixtures (a loader image vs a script), so not compared;
    # Registration (SDK delegation) and the pack's CurrencyConversion each exist in one layout only.
    assert sorted(set(classic) - set(iface)) == ["Registration-RegisterModel"]
    assert sorted(set(iface) - set(classic)) == ["CurrencyConversion_calibration"]
    compared = [name for name in shared if not name.startswith("DataLoading_")]
    assert compared == sorted(EXPECTED_DIFFS)
    for name in compared:
        a, b = dict(_flat(classic[name])), dict(_flat(iface[name]))
        assert classic[name]["Type"] == iface[name]["Type"]
        differing = {k for k in set(a) | set(b) if a.get(k) != b.get(k)}
        explained = EXPECTED_DIFFS[name]
        unexplained = {k for k in differing if not any(k.startswith(prefix) for prefix in explained)}
        assert unexplained == set(), (name, {k: (a.get(k), b.get(k)) for k in unexplained})
        stale = {p for p in explained if not any(k.startswith(p) for k in differing)}
        assert stale == set(), (name, stale)


# ----------------------------------------------------------------------------- problems and fixtures


def test_sdk_delegated_step_is_a_builder_not_found_naming_the_route(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    config = json.loads((IFACE / "pipeline" / "config.json").read_text())
    config["configuration"]["specific"]["Registration"] = {"__model_type__": "RegistrationConfig",
                                                          "model_domain": "risk", "model_objective": "fraud"}
    config["metadata"]["config_types"]["Registration"] = "RegistrationConfig"
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "dag.json").write_text(json.dumps({"nodes": ["Package", "Registration"],
                                                   "edges": [["Package", "Registration"]]}))
    result = dry_run(tmp_path / "dag.json", tmp_path / "config.json", IFACE)
    problems = [p for p in result.problems if p.kind != "config-without-node"]
    assert [(p.kind, p.node, p.path, p.line) for p in problems] == [
        # step_assembly
        ("builder-not-found", "Registration", IFACE / "steps" / "interfaces" / "registration.step.yaml", 9)]
    assert problems[0].message.startswith("step 'Registration' is built by SDK delegation (route "
                                          "MimsModelRegistrationProcessing x delegation x -)")
    assert result.definition is None


def test_saved_config_is_reproduced_by_make_config(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(FIXTURES))
    import importlib

    module = importlib.import_module("interface_repo.pipeline.make_config")
    module.write_config(tmp_path / "config.json")
    assert (tmp_path / "config.json").read_text() == (IFACE / "pipeline" / "config.json").read_text()


# ----------------------------------------------------------------------------- runtime testing


def test_interface_scripts_run_end_to_end_with_requirements_from_the_interface(tmp_path: Path, monkeypatch) -> None:
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    from cursus_core.testing import RuntimeTestingFactory, render_report

    monkeypatch.setattr(socket.socket, "connect", _no_network)
    # DataLoading reads a table export outside its contract (a source step): its outputs are given as local data
    dag = PipelineDAG(["TabularPreprocessing_calibration", "CurrencyConversion_calibration", "Package"],
                      [("TabularPreprocessing_calibration", "CurrencyConversion_calibration")])
    ws = tmp_path / "ws"
    raw, signature = tmp_path / "raw", tmp_path / "signature"
    raw.mkdir()
    signature.mkdir()
    rng = np.random.default_rng(3)
    n = 40
    pd.DataFrame({"order_id": np.arange(n), "amount": rng.random(n).round(2) * 100,
                  "currency": rng.choice(["USD", "EUR", "GBP"], n),
                  "is_fraud": rng.integers(0, 2, n)}).to_csv(raw / "part-0.csv", index=False)
    (signature / "signature").write_text("order_id,amount,currency,is_fraud\n", encoding="utf-8")
    model = tmp_path / "model"
    model.mkdir()
    (tmp_path / "xgboost-model").write_text("booster", encoding="utf-8")
    with tarfile.open(model / "model.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "xgboost-model", arcname="xgboost-model")
    code = tmp_path / "inference"
    code.mkdir()
    (code / "inference.py").write_text("def model_fn(model_dir):\n    return model_dir\n", encoding="utf-8")

    factory = RuntimeTestingFactory(dag, IFACE / "pipeline" / "config.json", workspace_dir=ws, repo_root=IFACE)
    plan = factory.requirements("TabularPreprocessing_calibration")
    assert plan.contract == plan.spec == "steps/interfaces/tabular_preprocessing.step.yaml"
    assert [(e.name, e.required, e.value, e.source) for e in plan.env_vars] == [
        ("LABEL_FIELD", True, "is_fraud", "config.label_name"), ("TRAIN_RATIO", False, "0.7", "config.train_ratio"),
        ("TEST_VAL_RATIO", False, "0.5", "config.test_val_ratio")]
    assert plan.job_args == ["--job_type", "calibration"]
    # the calibration variant makes SIGNATURE required
    assert [(i.logical_name, i.container_path, i.required) for i in plan.inputs] == [
        ("DATA", "/opt/ml/processing/input/data", True), ("SIGNATURE", "/opt/ml/processing/input/signature", True)]
    conv = factory.requirements("CurrencyConversion_calibration")
    assert conv.contract == "projects/fraud_team/step_pack/interfaces/currency_conversion.step.yaml"
    assert conv.job_args == ["--job_type", "calibration", "--mode", "per_row"]
    assert conv.input("input_data").upstream == "TabularPreprocessing_calibration.processed_data"
    factory.configure("TabularPreprocessing_calibration", inputs={"DATA": raw, "SIGNATURE": signature})
    factory.configure("Package", inputs={"model_input": model, "inference_scripts_input": code})
    report = factory.run()
    assert [(r.node, r.status) for r in report.results] == [
        ("TabularPreprocessing_calibration", "passed"),
        ("CurrencyConversion_calibration", "passed"), ("Package", "passed")], render_report(report)
    converted = report.result("CurrencyConversion_calibration")
    files = converted.outputs["converted_data"]
    assert len(files) == 1
    frame = pd.read_csv(Path(converted.output_paths["converted_data"]) / files[0])
    assert len(frame) == n and set(frame["currency"]) <= {"USD", "EUR", "GBP"}


# ----------------------------------------------------------------------------- the CLI, unchanged


@pytest.mark.slow
def test_cursus_lint_build_on_the_interface_repo(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    root = tmp_path / "repo"
    shutil.copytree(IFACE, root, ignore=shutil.ignore_patterns("__pycache__"))
    cmd = [sys.executable, "-m", "cursus_lint.cli", "build", "--dag", "pipeline/dag.json", "--config",
           "pipeline/config.json", "--repo", ".", "--definition", "definition.json", "--format", "json"]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["diagnostics"] == []
    definition = json.loads((root / "definition.json").read_text())
    assert sorted(s["Name"] for s in definition["Steps"]) == [
        "BatchTransform_calibration", "CurrencyConversion_calibration", "DataLoading_calibration",
        "DataLoading_training", "Package", "TabularPreprocessing_calibration", "TabularPreprocessing_training",
        "XGBoostModel-CreateModel", "XGBoostModelEval_calibration", "XGBoostTraining"]
    # a Registration node (SDK delegation) is a CL804 at the interface's step_assembly line
    config = json.loads((root / "pipeline" / "config.json").read_text())
    config["configuration"]["specific"]["Registration"] = {"__model_type__": "RegistrationConfig",
                                                          "model_domain": "risk", "model_objective": "fraud"}
    config["metadata"]["config_types"]["Registration"] = "RegistrationConfig"
    (root / "pipeline" / "config.json").write_text(json.dumps(config, indent=2))
    dag = json.loads((root / "pipeline" / "dag.json").read_text())
    dag["nodes"].append("Registration")
    dag["edges"].append(["Package", "Registration"])
    (root / "pipeline" / "dag.json").write_text(json.dumps(dag))
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 1
    found = [(d["code"], d["path"], d["line"], d["step"]) for d in json.loads(proc.stdout)["diagnostics"]]
    assert found == [("CL804", "steps/interfaces/registration.step.yaml", 9, "Registration")]
