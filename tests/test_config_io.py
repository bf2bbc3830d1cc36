"""Saved configs (save_configs / load_configs) and DAG node -> config mapping.

The example pipeline's config.json is loaded with the fixture's own config classes, the
round trip is checked as a property over generated configs, and every error path is pinned to
its exact message.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, PrivateAttr

from cursus_core.base import BasePipelineConfig, ProcessingStepConfigBase
from cursus_core.base.config import REGION_MAPPING, TieredModel
from cursus_core.compiler import (
    AmbiguousConfigClassError,
    ConfigFileError,
    ConfigSaveError,
    ConfigValidationError,
    DerivedValueError,
    DerivedValueMismatchError,
    NodeConfigError,
    UnknownConfigClassError,
    UnusedConfigError,
    config_step_name,
    configs_to_document,
    load_configs,
    map_nodes_to_configs,
    save_configs,
    split_step_name,
)
from cursus_core.dag import PipelineDAG, load_dag
from cursus_core.registry import UnifiedRegistryManager

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PIPELINE = FIXTURES / "example_repo" / "pipeline"
CONFIG = PIPELINE / "config.json"


# -- the example repo's classes ----------------------------------------------------------------
@pytest.fixture(scope="module")
def example() -> Iterator[ModuleType]:
    """``example_repo.pipeline.make_config``, imported as a package under fixtures/ (then forgotten)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(FIXTURES))
        yield importlib.import_module("example_repo.pipeline.make_config")
    for name in [m for m in sys.modules if m == "example_repo" or m.startswith("example_repo.")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def classes(example: ModuleType) -> dict[str, type[BaseModel]]:
    """Every model class the example repo's configs and hyperparameters modules define."""
    found: dict[str, type[BaseModel]] = {}
    for sub in ("configs", "hyperparams"):
        for path in sorted((FIXTURES / "example_repo" / "steps" / sub).glob("*.py")):
            module = importlib.import_module(f"example_repo.steps.{sub}.{path.stem}")
            for value in vars(module).values():
                if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                    found[value.__name__] = value
    return found


def _without_created_at(text: str) -> dict[str, Any]:
    document = json.loads(text)
    del document["metadata"]["created_at"]
    return document


def test_example_config_loads_with_the_fixture_classes(classes: dict[str, type[BaseModel]]) -> None:
    configs = load_configs(CONFIG, classes)
    assert list(configs) == [
        "BatchTransform_calibration", "DataLoading_calibration", "DataLoading_training", "Package", "Registration",
        "TabularPreprocessing_calibration", "TabularPreprocessing_training", "XGBoostModel",
        "XGBoostModelEval_calibration", "XGBoostTraining"]  # fmt: skip
    assert {step: type(c).__name__ for step, c in configs.items()} == json.loads(CONFIG.read_text())["metadata"][
        "config_types"]
    training = configs["XGBoostTraining"]
    assert type(training).__name__ == "XGBoostTrainingConfig"
    assert type(training.hyperparameters).__name__ == "XGBoostModelHyperparameters"
    assert (training.hyperparameters.num_round, training.hyperparameters.objective) == (300, "binary:logistic")
    assert (training.bucket, training.region, training.framework_version) == ("example-bucket", "NA", "1.7-1")
    assert configs["Package"].script_path == "steps/scripts/package.py"
    assert configs["TabularPreprocessing_training"].job_type == "training"
    assert configs["XGBoostModelEval_calibration"].prediction_threshold_env == "0.6"


def test_example_config_entry_points_exist(classes: dict[str, type[BaseModel]]) -> None:
    configs = load_configs(CONFIG, classes)
    repo = FIXTURES / "example_repo"
    scripts = {step: c.script_path for step, c in configs.items() if getattr(c, "script_path", None)}
    assert scripts == {
        "Package": "steps/scripts/package.py",
        "TabularPreprocessing_calibration": "steps/scripts/tabular_preprocessing.py",
        "TabularPreprocessing_training": "steps/scripts/tabular_preprocessing.py",
        "XGBoostModelEval_calibration": "steps/scripts/model_evaluation_xgb.py",
    }
    training = configs["XGBoostTraining"]
    scripts["XGBoostTraining"] = f"{training.effective_training_source_dir}/{training.training_entry_point}"
    assert [s for s in scripts.values() if not (repo / s).is_file()] == []


def test_resaving_the_example_config_is_identical(tmp_path: Path, example: ModuleType,
                                                   classes: dict[str, type[BaseModel]]) -> None:
    configs = load_configs(CONFIG, classes)
    out = tmp_path / "config.json"
    save_configs(list(configs.values()), out, registry=example.registry())
    assert _without_created_at(out.read_text()) == _without_created_at(CONFIG.read_text())
    # and the committed file is what make_config.py writes today, byte for byte
    created_at = json.loads(CONFIG.read_text())["metadata"]["created_at"]
    fresh = tmp_path / "fresh.json"
    example.write_config(fresh, created_at=created_at)
    assert fresh.read_text() == CONFIG.read_text()


def test_example_dag_maps_onto_the_example_config(classes: dict[str, type[BaseModel]]) -> None:
    configs = load_configs(CONFIG, classes)
    mapping = map_nodes_to_configs(load_dag(PIPELINE / "dag.json"), configs, strict=True)
    assert list(mapping.resolved) == load_dag(PIPELINE / "dag.json").nodes
    assert all(mapping.resolved[node] is configs[node] for node in mapping.resolved)
    assert (mapping.unmapped_nodes, mapping.unused_configs) == ([], [])


# -- shared / specific ----------------------------------------------------------------------------
BASE = {"author": "a", "bucket": "b", "role": "r", "region": "NA", "service_name": "s", "pipeline_version": "1",
        "current_date": "2024-01-02"}  # fmt: skip


def test_shared_holds_only_fields_every_config_has_with_one_value() -> None:
    base = BasePipelineConfig(**BASE)
    processing = ProcessingStepConfigBase(**{**BASE, "region": "EU"})
    document = configs_to_document([base, processing], created_at="T")
    assert document["configuration"]["shared"] == {
        "author": "a", "bucket": "b", "current_date": "2024-01-02", "framework_version": "2.1.0",
        "model_class": "xgboost", "pipeline_version": "1", "py_version": "py310", "role": "r",
        "service_name": "s", "source_dir": None}  # fmt: skip
    specific = document["configuration"]["specific"]
    assert specific["Base"] == {"__model_type__": "BasePipelineConfig", "region": "NA"}
    assert specific["Processing"]["region"] == "EU"
    assert specific["Processing"]["processing_volume_size"] == 500
    assert document["metadata"] == {
        "config_types": {"Base": "BasePipelineConfig", "Processing": "ProcessingStepConfigBase"},
        "created_at": "T",
        "derived": {
            "Base": {"aws_region": "us-east-1", "pipeline_description": "s xgboost Model NA",
                     "pipeline_name": "a-s-xgboost-NA", "pipeline_s3_loc": "s3://b/MODS/a-s-xgboost-NA_1"},
            "Processing": {"aws_region": "eu-west-1", "effective_instance_type": "ml.m5.2xlarge",
                           "effective_source_dir": None, "pipeline_description": "s xgboost Model EU",
                           "pipeline_name": "a-s-xgboost-EU", "pipeline_s3_loc": "s3://b/MODS/a-s-xgboost-EU_1",
                           "script_path": None},
        },
        "format_version": 1,
    }


def test_a_single_config_is_all_specific() -> None:
    document = configs_to_document([BasePipelineConfig(**BASE)], created_at="T")
    assert document["configuration"]["shared"] == {}
    assert len(document["configuration"]["specific"]["Base"]) == 12


def test_shared_compares_types_not_just_equality() -> None:
    class FlagA(ProcessingStepConfigBase):
        value: Any = None

    class FlagB(ProcessingStepConfigBase):
        value: Any = None

    a, b = FlagA(**BASE, value=1), FlagB(**BASE, value=True)  # 1 == True in Python, not in JSON
    document = configs_to_document([a, b], step_names={0: "A", 1: "B"}, created_at="T")
    assert "value" not in document["configuration"]["shared"]
    specific = document["configuration"]["specific"]
    assert (specific["A"]["value"], specific["B"]["value"]) == (1, True)


# -- step names -----------------------------------------------------------------------------------
def test_step_names_come_from_the_registry_and_job_type(classes: dict[str, type[BaseModel]],
                                                        example: ModuleType) -> None:
    configs = load_configs(CONFIG, classes)
    registry = example.registry()
    assert config_step_name(configs["DataLoading_training"], registry) == "DataLoading_training"
    assert config_step_name(configs["Package"], registry) == "Package"
    with pytest.raises(ConfigSaveError) as err:
        config_step_name(configs["BatchTransform_calibration"])  # the core table calls it BatchTransformStepConfig
    assert str(err.value) == "no registry step uses config class 'BatchTransformConfig'; pass step_names to name it"


def test_step_name_overrides_by_id_or_index() -> None:
    a, b = BasePipelineConfig(**BASE), BasePipelineConfig(**{**BASE, "author": "z"})
    document = configs_to_document([a, b], step_names={id(a): "First", 1: "Second"}, created_at="T")
    assert list(document["configuration"]["specific"]) == ["First", "Second"]


def test_save_errors() -> None:
    a, b = BasePipelineConfig(**BASE), BasePipelineConfig(**{**BASE, "author": "z"})
    with pytest.raises(ConfigSaveError) as err:
        configs_to_document([a, b])
    assert str(err.value) == ("configs #0 and #1 would both be saved as step 'Base'; give them different "
                              "job_type values or pass step_names")

    class Unregistered(BasePipelineConfig):
        pass

    with pytest.raises(ConfigSaveError) as err:
        configs_to_document([Unregistered(**BASE)])
    assert str(err.value) == ("config #0 (Unregistered): no registry step uses config class 'Unregistered'; "
                              "pass step_names to name it")

    twice = UnifiedRegistryManager({name: {"config_class": "BasePipelineConfig", "builder_step_name": "X",
                                           "spec_type": name, "sagemaker_step_type": "Processing"}
                                    for name in ("StepB", "StepA")})
    with pytest.raises(ConfigSaveError) as err:
        config_step_name(a, twice)
    assert str(err.value) == ("config class 'BasePipelineConfig' is used by several registry steps (StepA, StepB); "
                              "pass step_names to choose")

    class Odd(BasePipelineConfig):
        thing: Any = None

    with pytest.raises(ConfigSaveError) as err:
        configs_to_document([Odd(**BASE, thing={"k": [1, object()]})], step_names={0: "Odd"})
    assert str(err.value) == "Odd.thing.k[1]: cannot save a value of type object"

    class Failing(BasePipelineConfig):
        @property
        def broken(self) -> str:
            raise RuntimeError("needs the network")

    with pytest.raises(ConfigSaveError) as err:
        configs_to_document([Failing(**BASE)], step_names={0: "Failing"})
    assert str(err.value) == "step 'Failing': a derived value could not be computed: RuntimeError: needs the network"


# -- load errors ----------------------------------------------------------------------------------
@pytest.fixture
def saved(tmp_path: Path, classes: dict[str, type[BaseModel]]) -> Path:
    """A writable copy of the example config."""
    path = tmp_path / "config.json"
    path.write_text(CONFIG.read_text())
    return path


def _edit(path: Path, change: Any) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def _specific(step: str, key: str, value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        document["configuration"]["specific"][step][key] = value
    return change


def _only(step: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        for section in (document["configuration"]["specific"], document["metadata"]["config_types"],
                        document["metadata"]["derived"]):
            for name in [n for n in section if n != step]:
                del section[name]
    return change


def test_unknown_class_lists_the_known_ones(saved: Path, classes: dict[str, type[BaseModel]]) -> None:
    _edit(saved, _only("Package"))
    _edit(saved, _specific("Package", "__model_type__", "PackageConfg"))
    _edit(saved, lambda d: d["metadata"]["config_types"].pop("Package"))
    with pytest.raises(UnknownConfigClassError) as err:
        load_configs(saved, {"PackageConfig": classes["PackageConfig"]})
    assert str(err.value) == (f"{saved}: step 'Package': unknown config class 'PackageConfg' (known: "
                              "BasePipelineConfig, ModelHyperparameters, PackageConfig, ProcessingStepConfigBase); "
                              "did you mean 'PackageConfig'?")
    assert (err.value.step, err.value.class_name) == ("Package", "PackageConfg")


def test_unknown_nested_class_names_the_field(saved: Path, classes: dict[str, type[BaseModel]]) -> None:
    only_configs = {k: v for k, v in classes.items() if k != "XGBoostModelHyperparameters"}
    # the annotation's own class answers to its name even when the caller did not pass it ...
    assert type(load_configs(saved, only_configs)["XGBoostTraining"].hyperparameters).__name__ == (
        "XGBoostModelHyperparameters")

    # ... but not to another name
    def rename(document: dict[str, Any]) -> None:
        document["configuration"]["specific"]["XGBoostTraining"]["hyperparameters"]["__model_type__"] = "XGBParams"

    _edit(saved, rename)
    _edit(saved, _only("XGBoostTraining"))
    with pytest.raises(UnknownConfigClassError) as err:
        load_configs(saved, {"XGBoostTrainingConfig": classes["XGBoostTrainingConfig"]})
    assert str(err.value) == (f"{saved}: step 'XGBoostTraining' field 'hyperparameters': unknown config class "
                              "'XGBParams' (known: BasePipelineConfig, ModelHyperparameters, "
                              "ProcessingStepConfigBase, XGBoostTrainingConfig)")


class PackageConfigOne(BasePipelineConfig):
    pass


class PackageConfigTwo(BasePipelineConfig):
    pass


def test_two_classes_with_one_name_are_ambiguous(saved: Path, classes: dict[str, type[BaseModel]]) -> None:
    with pytest.raises(AmbiguousConfigClassError) as err:
        load_configs(saved, {**classes, "PackageConfig": [classes["PackageConfig"], PackageConfigOne]})
    module = PackageConfigOne.__module__
    assert str(err.value) == (f"{saved}: step 'Package': config class name 'PackageConfig' is ambiguous: "
                              "example_repo.steps.configs.config_package_step.PackageConfig, "
                              f"{module}.PackageConfigOne")
    # an iterable of classes is grouped by class name: two distinct classes, one name
    PackageConfigTwo.__name__ = "PackageConfigOne"
    try:
        _edit(saved, _specific("Package", "__model_type__", "PackageConfigOne"))
        _edit(saved, lambda d: d["metadata"]["config_types"].pop("Package"))
        with pytest.raises(AmbiguousConfigClassError) as err:
            load_configs(saved, [*classes.values(), PackageConfigOne, PackageConfigTwo, PackageConfigOne])
        assert err.value.candidates == [f"{module}.PackageConfigOne", f"{module}.PackageConfigTwo"]
    finally:
        PackageConfigTwo.__name__ = "PackageConfigTwo"


@pytest.mark.parametrize(
    ("step", "key", "value", "message"),
    [
        ("Package", "compression_level", 12,
         "step 'Package' (PackageConfig): field 'compression_level': Input should be less than or equal to 9"),
        ("XGBoostModel", "instance_typ", "ml.m5.large",
         "step 'XGBoostModel' (XGBoostModelConfig): Value error, unknown field 'instance_typ' for XGBoostModelConfig "
         "(did you mean 'inference_instance_type'?)"),
        ("Registration", "pipeline_name", "custom",
         "step 'Registration' (RegistrationConfig): Value error, 'pipeline_name' is derived by RegistrationConfig "
         "and cannot be set; set the fields it derives from"),
        ("TabularPreprocessing_training", "job_type", "train",
         "step 'TabularPreprocessing_training' (TabularPreprocessingConfig): field 'job_type': Value error, job_type "
         "must be one of ('training', 'validation', 'testing', 'calibration'), got 'train'"),
        ("DataLoading_training", "processing_volume_size", "big",
         "step 'DataLoading_training' (DataLoadingConfig): field 'processing_volume_size': Input should be a valid "
         "integer, unable to parse string as an integer"),
    ],
)
def test_invalid_fields_name_step_class_and_field(saved: Path, classes: dict[str, type[BaseModel]], step: str,
                                                  key: str, value: Any, message: str) -> None:
    _edit(saved, _specific(step, key, value))
    with pytest.raises(ConfigValidationError) as err:
        load_configs(saved, classes)
    assert str(err.value) == f"{saved}: {message}"


def test_missing_and_nested_invalid_fields(saved: Path, classes: dict[str, type[BaseModel]]) -> None:
    def change(document: dict[str, Any]) -> None:
        del document["configuration"]["specific"]["Package"]["inference_scripts_dir"]
        document["configuration"]["shared"]["region"] = "APAC"

    _edit(saved, change)
    with pytest.raises(ConfigValidationError) as err:
        load_configs(saved, classes)
    # steps load in file order, so the first step reports the shared region
    assert str(err.value) == (f"{saved}: step 'BatchTransform_calibration' (BatchTransformConfig): field 'region': "
                              "Value error, region: 'APAC' is not a region code; expected one of NA, EU, FE")

    saved.write_text(CONFIG.read_text())
    _edit(saved, _specific("Package", "inference_scripts_dir", None))
    with pytest.raises(ConfigValidationError) as err:
        load_configs(saved, classes)
    assert err.value.errors == [("inference_scripts_dir", "Input should be a valid string")]

    saved.write_text(CONFIG.read_text())

    def nested(document: dict[str, Any]) -> None:
        params = document["configuration"]["specific"]["XGBoostTraining"]["hyperparameters"]
        params["max_depth"] = 50
        del params["num_round"]

    _edit(saved, nested)
    with pytest.raises(ConfigValidationError) as err:
        load_configs(saved, classes)
    assert str(err.value) == (f"{saved}: step 'XGBoostTraining' (XGBoostTrainingConfig): field "
                              "'hyperparameters.num_round': Field required; field 'hyperparameters.max_depth': "
                              "Input should be less than or equal to 20")


def test_derived_values_are_checked_against_recomputation(saved: Path, classes: dict[str, type[BaseModel]]) -> None:
    _edit(saved, lambda d: d["metadata"]["derived"]["XGBoostTraining"].update(pipeline_name="old-name"))
    with pytest.raises(DerivedValueMismatchError) as err:
        load_configs(saved, classes)
    assert str(err.value) == (f"{saved}: step 'XGBoostTraining' (XGBoostTrainingConfig): derived value "
                              "'pipeline_name' is \"old-name\" in the file but \"risk-ml-OrderRisk-xgboost-NA\" "
                              "when recomputed")
    assert (err.value.field, err.value.file_value, err.value.computed_value) == (
        "pipeline_name", "old-name", "risk-ml-OrderRisk-xgboost-NA")
    # check_derived=False is the explicit way to skip the check
    assert load_configs(saved, classes, check_derived=False)["XGBoostTraining"].pipeline_name == (
        "risk-ml-OrderRisk-xgboost-NA")

    saved.write_text(CONFIG.read_text())
    _edit(saved, lambda d: d["metadata"]["derived"]["XGBoostTraining"].update(
        {"hyperparameters.eval_metric": ["auc"]}))
    with pytest.raises(DerivedValueMismatchError) as err:
        load_configs(saved, classes)
    assert str(err.value) == (f"{saved}: step 'XGBoostTraining' (XGBoostTrainingConfig): derived value "
                              "'hyperparameters.eval_metric' is [\"auc\"] in the file but [\"logloss\", \"auc\"] "
                              "when recomputed")

    saved.write_text(CONFIG.read_text())
    _edit(saved, lambda d: d["metadata"]["derived"]["Package"].update(model_uri="s3"))
    with pytest.raises(DerivedValueError) as err:
        load_configs(saved, classes)
    assert str(err.value) == (f"{saved}: step 'Package' (PackageConfig): the file has derived value 'model_uri', "
                              "which PackageConfig does not define")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "invalid JSON at line 1, column 2: Expecting property name enclosed in double quotes"),
        ("[]", "not a saved config: expected an object with a 'configuration' object"),
        ('{"configuration": {"shared": {}}}', "'configuration.specific' must be an object"),
        ('{"configuration": {"shared": {}, "specific": {}}, "metadata": []}', "'metadata' must be an object"),
        ('{"configuration": {"shared": {}, "specific": {}}, "metadata": {"derived": 1}}',
         "'metadata.derived' must be an object"),
        ('{"configuration": {"shared": {}, "specific": {"Base": 1}}}',
         "step 'Base': its entry in configuration.specific must be an object"),
        ('{"configuration": {"shared": {}, "specific": {"Base": {}}}}',
         "step 'Base': no __model_type__ and no metadata.config_types entry names its class"),
        ('{"configuration": {"shared": {}, "specific": {"Base": {"__model_type__": "BasePipelineConfig"}}},'
         ' "metadata": {"config_types": {"Base": "ProcessingStepConfigBase"}}}',
         "step 'Base': __model_type__ is 'BasePipelineConfig' but metadata.config_types says "
         "'ProcessingStepConfigBase'"),
        ('{"configuration": {"shared": {}, "specific": {}}, "metadata": {"config_types": {"Gone": "X"}}}',
         "metadata.config_types names step 'Gone', which has no entry in configuration.specific"),
        ('{"configuration": {"shared": {}, "specific": {}}, "metadata": {"derived": {"Gone": {}}}}',
         "metadata.derived names step 'Gone', which has no entry in configuration.specific"),
        ('{"configuration": {"shared": {}, "specific": {"Base": {"__model_type__": 7}}}}',
         "step 'Base': __model_type__ must be a class name, got 7"),
        ('{"configuration": {"shared": {}, "specific": {"Base": {"__model_type__": "BasePipelineConfig",'
         ' "source_dir": {"__type_info__": "Path"}}}}}',
         "step 'Base': field 'source_dir': malformed __type_info__ 'Path' value {\"__type_info__\": \"Path\"}"),
        ('{"configuration": {"shared": {}, "specific": {"Base": {"__model_type__": "BasePipelineConfig",'
         ' "source_dir": {"__type_info__": "complex", "value": "1j"}}}}}',
         "step 'Base': field 'source_dir': unknown __type_info__ \"complex\""),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(text)
    with pytest.raises(ConfigFileError) as err:
        load_configs(path)
    assert str(err.value) == f"{path}: {message}"


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError) as err:
        load_configs(tmp_path / "nope.json")
    assert str(err.value) == f"{tmp_path / 'nope.json'}: cannot read: [Errno 2] No such file or directory: " \
                             f"'{tmp_path / 'nope.json'}'"


def test_config_types_alone_name_the_class(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    save_configs([BasePipelineConfig(**BASE)], path, created_at="T")
    _edit(path, lambda d: d["configuration"]["specific"]["Base"].pop("__model_type__"))
    assert load_configs(path)["Base"].model_dump() == BasePipelineConfig(**BASE).model_dump()


def test_model_module_written_by_older_cursus_files_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    save_configs([BasePipelineConfig(**BASE)], path, created_at="T")
    _edit(path, _specific("Base", "__model_module__", "cursus.core.base.config_base"))
    assert load_configs(path)["Base"].model_dump() == BasePipelineConfig(**BASE).model_dump()


# -- special values ---------------------------------------------------------------------------------
class Color(str, Enum):
    RED = "red"
    GREEN = "green"


class Level(Enum):
    LOW = 1
    HIGH = 2


class Window(TieredModel):
    """A nested model with a derived value of its own."""

    start: date
    days: int = Field(ge=1)

    _end: date | None = PrivateAttr(default=None)

    @property
    def end(self) -> date:
        if self._end is None:
            self._end = self.start + timedelta(days=self.days)
        return self._end


class GenConfig(ProcessingStepConfigBase):
    """Every kind of field the saved format has to carry."""

    job_type: str
    label: str
    count: int
    ratio: float
    flag: bool
    tags: list[str]
    weights: dict[str, float]
    by_id: dict[int, str]
    data_dir: Path
    start: date
    stamp: datetime
    color: Color
    level: Level
    codes: set[str]
    pair: tuple[int, str]
    window: Window
    windows: list[Window]
    maybe_window: Window | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    _summary: str | None = PrivateAttr(default=None)

    @property
    def summary(self) -> str:
        if self._summary is None:
            self._summary = f"{self.label}:{self.count}:{self.color.value}"
        return self._summary

    @property
    def code_list(self) -> list[str]:
        return sorted(self.codes)


GEN_REGISTRY = UnifiedRegistryManager({"Gen": {"config_class": "GenConfig", "builder_step_name": "GenStepBuilder",
                                               "spec_type": "Gen", "sagemaker_step_type": "Processing"}})
GEN_CLASSES = {"GenConfig": GenConfig, "Window": Window}


def test_special_values_are_tagged_and_come_back(tmp_path: Path) -> None:
    config = GenConfig(
        **BASE, job_type="training", label="x", count=3, ratio=float("inf"), flag=True, tags=["a"],
        weights={"a": 0.5}, by_id={1: "one"}, data_dir=Path("data/raw"), start=date(2024, 2, 29),
        stamp=datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc), color=Color.GREEN, level=Level.HIGH,
        codes={"b", "a"}, pair=(1, "p"), window=Window(start=date(2024, 1, 1), days=2), windows=[],
        extra={"__type_info__": "not a tag", "n": [1, 2.5, None]},
    )
    path = tmp_path / "config.json"
    document = save_configs([config], path, registry=GEN_REGISTRY, created_at="T")
    fields = document["configuration"]["specific"]["Gen_training"]
    assert fields["ratio"] == {"__type_info__": "float", "value": "inf"}
    assert fields["by_id"] == {"__type_info__": "dict", "items": [[1, "one"]]}
    assert fields["data_dir"] == {"__type_info__": "Path", "value": "data/raw"}
    assert fields["start"] == {"__type_info__": "date", "value": "2024-02-29"}
    assert fields["stamp"] == {"__type_info__": "datetime", "value": "2024-01-02T03:04:05.000006+00:00"}
    assert fields["color"] == {"__type_info__": "Enum", "enum_class": "Color", "value": "green"}
    assert fields["level"] == {"__type_info__": "Enum", "enum_class": "Level", "value": 2}
    assert fields["codes"] == {"__type_info__": "set", "value": ["a", "b"]}
    assert fields["pair"] == {"__type_info__": "tuple", "value": [1, "p"]}
    assert fields["window"] == {"__model_type__": "Window", "days": 2,
                                "start": {"__type_info__": "date", "value": "2024-01-01"}}
    assert fields["extra"] == {"__type_info__": "dict",
                               "items": [["__type_info__", "not a tag"], ["n", [1, 2.5, None]]]}
    assert document["metadata"]["derived"]["Gen_training"]["window.end"] == {"__type_info__": "date",
                                                                              "value": "2024-01-03"}
    loaded = load_configs(path, GEN_CLASSES)["Gen_training"]
    assert loaded.model_dump() == config.model_dump()
    assert (loaded.level, loaded.color, loaded.codes) == (Level.HIGH, Color.GREEN, {"a", "b"})


# -- the round trip, as a property ------------------------------------------------------------------
_text = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")
_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False), _text)
_json = st.recursive(_json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                     max_leaves=6)
_windows = st.builds(Window, start=st.dates(), days=st.integers(1, 400))


