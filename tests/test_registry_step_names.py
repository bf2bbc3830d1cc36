"""The classic helpers over the default manager, an explicit registry, or a workspace."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import cursus_core.registry as registry
from cursus_core.registry import (
    CORE_STEP_NAMES,
    StepNotFoundError,
    UnifiedRegistryManager,
    clear_workspace_context,
    get_builder_step_name,
    get_canonical_name_from_file_name,
    get_config_class_name,
    get_default_manager,
    get_sagemaker_step_type,
    get_spec_step_type,
    get_spec_step_type_with_job_type,
    get_step_name_from_spec_type,
    get_steps_by_sagemaker_type,
    set_default_manager,
    validate_step_name,
    workspace_context,
)
from cursus_core.registry import step_names as step_names_module


@pytest.fixture(autouse=True)
def _fresh_default():
    set_default_manager(None)
    clear_workspace_context()
    yield
    set_default_manager(None)
    clear_workspace_context()


@pytest.fixture
def ws_manager(tmp_path: Path) -> UnifiedRegistryManager:
    path = tmp_path / "ws_registry.py"
    path.write_text(textwrap.dedent('''
        WORKSPACE_STEPS = {
            "LabelRuleset": {"config_class": "LabelRulesetConfig", "builder_step_name": "LabelRulesetStepBuilder",
                             "spec_type": "LabelRuleset", "sagemaker_step_type": "Processing"},
        }
        STEP_OVERRIDES = {
            "Package": {"config_class": "MyPackageConfig", "builder_step_name": "MyPackageStepBuilder",
                        "spec_type": "MyPackage", "sagemaker_step_type": "Processing"},
        }
    '''), encoding="utf-8")
    manager = UnifiedRegistryManager()
    manager.add_workspace("dev1", path)
    return manager


def test_default_manager_is_lazy_and_shared() -> None:
    assert step_names_module._default is None
    first = get_default_manager()
    assert get_default_manager() is first
    assert first.list_steps() == sorted(CORE_STEP_NAMES)


def test_lookups_on_the_core_table() -> None:
    assert get_config_class_name("BatchTransform") == "BatchTransformStepConfig"
    assert get_builder_step_name("XGBoostModelEval") == "XGBoostModelEvalStepBuilder"
    assert get_spec_step_type("PyTorchModel") == "PyTorchModel"
    assert get_sagemaker_step_type("Registration") == "MimsModelRegistrationProcessing"
    assert get_steps_by_sagemaker_type("CreateModel") == ["PyTorchModel", "XGBoostModel"]
    assert get_steps_by_sagemaker_type("Training") == ["LightGBMTraining", "PyTorchTraining", "XGBoostTraining"]
    assert validate_step_name("Payload") is True
    assert validate_step_name("payload") is False
    with pytest.raises(StepNotFoundError, match=r"did you mean 'Payload'"):
        get_config_class_name("Paylod")


def test_spec_types_with_job_types() -> None:
    assert get_spec_step_type_with_job_type("TabularPreprocessing", "training") == "TabularPreprocessing_Training"
    assert get_spec_step_type_with_job_type("CradleDataLoading", "calibration") == "CradleDataLoading_Calibration"
    assert get_spec_step_type_with_job_type("TabularPreprocessing") == "TabularPreprocessing"
    assert get_step_name_from_spec_type("TabularPreprocessing_Training") == "TabularPreprocessing"
    assert get_step_name_from_spec_type("XGBoostModelEval") == "XGBoostModelEval"
    with pytest.raises(StepNotFoundError) as info:
        get_step_name_from_spec_type("TabularPreprocesing_Training")
    assert info.value.step_name == "TabularPreprocesing"
    assert info.value.closest[0] == "TabularPreprocessing"


def test_explicit_registry_and_workspace(ws_manager: UnifiedRegistryManager) -> None:
    assert get_config_class_name("Package", registry=ws_manager) == "PackageConfig"
    assert get_config_class_name("Package", workspace_id="dev1", registry=ws_manager) == "MyPackageConfig"
    assert get_step_name_from_spec_type("MyPackage_Testing", workspace_id="dev1", registry=ws_manager) == "Package"
    assert validate_step_name("LabelRuleset", registry=ws_manager) is False
    assert validate_step_name("LabelRuleset", workspace_id="dev1", registry=ws_manager) is True
    assert get_canonical_name_from_file_name("label_ruleset_training", workspace_id="dev1",
                                             registry=ws_manager) == "LabelRuleset"
    with pytest.raises(ValueError):
        get_canonical_name_from_file_name("label_ruleset_training", registry=ws_manager)
    assert "LabelRuleset" in get_steps_by_sagemaker_type("Processing", "dev1", ws_manager)


def test_derived_maps_follow_default_manager_and_context(ws_manager: UnifiedRegistryManager) -> None:
    assert registry.CONFIG_STEP_REGISTRY["TabularPreprocessingConfig"] == "TabularPreprocessing"
    assert registry.BUILDER_STEP_NAMES["XGBoostTraining"] == "XGBoostTrainingStepBuilder"
    assert {name: name for name in CORE_STEP_NAMES} == registry.SPEC_STEP_TYPES
    assert {name: CORE_STEP_NAMES[name] for name in sorted(CORE_STEP_NAMES)} == registry.STEP_NAMES
    set_default_manager(ws_manager)
    with workspace_context("dev1"):
        assert registry.CONFIG_STEP_REGISTRY["MyPackageConfig"] == "Package"
        assert "PackageConfig" not in registry.CONFIG_STEP_REGISTRY
        assert step_names_module.STEP_NAMES["LabelRuleset"]["config_class"] == "LabelRulesetConfig"
        assert get_config_class_name("Package") == "MyPackageConfig"
    assert registry.CONFIG_STEP_REGISTRY["PackageConfig"] == "Package"
    with pytest.raises(AttributeError):
        registry.NOT_A_MAP  # noqa: B018
