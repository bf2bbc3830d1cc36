"""StepCatalog on small repos built in tmp_path: naming drift, job types, many-to-one contracts,
missing components, unmatched files with reasons, bad input, hostile registries, empty repos."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cursus_core.file_stamp import RACY_NS
from cursus_core.catalog import CatalogProblem, StepCatalog, UnmatchedFile
from cursus_core.registry import RegistryProblem, workspace_context
from cursus_core import source as source_module
from cursus_core.source import SourceProblem


def write(path: Path, text: str | bytes = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def registry_source(*names: str, extra: str = "") -> str:
    entries = "".join(
        f'    "{n}": {{"config_class": "{n}Config", "builder_step_name": "{n}StepBuilder", '
        f'"spec_type": "{n}", "sagemaker_step_type": "Processing", "description": "{n}"}},\n'
        for n in names)
    return "STEP_NAMES = {\n" + entries + extra + "}\n"


def make_repo(root: Path, names: tuple[str, ...], files: dict[str, str | bytes]) -> Path:
    write(root / "registry" / "step_names.py", registry_source(*names))
    for rel, text in files.items():
        write(root / "steps" / rel, text)
    for role in ("scripts", "contracts", "specs", "builders", "configs"):
        (root / "steps" / role).mkdir(parents=True, exist_ok=True)
    return root


def contract(entry_point: str, var: str = "THE_CONTRACT") -> str:
    return (f'from cursus_core.base import ScriptContract\n\n{var} = ScriptContract(entry_point="{entry_point}", '
            'expected_input_paths={}, expected_output_paths={})\n')


def spec(step_type: str, contract_module: str | None = None, var: str = "THE_SPEC") -> str:
    imp = f"from ..contracts.{contract_module} import THE_CONTRACT\n" if contract_module else ""
    ref = ", script_contract=THE_CONTRACT" if contract_module else ""
    return (f"from cursus_core.base import StepSpecification, spec_type_with_job_type\n{imp}\n"
            f"{var} = StepSpecification(step_type={step_type}, node_type='internal'{ref})\n")


def cls(name: str, base: str) -> str:
    return f"from cursus_core.base import {base}\n\n\nclass {name}({base}):\n    pass\n"


def names_of(info) -> dict[str, object]:
    """Component file names of a StepInfo, for compact exact assertions."""
    return {
        "script": info.script.name if info.script else None,
        "contract": info.contract.name if info.contract else None,
        "specs": {job: p.name for job, p in info.specs.items()},
        "builder": info.builder.name if info.builder else None,
        "config": info.config.name if info.config else None,
        "hyperparams": [p.name for p in info.hyperparams],
    }


# -- naming drift ---------------------------------------------------------------------------------

def test_acronym_step_names_match_by_content_and_by_file_name(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("XGBoostTraining", "PyTorchModel"), {
        "scripts/xgboost_training.py": "print('train')\n",
        "contracts/xgboost_training_contract.py": contract("xgboost_training.py"),
        "specs/xgboost_training_spec.py": spec('"XGBoostTraining"', "xgboost_training_contract"),
        "builders/builder_xgboost_training_step.py": cls("XGBoostTrainingStepBuilder", "StepBuilderBase"),
        "configs/config_xgboost_training_step.py": cls("XGBoostTrainingConfig", "BasePipelineConfig"),
        # PyTorchModel: step_type not readable, class names spelled without the acronyms
        "specs/pytorch_model_spec.py": spec("compute_step_type()"),
        "builders/builder_pytorch_model_step.py": cls("PytorchModelStepBuilder", "StepBuilderBase"),
        "configs/config_pytorch_model_step.py": cls("PytorchModelConfig", "BasePipelineConfig"),
    })
    cat = StepCatalog(repo)
    assert names_of(cat.get_step_info("XGBoostTraining")) == {
        "script": "xgboost_training.py", "contract": "xgboost_training_contract.py",
        "specs": {None: "xgboost_training_spec.py"}, "builder": "builder_xgboost_training_step.py",
        "config": "config_xgboost_training_step.py", "hyperparams": []}
    assert names_of(cat.get_step_info("PyTorchModel")) == {
        "script": None, "contract": None, "specs": {None: "pytorch_model_spec.py"},
        "builder": "builder_pytorch_model_step.py", "config": "config_pytorch_model_step.py", "hyperparams": []}
    steps = repo / "steps"
    assert cat.match_evidence(steps / "scripts/xgboost_training.py", "XGBoostTraining") == "contract entry_point"
    assert cat.match_evidence(steps / "contracts/xgboost_training_contract.py", "XGBoostTraining") == \
        "imported by spec"
    assert cat.match_evidence(steps / "specs/xgboost_training_spec.py", "XGBoostTraining") == "spec step_type"
    assert cat.match_evidence(steps / "builders/builder_xgboost_training_step.py", "XGBoostTraining") == \
        "registry builder class"
    assert cat.match_evidence(steps / "builders/builder_pytorch_model_step.py", "PyTorchModel") == \
        "builder class name"
    assert cat.match_evidence(steps / "specs/pytorch_model_spec.py", "PyTorchModel") == "file name (exact)"
    assert cat.unmatched == []
    assert cat.problems == []
    assert cat.list_available_steps() == ["PyTorchModel", "XGBoostTraining"]


def test_one_word_step_name(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("Package", "Payload"), {
        "scripts/package.py": "x = 1\n",
        "contracts/package_contract.py": contract("package.py"),
        "specs/package_spec.py": spec('"Package"', "package_contract"),
        "builders/builder_package_step.py": cls("PackageStepBuilder", "StepBuilderBase"),
        "configs/config_package_step.py": cls("PackageConfig", "ProcessingStepConfigBase"),
        "scripts/payload.py": "x = 2\n",  # no contract: file name only
    })
    cat = StepCatalog(repo)
    assert names_of(cat.get_step_info("Package")) == {
        "script": "package.py", "contract": "package_contract.py", "specs": {None: "package_spec.py"},
        "builder": "builder_package_step.py", "config": "config_package_step.py", "hyperparams": []}
    assert names_of(cat.get_step_info("Payload"))["script"] == "payload.py"
    assert cat.match_evidence(repo / "steps/scripts/payload.py", "Payload") == "file name (exact)"
    assert cat.get_step_info("Payload").missing == ["contract", "spec", "builder", "config"]


def test_script_named_differently_from_contract_and_step(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("XGBoostModelEval", "XGBoostModel"), {
        "scripts/model_evaluation_xgb.py": "x = 1\n",
        # the contract file is not named after the step either: only the spec's import ties it
        "contracts/eval_contract.py": contract("model_evaluation_xgb.py", "XGBOOST_MODEL_EVAL_CONTRACT"),
        "specs/xgboost_model_eval_spec.py": (
            "from cursus_core.base import StepSpecification\n"
            "from ..contracts.eval_contract import XGBOOST_MODEL_EVAL_CONTRACT\n\n"
            "XGBOOST_MODEL_EVAL_SPEC = StepSpecification(step_type='XGBoostModelEval', "
            "script_contract=XGBOOST_MODEL_EVAL_CONTRACT)\n"),
    })
    cat = StepCatalog(repo)
    info = cat.get_step_info("XGBoostModelEval")
    assert (info.script.name, info.contract.name) == ("model_evaluation_xgb.py", "eval_contract.py")
    assert cat.get_step_info("XGBoostModel").files == []  # registered, nothing on disk
    assert cat.unmatched == []


def test_drifted_script_name_without_contract_matches_by_word_permutation(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("XGBoostModelEval", "XGBoostModel", "XGBoostTraining"), {
        "scripts/model_evaluation_xgb.py": "x = 1\n",
        "scripts/xgb_training.py": "x = 2\n",
    })
    cat = StepCatalog(repo)
    scripts = repo / "steps" / "scripts"
    assert cat.find_steps_for_file(scripts / "model_evaluation_xgb.py") == [(None, "XGBoostModelEval")]
    assert cat.match_evidence(scripts / "model_evaluation_xgb.py", "XGBoostModelEval") == \
        "file name (permutation)"
    assert cat.find_steps_for_file(scripts / "xgb_training.py") == [(None, "XGBoostTraining")]
    assert cat.match_evidence(scripts / "xgb_training.py", "XGBoostTraining") == "file name (abbreviation)"


def test_entry_point_evidence_beats_a_file_name_match(tmp_path: Path) -> None:
    # package.py matches 'Package' by name, but the contract says the script is bundle.py;
    # bundle.py sorts first only by accident of naming, so put the name match first.
    repo = make_repo(tmp_path, ("Package",), {
        "scripts/a_package.py": "x = 0\n",
        "scripts/package.py": "x = 1\n",
        "scripts/zz_bundle.py": "x = 2\n",
        "contracts/package_contract.py": contract("zz_bundle.py"),
    })
    cat = StepCatalog(repo)
    scripts = repo / "steps" / "scripts"
    assert cat.get_step_info("Package").script == scripts / "zz_bundle.py"
    assert cat.unmatched == [
        UnmatchedFile(scripts / "a_package.py", "scripts",
                      "step 'Package' already has a script: zz_bundle.py", "duplicate"),
        UnmatchedFile(scripts / "package.py", "scripts",
                      "step 'Package' already has a script: zz_bundle.py", "duplicate"),
    ]


def test_entry_point_may_omit_py_and_carry_a_directory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("Package",), {
        "scripts/bundle.py": "x = 1\n",
        "contracts/package_contract.py": contract("code/bundle"),
    })
    cat = StepCatalog(repo)
    assert cat.get_step_info("Package").script == repo / "steps/scripts/bundle.py"


# -- job types ---------------------------------------------------------------------------------------

def test_job_type_variants_from_every_spelling(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("TabularPreprocessing",), {
        "contracts/tabular_preprocessing_contract.py": contract("tabular_preprocessing.py"),
        "specs/tabular_preprocessing_spec.py": spec('"TabularPreprocessing"'),
        "specs/tabular_preprocessing_training_spec.py":
            spec('spec_type_with_job_type("TabularPreprocessing", "training")', "tabular_preprocessing_contract"),
        "specs/tabular_preprocessing_validation_spec.py": spec('"TabularPreprocessing_Validation"'),
        "specs/tabular_preprocessing_calibration_spec.py":
            spec('get_spec_step_type_with_job_type(step_name="TabularPreprocessing", job_type="Calibration")'),
        "specs/tabular_preprocessing_testing_spec.py": spec("STEP + '_' + job"),  # not literal: file name
        "specs/preprocessing_for_scoring_spec.py":
            spec('spec_type_with_job_type(BASE, "inference")')
            .replace("from cursus", "BASE = 'TabularPreprocessing'\nfrom cursus"),
    })
    cat = StepCatalog(repo)
    specs_dir = repo / "steps" / "specs"
    assert cat.get_step_info("TabularPreprocessing").specs == {
        None: specs_dir / "tabular_preprocessing_spec.py",
        "training": specs_dir / "tabular_preprocessing_training_spec.py",
        "validation": specs_dir / "tabular_preprocessing_validation_spec.py",
        "calibration": specs_dir / "tabular_preprocessing_calibration_spec.py",
        "testing": specs_dir / "tabular_preprocessing_testing_spec.py",
        "inference": specs_dir / "preprocessing_for_scoring_spec.py",
    }
    assert cat.match_evidence(specs_dir / "tabular_preprocessing_testing_spec.py", "TabularPreprocessing") == \
        "file name (job_type)"
    # only the training spec imports the contract, and that is enough to tie it to the step
    assert cat.get_step_info("TabularPreprocessing").contract == \
        repo / "steps/contracts/tabular_preprocessing_contract.py"
    assert cat.unmatched == []


def test_two_specs_for_one_job_type_is_a_duplicate(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("RiskTableMapping",), {
        "specs/risk_table_mapping_training_spec.py": spec('"RiskTableMapping_Training"'),
        "specs/risk_table_mapping_training_v2_spec.py": spec('"RiskTableMapping_Training"'),
    })
    cat = StepCatalog(repo)
    assert cat.unmatched == [UnmatchedFile(
        repo / "steps/specs/risk_table_mapping_training_v2_spec.py", "specs",
        "step 'RiskTableMapping' already has a 'training' spec: risk_table_mapping_training_spec.py", "duplicate")]



def test_the_file_named_for_a_variant_wins_over_a_base_spec_declaring_it(tmp_path: Path) -> None:
    # legacy layout: x_spec.py declares the training variant next to x_training_spec.py
    repo = make_repo(tmp_path, ("TabularPreprocessing",), {
        "specs/tabular_preprocessing_spec.py": spec('"TabularPreprocessing_Training"'),
        "specs/tabular_preprocessing_training_spec.py": spec('"TabularPreprocessing_Training"'),
    })
    cat = StepCatalog(repo)
    specs_dir = repo / "steps" / "specs"
    assert cat.get_step_info("TabularPreprocessing").specs == {
        "training": specs_dir / "tabular_preprocessing_training_spec.py"}
    assert cat.unmatched == [UnmatchedFile(
        specs_dir / "tabular_preprocessing_spec.py", "specs",
        "step 'TabularPreprocessing' already has a 'training' spec: tabular_preprocessing_training_spec.py",
        "duplicate")]
    assert cat.find_steps_for_file(specs_dir / "tabular_preprocessing_spec.py") == []


def test_a_variant_importing_another_steps_contract_does_not_steal_the_slot(tmp_path: Path) -> None:
    # Clean's calibration spec wrongly imports Archive's contract, whose file sorts first; the
    # contract most of Clean's specs import stays Clean's (CL207 reports the foreign one)
    repo = make_repo(tmp_path, ("Clean", "Archive"), {
        "scripts/clean.py": "x = 1\n",
        "scripts/archive.py": "x = 1\n",
        "contracts/archive_contract.py": contract("archive.py"),
        "contracts/clean_contract.py": contract("clean.py"),
        "specs/clean_training_spec.py": spec('"Clean_Training"', "clean_contract", "CLEAN_TRAINING_SPEC"),
        "specs/clean_validation_spec.py": spec('"Clean_Validation"', "clean_contract", "CLEAN_VALIDATION_SPEC"),
        "specs/clean_calibration_spec.py": spec('"Clean_Calibration"', "archive_contract", "CLEAN_CALIBRATION_SPEC"),
        "specs/archive_spec.py": spec('"Archive"', "archive_contract", "ARCHIVE_SPEC"),
    })
    cat = StepCatalog(repo)
    assert names_of(cat.get_step_info("Clean"))["contract"] == "clean_contract.py"
    assert names_of(cat.get_step_info("Clean"))["script"] == "clean.py"
    assert names_of(cat.get_step_info("Archive"))["contract"] == "archive_contract.py"

# -- many-to-one contracts -------------------------------------------------------------------------

def test_one_contract_serves_several_steps(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("CurrencyConversion", "CurrencyConversionBackfill"), {
        "scripts/currency_conversion.py": "x = 1\n",
        "contracts/currency_conversion_contract.py": contract("currency_conversion.py"),
        "specs/currency_conversion_spec.py": spec('"CurrencyConversion"', "currency_conversion_contract"),
        "specs/currency_conversion_backfill_spec.py":
            spec('"CurrencyConversionBackfill"', "currency_conversion_contract"),
    })
    cat = StepCatalog(repo)
    both = [(None, "CurrencyConversion"), (None, "CurrencyConversionBackfill")]
    assert cat.find_steps_for_file(repo / "steps/contracts/currency_conversion_contract.py") == both
    assert cat.find_steps_for_file(repo / "steps/scripts/currency_conversion.py") == both
    assert cat.get_step_info("CurrencyConversionBackfill").script == repo / "steps/scripts/currency_conversion.py"
    assert cat.role_of(repo / "steps/contracts/currency_conversion_contract.py") == "contracts"
    assert cat.unmatched == []


def test_contract_found_through_package_import_of_its_variable(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("Package",), {
        "contracts/bundling.py": contract("package.py", "PACKAGE_CONTRACT"),
        "specs/package_spec.py": ("from cursus_core.base import StepSpecification\n"
                                  "from ..contracts import PACKAGE_CONTRACT\n\n"
                                  "PACKAGE_SPEC = StepSpecification(step_type='Package', "
                                  "script_contract=PACKAGE_CONTRACT)\n"),
    })
    cat = StepCatalog(repo)
    assert cat.get_step_info("Package").contract == repo / "steps/contracts/bundling.py"
    assert cat.match_evidence(repo / "steps/contracts/bundling.py", "Package") == "imported by spec"


def test_contract_imported_only_by_builder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("Package",), {
        "contracts/bundling.py": contract("package.py", "PACKAGE_CONTRACT"),
        "builders/builder_package_step.py": ("from ..contracts.bundling import PACKAGE_CONTRACT\n\n"
                                             "class PackageStepBuilder:\n    pass\n"),
    })
    cat = StepCatalog(repo)
    assert cat.match_evidence(repo / "steps/contracts/bundling.py", "Package") == "imported by builder"


# -- missing components, unmatched files -------------------------------------------------------------

def test_missing_components_and_registry_only_steps(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("DataLoading", "Registration", "Package"), {
        "builders/builder_data_loading_step.py": cls("DataLoadingStepBuilder", "StepBuilderBase"),
        "configs/config_data_loading_step.py": cls("DataLoadingConfig", "BasePipelineConfig"),
        "scripts/package.py": "x = 1\n",
    })
    cat = StepCatalog(repo)
    data = cat.get_step_info("DataLoading")
    assert (data.script, data.contract, data.specs) == (None, None, {})
    assert data.missing == ["script", "contract", "spec"]
    assert data.registry is not None and data.registry.config_class == "DataLoadingConfig"
    assert cat.get_step_info("Registration").missing == ["script", "contract", "spec", "builder", "config"]
    assert cat.registry_only_steps() == ["Registration"]
    assert cat.list_available_steps() == ["DataLoading", "Package", "Registration"]
    assert cat.get_step_info("NoSuchStep") is None


def test_unmatched_files_carry_reasons(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("TabularPreprocessing", "XGBoostTraining"), {
        "scripts/s3_helpers.py": "x = 1\n",
        "builders/builder_utils.py": "def helper():\n    return 1\n",
        "builders/builder_tabular_preprocessing_step.py": cls("TabularPreprocessingStepBuilder", "StepBuilderBase"),
        "builders/builder_tabular_preprocessing_v2_step.py":
            cls("TabularPreprocessingStepBuilder", "StepBuilderBase"),
        "configs/config_processing_base.py": cls("ProcessingMixin", "object") + "\n\nclass BaseThing:\n    pass\n",
        "hyperparams/hyperparameters_orphan.py": cls("OrphanHyperparameters", "ModelHyperparameters"),
        "hyperparams/hyperparameters_xgboost.py": cls("XGBoostModelHyperparameters", "ModelHyperparameters"),
        "configs/config_xgboost_training_step.py":
            "from ..hyperparams import XGBoostModelHyperparameters\n\nclass XGBoostTrainingConfig:\n    pass\n",
    })
    cat = StepCatalog(repo)
    steps = repo / "steps"
    assert sorted(cat.unmatched, key=lambda u: str(u.path)) == [
        UnmatchedFile(steps / "builders/builder_tabular_preprocessing_v2_step.py", "builders",
                      "step 'TabularPreprocessing' already has a builder: builder_tabular_preprocessing_step.py",
                      "duplicate"),
        UnmatchedFile(steps / "builders/builder_utils.py", "builders", "defines no class", "no-match"),
        UnmatchedFile(steps / "configs/config_processing_base.py", "configs",
                      "defines only base classes (ProcessingMixin, BaseThing); shared by steps", "shared"),
        UnmatchedFile(steps / "hyperparams/hyperparameters_orphan.py", "hyperparams",
                      "no builder or config of any step imports this module", "unused"),
        UnmatchedFile(steps / "scripts/s3_helpers.py", "scripts",
                      "cannot map file name 's3_helpers.py' to a registered step name; closest: "
                      "'XGBoostTraining', 'TabularPreprocessing'", "no-match"),
    ]
    # the hyperparameter class imported through the package __init__ still ties the module to its step
    assert cat.get_step_info("XGBoostTraining").hyperparams == [steps / "hyperparams/hyperparameters_xgboost.py"]
    assert cat.find_steps_for_file(steps / "scripts/s3_helpers.py") == []
    assert cat.role_of(steps / "scripts/s3_helpers.py") is None


def test_unregistered_step_following_conventions_is_still_a_step(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("Package",), {
        "specs/label_smoothing_spec.py": spec('"LabelSmoothing"'),
        "builders/builder_label_smoothing_step.py": cls("LabelSmoothingStepBuilder", "StepBuilderBase"),
    })
    cat = StepCatalog(repo)
    info = cat.get_step_info("LabelSmoothing")
    assert info.registry is None
    assert (info.builder.name, info.specs[None].name) == ("builder_label_smoothing_step.py", "label_smoothing_spec.py")
    assert cat.match_evidence(info.builder, "LabelSmoothing") == "builder class name (unregistered step)"
    assert cat.match_evidence(info.specs[None], "LabelSmoothing") == "spec step_type (unregistered step)"


def test_shared_config_base_in_the_example_layout_is_not_a_step(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("XGBoostTraining",), {
        "configs/config_training_step_base.py": cls("TrainingStepConfigBase", "BasePipelineConfig"),
        "configs/config_xgboost_training_step.py": (
            "from .config_training_step_base import TrainingStepConfigBase\n\n"
            "class XGBoostTrainingConfig(TrainingStepConfigBase):\n    pass\n"),
    })
    cat = StepCatalog(repo)
    assert cat.list_available_steps() == ["XGBoostTraining"]
    assert [(u.path.name, u.kind) for u in cat.unmatched] == [("config_training_step_base.py", "shared")]


# -- bad input ---------------------------------------------------------------------------------------

def test_broken_files_become_located_problems_and_still_match_by_name(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("Package",), {
        "specs/package_spec.py": "PACKAGE_SPEC = StepSpecification(\n    step_type='Package',\n",
        "scripts/package.py": b"x = '\xff\xfe'\n",
        "contracts/mystery.py": "def broken(:\n    pass\n",
    })
    cat = StepCatalog(repo)
    steps = repo / "steps"
    assert cat.problems == [
        SourceProblem(steps / "specs/package_spec.py", "syntax-error", "cannot parse: '(' was never closed", 1, 33),
        SourceProblem(steps / "contracts/mystery.py", "syntax-error", "cannot parse: invalid syntax", 1, 12),
        SourceProblem(steps / "scripts/package.py", "not-utf8",
                      "file is not valid UTF-8 (byte 0xff at offset 5)", 1, 1),
    ]
    info = cat.get_step_info("Package")
    assert (info.script, info.specs) == (steps / "scripts/package.py", {None: steps / "specs/package_spec.py"})
    assert cat.unmatched == [UnmatchedFile(
        steps / "contracts/mystery.py", "contracts",
        "cannot parse: invalid syntax; and cannot map file name 'mystery.py' to a registered step name; "
        "closest: 'Package'", "unreadable")]


def test_registry_with_a_call_is_read_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    write(tmp_path / "registry" / "step_names.py",
          "import os\n" + registry_source("Package", extra=f'    "Evil": os.system("touch {marker}"),\n'))
    write(tmp_path / "steps/builders/builder_package_step.py", cls("PackageStepBuilder", "StepBuilderBase"))
    write(tmp_path / "steps/builders/builder_evil_step.py", cls("EvilStepBuilder", "StepBuilderBase"))
    (tmp_path / "steps/scripts").mkdir()
    cat = StepCatalog(tmp_path)
    assert not marker.exists()
    assert cat.problems == [RegistryProblem(
        tmp_path / "registry/step_names.py", 4, 13,
        "STEP_NAMES['Evil'] is not a literal dict; the step's fields are not read: a call to os.system(); "
        "value not read", "non-literal", "Evil")]
    assert cat.get_step_info("Package").registry.builder_step_name == "PackageStepBuilder"
    evil = cat.get_step_info("Evil")  # files still found, but no registry entry to trust
    assert evil.registry is None and evil.builder.name == "builder_evil_step.py"


def test_non_literal_registry_field_keeps_the_rest_of_the_table(tmp_path: Path) -> None:
    write(tmp_path / "registry/step_names.py",
          'PREFIX = load()\nSTEP_NAMES = {"Package": {"config_class": PREFIX + "Config", '
          '"builder_step_name": "PackageStepBuilder", "spec_type": "Package", "sagemaker_step_type": "Processing"},\n'
          + registry_source("Payload").removeprefix("STEP_NAMES = {\n"))
    write(tmp_path / "steps/scripts/payload.py", "x = 1\n")
    write(tmp_path / "steps/configs/config_payload_step.py", cls("PayloadConfig", "BasePipelineConfig"))
    cat = StepCatalog(tmp_path)
    assert [(p.kind, p.step, p.key) for p in cat.problems] == [("non-literal", "Package", "config_class")]
    assert cat.list_available_steps() == ["Payload"]
    assert names_of(cat.get_step_info("Payload"))["config"] == "config_payload_step.py"


def test_empty_repo_and_missing_root_are_problems_not_crashes(tmp_path: Path) -> None:
    cat = StepCatalog(tmp_path)
    assert cat.problems == [CatalogProblem(
        tmp_path, "no-steps",
        f"no step directories (steps/{{scripts,contracts,specs,builders,configs}}) found under '{tmp_path}'")]
    assert (cat.iter_steps(), cat.unmatched, cat.list_workspaces()) == ([], [], [])
    assert cat.core_registry_file is None
    missing = tmp_path / "nope"
    cat = StepCatalog(missing)
    assert cat.problems == [CatalogProblem(missing, "missing-root", f"root '{missing}' does not exist")]
    assert cat.iter_steps() == []


def test_repo_without_registry_uses_builtin_names_for_matching_only(tmp_path: Path) -> None:
    write(tmp_path / "steps/scripts/xgboost_training.py", "x = 1\n")
    write(tmp_path / "steps/contracts/xgboost_training_contract.py", contract("xgboost_training.py"))
    cat = StepCatalog(tmp_path)
    assert cat.list_available_steps() == ["XGBoostTraining"]
    assert cat.get_step_info("XGBoostTraining").registry.registry_type == "core"
    assert "Package" in cat.registry_only_steps()


def test_nearest_registry_wins_and_other_tables_still_report_problems(tmp_path: Path) -> None:
    make_repo(tmp_path, ("Package",), {"scripts/package.py": "x = 1\n"})
    stale = write(tmp_path / "legacy" / "old" / "step_names.py", "STEP_NAMES = {'Old': {'config_class': 1}}\n")
    cat = StepCatalog(tmp_path)
    assert cat.core_registry_file == tmp_path / "registry" / "step_names.py"
    assert cat.registry_files == [stale, tmp_path / "registry" / "step_names.py"]
    assert [(p.path, p.kind) for p in cat.problems] == [(stale, "missing-key"), (stale, "wrong-type")]
    explicit = StepCatalog(tmp_path, registry=tmp_path / "registry" / "step_names.py")
    assert explicit.list_available_steps() == ["Package"]


def test_workspace_context_of_the_caller_does_not_leak_into_the_core_scope(tmp_path: Path) -> None:
    make_repo(tmp_path, ("Package",), {"scripts/package.py": "x = 1\n"})
    write(tmp_path / "development/projects/alpha/src/cursus_dev/registry/workspace_registry.py",
          registry_source("Extra").replace("STEP_NAMES", "WORKSPACE_STEPS"))
    with workspace_context("alpha"):
        cat = StepCatalog(tmp_path)
    assert cat.list_available_steps() == ["Package"]
    assert cat.list_available_steps("alpha") == ["Extra", "Package"]


def test_lookups_accept_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_repo(tmp_path, ("Package",), {"scripts/package.py": "x = 1\n"})
    monkeypatch.chdir(tmp_path)
    cat = StepCatalog(".")
    assert cat.find_steps_for_file("steps/scripts/package.py") == [(None, "Package")]
    assert cat.get_step_info("Package").script == tmp_path / "steps/scripts/package.py"


def test_contract_variable_names_shared_by_several_contracts_are_not_evidence(tmp_path: Path) -> None:
    # every contract binds `C`; the spec's `import C` must only tie the contract its module names
    repo = make_repo(tmp_path, ("Package", "Payload"), {
        "contracts/package_contract.py": contract("package.py", "C"),
        "contracts/payload_contract.py": contract("payload.py", "C"),
        "specs/package_spec.py": ("from ..contracts.package_contract import C\n"
                                  "S = StepSpecification(step_type='Package', script_contract=C)\n"),
    })
    cat = StepCatalog(repo)
    contracts = repo / "steps" / "contracts"
    assert cat.find_steps_for_file(contracts / "package_contract.py") == [(None, "Package")]
    assert cat.find_steps_for_file(contracts / "payload_contract.py") == [(None, "Payload")]
    assert cat.match_evidence(contracts / "payload_contract.py", "Payload") == "file name (exact)"
    assert cat.unmatched == []


def test_summaries_follow_file_changes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ("Package", "Payload"), {
        "specs/generic_spec.py": "S = StepSpecification(step_type='Package')\n"})
    spec_file = repo / "steps/specs/generic_spec.py"
    assert StepCatalog(repo).find_steps_for_file(spec_file) == [(None, "Package")]
    spec_file.write_text("S = StepSpecification(step_type='Payload_Training')  # changed\n", encoding="utf-8")
    cat = StepCatalog(repo)
    assert cat.find_steps_for_file(spec_file) == [(None, "Payload")]
    assert cat.get_step_info("Payload").specs == {"training": spec_file}


def test_registry_with_a_syntax_error_is_reported_and_indexing_goes_on(tmp_path: Path) -> None:
    make_repo(tmp_path, (), {"builders/builder_package_step.py": cls("PackageStepBuilder", "StepBuilderBase")})
    registry = write(tmp_path / "registry/step_names.py", 'STEP_NAMES = {\n    "Package": {\n')
    cat = StepCatalog(tmp_path)
    assert cat.core_registry_file == registry
    assert cat.problems == [RegistryProblem(registry, 2, 16, "cannot parse: '{' was never closed", "syntax-error")]
    assert cat.get_step_info("Package").builder == tmp_path / "steps/builders/builder_package_step.py"


def test_a_warm_catalog_still_reports_a_registry_that_does_not_parse(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from cursus_core.cache import DiskCache
    from cursus_core.registry import literal_reader

    # the walk's clock past the racy window: the second catalog takes every verdict from the cache
    monkeypatch.setattr(literal_reader, "_clock", lambda: time.time_ns() + 10 * RACY_NS)
    repo = tmp_path / "repo"
    make_repo(repo, (), {"builders/builder_package_step.py": cls("PackageStepBuilder", "StepBuilderBase")})
    registry = write(repo / "registry/step_names.py", 'STEP_NAMES = {\n    "Package": {\n')
    expected = [RegistryProblem(registry, 2, 16, "cannot parse: '{' was never closed", "syntax-error")]
    for _ in range(2):
        cache = DiskCache(tmp_path / "cache", "facts", "test")
        cat = StepCatalog(repo, cache=cache)
        cache.flush()
        assert (cat.core_registry_file, cat.problems) == (registry, expected)
    assert cache.hits > 0  # the second catalog was warm


def test_a_warm_catalog_reads_and_parses_no_file_for_its_registry(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from cursus_core.cache import DiskCache
    from cursus_core.registry import literal_reader

    monkeypatch.setattr(literal_reader, "_clock", lambda: time.time_ns() + 10 * RACY_NS)
    repo = tmp_path / "repo"
    make_repo(repo, ("Package",), {"builders/builder_package_step.py": cls("PackageStepBuilder", "StepBuilderBase")})
    read: list[str] = []
    parsed: list[str] = []
    real_read, real_parse = source_module.read_regular_file, source_module.parse_text
    walk: list[str] = []
    monkeypatch.setattr(literal_reader, "read_regular_file", lambda p, n: walk.append(Path(p).name) or real_read(p, n))
    monkeypatch.setattr(source_module, "read_regular_file", lambda p, n: read.append(Path(p).name) or real_read(p, n))
    monkeypatch.setattr(source_module, "parse_text", lambda p, data: parsed.append(Path(p).name) or real_parse(p, data))
    counts = []
    for _ in range(2):
        for memo in (literal_reader._read_memo, source_module._memo, source_module._bytes_memo):
            memo.clear()  # as a new process would start
        read.clear()
        parsed.clear()
        walk.clear()
        cache = DiskCache(tmp_path / "cache", "facts", "test")
        cat = StepCatalog(repo, cache=cache)
        cache.flush()
        assert cat.core_registry_file == repo / "registry/step_names.py" and cat.problems == []
        assert cat.get_step_info("Package").registry is not None
        counts.append((sorted(walk), read.count("step_names.py"), parsed.count("step_names.py")))
    # cold: the walk reads both .py files, then the registry's tables are read and parsed;
    # warm: the walk reads nothing, the registry only its bytes (their digest names the cached tables)
    assert counts == [(["builder_package_step.py", "step_names.py"], 1, 1), ([], 1, 0)]


def test_non_utf8_registry_is_reported(tmp_path: Path) -> None:
    make_repo(tmp_path, ("Package",), {})
    broken = write(tmp_path / "legacy/step_names.py", b"STEP_NAMES = {}\nX = '\xff'\n")
    cat = StepCatalog(tmp_path)
    assert cat.core_registry_file == tmp_path / "registry/step_names.py"
    assert cat.problems == [RegistryProblem(broken, 2, 1, "file is not valid UTF-8 (byte 0xff at offset 21)",
                                            "not-utf8")]


def test_summary_keeps_entry_points_and_spec_types_in_breadth_first_order(tmp_path: Path) -> None:
    from cursus_core.catalog.scan import summarize_path

    f = tmp_path / "mixed_contract.py"
    f.write_text(textwrap.dedent('''\
        from cursus.core.base import ScriptContract, StepSpecification

        def _late():
            return ScriptContract(entry_point="nested.py", expected_input_paths={})

        TOP = ScriptContract(entry_point="top.py", expected_input_paths={})
        SPEC = StepSpecification(step_type="Second_Training", script_contract=_late())
        FIRST = StepSpecification(step_type="First")
    '''))
    summary = summarize_path(f)
    # the shallower module-level calls come before the one nested in a function, as ast.walk meets them
    assert summary.entry_points == ["top.py", "nested.py"]
    assert summary.spec_types == [("Second", "Training"), ("First", None)]
    assert summary.contract_refs == ["_late"]
    assert summary.contract_vars == ["TOP"] and summary.spec_vars == ["SPEC", "FIRST"]
    assert summary.imported_names == {"ScriptContract", "StepSpecification"}