@st.composite
def gen_configs(draw: st.DrawFn) -> list[GenConfig]:
    """1-3 configs that often agree on a field (so shared is exercised) and differ by job type."""
    job_types = draw(st.lists(st.sampled_from(["training", "calibration", "testing"]), min_size=1, max_size=3,
                              unique=True))
    common: dict[str, Any] = {
        "author": draw(_text), "bucket": draw(_text), "role": draw(_text), "service_name": draw(_text),
        "pipeline_version": draw(_text), "region": draw(st.sampled_from(sorted(REGION_MAPPING))),
        "current_date": draw(st.dates()).isoformat(),
        "label": draw(_text), "count": draw(st.integers()), "flag": draw(st.booleans()),
        "ratio": draw(st.floats(allow_nan=False)),
    }  # fmt: skip
    configs = []
    for job_type in job_types:
        own = {key: value for key, value in common.items() if draw(st.booleans()) or key in (
            "author", "bucket", "role", "service_name", "pipeline_version", "region", "label", "count", "flag",
            "ratio")}  # fmt: skip
        if draw(st.booleans()):
            own["ratio"] = draw(st.floats(allow_nan=False))
        if draw(st.booleans()):
            own["label"] = draw(_text)
        configs.append(GenConfig(
            **own, job_type=job_type,
            use_large_processing_instance=draw(st.booleans()),
            processing_entry_point=draw(st.sampled_from([None, "run.py", "sub/run.py"])),
            processing_script_arguments=draw(st.none() | st.lists(_text, max_size=2)),
            tags=draw(st.lists(_text, max_size=3)),
            weights=draw(st.dictionaries(_text, st.floats(allow_nan=False), max_size=3)),
            by_id=draw(st.dictionaries(st.integers(), _text, max_size=2)),
            data_dir=Path(draw(st.sampled_from(["data", "a/b c", "/opt/ml/input", "."]))),
            start=draw(st.dates()),
            stamp=draw(st.datetimes() | st.datetimes(timezones=st.just(timezone.utc))),
            color=draw(st.sampled_from(Color)), level=draw(st.sampled_from(Level)),
            codes=draw(st.sets(_text, max_size=3)),
            pair=(draw(st.integers()), draw(_text)),
            window=draw(_windows), windows=draw(st.lists(_windows, max_size=2)),
            maybe_window=draw(st.none() | _windows),
            extra=draw(st.dictionaries(st.text(max_size=14), _json, max_size=3)),
        ))
    return configs


