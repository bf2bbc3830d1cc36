"""StepCatalog across workspaces, on the fixture repos, and from a single file (pre-commit)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cursus_core.catalog import StepCatalog, UnmatchedFile, find_repo_root

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLE = FIXTURES / "example_repo"
WORKSPACES = FIXTURES / "workspaces"
ALPHA = WORKSPACES / "development/projects/alpha/src/cursus_dev"
BETA = WORKSPACES / "development/projects/beta/src/cursus_dev"


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def table(var: str, *names: str) -> str:
    entries = "".join(
        f'    "{n}": {{"config_class": "{n}Config", "builder_step_name": "{n}StepBuilder", '
        f'"spec_type": "{n}", "sagemaker_step_type": "Processing"}},\n' for n in names)
    return f"{var} = {{\n{entries}}}\n"


def contract(entry_point: str) -> str:
    return f'from cursus_core.base import ScriptContract\n\nC = ScriptContract(entry_point="{entry_point}")\n'


def cls(name: str) -> str:
    return f"class {name}(object):\n    pass\n"


def names(info) -> dict[str, object]:
    return {
        "script": info.script and info.script.relative_to(info.script.parents[3]).as_posix(),
        "contract": info.contract and info.contract.relative_to(info.contract.parents[3]).as_posix(),
        "specs": {j: p.relative_to(p.parents[3]).as_posix() for j, p in info.specs.items()},
        "builder": info.builder and info.builder.relative_to(info.builder.parents[3]).as_posix(),
        "config": info.config and info.config.relative_to(info.config.parents[3]).as_posix(),
    }


@pytest.fixture()
def mono(tmp_path: Path) -> Path:
    """A core repo with two workspaces next to it, like a developer monorepo."""
    core = tmp_path / "src" / "cursus"
    write(core / "registry/step_names.py", table("STEP_NAMES", "TabularPreprocessing", "Package", "XGBoostModelEval"))
    write(core / "steps/scripts/tabular_preprocessing.py", "x = 1\n")
    write(core / "steps/contracts/tabular_preprocessing_contract.py", contract("tabular_preprocessing.py"))
    write(core / "steps/specs/tabular_preprocessing_training_spec.py",
          "from ..contracts.tabular_preprocessing_contract import C\n"
          "S = StepSpecification(step_type='TabularPreprocessing_Training', script_contract=C)\n")
    write(core / "steps/specs/tabular_preprocessing_testing_spec.py",
          "S = StepSpecification(step_type='TabularPreprocessing_Testing')\n")
    write(core / "steps/builders/builder_tabular_preprocessing_step.py", cls("TabularPreprocessingStepBuilder"))
    write(core / "steps/configs/config_tabular_preprocessing_step.py", cls("TabularPreprocessingConfig"))
    write(core / "steps/contracts/xgboost_model_eval_contract.py", contract("model_evaluation_xgb.py"))
    write(core / "steps/builders/builder_package_step.py", cls("PackageStepBuilder"))
    alpha = tmp_path / "development/projects/alpha/src/cursus_dev"
    write(alpha / "registry/workspace_registry.py",
          table("WORKSPACE_STEPS", "FeatureSelection") + table("STEP_OVERRIDES", "TabularPreprocessing", "Package"))
    write(alpha / "steps/builders/builder_tabular_preprocessing_step.py", cls("TabularPreprocessingStepBuilder"))
    write(alpha / "steps/specs/tabular_preprocessing_testing_spec.py",
          "S = StepSpecification(step_type='TabularPreprocessing_Testing')\n")
    write(alpha / "steps/scripts/feature_selection.py", "x = 2\n")
    write(alpha / "steps/scripts/model_evaluation_xgb.py", "x = 3\n")  # core contract names it
    beta = tmp_path / "development/projects/beta/src/cursus_dev"
    write(beta / "registry/workspace_registry.py", table("WORKSPACE_STEPS", "FeatureSelection", "ModelCalibration"))
    write(beta / "steps/scripts/feature_selection.py", "x = 4\n")
    write(beta / "steps/builders/builder_model_calibration_step.py", cls("ModelCalibrationStepBuilder"))
    return tmp_path


def test_workspace_components_take_precedence_per_component(mono: Path) -> None:
    cat = StepCatalog(mono)
    assert cat.list_workspaces() == ["alpha", "beta"]
    assert names(cat.get_step_info("TabularPreprocessing")) == {
        "script": "cursus/steps/scripts/tabular_preprocessing.py",
        "contract": "cursus/steps/contracts/tabular_preprocessing_contract.py",
        "specs": {"training": "cursus/steps/specs/tabular_preprocessing_training_spec.py",
                  "testing": "cursus/steps/specs/tabular_preprocessing_testing_spec.py"},
        "builder": "cursus/steps/builders/builder_tabular_preprocessing_step.py",
        "config": "cursus/steps/configs/config_tabular_preprocessing_step.py",
    }
    view = cat.get_step_info("TabularPreprocessing", "alpha")
    assert view.workspace_id == "alpha"
    assert names(view) == {
        "script": "cursus/steps/scripts/tabular_preprocessing.py",
        "contract": "cursus/steps/contracts/tabular_preprocessing_contract.py",
        "specs": {"training": "cursus/steps/specs/tabular_preprocessing_training_spec.py",
                  "testing": "cursus_dev/steps/specs/tabular_preprocessing_testing_spec.py"},
        "builder": "cursus_dev/steps/builders/builder_tabular_preprocessing_step.py",
        "config": "cursus/steps/configs/config_tabular_preprocessing_step.py",
    }
    assert view.builder == mono / "development/projects/alpha/src/cursus_dev/steps/builders/" \
                                  "builder_tabular_preprocessing_step.py"
    assert view.registry.registry_type == "override"
    # beta does not touch the step: its view is the core one
    beta_view = cat.get_step_info("TabularPreprocessing", "beta")
    assert beta_view.workspace_id == "beta"
    assert names(beta_view) == names(cat.get_step_info("TabularPreprocessing"))
    # an override without any workspace file still changes the registry entry of the view
    package = cat.get_step_info("Package", "alpha")
    assert (package.registry.registry_type, package.registry.workspace_id) == ("override", "alpha")
    assert package.builder == mono / "src/cursus/steps/builders/builder_package_step.py"
    assert cat.get_step_info("Package").registry.registry_type == "core"


def test_workspace_steps_conflicts_and_file_lookup(mono: Path) -> None:
    cat = StepCatalog(mono)
    assert cat.list_available_steps() == ["Package", "TabularPreprocessing", "XGBoostModelEval"]
    assert cat.list_available_steps("alpha") == ["FeatureSelection", "Package", "TabularPreprocessing",
                                                 "XGBoostModelEval"]
    assert cat.list_available_steps("beta") == ["FeatureSelection", "ModelCalibration", "Package",
                                                "TabularPreprocessing", "XGBoostModelEval"]
    assert cat.workspace_conflicts() == {"FeatureSelection": ["alpha", "beta"]}
    alpha_fs = cat.get_step_info("FeatureSelection", "alpha")
    beta_fs = cat.get_step_info("FeatureSelection", "beta")
    assert alpha_fs.script != beta_fs.script
    assert cat.get_step_info("FeatureSelection") is None  # not a core step
    assert cat.find_steps_for_file(alpha_fs.script) == [("alpha", "FeatureSelection")]
    assert cat.find_steps_for_file(beta_fs.script) == [("beta", "FeatureSelection")]
    assert cat.find_steps_for_file(mono / "src/cursus/steps/scripts/tabular_preprocessing.py") == \
        [(None, "TabularPreprocessing")]
    assert cat.find_steps_for_file(mono / "README.md") == []
    # a workspace script named by a core contract's entry point
    eval_script = mono / "development/projects/alpha/src/cursus_dev/steps/scripts/model_evaluation_xgb.py"
    assert cat.find_steps_for_file(eval_script) == [("alpha", "XGBoostModelEval")]
    assert cat.match_evidence(eval_script, "XGBoostModelEval", "alpha") == "contract entry_point"
    assert cat.unmatched == [] and cat.problems == []
    order = [(s.workspace_id, s.name) for s in cat.iter_steps()]
    assert order == [(None, "Package"), (None, "TabularPreprocessing"), (None, "XGBoostModelEval"),
                     ("alpha", "FeatureSelection"), ("alpha", "TabularPreprocessing"),
                     ("alpha", "XGBoostModelEval"), ("beta", "FeatureSelection"), ("beta", "ModelCalibration")]


def test_explicit_workspace_dir_outside_the_convention_is_named_after_the_directory(tmp_path: Path) -> None:
    write(tmp_path / "repo/registry/step_names.py", table("STEP_NAMES", "Package"))
    write(tmp_path / "repo/steps/scripts/package.py", "x = 1\n")
    write(tmp_path / "repo/steps/builders/builder_package_step.py", cls("PackageStepBuilder"))
    write(tmp_path / "gamma/steps/scripts/package.py", "x = 2\n")
    write(tmp_path / "gamma/steps/configs/config_package_step.py", cls("PackageConfig"))
    cat = StepCatalog(tmp_path / "repo", workspace_dirs=[tmp_path / "gamma"])
    assert cat.list_workspaces() == ["gamma"]
    view = cat.get_step_info("Package", "gamma")
    assert (view.script, view.builder, view.config) == (
        tmp_path / "gamma/steps/scripts/package.py", tmp_path / "repo/steps/builders/builder_package_step.py",
        tmp_path / "gamma/steps/configs/config_package_step.py")
    assert cat.get_step_info("Package", "unknown") is cat.get_step_info("Package")


def test_workspace_steps_dir_with_a_single_component_dir_is_found(tmp_path: Path) -> None:
    write(tmp_path / "steps/scripts/package.py", "x = 1\n")
    write(tmp_path / "steps/builders/builder_package_step.py", cls("PackageStepBuilder"))
    only = write(tmp_path / "development/projects/solo/src/cursus_dev/steps/configs/config_package_step.py",
                 cls("PackageConfig"))
    write(tmp_path / "docs/configs/not_a_step_dir.py", "x = 1\n")  # one component-like dir outside a workspace
    cat = StepCatalog(tmp_path)
    assert [(d.workspace_id, d.path) for d in cat.step_dirs] == [
        (None, tmp_path / "steps"), ("solo", only.parent.parent)]
    assert cat.get_step_info("Package", "solo").config == only


# -- for_path: one file from pre-commit ---------------------------------------------------------

def test_find_repo_root_rules(mono: Path, tmp_path: Path) -> None:
    core = mono / "src/cursus"
    assert find_repo_root(core / "steps/scripts/tabular_preprocessing.py") == core
    assert find_repo_root(core / "registry/step_names.py") == core
    assert find_repo_root(core / "steps") == core
    ws_file = mono / "development/projects/alpha/src/cursus_dev/steps/scripts/feature_selection.py"
    assert find_repo_root(ws_file) == mono
    # a project marker bounds the walk when no steps directory is found below it
    write(tmp_path / "proj/pyproject.toml", "[project]\nname = 'x'\n")
    loose = write(tmp_path / "proj/pkg/tools/helper.py", "x = 1\n")
    assert find_repo_root(loose) == tmp_path / "proj"
    write(tmp_path / "proj/pkg/steps/contracts/c.py", "x = 1\n")
    assert find_repo_root(tmp_path / "proj/pkg/steps/contracts/c.py") == tmp_path / "proj/pkg"


def test_for_path_indexes_the_enclosing_repo_with_workspaces(mono: Path) -> None:
    ws_file = mono / "development/projects/beta/src/cursus_dev/steps/builders/builder_model_calibration_step.py"
    cat = StepCatalog.for_path(ws_file)
    assert cat.roots == [mono]
    assert cat.find_steps_for_file(ws_file) == [("beta", "ModelCalibration")]
    core_file = mono / "src/cursus/steps/contracts/tabular_preprocessing_contract.py"
    cat = StepCatalog.for_path(core_file)
    assert cat.roots == [mono / "src/cursus"]
    assert cat.find_steps_for_file(core_file) == [(None, "TabularPreprocessing")]
    assert cat.core_registry_file == mono / "src/cursus/registry/step_names.py"
    # a file given straight to the constructor stands for its repo too
    assert StepCatalog(core_file).roots == [mono / "src/cursus"]


# -- the fixture repos --------------------------------------------------------------------------

def test_example_repo_fixture() -> None:
    cat = StepCatalog(EXAMPLE)
    steps = EXAMPLE / "steps"
    assert cat.core_registry_file == EXAMPLE / "registry/step_names.py"
    assert cat.problems == []
    assert cat.unmatched == [UnmatchedFile(
        steps / "configs/config_training_step_base.py", "configs",
        "defines only base classes (TrainingStepConfigBase); shared by steps", "shared")]
    eval_info = cat.get_step_info("XGBoostModelEval")
    assert (eval_info.script, eval_info.contract, eval_info.specs) == (
        steps / "scripts/model_evaluation_xgb.py", steps / "contracts/xgboost_model_eval_contract.py",
        {None: steps / "specs/xgboost_model_eval_spec.py"})
    assert cat.get_step_info("TabularPreprocessing").specs == {
        job: steps / f"specs/tabular_preprocessing_{job}_spec.py"
        for job in ("calibration", "testing", "training", "validation")}
    assert cat.get_step_info("Package").script == steps / "scripts/package.py"
    training = cat.get_step_info("XGBoostTraining")
    assert (training.script, training.hyperparams) == (
        steps / "scripts/xgboost_training.py", [steps / "hyperparams/hyperparameters_xgboost.py"])
    assert cat.get_step_info("PyTorchTraining").hyperparams == [steps / "hyperparams/hyperparameters_pytorch.py"]
    model = cat.get_step_info("PyTorchModel")
    assert (model.script, model.contract, model.builder.name) == (None, None, "builder_pytorch_model_step.py")
    # every file under steps/ (but the shared base config) belongs to exactly the step it is named for
    for role_dir in steps.iterdir():
        for path in sorted(role_dir.glob("*.py")) if role_dir.is_dir() else []:
            if path.name == "__init__.py" or path.name == "config_training_step_base.py":
                continue
            owners = cat.find_steps_for_file(path)
            assert len(owners) == 1 and owners[0][0] is None, path
            assert cat.role_of(path) == role_dir.name, path


def test_workspaces_fixture_over_the_example_repo() -> None:
    cat = StepCatalog(EXAMPLE, workspace_dirs=[WORKSPACES])
    assert cat.list_workspaces() == ["alpha", "beta"]
    assert cat.workspace_conflicts() == {"FeatureSelection": ["alpha", "beta"]}
    assert cat.list_available_steps("beta") == sorted(cat.list_available_steps() + ["FeatureSelection",
                                                                                    "ModelCalibration"])
    tab = cat.get_step_info("TabularPreprocessing", "alpha")
    assert (tab.script, tab.contract) == (ALPHA / "steps/scripts/tabular_preprocessing.py",
                                          ALPHA / "steps/contracts/tabular_preprocessing_contract.py")
    assert (tab.builder, tab.config) == (EXAMPLE / "steps/builders/builder_tabular_preprocessing_step.py",
                                         EXAMPLE / "steps/configs/config_tabular_preprocessing_step.py")
    assert tab.specs == cat.get_step_info("TabularPreprocessing").specs
    assert tab.registry.registry_type == "override"
    for ws, root in (("alpha", ALPHA), ("beta", BETA)):
        fs = cat.get_step_info("FeatureSelection", ws)
        assert (fs.script, fs.contract, fs.specs, fs.builder, fs.config) == (
            root / "steps/scripts/feature_selection.py", root / "steps/contracts/feature_selection_contract.py",
            {None: root / "steps/specs/feature_selection_spec.py"},
            root / "steps/builders/builder_feature_selection_step.py",
            root / "steps/configs/config_feature_selection_step.py")
        assert fs.registry.workspace_id == ws
    calibration = cat.get_step_info("ModelCalibration", "beta")
    assert calibration.missing == []
    assert cat.get_step_info("ModelCalibration", "alpha") is None
    assert cat.find_steps_for_file(BETA / "steps/scripts/model_calibration.py") == [("beta", "ModelCalibration")]
    assert cat.problems == []
    assert [u.path.name for u in cat.unmatched] == ["config_training_step_base.py"]
    # pre-commit on one workspace file: the root is the directory holding development/
    single = StepCatalog.for_path(ALPHA / "steps/scripts/feature_selection.py")
    assert single.roots == [WORKSPACES]
    assert single.find_steps_for_file(ALPHA / "steps/scripts/feature_selection.py") == [("alpha", "FeatureSelection")]


def test_workspace_with_only_a_registry_is_listed_and_its_steps_exist(tmp_path: Path) -> None:
    write(tmp_path / "steps/scripts/package.py", "x = 1\n")
    write(tmp_path / "steps/contracts/package_contract.py", contract("package.py"))
    write(tmp_path / "development/projects/delta/src/cursus_dev/registry/workspace_registry.py",
          table("WORKSPACE_STEPS", "Drift"))
    cat = StepCatalog(tmp_path)
    assert cat.list_workspaces() == ["delta"]
    drift = cat.get_step_info("Drift", "delta")
    assert (drift.workspace_id, drift.files, drift.registry.registry_type) == ("delta", [], "workspace")
    assert cat.list_available_steps("delta") == ["Drift", "Package"]
