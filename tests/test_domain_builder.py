"""StepBuilderBase: abstract surface, contract-driven env vars and arguments, wiring helpers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types
from typing import Any

import pytest

from cursus_core.base import (
    REQUIRED_BUILDER_METHODS,
    DependencySpec,
    OutputSpec,
    ScriptContract,
    StepBuilderBase,
    StepSpecification,
)
from cursus_core.base.builder import follow_property_path

CONTRACT = ScriptContract(
    entry_point="tabular_preprocessing.py",
    expected_input_paths={"DATA": "/opt/ml/processing/input/data"},
    expected_output_paths={"processed_data": "/opt/ml/processing/output"},
    expected_arguments={"job_type": "training", "mode": "strict"},
    required_env_vars=["LABEL_FIELD", "TRAIN_RATIO", "MISSING_VAR"],
    optional_env_vars={"TEST_VAL_RATIO": "0.5", "CATEGORICAL_COLUMNS": "", "FLAGS": "[]"},
)

SPEC = StepSpecification(
    step_type="TabularPreprocessing_Training",
    node_type="internal",
    script_contract=CONTRACT,
    dependencies=[
        DependencySpec(logical_name="DATA", dependency_type="processing_output", compatible_sources=["DataLoading"]),
        DependencySpec(logical_name="SIGNATURE", dependency_type="processing_output", required=False),
    ],
    outputs=[
        OutputSpec(
            logical_name="processed_data",
            output_type="processing_output",
            property_path="properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri",
            aliases=["input_path"],
        )
    ],
)


class Config:
    """Plain attribute bag: builders only read attributes."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


class TabularPreprocessingStepBuilder(StepBuilderBase):
    def validate_configuration(self) -> None:
        if not getattr(self.config, "label_field", None):
            raise ValueError("label_field is required")

    def _create_processor(self) -> Any:
        return None

    def _get_inputs(self, inputs: dict[str, Any]) -> Any:
        return inputs

    def _get_outputs(self, outputs: dict[str, Any]) -> Any:
        return outputs

    def create_step(self, **kwargs: Any) -> Any:
        return kwargs


def builder(spec: StepSpecification | None = SPEC, **config: Any) -> TabularPreprocessingStepBuilder:
    return TabularPreprocessingStepBuilder(Config(**config), spec=spec)


def test_base_is_abstract_with_the_four_duties() -> None:
    assert StepBuilderBase.__abstractmethods__ == frozenset(
        {"validate_configuration", "_get_inputs", "_get_outputs", "create_step"}
    )
    with pytest.raises(TypeError, match="abstract"):
        StepBuilderBase(Config())  # type: ignore[abstract]


def test_partial_subclass_stays_abstract() -> None:
    class Half(StepBuilderBase):
        def validate_configuration(self) -> None:
            return None

    with pytest.raises(TypeError, match="_get_inputs"):
        Half(Config())  # type: ignore[abstract]


def test_constructor_stores_collaborators_and_contract() -> None:
    session, resolver, registry = object(), object(), object()
    b = TabularPreprocessingStepBuilder(
        Config(), spec=SPEC, sagemaker_session=session, role="arn:role", registry_manager=registry,
        dependency_resolver=resolver,
    )
    assert (b.spec, b.session, b.role, b.registry_manager, b.dependency_resolver) == (
        SPEC, session, "arn:role", registry, resolver
    )
    assert b.contract is CONTRACT
    assert b.execution_prefix is None


def test_contract_falls_back_to_config() -> None:
    class WithContract(Config):
        def get_script_contract(self) -> ScriptContract:
            return CONTRACT

    assert TabularPreprocessingStepBuilder(WithContract()).contract is CONTRACT
    assert builder(spec=None).contract is None