def _derived(model: BaseModel) -> dict[str, Any]:
    values = {name: getattr(model, name) for name in type(model).derived_property_names()}
    for name in type(model).model_fields:
        if isinstance(getattr(model, name), BaseModel):
            values[name] = _derived(getattr(model, name))
    return values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs=gen_configs())
def test_save_then_load_round_trips_exactly(tmp_path_factory: pytest.TempPathFactory,
                                            configs: list[GenConfig]) -> None:
    path = tmp_path_factory.mktemp("roundtrip") / "config.json"
    document = save_configs(configs, path, registry=GEN_REGISTRY, created_at="T")
    loaded = load_configs(path, GEN_CLASSES)
    assert list(loaded) == sorted(f"Gen_{c.job_type}" for c in configs)
    for config in configs:
        again = loaded[f"Gen_{config.job_type}"]
        assert type(again) is GenConfig
        assert again.model_dump() == config.model_dump()
        assert _derived(again) == _derived(config)
    shared = document["configuration"]["shared"]
    for fields in document["configuration"]["specific"].values():
        assert set(fields) & set(shared) == set()
        assert set(fields) | set(shared) == {"__model_type__", *GenConfig.model_fields}
    if len(configs) > 1:
        for key in ("bucket", "author", "role"):
            assert key in shared
    # saving the loaded configs again writes the same document
    assert configs_to_document(list(loaded.values()), registry=GEN_REGISTRY, created_at="T") == document


