"""Registry and workspace rules (CL601-CL607) through the real engine, on the fixture repo and
its workspaces, with exact codes, lines and messages."""

from __future__ import annotations

import shutil
from pathlib import Path

from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules_index import all_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WS_REGISTRY = "development/projects/{}/src/cursus_dev/registry/workspace_registry.py"


def copy_fixtures(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "example_repo", repo)
    workspaces = tmp_path / "workspaces"
    shutil.copytree(FIXTURES / "workspaces", workspaces)
    return repo, workspaces


def lint(repo: Path, workspaces: Path | None = None, select=("CL6",)) -> list[tuple[str, int, str, str | None, str]]:
    overrides: dict = {"select": list(select)}
    if workspaces is not None:
        overrides["workspace-dirs"] = [str(workspaces)]
    settings = load_config(repo, set(all_rules()), overrides=overrides)
    result = Engine(settings).run([repo])
    base = repo.parent
    return [(d.location.path.relative_to(base).as_posix(), d.location.line, d.code, d.step, d.message)
            for d in result.diagnostics]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_example_repo_with_workspaces_reports_only_the_featureselection_conflict():
    found = lint(FIXTURES / "example_repo", FIXTURES / "workspaces")
    alpha, beta = (f"workspaces/{WS_REGISTRY.format(w)}" for w in ("alpha", "beta"))
    assert found == [
        (alpha, 14, "CL605", "FeatureSelection",
         "step 'FeatureSelection' of workspace 'alpha' is also defined by workspace(s) 'beta'; "
         "one name must mean one step before either is promoted"),
        (beta, 14, "CL605", "FeatureSelection",
         "step 'FeatureSelection' of workspace 'beta' is also defined by workspace(s) 'alpha'; "
         "one name must mean one step before either is promoted"),
    ]


def test_conflict_points_at_the_other_workspace(tmp_path: Path):
    settings = load_config(FIXTURES / "example_repo", set(all_rules()),
                           overrides={"select": ["CL605"], "workspace-dirs": [str(FIXTURES / "workspaces")]})
    diags = Engine(settings).run([FIXTURES / "example_repo"]).diagnostics
    related = [(r.location.path.parts[-5], r.location.line, r.message) for d in diags for r in d.related]
    assert related == [("beta", 14, "'FeatureSelection' in workspace 'beta'"),
                       ("alpha", 14, "'FeatureSelection' in workspace 'alpha'")]


def test_example_repo_alone_is_clean_for_registry_and_dependency_rules():
    assert lint(FIXTURES / "example_repo", select=("CL3", "CL6")) == []


def test_override_of_missing_core_step(tmp_path: Path):
    repo, ws = copy_fixtures(tmp_path)
    edit(ws / WS_REGISTRY.format("alpha"), 'STEP_OVERRIDES = {\n    "TabularPreprocessing": {',
         'STEP_OVERRIDES = {\n    "TabularPreprocesing": {')
    found = [f for f in lint(repo, ws) if f[2] == "CL606"]
    assert found == [(f"workspaces/{WS_REGISTRY.format('alpha')}", 24, "CL606", "TabularPreprocesing",
                      "STEP_OVERRIDES of workspace 'alpha' overrides 'TabularPreprocesing', which the core "
                      "STEP_NAMES does not define; did you mean 'TabularPreprocessing'?")]


def test_workspace_step_redefining_a_core_step_is_a_duplicate_name(tmp_path: Path):
    repo, ws = copy_fixtures(tmp_path)
    edit(ws / WS_REGISTRY.format("beta"), '    "ModelCalibration": {', '    "Package": {')
    found = [f for f in lint(repo, ws) if f[2] == "CL604"]
    assert found == [(f"workspaces/{WS_REGISTRY.format('beta')}", 21, "CL604", "Package",
                      "WORKSPACE_STEPS of workspace 'beta' defines 'Package', which the core STEP_NAMES already "
                      "defines; replace a core step through STEP_OVERRIDES")]


