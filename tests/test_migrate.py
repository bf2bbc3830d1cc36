"""`cursus-lint migrate`: classic steps -> .step.yaml, checked by our own reader and linter."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from cursus_core.interface.reader import read_interface_file
from cursus_core.interface.model import build_interface
from cursus_core.interface.validate import validate_tree
from cursus_core.migrate import migrate
from cursus_lint.api import check
from cursus_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example_repo"
GOLDEN = Path(__file__).parent / "golden" / "migrate_currency_conversion.step.yaml"


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    shutil.copytree(EXAMPLE, dest)
    return dest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _codes_by_step(root: Path) -> dict[str | None, set[str]]:
    out: dict[str | None, set[str]] = defaultdict(set)
    for d in check([root]):
        out[d.step].add(d.code)
    return dict(out)


def test_golden_text_of_one_step(repo: Path) -> None:
    assert main(["migrate", str(repo), "--step", "CurrencyConversion"]) == 0
    written = repo / "steps" / "interfaces" / "currency_conversion.step.yaml"
    assert written.read_text() == GOLDEN.read_text()
    assert sorted(p.name for p in (repo / "steps" / "interfaces").iterdir()) == ["currency_conversion.step.yaml"]
    # the classic files stay without --delete-sources
    assert (repo / "steps" / "contracts" / "currency_conversion_contract.py").is_file()


def test_job_type_specs_become_partial_variants(repo: Path) -> None:
    report = migrate(repo, ["TabularPreprocessing"])
    (outcome,) = report.outcomes
    assert outcome.variants == ["validation", "testing", "calibration"]
    doc = yaml.safe_load(outcome.target.read_text())
    testing = doc["variants"]["testing"]
    assert list(testing) == ["spec"]  # same contract: no contract block
    assert testing["spec"] == {
        "dependencies": {"DATA": {
            "semantic_keywords": ["testing", "test", "evaluation", "data", "raw", "tabular"],
            "description": "Raw testing data shards to clean and split"}},
        "outputs": {"processed_data": {
            "aliases": ["input_path", "testing_data", "input_data"],
            "description": "Cleaned testing data split into per-split folders"}},
    }
    # the training spec is the base; deep-merging a variant gives back that job type's spec
    read = read_interface_file(outcome.target)
    assert read.root is not None
    merged = build_interface(read.root, outcome.target, "testing")
    assert [v.value for v in merged.spec.outputs["processed_data"].aliases] == ["input_path", "testing_data",
                                                                                  "input_data"]
    assert merged.spec.dependencies["SIGNATURE"].required.value is False
    assert [(n.kind, n.path.name if n.path else None, n.line) for n in outcome.notes] == [
        ("info", "tabular_preprocessing_training_spec.py", None),
        ("builder", "builder_tabular_preprocessing_step.py", 74)]
    assert outcome.notes[1].message == (
        "builder sets env var 'LABEL_FIELD' from config.label_name; the template reads config.label_field (or the "
        "config's env collector): add that field or property to the config")


def test_migrated_files_are_valid_interfaces(repo: Path) -> None:
    report = migrate(repo)
    assert len(report.outcomes) == 12
    for outcome in report.outcomes:
        read = read_interface_file(outcome.target)
        assert read.root is not None and not read.problems, outcome.step
        assert validate_tree(read.root, outcome.target) == [], outcome.step
    assert [d for d in check([repo]) if d.code.startswith("CL0")] == []


def test_non_literal_values_are_reported_not_guessed(repo: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    contract = repo / "steps" / "contracts" / "currency_conversion_contract.py"
    _edit(contract, '"TARGET_CURRENCY": "USD",', '"TARGET_CURRENCY": default_currency(),')
    assert main(["migrate", str(repo), "--step", "CurrencyConversion"]) == 1
    out = capsys.readouterr().out
    line = next(i for i, t in enumerate(contract.read_text().splitlines(), 1) if "default_currency()" in t)
    assert out.splitlines() == [
        "wrote steps/interfaces/currency_conversion.step.yaml: CurrencyConversion",
        f"  not-literal: steps/contracts/currency_conversion_contract.py:{line}: optional env var 'TARGET_CURRENCY' "
        "is not literal; not converted",
        "1 steps: wrote 1; 1 things reported"]
    doc = yaml.safe_load((repo / "steps" / "interfaces" / "currency_conversion.step.yaml").read_text())
    assert doc["contract"]["env_vars"]["optional"] == {"TARGET_CURRENCY": None, "EXCHANGE_RATES": "{}"}


def test_builder_logic_and_unknown_route_are_reported(repo: Path) -> None:
    report = migrate(repo, ["DataLoading", "Registration"], write=False)
    notes = {o.step: [(n.kind, n.line, n.message) for n in o.notes] for o in report.outcomes}
    assert notes["DataLoading"] == [("builder", 77, (
        "_get_outputs uses container paths from its constant _LOADER_OUTPUT_PATHS; the template takes container "
        "paths from the contract only: declare them in contract.inputs/outputs")), ("builder", 58, (
        "_get_environment_variables returns config.loader_environment built at run time; its env var names are "
        "not knowable statically: declare them in contract.env_vars"))]
    assert notes["Registration"] == [("guessed-nothing", None, (
        "the builder instantiates no SDK class a template uses (known: none for this SageMaker step type); "
        "compute.kind and patterns.step_assembly were not guessed"))]


def _compute(outcome) -> dict:
    doc = yaml.safe_load(outcome.text)
    return {"patterns": doc.get("patterns"), "compute": doc.get("compute")}


def test_without_a_builder_the_config_class_gives_the_compute_kind(repo: Path) -> None:
    """No builder file: the kind (and the *_field keys) come from the config's fields through its
    inheritance chain, the same kind the builder gave; what a config cannot show is a note."""
    shutil.rmtree(repo / "steps" / "builders")
    steps = ["BatchTransform", "DataLoading", "TabularPreprocessing", "XGBoostModelEval", "XGBoostTraining",
             "Registration"]
    report = migrate(repo, steps, write=False)
    by_step = {o.step: o for o in report.outcomes}
    assert {s: _compute(o)["compute"] for s, o in by_step.items()} == {
        "BatchTransform": {"kind": "transformer"},
        "DataLoading": {"kind": "byo_container", "image_uri_field": "loader_image_uri"},
        "TabularPreprocessing": {"kind": "sklearn", "framework_version_field": "processing_framework_version"},
        "XGBoostModelEval": {"kind": "xgboost", "framework_version_field": "framework_version",
                             "py_version_field": "py_version"},
        # framework_version and py_version are declared on the config; its base is a repo-local class
        "XGBoostTraining": {"kind": "estimator", "framework_version_field": "framework_version",
                            "py_version_field": "py_version"},
        "Registration": None,  # RegisterModel-like type: no template kind, so nothing is guessed
    }
    config = repo / "steps" / "configs"
    assert [(n.kind, n.path, n.message) for n in by_step["TabularPreprocessing"].notes if n.kind != "variant"
            and "job type" not in n.message] == [
        ("info", config / "config_tabular_preprocessing_step.py",
         "no builder file: compute.kind 'sklearn' was chosen from the config class (the config derives from "
         "ProcessingStepConfigBase); patterns.step_assembly stays the default")]
    assert [(n.kind, n.message) for n in by_step["XGBoostTraining"].notes] == [
        ("info", "no builder file: compute.kind 'estimator' was chosen from the config class (the config has "
                 "framework_version and py_version); patterns.step_assembly stays the default"),
        ("guessed-nothing", "compute.kind 'estimator' needs compute.sdk_class (the framework), which the config "
                            "does not show; add it")]
    assert [(n.kind, n.message) for n in by_step["Registration"].notes] == [
        ("guessed-nothing", "no builder file: patterns and compute were not inferred")]


def test_a_builder_that_names_no_sdk_class_falls_back_to_the_config(repo: Path) -> None:
    """A builder whose SDK object is made in a way the reader does not follow: the config decides."""
    builder = repo / "steps" / "builders" / "builder_tabular_preprocessing_step.py"
    _edit(builder, "SKLearnProcessor(", "make_processor(")
    (outcome,) = migrate(repo, ["TabularPreprocessing"], write=False).outcomes
    assert _compute(outcome) == {"patterns": {"step_assembly": "step_args"},  # from its ProcessingStep call
                                 "compute": {"kind": "sklearn",
                                             "framework_version_field": "processing_framework_version"}}
    assert ("info", builder.parent.parent / "configs" / "config_tabular_preprocessing_step.py",
            "the builder instantiates no SDK class a template uses (known: FrameworkProcessor, Processor, "
            "SKLearnProcessor, ScriptProcessor, XGBoostProcessor): compute.kind 'sklearn' was chosen from the "
            "config class (the config derives from ProcessingStepConfigBase)") in [
        (n.kind, n.path, n.message) for n in outcome.notes]


def test_never_overwrites_an_existing_interface(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = repo / "steps" / "interfaces" / "package.step.yaml"
    target.parent.mkdir()
    target.write_text("# mine\n")
    assert main(["migrate", str(repo), "--step", "Package", "--delete-sources"]) == 1
    assert target.read_text() == "# mine\n"
    assert "  exists: " in capsys.readouterr().out
    assert (repo / "steps" / "builders" / "builder_package_step.py").is_file()


def test_dry_run_and_diff_write_nothing(repo: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    before = sorted(p.relative_to(repo) for p in repo.rglob("*"))
    assert main(["migrate", ".", "--dry-run"]) == 1  # builder logic and Registration's route are reported
    out = capsys.readouterr().out
    assert "would write steps/interfaces/tabular_preprocessing.step.yaml: TabularPreprocessing" in out
    assert out.splitlines()[-1] == "12 steps: would write 12; 14 things reported"
    assert main(["migrate", ".", "--diff", "--step", "CurrencyConversion"]) == 0
    captured = capsys.readouterr()
    golden = GOLDEN.read_text().splitlines()
    assert captured.out.splitlines() == ["--- /dev/null", "+++ b/steps/interfaces/currency_conversion.step.yaml",
                                         f"@@ -0,0 +1,{len(golden)} @@", *("+" + line for line in golden)]
    assert captured.err.splitlines()[-1] == "1 steps: would write 1; 0 things reported"
    assert sorted(p.relative_to(repo) for p in repo.rglob("*")) == before


def test_delete_sources_removes_only_the_converted_steps_files(repo: Path) -> None:
    assert main(["migrate", str(repo), "--step", "XGBoostTraining", "--delete-sources"]) == 1  # XGB_NTHREAD note
    assert not (repo / "steps" / "contracts" / "xgboost_training_contract.py").exists()
    assert not (repo / "steps" / "specs" / "xgboost_training_spec.py").exists()
    assert not (repo / "steps" / "builders" / "builder_xgboost_training_step.py").exists()
    assert (repo / "steps" / "scripts" / "xgboost_training.py").is_file()
    assert (repo / "steps" / "configs" / "config_xgboost_training_step.py").is_file()
    assert (repo / "steps" / "specs" / "xgboost_model_spec.py").is_file()


def test_bad_input_is_one_line_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("cursus-lint: error: ")
    assert main(["migrate", str(EXAMPLE), "--step", "Nope", "--dry-run"]) == 2
    assert "no classic step named 'Nope'" in capsys.readouterr().err


def _misalign(root: Path) -> None:
    """One level-1 and one level-2 misalignment, written in the classic files."""
    _edit(root / "steps" / "contracts" / "currency_conversion_contract.py", '"TARGET_CURRENCY": "USD",', "")
    _edit(root / "steps" / "specs" / "xgboost_model_eval_spec.py", 'logical_name="model_input"',
          'logical_name="model_artifacts"')


def test_migrated_repo_lints_like_the_classic_one(tmp_path: Path) -> None:
    classic, migrated = tmp_path / "classic", tmp_path / "migrated"
    shutil.copytree(EXAMPLE, classic)
    _misalign(classic)
    shutil.copytree(classic, migrated)
    report = migrate(migrated, delete_sources=True)
    # layout difference: the interfaces are the registry now; the Python rows would name deleted builders
    (migrated / "registry" / "step_names.py").unlink()
    before, after = _codes_by_step(classic), _codes_by_step(migrated)
    assert before == {"CurrencyConversion": {"CL103", "CL403"}, "XGBoostModelEval": {"CL201", "CL202"}}
    # CL403 (the builder sets an env var the contract does not declare) has no builder to fire on after the
    # migration: the template sets declared env vars only. migrate reports that instead of losing it.
    # CL402 after the migration: the classic builders feed LABEL_FIELD (and CATEGORICAL_COLUMNS, ID_FIELD)
    # from config attributes of other names; the template reads the same-named attribute or the config's env
    # collector, so the migrated steps really would run without them. migrate says so per builder.
    assert after == {"CurrencyConversion": {"CL103"}, "XGBoostModelEval": {"CL201", "CL202", "CL402"},
                     "RiskTableMapping": {"CL402"}, "TabularPreprocessing": {"CL402"}}
    builder_notes = [n.message for o in report.outcomes for n in o.notes if n.kind == "builder"]
    assert ("builder sets env var 'TARGET_CURRENCY' that the contract does not declare; the template sets "
            "declared env vars only") in builder_notes
    assert sum("builder sets env var 'LABEL_FIELD' from config.label_name" in m for m in builder_notes) == 3


def test_job_arguments_the_builder_never_passes_are_not_converted(repo: Path) -> None:
    builder = repo / "steps" / "builders" / "builder_currency_conversion_step.py"
    _edit(builder, "arguments=self._get_job_arguments(),", "arguments=None,")
    (outcome,) = migrate(repo, ["CurrencyConversion"], write=False).outcomes
    line = next(i for i, t in enumerate(builder.read_text().splitlines(), 1) if "def _get_job_arguments" in t)
    assert [(n.kind, n.line, n.message) for n in outcome.notes] == [("builder", line, (
        "_get_job_arguments is defined but nothing in the builder calls it (its arguments never reach the script); "
        "job_arguments were not converted"))]
    assert outcome.text is not None and "job_arguments" not in outcome.text