def test_required_builder_methods_table_shape() -> None:
    assert set(REQUIRED_BUILDER_METHODS) == {"Processing", "Training", "CreateModel", "Transform"}
    for groups in REQUIRED_BUILDER_METHODS.values():
        assert isinstance(groups, list)
        assert all(isinstance(g, tuple) and g and all(isinstance(n, str) for n in g) for g in groups)
        assert groups[0] == ("validate_configuration",)
        assert groups[2:] == [("_get_inputs",), ("_get_outputs",), ("create_step",)]
    assert REQUIRED_BUILDER_METHODS["Processing"][1] == ("_create_processor", "_get_processor")
    assert REQUIRED_BUILDER_METHODS["Training"][1] == ("_create_estimator", "_get_estimator")
    assert REQUIRED_BUILDER_METHODS["CreateModel"][1] == ("_create_model", "_get_model")
    assert REQUIRED_BUILDER_METHODS["Transform"][1] == ("_create_transformer", "_get_transformer")


def test_example_builder_satisfies_processing_table() -> None:
    for group in REQUIRED_BUILDER_METHODS["Processing"]:
        assert any(hasattr(TabularPreprocessingStepBuilder, name) for name in group), group


def test_environment_variables_from_contract_and_config(caplog: pytest.LogCaptureFixture) -> None:
    b = builder(label_field="is_fraud", train_ratio=0.8, test_val_ratio=None, flags=["a", "b"], LABEL_FIELD="no")
    with caplog.at_level("WARNING", logger="cursus_core.base.builder"):
        env = b._get_environment_variables()
    assert env == {
        "LABEL_FIELD": "is_fraud",
        "TRAIN_RATIO": "0.8",
        "TEST_VAL_RATIO": "0.5",
        "CATEGORICAL_COLUMNS": "",
        "FLAGS": '["a", "b"]',
    }
    assert [r.getMessage() for r in caplog.records] == [
        "required env var MISSING_VAR has no config attribute missing_var"
    ]


def test_environment_variables_without_contract_are_empty() -> None:
    assert builder(spec=None, label_field="x")._get_environment_variables() == {}


def test_job_arguments_from_contract_with_config_override() -> None:
    assert builder()._get_job_arguments() == ["--job_type", "training", "--mode", "strict"]
    assert builder(job_type="calibration")._get_job_arguments() == ["--job_type", "calibration", "--mode", "strict"]


def test_job_arguments_none_when_contract_declares_none() -> None:
    bare = ScriptContract(entry_point="x.py", expected_input_paths={}, expected_output_paths={})
    spec = StepSpecification(step_type="X", node_type="singular", script_contract=bare)
    assert builder(spec=spec)._get_job_arguments() is None
    assert builder(spec=None)._get_job_arguments() is None


def test_dashed_argument_reads_underscored_config_attribute() -> None:
    dashed = ScriptContract(
        entry_point="x.py", expected_input_paths={}, expected_output_paths={}, expected_arguments={"job-type": "t"}
    )
    spec = StepSpecification(step_type="X", node_type="singular", script_contract=dashed)
    assert builder(spec=spec, job_type="validation")._get_job_arguments() == ["--job-type", "validation"]


def test_dependency_and_output_views() -> None:
    b = builder()
    assert b.get_required_dependencies() == ["DATA"]
    assert b.get_optional_dependencies() == ["SIGNATURE"]
    assert list(b.get_dependencies()) == ["DATA", "SIGNATURE"]
    assert list(b.get_outputs()) == ["processed_data"]


def test_dependency_views_need_a_spec() -> None:
    with pytest.raises(ValueError, match="TabularPreprocessingStepBuilder has no specification"):
        builder(spec=None).get_required_dependencies()


def test_step_name_from_class_name_and_job_type() -> None:
    assert builder()._get_step_name() == "TabularPreprocessing"
    assert builder(job_type="training")._get_step_name() == "TabularPreprocessing-Training"
    assert builder(job_type="training")._get_step_name(include_job_type=False) == "TabularPreprocessing"

    class OddBuilder(TabularPreprocessingStepBuilder):
        pass

    assert OddBuilder(Config())._get_step_name() == "Odd"


