"""StepSpecification and its parts: node shapes, names, aliases, property paths, alignment."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cursus_core.base import (
    DependencySpec,
    DependencyType,
    NodeType,
    OutputSpec,
    ScriptContract,
    StepSpecification,
    TrainingScriptContract,
    ValidationResult,
    spec_type_with_job_type,
)

PROCESSED = "properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri"


def dep(name: str = "DATA", kind: Any = DependencyType.PROCESSING_OUTPUT, **kw: Any) -> DependencySpec:
    return DependencySpec(logical_name=name, dependency_type=kind, **kw)


def out(name: str = "processed_data", aliases: list[str] | None = None, **kw: Any) -> OutputSpec:
    kw.setdefault("output_type", DependencyType.PROCESSING_OUTPUT)
    kw.setdefault("property_path", PROCESSED)
    return OutputSpec(logical_name=name, aliases=aliases or [], **kw)


def contract(inputs: dict[str, str], outputs: dict[str, str]) -> ScriptContract:
    return ScriptContract(entry_point="run.py", expected_input_paths=inputs, expected_output_paths=outputs)


def first_message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(exc.value.errors()[0]["msg"])


def test_enum_values_match_cursus() -> None:
    assert [m.value for m in DependencyType] == [
        "model_artifacts",
        "processing_output",
        "training_data",
        "hyperparameters",
        "payload_samples",
        "custom_property",
    ]
    assert [m.value for m in NodeType] == ["source", "internal", "sink", "singular"]
    assert DependencyType.MODEL_ARTIFACTS == "model_artifacts"


def test_dependency_defaults() -> None:
    d = dep()
    assert (d.required, d.compatible_sources, d.semantic_keywords, d.data_type, d.description) == (
        True,
        [],
        [],
        "S3Uri",
        "",
    )


@pytest.mark.parametrize("given", ["training_data", "TRAINING_DATA", DependencyType.TRAINING_DATA])
def test_dependency_type_accepts_member_value_or_name(given: Any) -> None:
    assert dep(kind=given).dependency_type is DependencyType.TRAINING_DATA


def test_unknown_dependency_type_lists_choices() -> None:
    with pytest.raises(ValidationError) as exc:
        dep(kind="model")
    assert exc.value.errors()[0]["loc"] == ("dependency_type",)
    assert first_message(exc) == (
        "Value error, dependency_type: 'model' is not a DependencyType; expected one of model_artifacts, "
        "processing_output, training_data, hyperparameters, payload_samples, custom_property"
    )


def test_output_type_accepts_string_value() -> None:
    assert out(output_type="model_artifacts").output_type is DependencyType.MODEL_ARTIFACTS


def test_blank_logical_name_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        dep(name="  ")
    assert first_message(exc) == "Value error, logical_name: must be a non-empty string, got '  '"


@pytest.mark.parametrize("path", ["ProcessingOutputConfig.Outputs", "Properties.X", "properties.", "steps.x"])
def test_property_path_must_start_with_properties(path: str) -> None:
    with pytest.raises(ValidationError) as exc:
        out(property_path=path)
    assert exc.value.errors()[0]["loc"] == ("property_path",)
    assert first_message(exc) == f"Value error, property_path: {path!r} must start with 'properties.'"


def test_list_and_dict_shapes_are_stored_keyed_by_logical_name() -> None:
    from_list = StepSpecification(step_type="S", node_type=NodeType.INTERNAL, dependencies=[dep()], outputs=[out()])
    from_dict = StepSpecification(
        step_type="S", node_type="internal", dependencies={"DATA": dep()}, outputs={"processed_data": out()}
    )
    assert list(from_list.dependencies) == ["DATA"]
    assert list(from_list.outputs) == ["processed_data"]
    assert from_list == from_dict


def test_dict_key_must_match_logical_name() -> None:
    with pytest.raises(ValidationError) as exc:
        StepSpecification(step_type="S", node_type="internal", dependencies={"data": dep("DATA")}, outputs=[out()])
    assert first_message(exc) == "Value error, dependencies: key 'data' does not match logical_name 'DATA'"


def test_duplicate_dependency_logical_name() -> None:
    with pytest.raises(ValidationError) as exc:
        StepSpecification(step_type="S", node_type="internal", dependencies=[dep(), dep()], outputs=[out()])
    assert first_message(exc) == "Value error, dependencies: duplicate logical_name 'DATA'"


def test_duplicate_output_logical_name() -> None:
    with pytest.raises(ValidationError) as exc:
        StepSpecification(step_type="S", node_type="source", outputs=[out(), out()])
    assert first_message(exc) == "Value error, outputs: duplicate logical_name 'processed_data'"


@pytest.mark.parametrize(
    ("node_type", "deps", "outs", "expected"),
    [
        ("source", [dep()], [out()], "source step 'S' must have no dependencies, got ['DATA']"),
        ("source", [], [], "source step 'S' must have at least one output"),
        ("sink", [dep()], [out()], "sink step 'S' must have no outputs, got ['processed_data']"),
        ("sink", [], [], "sink step 'S' must have at least one dependency"),
        ("singular", [dep()], [], "singular step 'S' must have no dependencies, got ['DATA']"),
        ("singular", [], [out()], "singular step 'S' must have no outputs, got ['processed_data']"),
        ("internal", [], [out()], "internal step 'S' must have at least one dependency"),
        ("internal", [dep()], [], "internal step 'S' must have at least one output"),
    ],
)
def test_node_type_rules(node_type: str, deps: list[Any], outs: list[Any], expected: str) -> None:
    with pytest.raises(ValidationError) as exc:
        StepSpecification(step_type="S", node_type=node_type, dependencies=deps, outputs=outs)
    assert first_message(exc) == f"Value error, node_type: {expected}"


@pytest.mark.parametrize(
    ("node_type", "deps", "outs"),
    [("source", [], [out()]), ("sink", [dep()], []), ("singular", [], []), ("internal", [dep()], [out()])],
)
def test_node_type_valid_shapes(node_type: str, deps: list[Any], outs: list[Any]) -> None:
    spec = StepSpecification(step_type="S", node_type=node_type, dependencies=deps, outputs=outs)
    assert spec.node_type is NodeType(node_type)


def test_unknown_node_type() -> None:
    with pytest.raises(ValidationError) as exc:
        StepSpecification(step_type="S", node_type="leaf")
    assert first_message(exc) == (
        "Value error, node_type: 'leaf' is not a NodeType; expected one of source, internal, sink, singular"
    )


def test_alias_shared_by_two_outputs_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        StepSpecification(
            step_type="S", node_type="source", outputs=[out("a", ["data"]), out("b", ["data"])]
        )
    assert first_message(exc) == "Value error, outputs: alias 'data' is used by both 'a' and 'b'"


def test_alias_repeated_within_one_output_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        StepSpecification(step_type="S", node_type="source", outputs=[out("a", ["x", "x"])])
    assert first_message(exc) == "Value error, outputs: alias 'x' is used by both 'a' and 'a'"


def test_alias_colliding_with_output_logical_name_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        StepSpecification(step_type="S", node_type="source", outputs=[out("a", ["b"]), out("b")])
    assert first_message(exc) == (
        "Value error, outputs: alias 'b' of output 'a' collides with an output logical_name"
    )


def test_dependency_and_output_may_share_a_logical_name() -> None:
    spec = StepSpecification(step_type="S", node_type="internal", dependencies=[dep("x")], outputs=[out("x")])
    assert spec.get_dependency("x") is not None and spec.get_output("x") is not None


def full_spec() -> StepSpecification:
    return StepSpecification(
        step_type="XGBoostModelEval_Calibration",
        node_type=NodeType.INTERNAL,
        dependencies=[
            dep("model_input", DependencyType.MODEL_ARTIFACTS),
            dep("processed_data", DependencyType.PROCESSING_OUTPUT),
            dep("hyperparameters_s3_uri", "hyperparameters", required=False),
        ],
        outputs=[
            out("eval_output", ["evaluation_data"]),
            out(
                "metrics_output",
                ["metrics"],
                output_type="custom_property",
                property_path="properties.ProcessingOutputConfig.Outputs['metrics_output'].S3Output.S3Uri",
            ),
        ],
    )


def test_lookup_methods() -> None:
    spec = full_spec()
    assert spec.get_dependency("model_input").dependency_type is DependencyType.MODEL_ARTIFACTS  # type: ignore[union-attr]
    assert spec.get_dependency("nope") is None
    assert spec.get_output("metrics") is None
    assert spec.get_output_by_name_or_alias("metrics").logical_name == "metrics_output"  # type: ignore[union-attr]
    assert spec.get_output_by_name_or_alias("eval_output").logical_name == "eval_output"  # type: ignore[union-attr]
    assert spec.get_output_by_name_or_alias("nope") is None
    assert out("a", ["b"]).names == ["a", "b"]


def test_listing_methods() -> None:
    spec = full_spec()
    assert [d.logical_name for d in spec.list_required_dependencies()] == ["model_input", "processed_data"]
    assert [d.logical_name for d in spec.list_optional_dependencies()] == ["hyperparameters_s3_uri"]
    assert [d.logical_name for d in spec.list_dependencies_by_type("model_artifacts")] == ["model_input"]
    assert [d.logical_name for d in spec.list_dependencies_by_type(DependencyType.HYPERPARAMETERS)] == [
        "hyperparameters_s3_uri"
    ]
    assert [o.logical_name for o in spec.list_outputs_by_type("processing_output")] == ["eval_output"]
    assert spec.list_outputs_by_type(DependencyType.MODEL_ARTIFACTS) == []


def test_contract_alignment_success_and_optional_warning() -> None:
    spec = StepSpecification(
        step_type="S",
        node_type="internal",
        script_contract=contract({"DATA": "/opt/ml/processing/input/data"},
                                 {"processed_data": "/opt/ml/processing/output"}),
        dependencies=[dep(), dep("SIGNATURE", required=False)],
        outputs=[out()],
    )
    assert spec.validate_contract_alignment() == ValidationResult(
        is_valid=True, warnings=["dependency 'SIGNATURE' has no matching contract input"]
    )


def test_contract_alignment_reports_every_direction() -> None:
    spec = StepSpecification(
        step_type="S",
        node_type="internal",
        script_contract=contract(
            {"DATA": "/opt/ml/processing/input/data", "EXTRA": "/opt/ml/processing/input/extra"},
            {"processed_data": "/opt/ml/processing/output", "report": "/opt/ml/processing/report"},
        ),
        dependencies=[dep(), dep("model_input", DependencyType.MODEL_ARTIFACTS)],
        outputs=[out(), out("metrics")],
    )
    result = spec.validate_contract_alignment()
    assert result.is_valid is False
    assert result.errors == [
        "contract input 'EXTRA' has no matching dependency in 'S'",
        "dependency 'model_input' has no matching contract input",
        "contract output 'report' has no matching output in 'S'",
        "output 'metrics' has no matching contract output",
    ]
    assert result.warnings == []


def test_contract_alignment_without_contract_is_a_warning() -> None:
    spec = StepSpecification(step_type="S", node_type="singular")
    assert spec.validate_contract_alignment() == ValidationResult(
        is_valid=True, warnings=["step 'S' has no script_contract to align with"]
    )


def test_training_contract_is_kept_as_training_contract() -> None:
    training = TrainingScriptContract(
        entry_point="train.py",
        expected_input_paths={"input_path": "/opt/ml/input/data"},
        expected_output_paths={"model_output": "/opt/ml/model"},
    )
    spec = StepSpecification(
        step_type="XGBoostTraining",
        node_type="internal",
        script_contract=training,
        dependencies=[dep("input_path", "training_data")],
        outputs=[out("model_output", output_type="model_artifacts",
                     property_path="properties.ModelArtifacts.S3ModelArtifacts")],
    )
    assert type(spec.script_contract) is TrainingScriptContract
    assert spec.validate_contract_alignment().is_valid


def test_spec_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError) as exc:
        StepSpecification(step_type="S", node_type="singular", sagemaker_step_type="Processing")
    assert exc.value.errors()[0]["loc"] == ("sagemaker_step_type",)


@pytest.mark.parametrize(
    ("job_type", "expected"),
    [
        ("training", "TabularPreprocessing_Training"),
        ("calibration", "TabularPreprocessing_Calibration"),
        ("Training", "TabularPreprocessing_Training"),
        ("TrainingData", "TabularPreprocessing_TrainingData"),
        ("TESTING", "TabularPreprocessing_TESTING"),
        (None, "TabularPreprocessing"),
        ("", "TabularPreprocessing"),
    ],
)
def test_spec_type_with_job_type(job_type: str | None, expected: str) -> None:
    assert spec_type_with_job_type("TabularPreprocessing", job_type) == expected