# -- node mapping -----------------------------------------------------------------------------------
def _dag() -> PipelineDAG:
    return PipelineDAG(["DataLoading_training", "TabularPreprocessing_training", "XGBoostTraining"],
                       [("DataLoading_training", "TabularPreprocessing_training"),
                        ("TabularPreprocessing_training", "XGBoostTraining")])


CONFIGS = {"DataLoading_training": "dl", "TabularPreprocessing_train": "tp", "TabularPreprocessing_calibration": "tc",
           "XGBoostTraining": "xt", "Package": "pk"}  # fmt: skip


def test_split_step_name() -> None:
    assert split_step_name("TabularPreprocessing_training") == ("TabularPreprocessing", "training")
    assert split_step_name("Package") == ("Package", None)
    assert split_step_name("Package_") == ("Package_", None)


def test_unmapped_nodes_and_unused_configs_are_reported_with_candidates() -> None:
    mapping = map_nodes_to_configs(_dag(), CONFIGS)
    assert mapping.resolved == {"DataLoading_training": "dl", "XGBoostTraining": "xt"}
    assert [(u.node, u.candidates) for u in mapping.unmapped_nodes] == [
        ("TabularPreprocessing_training", ["TabularPreprocessing_train", "TabularPreprocessing_calibration"])]
    assert mapping.unmapped_nodes[0].message == (
        "DAG node 'TabularPreprocessing_training' has no config of that name; candidates: "
        "'TabularPreprocessing_train', 'TabularPreprocessing_calibration' (rename the config or map the node "
        "explicitly)")
    assert mapping.unused_configs == ["TabularPreprocessing_train", "TabularPreprocessing_calibration", "Package"]
    with pytest.raises(NodeConfigError) as err:
        mapping.require_nodes()
    assert str(err.value) == mapping.unmapped_nodes[0].message


