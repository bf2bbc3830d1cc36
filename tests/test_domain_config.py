"""Three-tier configs and hyperparameters: tiers, derived properties, typo rejection, scripts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import Field, PrivateAttr, ValidationError

from cursus_core.base import BasePipelineConfig, ModelHyperparameters, ProcessingStepConfigBase, ScriptContract

ESSENTIAL: dict[str, Any] = {
    "author": "alice",
    "bucket": "my-bucket",
    "role": "arn:aws:iam::111122223333:role/pipeline",
    "region": "NA",
    "service_name": "fraud",
    "pipeline_version": "1.2.0",
}

CONTRACT = ScriptContract(
    entry_point="tabular_preprocessing.py",
    expected_input_paths={"DATA": "/opt/ml/processing/input/data"},
    expected_output_paths={"processed_data": "/opt/ml/processing/output"},
)


class TabularPreprocessingConfig(ProcessingStepConfigBase):
    """A step config with its own tiers, as step repos write them."""

    label_name: str = Field(description="Label column.")
    job_type: str = Field(description="training/validation/testing/calibration.")
    train_ratio: float = 0.7

    _split_names: list[str] | None = PrivateAttr(default=None)

    @property
    def split_names(self) -> list[str]:
        if self._split_names is None:
            self._split_names = ["train", "test", "val"] if self.job_type == "training" else [self.job_type]
        return self._split_names

    def get_script_contract(self) -> ScriptContract:
        return CONTRACT


def first_message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(exc.value.errors()[0]["msg"])


def test_base_defaults_and_derived_values() -> None:
    config = BasePipelineConfig(**ESSENTIAL)
    assert config.model_class == "xgboost"
    assert config.current_date == date.today().isoformat()
    assert (config.framework_version, config.py_version, config.source_dir) == ("2.1.0", "py310", None)
    assert config.aws_region == "us-east-1"
    assert config.pipeline_name == "alice-fraud-xgboost-NA"
    assert config.pipeline_description == "fraud xgboost Model NA"
    assert config.pipeline_s3_loc == "s3://my-bucket/MODS/alice-fraud-xgboost-NA_1.2.0"


@pytest.mark.parametrize(("code", "aws"), [("NA", "us-east-1"), ("EU", "eu-west-1"), ("FE", "us-west-2")])
def test_region_codes_map_to_aws_regions(code: str, aws: str) -> None:
    assert BasePipelineConfig(**{**ESSENTIAL, "region": code}).aws_region == aws


def test_unknown_region_names_field_and_value() -> None:
    with pytest.raises(ValidationError) as exc:
        BasePipelineConfig(**{**ESSENTIAL, "region": "us-east-1"})
    assert exc.value.errors()[0]["loc"] == ("region",)
    assert first_message(exc) == "Value error, region: 'us-east-1' is not a region code; expected one of NA, EU, FE"


def test_missing_essential_field() -> None:
    fields = dict(ESSENTIAL)
    del fields["bucket"]
    with pytest.raises(ValidationError) as exc:
        BasePipelineConfig(**fields)
    assert [(e["loc"], e["type"]) for e in exc.value.errors()] == [(("bucket",), "missing")]


def test_blank_essential_field() -> None:
    with pytest.raises(ValidationError) as exc:
        BasePipelineConfig(**{**ESSENTIAL, "author": " "})
    assert first_message(exc) == "Value error, author: must not be empty"


def test_derived_values_are_read_only() -> None:
    config = BasePipelineConfig(**ESSENTIAL)
    with pytest.raises(AttributeError, match="property 'pipeline_name' of 'BasePipelineConfig' object has no setter"):
        config.pipeline_name = "x"  # type: ignore[misc]


def test_derived_value_cannot_be_passed_to_constructor() -> None:
    with pytest.raises(ValidationError) as exc:
        BasePipelineConfig(**ESSENTIAL, aws_region="us-west-2")
    assert first_message(exc) == (
        "Value error, 'aws_region' is derived by BasePipelineConfig and cannot be set; set the fields it derives from"
    )


def test_typo_is_rejected_with_suggestion() -> None:
    with pytest.raises(ValidationError) as exc:
        BasePipelineConfig(**ESSENTIAL, pipline_version="2")
    assert first_message(exc) == (
        "Value error, unknown field 'pipline_version' for BasePipelineConfig (did you mean 'pipeline_version'?)"
    )


def test_unknown_field_without_close_match() -> None:
    with pytest.raises(ValidationError) as exc:
        BasePipelineConfig(**ESSENTIAL, zzz=1)
    assert first_message(exc) == "Value error, unknown field 'zzz' for BasePipelineConfig"


def test_assignment_is_validated_and_refreshes_derived_values() -> None:
    config = BasePipelineConfig(**ESSENTIAL)
    assert config.aws_region == "us-east-1"
    assert config.pipeline_s3_loc.endswith("alice-fraud-xgboost-NA_1.2.0")
    config.region = "EU"
    config.pipeline_version = "2.0.0"
    assert config.aws_region == "eu-west-1"
    assert config.pipeline_s3_loc == "s3://my-bucket/MODS/alice-fraud-xgboost-EU_2.0.0"
    with pytest.raises(ValidationError):
        config.region = "XX"


def test_categorize_fields_on_subclass_with_its_own_tiers() -> None:
    tiers = TabularPreprocessingConfig.categorize_fields()
    assert tiers["essential"] == [
        "author",
        "bucket",
        "role",
        "region",
        "service_name",
        "pipeline_version",
        "label_name",
        "job_type",
    ]
    assert tiers["system"][:5] == ["model_class", "current_date", "framework_version", "py_version", "source_dir"]
    assert tiers["system"][-1] == "train_ratio"
    assert "processing_instance_count" in tiers["system"]
    assert tiers["derived"] == [
        "aws_region",
        "pipeline_name",
        "pipeline_description",
        "pipeline_s3_loc",
        "effective_source_dir",
        "effective_instance_type",
        "script_path",
        "split_names",
    ]
    config = TabularPreprocessingConfig(**ESSENTIAL, label_name="y", job_type="training")
    assert config.categorize_fields() == tiers


def test_get_public_init_fields_skips_none_and_derived() -> None:
    config = BasePipelineConfig(**ESSENTIAL, current_date="2024-01-02")
    assert config.get_public_init_fields() == {
        **ESSENTIAL,
        "model_class": "xgboost",
        "current_date": "2024-01-02",
        "framework_version": "2.1.0",
        "py_version": "py310",
    }


def test_from_base_config_carries_shared_values() -> None:
    base = BasePipelineConfig(**ESSENTIAL, source_dir="src/scripts")
    step = TabularPreprocessingConfig.from_base_config(base, label_name="y", job_type="calibration")
    assert isinstance(step, TabularPreprocessingConfig)
    assert (step.author, step.source_dir, step.split_names) == ("alice", "src/scripts", ["calibration"])


def test_base_config_has_no_contract_and_falls_back_to_default_path() -> None:
    config = BasePipelineConfig(**ESSENTIAL)
    assert config.get_script_contract() is None
    assert config.get_script_path() is None
    assert config.get_script_path("fallback.py") == "fallback.py"


def test_processing_defaults() -> None:
    config = ProcessingStepConfigBase(**ESSENTIAL)
    assert config.processing_instance_count == 1
    assert config.processing_volume_size == 500
    assert config.use_large_processing_instance is False
    assert (config.processing_source_dir, config.processing_entry_point, config.processing_script_arguments) == (
        None,
        None,
        None,
    )
    assert config.processing_framework_version == "1.2-1"
    assert config.effective_instance_type == config.processing_instance_type_small == "ml.m5.2xlarge"
    assert config.processing_instance_type_large == "ml.m5.4xlarge"
    assert (config.effective_source_dir, config.script_path) == (None, None)


def test_processing_effective_values_follow_switches() -> None:
    config = ProcessingStepConfigBase(**ESSENTIAL, source_dir="s3://bucket/code/", processing_entry_point="run.py")
    assert config.effective_source_dir == "s3://bucket/code/"
    assert config.script_path == "s3://bucket/code/run.py"
    config.processing_source_dir = "src/processing"
    config.use_large_processing_instance = True
    assert config.effective_source_dir == "src/processing"
    assert config.script_path == "src/processing/run.py"
    assert config.effective_instance_type == "ml.m5.4xlarge"


def test_processing_entry_point_without_source_dir() -> None:
    config = ProcessingStepConfigBase(**ESSENTIAL, processing_entry_point="run.py")
    assert config.script_path == "run.py" == config.get_script_path()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("processing_entry_point", "run.sh",
         "processing_entry_point: 'run.sh' must be a Python file relative to the source dir"),
        ("processing_entry_point", "/abs/run.py",
         "processing_entry_point: '/abs/run.py' must be a Python file relative to the source dir"),
        ("processing_instance_type_small", "m5.xlarge",
         "processing_instance_type_small: 'm5.xlarge' is not a SageMaker instance type (must start with 'ml.')"),
    ],
)
def test_processing_field_errors(field: str, value: str, expected: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ProcessingStepConfigBase(**ESSENTIAL, **{field: value})
    assert exc.value.errors()[0]["loc"] == (field,)
    assert first_message(exc) == f"Value error, {expected}"


def test_processing_instance_count_bounds() -> None:
    with pytest.raises(ValidationError) as exc:
        ProcessingStepConfigBase(**ESSENTIAL, processing_instance_count=0)
    assert exc.value.errors()[0]["loc"] == ("processing_instance_count",)
    assert exc.value.errors()[0]["type"] == "greater_than_equal"


def test_script_path_from_contract_inside_effective_source_dir() -> None:
    config = TabularPreprocessingConfig(**ESSENTIAL, processing_source_dir="steps/scripts", label_name="y",
                                        job_type="training")
    assert config.get_script_path() == "steps/scripts/tabular_preprocessing.py"
    config.processing_entry_point = "other.py"
    assert config.get_script_path() == "steps/scripts/other.py"


def test_subclass_derived_property_is_read_only_and_not_settable() -> None:
    config = TabularPreprocessingConfig(**ESSENTIAL, label_name="y", job_type="training")
    assert config.split_names == ["train", "test", "val"]
    config.job_type = "testing"
    assert config.split_names == ["testing"]
    with pytest.raises(ValidationError) as exc:
        TabularPreprocessingConfig(**ESSENTIAL, label_name="y", job_type="training", split_names=["a"])
    assert "'split_names' is derived by TabularPreprocessingConfig" in first_message(exc)


HYPER: dict[str, Any] = {
    "full_field_list": ["id", "label", "country", "amount"],
    "cat_field_list": ["country"],
    "tab_field_list": ["amount"],
    "id_name": "id",
    "label_name": "label",
    "multiclass_categories": [0, 1],
}


def test_hyperparameters_derived_values() -> None:
    binary = ModelHyperparameters(**HYPER)
    assert (binary.num_classes, binary.is_binary, binary.input_tab_dim) == (2, True, 1)
    multi = ModelHyperparameters(**{**HYPER, "multiclass_categories": ["a", "b", "c"]})
    assert (multi.num_classes, multi.is_binary) == (3, False)
    with pytest.raises(AttributeError):
        binary.is_binary = False  # type: ignore[misc]


def test_hyperparameters_tiers() -> None:
    tiers = ModelHyperparameters.categorize_fields()
    assert tiers["essential"] == list(HYPER)
    assert tiers["derived"] == ["input_tab_dim", "num_classes", "is_binary"]
    assert "class_weights" in tiers["system"]


def test_hyperparameters_serialize_config_stringifies_values() -> None:
    serialized = ModelHyperparameters(**HYPER).serialize_config()
    assert all(isinstance(v, str) for v in serialized.values())
    assert serialized["full_field_list"] == '["id", "label", "country", "amount"]'
    assert serialized["label_name"] == "label"
    assert serialized["lr"] == "3e-05"
    assert serialized["batch_size"] == "2"
    assert serialized["class_weights"] == "[1.0, 1.0]"
    assert serialized["is_binary"] == "true"
    assert serialized["num_classes"] == "2"
    assert json.loads(serialized["multiclass_categories"]) == [0, 1]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"cat_field_list": ["city"]}, "cat_field_list: ['city'] not in full_field_list"),
        ({"tab_field_list": ["amount", "age"]}, "tab_field_list: ['age'] not in full_field_list"),
        ({"multiclass_categories": [1]}, "multiclass_categories: need at least 2 classes, got [1]"),
        ({"multiclass_categories": [0, 1, 1]}, "multiclass_categories: [0, 1, 1] contains duplicates"),
        ({"class_weights": [1.0]}, "class_weights: 1 weights for 2 multiclass_categories"),
    ],
)
def test_hyperparameter_consistency_errors(override: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ModelHyperparameters(**{**HYPER, **override})
    assert first_message(exc) == f"Value error, {expected}"


def test_hyperparameter_typo_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        ModelHyperparameters(**HYPER, batch_sise=4)
    assert first_message(exc) == ("Value error, unknown field 'batch_sise' for ModelHyperparameters "
                                  "(did you mean 'batch_size'?)")
