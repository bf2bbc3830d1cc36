"""Level-3 rules (CL301-CL303) through the engine: exact messages, the configured threshold,
silence when a provider is not readable, and workspace scoping."""

from __future__ import annotations

import shutil
from pathlib import Path

from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules_index import all_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVAL_SPEC = "steps/specs/xgboost_model_eval_spec.py"


def repo_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "example_repo", root)
    return root


def lint(root: Path, **overrides) -> list[tuple[str, int, str, str]]:
    settings = load_config(root, set(all_rules()), overrides={"select": ["CL3"], **overrides})
    result = Engine(settings).run([root])
    return [(d.location.path.relative_to(root).as_posix() if d.location.path.is_relative_to(root)
             else d.location.path.name, d.location.line, d.code, d.message) for d in result.diagnostics]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_unknown_source_points_at_the_string_and_job_suffixes_are_accepted(tmp_path: Path):
    root = repo_copy(tmp_path)
    edit(root / EVAL_SPEC, 'compatible_sources=["TabularPreprocessing", "RiskTableMapping", "CurrencyConversion"]',
         'compatible_sources=["TabularPreprocessing_Testing", "RiskTableMaping", "CurrencyConversion"]')
    assert lint(root) == [(EVAL_SPEC, 25, "CL301",
                           "compatible source 'RiskTableMaping' of dependency 'processed_data' of "
                           "XGBOOST_MODEL_EVAL_SPEC is not a registered step or a step of this repo; "
                           "did you mean 'RiskTableMapping'?")]


def test_threshold_comes_from_the_settings(tmp_path: Path):
    root = repo_copy(tmp_path)
    spec = root / "steps/specs/pytorch_model_spec.py"
    # without its compatible source, PyTorchModel.model_data <- PyTorchTraining.model_output scores 0.80
    edit(spec, 'compatible_sources=["PyTorchTraining"]', "compatible_sources=[]")
    rel = spec.relative_to(root).as_posix()
    assert [f for f in lint(root) if f[0] == rel and f[2] == "CL302"] == []
    found = [f for f in lint(root, resolver={"threshold": 0.81}) if f[0] == rel]
    assert found == [(rel, 10, "CL302",
                      "required dependency 'model_data' of PYTORCH_MODEL_SPEC cannot be satisfied: no step's output "
                      "scores at least 0.81; best candidates: PyTorchTraining.model_output (0.80), "
                      "XGBoostTraining.model_output (0.80)")]


def test_unreadable_provider_outputs_silence_cl302(tmp_path: Path):
    root = repo_copy(tmp_path)
    spec = root / "steps/specs/batch_transform_testing_spec.py"
    edit(spec, "dependency_type=DependencyType.CUSTOM_PROPERTY", "dependency_type=DependencyType.MODEL_ARTIFACTS")
    assert [f[2] for f in lint(root)] == ["CL302"]
    edit(root / "steps/specs/package_spec.py", "    outputs=[", "    outputs=build_outputs() + [")
    assert lint(root) == []


def test_listed_alternatives_are_not_ambiguous_but_unlisted_ties_are(tmp_path: Path):
    root = repo_copy(tmp_path)
    assert lint(root) == []  # XGBoostModelEval.processed_data: three listed sources tie on purpose
    edit(root / EVAL_SPEC, 'compatible_sources=["TabularPreprocessing", "RiskTableMapping", "CurrencyConversion"]',
         'compatible_sources=["TabularPreprocessing"]')
    assert lint(root) == []  # the listed source now wins by 0.20
    edit(root / EVAL_SPEC, 'compatible_sources=["TabularPreprocessing"]', "compatible_sources=[]")
    assert lint(root) == [(EVAL_SPEC, 22, "CL303",
                           "dependency 'processed_data' of XGBOOST_MODEL_EVAL_SPEC matches outputs of 3 steps "
                           "equally well (CurrencyConversion.processed_data (0.80), "
                           "RiskTableMapping_Calibration.processed_data (0.80), "
                           "TabularPreprocessing_Calibration.processed_data (0.80)); the resolver takes the first "
                           "by name")]


def test_workspace_step_sees_core_and_its_own_workspace_only(tmp_path: Path):
    root = repo_copy(tmp_path)
    workspaces = tmp_path / "workspaces"
    shutil.copytree(FIXTURES / "workspaces", workspaces)
    calibration = workspaces / "development/projects/beta/src/cursus_dev/steps/specs/model_calibration_spec.py"
    # depend on alpha's feature list: visible to nobody in beta
    edit(calibration, '            logical_name="evaluation_data",\n            dependency_type=DependencyType.'
                      'PROCESSING_OUTPUT,\n            required=True,\n'
                      '            compatible_sources=["XGBoostModelEval"],\n'
                      '            semantic_keywords=["evaluation", "predictions", "scores", "eval"],',
         '            logical_name="selected_features",\n            dependency_type=DependencyType.'
         'PROCESSING_OUTPUT,\n            required=True,\n            compatible_sources=[],\n'
         '            semantic_keywords=["selected_features", "features"],')
    found = lint(root, **{"workspace-dirs": [str(workspaces)]})
    assert [(p, line, code) for p, line, code, _ in found] == [("model_calibration_spec.py", 13, "CL302")]
    assert "FeatureSelection.selected_features" not in found[0][3]
