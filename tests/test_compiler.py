"""The dry-run build end to end: example pipeline, golden definition, parameters, problems, no network.

sagemaker is imported once for this module (~3 s); the example is built once and shared.
Every build runs with socket connects replaced by a recorder that raises, and each test
asserts that nothing tried to connect. ``UPDATE_GOLDEN=1`` rewrites tests/golden/example_pipeline.json
and fails the golden test (rerun without it to compare).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cursus_core.compiler import (
    BUILD_EXTRA_MESSAGE,
    PROBLEM_KINDS,
    BuildProblem,
    DryRunResult,
    PipelineDAGCompiler,
    dry_run,
    normalize_definition,
    offline_environment,
    require_build_extra,
)
from cursus_core.dag import load_dag

# imports sagemaker the way a dry run does (quiet, no v2 banner); the build extra is installed by
# `make test` and CI, so a missing one is an error here, not a skip
require_build_extra()

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example_repo"
DAG = EXAMPLE / "pipeline" / "dag.json"
CONFIG = EXAMPLE / "pipeline" / "config.json"
GOLDEN = Path(__file__).resolve().parent / "golden" / "example_pipeline.json"
PREFIX = {"Get": "Parameters.EXECUTION_S3_PREFIX"}


# ----------------------------------------------------------------------------- no network


class NetworkAttempts(list):
    """Every (function, address) something tried to connect to."""


@pytest.fixture(scope="module")
def network() -> Iterator[NetworkAttempts]:
    attempts = NetworkAttempts()

    def refuse(name: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append((name, args[1:] if name.startswith("socket.") else args[:1]))
            raise OSError(f"network access during a dry run: {name}{args[1:] if name.startswith('socket.') else args}")
        return blocked

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse("socket.connect"))
        mp.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
        mp.setattr(socket, "create_connection", refuse("create_connection"))
        mp.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
        yield attempts


@pytest.fixture(autouse=True)
def no_network_attempts(network: NetworkAttempts) -> Iterator[None]:
    start = len(network)
    yield
    assert network[start:] == [], f"something tried to reach the network: {network[start:]}"


def test_the_guard_itself_catches_a_connect(network: NetworkAttempts) -> None:
    with pytest.raises(OSError, match="network access during a dry run"):
        socket.create_connection(("example.com", 443), timeout=1)
    assert network.pop() == ("create_connection", (("example.com", 443),))


# ----------------------------------------------------------------------------- the example


@pytest.fixture(scope="module")
def example(network: NetworkAttempts) -> DryRunResult:
    return dry_run(DAG, CONFIG, EXAMPLE)


def _steps(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["Name"]: step for step in definition["Steps"]}


def test_example_builds_without_problems(example: DryRunResult) -> None:
    assert example.problems == []
    assert example.ok
    assert [(s["Name"], s["Type"]) for s in example.definition["Steps"]] == [
        ("DataLoading_training", "Processing"),
        ("TabularPreprocessing_training", "Processing"),
        ("XGBoostTraining", "Training"),
        ("DataLoading_calibration", "Processing"),
        ("TabularPreprocessing_calibration", "Processing"),
        ("XGBoostModelEval_calibration", "Processing"),
        ("XGBoostModel-CreateModel", "Model"),
        ("BatchTransform_calibration", "Transform"),
        ("Package", "Processing"),
        ("Registration-RegisterModel", "RegisterModel"),
    ]


def check_golden(normalized: dict[str, Any], golden: Path, update: bool) -> None:
    """Compare with the golden file; with ``update`` rewrite it and fail, so a run that only
    rewrote the file is never a pass (rerun without UPDATE_GOLDEN and review the diff)."""
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(normalized, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        pytest.fail(f"UPDATE_GOLDEN=1: rewrote {golden.name}; review the diff and rerun without UPDATE_GOLDEN")
    assert normalized == json.loads(golden.read_text(encoding="utf-8"))


def test_golden_definition(example: DryRunResult) -> None:
    check_golden(normalize_definition(example.definition), GOLDEN, os.environ.get("UPDATE_GOLDEN") == "1")


def test_updating_the_golden_file_writes_it_and_fails(tmp_path: Path) -> None:
    golden = tmp_path / "golden" / "g.json"
    with pytest.raises(pytest.fail.Exception, match=r"UPDATE_GOLDEN=1: rewrote g\.json; review the diff"):
        check_golden({"b": 1, "a": [2]}, golden, update=True)
    assert golden.read_text(encoding="utf-8") == '{\n  "a": [\n    2\n  ],\n  "b": 1\n}\n'
    check_golden({"a": [2], "b": 1}, golden, update=False)
    with pytest.raises(AssertionError):
        check_golden({"a": [3], "b": 1}, golden, update=False)


def test_normalize_replaces_only_code_content_hashes() -> None:
    digest = "ab" * 32
    definition = {"a": f"s3://b/p/code/{digest}/x.py", "b": f"s3://b/p/data/{digest}/x.py"}
    assert normalize_definition(definition) == {"a": "s3://b/p/code/<content-hash>/x.py",
                                                "b": f"s3://b/p/data/{digest}/x.py"}


def test_same_inputs_give_the_same_definition(example: DryRunResult) -> None:
    again = dry_run(DAG, CONFIG, EXAMPLE)
    assert json.dumps(again.definition, sort_keys=True) == json.dumps(example.definition, sort_keys=True)
    assert "2000-01-01-00-00-00-000" not in json.dumps(example.definition)  # no job names left in


def test_default_parameters(example: DryRunResult) -> None:
    assert example.definition["Parameters"] == [
        {"Name": "EXECUTION_S3_PREFIX", "Type": "String",
         "DefaultValue": "s3://example-bucket/MODS/risk-ml-OrderRisk-xgboost-NA_1.2.0"},
        {"Name": "KMS_ENCRYPTION_KEY_PARAM", "Type": "String"},
        {"Name": "SECURITY_GROUP_ID", "Type": "String"},
        {"Name": "VPC_SUBNET", "Type": "String"},
    ]


def _destinations(definition: dict[str, Any]) -> dict[str, list[Any]]:
    """Every output destination of every step that writes to S3."""
    found: dict[str, list[Any]] = {}
    for name, step in _steps(definition).items():
        args = step["Arguments"]
        if "ProcessingOutputConfig" in args:
            found[name] = [o["S3Output"]["S3Uri"] for o in args["ProcessingOutputConfig"]["Outputs"]]
        elif "OutputDataConfig" in args:
            found[name] = [args["OutputDataConfig"]["S3OutputPath"]]
        elif "TransformOutput" in args:
            found[name] = [args["TransformOutput"]["S3OutputPath"]]
    return found


def test_execution_prefix_is_the_root_of_every_output_destination(example: DryRunResult) -> None:
    destinations = _destinations(example.definition)
    assert destinations["DataLoading_training"] == [
        {"Std:Join": {"On": "/", "Values": [PREFIX, "DataLoading_training", name]}}
        for name in ("DATA", "METADATA", "SIGNATURE")]
    assert destinations["XGBoostTraining"] == [
        {"Std:Join": {"On": "/", "Values": [PREFIX, "XGBoostTraining", "model_output"]}}]
    assert destinations["BatchTransform_calibration"] == [
        {"Std:Join": {"On": "/", "Values": [PREFIX, "BatchTransform_calibration", "transform_output"]}}]
    assert sorted(destinations) == ["BatchTransform_calibration", "DataLoading_calibration", "DataLoading_training",
                                    "Package", "TabularPreprocessing_calibration", "TabularPreprocessing_training",
                                    "XGBoostModelEval_calibration", "XGBoostTraining"]
    for step, values in destinations.items():
        for value in values:
            join = value["Std:Join"]
            assert join["Values"][:2] == [PREFIX, step], (step, value)


def test_kms_and_vpc_parameters_reach_the_jobs(example: DryRunResult) -> None:
    steps = _steps(example.definition)
    kms = {"Get": "Parameters.KMS_ENCRYPTION_KEY_PARAM"}
    vpc = {"SecurityGroupIds": [{"Get": "Parameters.SECURITY_GROUP_ID"}], "Subnets": [{"Get": "Parameters.VPC_SUBNET"}]}
    assert steps["Package"]["Arguments"]["ProcessingOutputConfig"]["KmsKeyId"] == kms
    assert steps["Package"]["Arguments"]["NetworkConfig"]["VpcConfig"] == vpc
    assert steps["XGBoostTraining"]["Arguments"]["OutputDataConfig"]["KmsKeyId"] == kms
    assert steps["XGBoostTraining"]["Arguments"]["VpcConfig"] == vpc
    assert steps["BatchTransform_calibration"]["Arguments"]["TransformOutput"]["KmsKeyId"] == kms
    assert steps["XGBoostModel-CreateModel"]["Arguments"]["VpcConfig"] == {
        "Subnets": [{"Get": "Parameters.VPC_SUBNET"}], "SecurityGroupIds": [{"Get": "Parameters.SECURITY_GROUP_ID"}]}


def test_inputs_are_wired_through_upstream_property_paths(example: DryRunResult) -> None:
    steps = _steps(example.definition)
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"]
              for i in steps["XGBoostModelEval_calibration"]["Arguments"]["ProcessingInputs"]}
    assert inputs["model_input"] == {"Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"}
    assert inputs["processed_data"] == {
        "Get": "Steps.TabularPreprocessing_calibration.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri"}
    transform = steps["BatchTransform_calibration"]["Arguments"]
    assert transform["ModelName"] == {"Get": "Steps.XGBoostModel-CreateModel.ModelName"}
    register = steps["Registration-RegisterModel"]["Arguments"]
    assert register["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"] == {"Std:Join": {"On": "/", "Values": [
        {"Get": "Steps.XGBoostModelEval_calibration.ProcessingOutputConfig.Outputs['metrics_output'].S3Output.S3Uri"},
        "metrics.json"]}}


def test_code_uploads_are_recorded_not_performed(example: DryRunResult) -> None:
    uploads = {(u.kind, u.source) for u in example.report.uploads}
    assert uploads == {("file", "tabular_preprocessing.py"), ("file", "package.py"), ("file", "inference"),
                       ("object", "source.tar.gz"), ("string", "603 characters")}
    assert all(u.s3_uri.startswith("s3://cursus-dry-run-bucket/risk-ml-OrderRisk-xgboost-NA/")
               for u in example.report.uploads)


def test_report_explains_configs_builders_and_every_input(example: DryRunResult) -> None:
    report = example.report
    assert report.pipeline_name == "risk-ml-OrderRisk-xgboost-NA"
    node = report.node("Registration")
    assert (node.config_class, node.builder_class, node.builder_file, node.sagemaker_step_type, node.spec_type) == (
        "RegistrationConfig", "RegistrationStepBuilder", "steps/builders/builder_registration_step.py",
        "RegisterModel", "Registration")
    assert [(w.dependency, w.required, w.provider_node, w.provider_output, w.score) for w in node.inputs] == [
        ("packaged_model", True, "Package", "packaged_model", 1.0),
        ("performance_metrics", False, "XGBoostModelEval_calibration", "metrics_output", 1.0)]
    training = report.node("XGBoostTraining")
    assert [(w.dependency, w.provider_node, w.provider_output, w.score) for w in training.inputs] == [
        ("input_path", "TabularPreprocessing_training", "processed_data", 0.9)]
    assert [(u.dependency, u.required, u.reason) for u in training.unwired] == [
        ("hyperparameters_s3_uri", False, "no provider has an output whose type can satisfy 'hyperparameters'")]
    assert report.node("TabularPreprocessing_calibration").spec_type == "TabularPreprocessing_Calibration"
    text = report.format_text()
    assert "  performance_metrics (optional) <- XGBoostModelEval_calibration.metrics_output score 1.00" in text
    assert json.loads(json.dumps(report.to_dict()))["nodes"][0]["node"] == "DataLoading_training"


# ----------------------------------------------------------------------------- the compiler API


def test_compiler_with_the_callers_parameters(network: NetworkAttempts) -> None:
    from sagemaker.workflow.parameters import ParameterString

    prefix = ParameterString(name="EXECUTION_S3_PREFIX", default_value="s3://team-bucket/runs")
    region = ParameterString(name="REGION_TAG", default_value="NA")
    compiler = PipelineDAGCompiler(CONFIG, pipeline_parameters=[prefix, region], repo_root=EXAMPLE)
    pipeline, report = compiler.compile_with_report(load_dag(DAG), pipeline_name="my-dry-run")
    definition = json.loads(compiler.definition(pipeline))
    assert pipeline.name == "my-dry-run" and report.parameters == ["EXECUTION_S3_PREFIX", "REGION_TAG"]
    assert definition["Parameters"] == [
        {"Name": "EXECUTION_S3_PREFIX", "Type": "String", "DefaultValue": "s3://team-bucket/runs"},
        {"Name": "REGION_TAG", "Type": "String", "DefaultValue": "NA"}]
    package = _steps(definition)["Package"]["Arguments"]
    assert "NetworkConfig" not in package and "KmsKeyId" not in package["ProcessingOutputConfig"]
    assert package["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == {
        "Std:Join": {"On": "/", "Values": [PREFIX, "Package", "packaged_model"]}}


def test_without_a_prefix_parameter_outputs_hang_off_pipeline_s3_loc(network: NetworkAttempts) -> None:
    compiler = PipelineDAGCompiler(CONFIG, pipeline_parameters=[], repo_root=EXAMPLE)
    pipeline = compiler.compile(load_dag(DAG))
    definition = json.loads(compiler.definition(pipeline))
    assert definition["Parameters"] == []
    assert _destinations(definition)["XGBoostTraining"] == [{"Std:Join": {"On": "/", "Values": [
        "s3://example-bucket/MODS/risk-ml-OrderRisk-xgboost-NA_1.2.0", "XGBoostTraining", "model_output"]}}]


def test_offline_environment_is_restored_afterwards() -> None:
    before = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED")}
    import sagemaker.utils

    with offline_environment():
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        assert sagemaker.utils.sagemaker_timestamp() == "2000-01-01-00-00-00-000"
    assert {k: os.environ.get(k) for k in before} == before
    assert sagemaker.utils.sagemaker_timestamp() != "2000-01-01-00-00-00-000"


def test_missing_build_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sagemaker", None)
    with pytest.raises(ImportError) as info:
        require_build_extra()
    assert str(info.value) == BUILD_EXTRA_MESSAGE
    assert BUILD_EXTRA_MESSAGE == ("the dry-run build needs the build extra: "
                                   "pip install '.[build]' in a clone of cursus-lint")


def test_importing_the_compiler_does_not_import_sagemaker() -> None:
    code = ("import sys, cursus_core, cursus_core.compiler as c\n"
            "from cursus_core.compiler import dag_compiler, assembler, builder_loader, offline, dry_run\n"
            "c.PipelineDAGCompiler, c.dry_run\n"
            "bad = sorted(m for m in ('sagemaker', 'boto3', 'botocore', 'moto') if m in sys.modules)\n"
            "print(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- problems


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _edit_dag(root: Path, *, add_nodes: tuple[str, ...] = (), drop_nodes: tuple[str, ...] = (),
              add_edges: tuple[tuple[str, str], ...] = (), drop_edges: tuple[tuple[str, str], ...] = ()) -> None:
    path = root / "pipeline" / "dag.json"
    dag = json.loads(path.read_text())
    dag["nodes"] = [n for n in dag["nodes"] if n not in drop_nodes] + list(add_nodes)
    dag["edges"] = [e for e in dag["edges"] if not set(e) & set(drop_nodes) and tuple(e) not in drop_edges]
    dag["edges"] += [list(e) for e in add_edges]
    path.write_text(json.dumps(dag, indent=2) + "\n")


def _run(root: Path) -> DryRunResult:
    return dry_run(root / "pipeline" / "dag.json", root / "pipeline" / "config.json", root)


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_every_kind_is_listed() -> None:
    assert PROBLEM_KINDS == ("dag-invalid", "dag-cycle", "node-without-config", "config-without-node",
                             "builder-not-found", "required-input-not-wired", "ambiguous-wiring", "config-invalid",
                             "entry-point-missing", "builder-exception", "placeholder-node")


def test_dag_cycle(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit_dag(root, add_edges=(("Registration", "DataLoading_training"),))
    result = _run(root)
    dag = root / "pipeline" / "dag.json"
    assert result.definition is None and result.report is None
    assert result.problems == [BuildProblem(
        "dag-cycle", f"{dag}: cycle: DataLoading_training -> TabularPreprocessing_training -> XGBoostTraining -> "
                     "XGBoostModelEval_calibration -> Registration -> DataLoading_training",
        "DataLoading_training", dag, None)]


def test_dag_invalid(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "pipeline" / "dag.json").write_text('{"nodes": ["A"], "edges": [["A", "B"]], "extra": 1}')
    [problem] = _run(root).problems
    assert (problem.kind, problem.path) == ("dag-invalid", root / "pipeline" / "dag.json")
    assert "unknown DAG key(s): 'extra'" in problem.message


def test_node_without_config(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit_dag(root, add_nodes=("PyTorchModel", "XGBoostModel_testing"),
              add_edges=(("XGBoostTraining", "PyTorchModel"),))
    result = _run(root)
    dag = root / "pipeline" / "dag.json"
    assert result.definition is None
    assert result.problems == [
        BuildProblem("node-without-config",
                     "DAG node 'PyTorchModel' has no config of that name and no config name is close",
                     "PyTorchModel", dag, _line(dag, '"PyTorchModel"')),
        BuildProblem("node-without-config",
                     "DAG node 'XGBoostModel_testing' has no config of that name; candidates: 'XGBoostModel', "
                     "'XGBoostModelEval_calibration' (rename the config or map the node explicitly)",
                     "XGBoostModel_testing", dag, _line(dag, '"XGBoostModel_testing"')),
    ]


def test_config_without_node_still_builds(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit_dag(root, drop_nodes=("Registration",))
    result = _run(root)
    config = root / "pipeline" / "config.json"
    assert result.problems == [BuildProblem("config-without-node", "config 'Registration' has no DAG node of that name",
                                            "Registration", config, _line(config, '"Registration": {'))]
    assert result.definition is not None and not result.ok
    assert "Registration-RegisterModel" not in _steps(result.definition)


def test_builder_not_found(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "steps" / "builders" / "builder_package_step.py").unlink()
    result = _run(root)
    registry = root / "registry" / "step_names.py"
    assert result.definition is None
    assert result.problems == [BuildProblem(
        "builder-not-found", "step 'Package' has no builder file (expected a module defining PackageStepBuilder)",
        "Package", registry, _line(registry, '"Package": {'))]


def test_builder_class_missing_from_its_file(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    builder = root / "steps" / "builders" / "builder_package_step.py"
    builder.write_text(builder.read_text().replace("class PackageStepBuilder(", "class PackagingStepBuilder("))
    [problem] = _run(root).problems
    assert problem == BuildProblem(
        "builder-not-found", "steps/builders/builder_package_step.py defines no class 'PackageStepBuilder' "
                             "(registry builder_step_name of 'Package')", "Package", builder, 1)


def test_required_input_not_wired_lists_candidates_and_scores(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit_dag(root, drop_edges=(("Package", "Registration"),),
              add_edges=(("TabularPreprocessing_calibration", "Registration"),))
    result = _run(root)
    assert result.definition is None
    assert result.problems == [BuildProblem(
        "required-input-not-wired",
        "node 'Registration': required input 'packaged_model' has no provider among its upstream nodes "
        "('XGBoostModelEval_calibration', 'TabularPreprocessing_calibration') scoring at least 0.50; candidates: "
        "TabularPreprocessing_Calibration.processed_data (0.30), XGBoostModelEval.eval_output (0.30), "
        "XGBoostModelEval.metrics_output (0.30)", "Registration")]
    unwired = result.report.node("Registration").unwired
    assert [(u.dependency, u.required, u.candidates[0]) for u in unwired] == [
        ("packaged_model", True, ("TabularPreprocessing_Calibration.processed_data", 0.3))]


def test_ambiguous_wiring(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit_dag(root, add_edges=(("TabularPreprocessing_calibration", "XGBoostTraining"),))
    result = _run(root)
    assert result.definition is None
    assert result.problems == [BuildProblem(
        "ambiguous-wiring", "node 'XGBoostTraining': required input 'input_path' is ambiguous: "
                            "TabularPreprocessing_Calibration.processed_data (0.90), "
                            "TabularPreprocessing_Training.processed_data (0.90)", "XGBoostTraining")]


def test_config_invalid(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    config = root / "pipeline" / "config.json"
    document = json.loads(config.read_text())
    document["configuration"]["specific"]["Package"]["compression_level"] = 12
    config.write_text(json.dumps(document, indent=2))
    result = _run(root)
    assert result.definition is None
    assert result.problems == [BuildProblem(
        "config-invalid", f"{config}: step 'Package' (PackageConfig): field 'compression_level': "
                          "Input should be less than or equal to 9", "Package", config, _line(config, '"Package"'))]


def test_config_rejected_by_the_builder_is_config_invalid(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    config = root / "pipeline" / "config.json"
    document = json.loads(config.read_text())
    document["configuration"]["specific"]["DataLoading_training"]["start_date"] = "2024-12-31"
    del document["metadata"]["derived"]["DataLoading_training"]  # recomputed from the new date otherwise
    config.write_text(json.dumps(document, indent=2))
    result = _run(root)
    [problem] = result.problems
    builder = root / "steps" / "builders" / "builder_data_loading_step.py"
    assert problem == BuildProblem(
        "config-invalid", "DataLoadingStepBuilder rejected its config for node 'DataLoading_training': ValueError: "
                          "start_date 2024-12-31 is after end_date 2024-04-30", "DataLoading_training",
        builder, _line(builder, "raise ValueError(f\"start_date"))
    assert [(u.dependency, u.reason) for u in result.report.node("TabularPreprocessing_training").unwired] == [
        ("DATA", "not resolved: upstream 'DataLoading_training' could not be created"),
        ("SIGNATURE", "not resolved: upstream 'DataLoading_training' could not be created")]


def test_entry_point_missing(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "steps" / "scripts" / "package.py").unlink()
    result = _run(root)
    config = root / "pipeline" / "config.json"
    assert result.definition is None
    [problem] = result.problems
    assert (problem.kind, problem.node, problem.path, problem.line) == (
        "entry-point-missing", "Package", config, _line(config, '"package.py"'))
    # where it was looked for: from the config's folder upward, as cursus searches
    assert problem.message.startswith(
        "node 'Package': processing_entry_point 'package.py' not found at 'steps/scripts/package.py' (tried "
        f"{root / 'pipeline/steps/scripts/package.py'}, {root / 'steps/scripts/package.py'}, ")


def test_builder_exception_points_at_the_builder_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    builder = root / "steps" / "builders" / "builder_package_step.py"
    anchor = '        dependencies = kwargs.get("dependencies", [])\n'
    builder.write_text(builder.read_text().replace(anchor, anchor + '        raise RuntimeError("boom")\n', 1))
    result = _run(root)
    assert result.definition is None
    assert result.problems == [BuildProblem(
        "builder-exception", "PackageStepBuilder raised in create_step for node 'Package': RuntimeError: boom",
        "Package", builder, _line(builder, 'raise RuntimeError("boom")'))]


def test_builder_import_error_points_at_the_builder_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    builder = root / "steps" / "builders" / "builder_package_step.py"
    broken = builder.read_text().replace("from typing import", "from os import no_such_name\nfrom typing import", 1)
    builder.write_text(broken)
    [problem] = _run(root).problems
    assert (problem.kind, problem.node, problem.path, problem.line) == (
        "builder-exception", "Package", builder, _line(builder, "from os import no_such_name"))
    # the example repo root is a package: it is imported under its real name, and the error says from where
    assert problem.message == ("importing steps/builders/builder_package_step.py as "
                               f"'repo.steps.builders.builder_package_step' (sys.path root {tmp_path}, found by "
                               "walking up __init__.py files) failed: ImportError: cannot import name "
                               f"'no_such_name' from 'os' ({os.__file__})")


def test_builder_needing_a_missing_package_becomes_a_placeholder(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    builder = root / "steps" / "builders" / "builder_registration_step.py"
    builder.write_text("import vendor_registration_sdk.client\n" + builder.read_text())
    result = _run(root)
    assert result.problems == [BuildProblem(
        "placeholder-node", "node 'Registration' is a placeholder: its builder needs package "
                            "'vendor_registration_sdk', which is not installed; its outputs stand in as pipeline "
                            "parameters (none)", "Registration", builder, None)]
    assert result.definition is not None
    assert "Registration" not in [step["Name"] for step in result.definition["Steps"]]
    assert result.definition["Metadata"]["CursusLintPlaceholders"] == {
        "Registration": {"missing_package": "vendor_registration_sdk", "parameters": []}}
    [node] = [n for n in result.report.nodes if n.node == "Registration"]
    assert (node.placeholder, node.builder_class) == ("vendor_registration_sdk", None)
    assert ("packaged_model", "Package") in [(w.dependency, w.provider_node) for w in node.inputs]


def test_placeholder_outputs_stand_in_as_parameters_downstream(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    builder = root / "steps" / "builders" / "builder_data_loading_step.py"
    builder.write_text("from vendor_loading_sdk import Loader\n" + builder.read_text())
    result = _run(root)
    assert {p.node for p in result.problems} == {"DataLoading_training", "DataLoading_calibration"}
    assert {p.kind for p in result.problems} == {"placeholder-node"}
    assert result.definition is not None
    names = {p["Name"] for p in result.definition["Parameters"]}
    assert {"DataLoading_training_DATA", "DataLoading_calibration_DATA"} <= names
    [step] = [s for s in result.definition["Steps"] if s["Name"] == "TabularPreprocessing_training"]
    sources = [i["S3Input"]["S3Uri"] for i in step["Arguments"]["ProcessingInputs"]]
    assert {"Get": "Parameters.DataLoading_training_DATA"} in sources
    assert "DependsOn" not in step or "DataLoading_training" not in step["DependsOn"]