def test_job_name_is_sanitized() -> None:
    assert builder(job_type="training")._generate_job_name() == "TabularPreprocessing-Training"
    assert builder()._generate_job_name("My_Step  name!") == "My-Step-name"
    assert len(builder()._generate_job_name("x" * 100)) == 63


def test_base_output_path_prefers_execution_prefix() -> None:
    b = builder(pipeline_s3_loc="s3://bucket/MODS/p_1")
    assert b._get_base_output_path() == "s3://bucket/MODS/p_1"
    prefix = object()
    b.set_execution_prefix(prefix)
    assert b._get_base_output_path() is prefix


def test_cache_config_imports_sagemaker_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    steps = types.ModuleType("sagemaker.workflow.steps")
    steps.CacheConfig = lambda **kw: calls.append(kw) or "cache"  # type: ignore[attr-defined]
    for name, module in {
        "sagemaker": types.ModuleType("sagemaker"),
        "sagemaker.workflow": types.ModuleType("sagemaker.workflow"),
        "sagemaker.workflow.steps": steps,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    assert builder()._get_cache_config(False) == "cache"
    assert calls == [{"enable_caching": False, "expire_after": "P30D"}]


class Node:
    """Stand-in for SageMaker step properties: attributes plus item access."""

    def __init__(self, **children: Any) -> None:
        self.__dict__.update(children)

    def __getitem__(self, key: Any) -> Any:
        return self.__dict__[key]


def upstream(step_type: str, output: OutputSpec, value: str) -> Node:
    spec = StepSpecification(step_type=step_type, node_type="source", outputs=[output])
    leaf = Node(S3Output=Node(S3Uri=value))
    step = Node(properties=Node(ProcessingOutputConfig=Node(Outputs=Node(**{output.logical_name: leaf}))))
    step._spec = spec
    return step


def out(name: str, aliases: list[str] | None = None) -> OutputSpec:
    return OutputSpec(
        logical_name=name,
        output_type="processing_output",
        property_path=f"properties.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri",
        aliases=aliases or [],
    )


def test_extract_inputs_prefers_name_then_compatible_type() -> None:
    by_type = upstream("DataLoading_Training", out("data"), "s3://typed")
    by_alias = upstream("Other", out("sig", ["SIGNATURE"]), "s3://alias")
    unrelated = Node()
    assert builder().extract_inputs_from_dependencies([unrelated, by_type, by_alias]) == {
        "DATA": "s3://typed",
        "SIGNATURE": "s3://alias",
    }
    by_name = upstream("Other", out("DATA"), "s3://named")
    assert builder().extract_inputs_from_dependencies([by_type, by_name])["DATA"] == "s3://named"


def test_extract_inputs_ignores_incompatible_sources() -> None:
    stranger = upstream("ModelEval", out("data"), "s3://x")
    assert builder().extract_inputs_from_dependencies([stranger]) == {}


def test_follow_property_path_grammar() -> None:
    root = Node(properties=Node(Items=[Node(Name="first")], Map={"k": "v"}))
    assert follow_property_path(root, "properties.Items[0].Name") == "first"
    assert follow_property_path(root, 'properties.Map["k"]') == "v"
    with pytest.raises(ValueError, match=r"property path 'properties\.Map\[k\]' cannot be parsed at offset 14"):
        follow_property_path(root, "properties.Map[k]")


def test_importing_domain_never_touches_sagemaker_or_boto3() -> None:
    probe = textwrap.dedent(
        """
        import sys
        attempted = []

        class Recorder:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"sagemaker", "boto3", "botocore", "moto"}:
                    attempted.append(name)
                return None

        sys.meta_path.insert(0, Recorder())
        import cursus_core.base
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"sagemaker", "boto3", "botocore", "moto"})
        print(attempted, loaded)
        """
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[] []"