def test_second_core_table_is_a_duplicate_but_a_duplicate_key_is_only_cl607(tmp_path: Path):
    repo, _ = copy_fixtures(tmp_path)
    (repo / "registry" / "legacy").mkdir()
    (repo / "registry" / "legacy" / "old_step_names.py").write_text(
        'STEP_NAMES = {\n    "Package": {\n        "config_class": "PackageConfig",\n'
        '        "builder_step_name": "PackageStepBuilder",\n        "spec_type": "Package",\n'
        '        "sagemaker_step_type": "Processing",\n    },\n}\n')
    core = repo / "registry" / "step_names.py"
    text = core.read_text()
    entry = text[text.index('    "Package": {'):text.index('    "Registration": {')]
    core.write_text(text.replace('    "Registration": {', entry + '    "Registration": {', 1))
    found = lint(repo)
    assert found == [
        ("repo/registry/legacy/old_step_names.py", 2, "CL604", "Package",
         "STEP_NAMES in old_step_names.py defines 'Package' again; the core registry in use is step_names.py, "
         "so this definition is ignored"),
        ("repo/registry/step_names.py", 86, "CL607", "Package",
         "step 'Package' is defined twice in STEP_NAMES (lines 79 and 86); the definition at line 86 silently "
         "wins"),
    ]


def test_missing_class_invalid_type_and_unregistered_step_in_a_workspace(tmp_path: Path):
    repo, ws = copy_fixtures(tmp_path)
    beta = ws / WS_REGISTRY.format("beta")
    edit(beta, '"builder_step_name": "ModelCalibrationStepBuilder"', '"builder_step_name": "CalibrationStepBuilder"')
    edit(beta, '"sagemaker_step_type": "Processing",\n        "description": "Maps raw',
         '"sagemaker_step_type": "processing",\n        "description": "Maps raw')
    alpha = ws / WS_REGISTRY.format("alpha")
    text = alpha.read_text()
    start = text.index("WORKSPACE_STEPS = {")
    alpha.write_text(text[:start] + "WORKSPACE_STEPS = {}\n" + text[text.index("STEP_OVERRIDES"):])
    found = [f for f in lint(repo, ws) if f[2] != "CL605"]
    alpha_builder = ("workspaces/development/projects/alpha/src/cursus_dev/steps/builders/"
                     "builder_feature_selection_step.py")
    assert found == [
        (alpha_builder, 16, "CL603", "FeatureSelection",
         "step 'FeatureSelection' has builder, config and spec files but no entry in WORKSPACE_STEPS of "
         "workspace 'alpha'"),
        (f"workspaces/{WS_REGISTRY.format('beta')}", 23, "CL601", "ModelCalibration",
         "WORKSPACE_STEPS of workspace 'beta' entry 'ModelCalibration' names builder class "
         "'CalibrationStepBuilder' (builder_step_name), but no file of the repo defines it; did you mean "
         "'ModelCalibrationStepBuilder'?"),
        (f"workspaces/{WS_REGISTRY.format('beta')}", 25, "CL602", "ModelCalibration",
         "WORKSPACE_STEPS of workspace 'beta' entry 'ModelCalibration' has sagemaker_step_type 'processing', "
         "which is not a known SageMaker step type; did you mean 'Processing'?"),
    ]


def test_registered_step_without_files_is_not_checked_for_classes(tmp_path: Path):
    repo, _ = copy_fixtures(tmp_path)
    edit(repo / "registry" / "step_names.py", "STEP_NAMES = {\n",
         'STEP_NAMES = {\n    "HyperparameterPrep": {\n        "config_class": "HyperparameterPrepConfig",\n'
         '        "builder_step_name": "HyperparameterPrepStepBuilder",\n        "spec_type": "HyperparameterPrep",\n'
         '        "sagemaker_step_type": "Lambda",\n    },\n')
    assert lint(repo) == []


def test_unparsable_builder_silences_cl601(tmp_path: Path):
    repo, _ = copy_fixtures(tmp_path)
    edit(repo / "registry" / "step_names.py", '"builder_step_name": "PackageStepBuilder"',
         '"builder_step_name": "PackagingStepBuilder"')
    assert [f[2] for f in lint(repo)] == ["CL601"]
    (repo / "steps" / "builders" / "builder_package_step.py").write_text("class Broken(:\n")
    assert [f[2] for f in lint(repo, select=("CL601",))] == []