def test_no_close_config_says_so() -> None:
    dag = PipelineDAG(["Registration"])
    mapping = map_nodes_to_configs(dag, {"DataLoading_training": 1})
    assert mapping.unmapped_nodes[0].message == (
        "DAG node 'Registration' has no config of that name and no config name is close")
    with pytest.raises(NodeConfigError) as err:
        map_nodes_to_configs(dag, {"DataLoading_training": 1}, strict=True)
    assert str(err.value) == "DAG node 'Registration' has no config of that name and no config name is close"


def test_explicit_mapping_and_strict_mode() -> None:
    explicit = {"TabularPreprocessing_training": "TabularPreprocessing_train"}
    mapping = map_nodes_to_configs(_dag(), CONFIGS, explicit)
    assert mapping.resolved == {"DataLoading_training": "dl", "TabularPreprocessing_training": "tp",
                                "XGBoostTraining": "xt"}
    assert mapping.unused_configs == ["TabularPreprocessing_calibration", "Package"]
    with pytest.raises(UnusedConfigError) as err:
        map_nodes_to_configs(_dag(), CONFIGS, explicit, strict=True)
    assert str(err.value) == "config(s) without a DAG node: 'TabularPreprocessing_calibration', 'Package'"
    exact = {k: CONFIGS[k] for k in ("DataLoading_training", "TabularPreprocessing_train", "XGBoostTraining")}
    assert map_nodes_to_configs(_dag(), exact, explicit, strict=True).unused_configs == []


def test_explicit_mapping_errors() -> None:
    with pytest.raises(NodeConfigError) as err:
        map_nodes_to_configs(_dag(), CONFIGS, {"Package": "Package"})
    assert str(err.value) == "explicit mapping names node 'Package', which is not in the DAG"
    with pytest.raises(NodeConfigError) as err:
        map_nodes_to_configs(_dag(), CONFIGS, {"XGBoostTraining": "XGBoostTrainng"})
    assert str(err.value) == ("explicit mapping sends DAG node 'XGBoostTraining' to config 'XGBoostTrainng', which "
                              "is not in the saved config; candidates: 'XGBoostTraining'")
    with pytest.raises(NodeConfigError) as err:
        map_nodes_to_configs(_dag(), CONFIGS, {"XGBoostTraining": "Registration"})
    assert str(err.value) == ("explicit mapping sends DAG node 'XGBoostTraining' to config 'Registration', which "
                              "is not in the saved config")
