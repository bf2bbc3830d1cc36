"""The catalog in the interface layout: every interface is a step, matched with its script (by
``contract.entry_point`` in the scripts dir beside it) and its config (by class name)."""

from __future__ import annotations

import shutil
from pathlib import Path

from cursus_core.catalog import StepCatalog
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules_index import all_rules

REPO = Path(__file__).resolve().parents[1] / "fixtures" / "interface_repo"


def _rel(p: Path | None) -> str | None:
    return p.relative_to(REPO).as_posix() if p is not None else None


def test_every_interface_has_its_script_and_config() -> None:
    cat = StepCatalog(REPO)
    rows = {(i.workspace_id, i.name): (_rel(i.interface), _rel(i.script), _rel(i.config),
                                       [str(k) for k in sorted(i.specs, key=str)])
            for i in cat.iter_steps()}
    assert rows == {
        (None, "BatchTransform"): ("steps/interfaces/batch_transform.step.yaml", None,
                                   "steps/configs/config_batch_transform_step.py", ["None", "calibration", "testing"]),
        (None, "DataLoading"): ("steps/interfaces/data_loading.step.yaml", "steps/scripts/data_loading.py",
                                "steps/configs/config_data_loading_step.py", ["None"]),
        (None, "Package"): ("steps/interfaces/package.step.yaml", "steps/scripts/package.py",
                            "steps/configs/config_package_step.py", ["None"]),
        (None, "Registration"): ("steps/interfaces/registration.step.yaml", None,
                                 "steps/configs/config_registration_step.py", ["None"]),
        (None, "TabularPreprocessing"): (
            "steps/interfaces/tabular_preprocessing.step.yaml", "steps/scripts/tabular_preprocessing.py",
            "steps/configs/config_tabular_preprocessing_step.py",
            ["None", "calibration", "testing", "training", "validation"]),
        (None, "XGBoostModel"): ("steps/interfaces/xgboost_model.step.yaml", None,
                                 "steps/configs/config_xgboost_model_step.py", ["None"]),
        (None, "XGBoostModelEval"): ("steps/interfaces/xgboost_model_eval.step.yaml",
                                     "steps/scripts/xgboost_model_eval.py",
                                     "steps/configs/config_xgboost_model_eval_step.py", ["None"]),
        (None, "XGBoostTraining"): ("steps/interfaces/xgboost_training.step.yaml", "steps/scripts/xgboost_training.py",
                                    "steps/configs/config_xgboost_training_step.py", ["None"]),
        # a step pack is the scope of its project; its shadowing step uses the pack's own files
        ("fraud_team", "CurrencyConversion"): (
            "projects/fraud_team/step_pack/interfaces/currency_conversion.step.yaml",
            "projects/fraud_team/step_pack/scripts/currency_conversion.py",
            "projects/fraud_team/step_pack/configs/config_currency_conversion_step.py", ["None"]),
        ("fraud_team", "TabularPreprocessing"): (
            "projects/fraud_team/step_pack/interfaces/tabular_preprocessing.step.yaml",
            "projects/fraud_team/step_pack/scripts/tabular_preprocessing.py",
            "projects/fraud_team/step_pack/configs/config_tabular_preprocessing_step.py", ["None"]),
    }
    # the registry of this layout is the interfaces: no built-in table name leaks in
    assert all(i.registry is not None and i.registry.source_path == i.interface for i in cat.iter_steps())


def test_the_fixture_checks_clean_but_for_the_deliberate_shadowing() -> None:
    settings = load_config(REPO, set(all_rules()))
    found = [(d.code, d.location.path.relative_to(REPO).as_posix(), d.location.line)
             for d in Engine(settings).run([REPO]).diagnostics]
    assert found == [("CL007", "projects/fraud_team/step_pack/interfaces/tabular_preprocessing.step.yaml", 2)]


def test_interface_dirs_setting_adds_a_pack_outside_the_repo(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "steps", repo / "steps")
    pack = tmp_path / "elsewhere" / "team_pack"
    shutil.copytree(REPO / "projects" / "fraud_team" / "step_pack", pack)
    (repo / "pyproject.toml").write_text('[tool.cursus-lint]\ninterface-dirs = ["../elsewhere/team_pack"]\n',
                                         encoding="utf-8")
    settings = load_config(repo, set(all_rules()))
    result = Engine(settings).run([repo])
    assert result.steps == 10
    assert [(d.code, d.location.path.relative_to(tmp_path).as_posix()) for d in result.diagnostics] == [
        ("CL007", "elsewhere/team_pack/interfaces/tabular_preprocessing.step.yaml")]
