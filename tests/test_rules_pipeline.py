"""Static CL8xx rules in `cursus-lint check`: the DAG and saved config read as data, never run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cursus_lint.config import ConfigError, load_config
from cursus_lint.engine import Engine
from cursus_lint.facts.model import Span
from cursus_lint.facts.pipeline import load_pipeline, locate_json
from cursus_lint.rules_index import all_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLE = FIXTURES / "example_repo"
PYPROJECT = '[tool.cursus-lint]\ndag = "pipeline/{dag}"\npipeline-config = "pipeline/config.json"\n'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    (root / "pyproject.toml").write_text(PYPROJECT.format(dag="dag.json"))
    return root


def lint(root: Path, select: str = "CL8,CL9"):
    settings = load_config(root, set(all_rules()), overrides={"select": select.split(",")})
    result = Engine(settings).run([root])
    found = [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code, d.message,
              d.step) for d in result.diagnostics]
    return found, result


def config_text(root: Path) -> str:
    return (root / "pipeline/config.json").read_text()


def line_in(text: str, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def test_the_example_pipeline_is_clean(repo: Path) -> None:
    found, result = lint(repo)
    assert found == []
    # DataLoading saves processing_entry_point as null and has no contract: not a script step, no finding
    assert result.unknown["pipeline-entry-point-from-class-default"] == 0


def test_without_configuration_the_pipeline_rules_do_not_run(repo: Path) -> None:
    (repo / "pyproject.toml").unlink()
    (repo / "pipeline/config.json").write_text(config_text(repo).replace('"package.py"', '"gone.py"'))
    assert lint(repo)[0] == []


def test_broken_pipeline_fixture_exact_diagnostics(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    shutil.copytree(FIXTURES / "broken/pipeline_drift/files", root, dirs_exist_ok=True)
    found, _ = lint(root)
    assert found == [
        ("pipeline/config.json", 74, 9, "CL808",
         "config 'Package': processing_entry_point 'packaging.py' does not exist (steps/scripts/packaging.py)",
         "Package"),
        ("pipeline/config.json", 99, 7, "CL810",
         "config 'TabularPreprocessing_calibration' names no entry point, so node 'TabularPreprocessing_calibration'"
         " is not a script step, but contract 'TABULAR_PREPROCESSING_CONTRACT' of step 'TabularPreprocessing' "
         "declares entry point 'tabular_preprocessing.py'", "TabularPreprocessing"),
        ("pipeline/config.json", 143, 7, "CL803",
         "saved config 'XGBoostModelEval_calibration' (XGBoostModelEvalConfig) is used by no node of DAG 'dag.json'",
         "XGBoostModelEval"),
        ("pipeline/dag.json", 8, 5, "CL802",
         "DAG node 'XGBoostModelEval_validation' has no config of that name; candidates: "
         "'XGBoostModelEval_calibration', 'XGBoostModel' (rename the config or map the node explicitly)",
         "XGBoostModelEval"),
    ]


def test_related_locations_name_the_other_side(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    shutil.copytree(FIXTURES / "broken/pipeline_drift/files", root, dirs_exist_ok=True)
    _, result = lint(root)
    related = {d.code: [(r.location.path.relative_to(root).as_posix(), r.location.line, r.message)
                        for r in d.related] for d in result.diagnostics}
    assert related["CL802"] == [("pipeline/config.json", 14, "saved configs are listed here")]
    assert related["CL808"] == [("pipeline/config.json", 12, "source_dir is set here")]
    assert related["CL810"] == [("steps/contracts/tabular_preprocessing_contract.py", 6,
                                 "'TABULAR_PREPROCESSING_CONTRACT' declares its script here")]


def test_python_dag_is_never_run_in_check(repo: Path) -> None:
    marker = repo / "ran.txt"
    (repo / "pipeline/dag.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n"
                                          "def create_dag():\n    raise SystemExit(3)\n")
    (repo / "pyproject.toml").write_text(PYPROJECT.format(dag="dag.py"))
    (repo / "pipeline/config.json").write_text(config_text(repo).replace('"Package": {', '"Packaging": {'))
    found, result = lint(repo)
    assert not marker.exists()
    assert found == []  # nodes unknown: neither CL802 nor CL803 can be decided
    assert result.unknown["pipeline-dag-in-python"] == 1


def test_python_dag_still_checks_entry_points_of_every_config(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(PYPROJECT.format(dag="dag.py"))
    text = config_text(repo).replace('"package.py"', '"gone.py"')
    (repo / "pipeline/config.json").write_text(text)
    found, _ = lint(repo)
    assert [(f[0], f[1], f[3]) for f in found] == [("pipeline/config.json", line_in(text, '"gone.py"'), "CL808")]


def test_yaml_dag_nodes_are_located(repo: Path) -> None:
    dag = (repo / "pipeline/dag.yaml").read_text()
    assert "XGBoostModel\n" in dag or "XGBoostModel" in dag
    (repo / "pipeline/dag.yaml").write_text(dag.replace("- XGBoostModel\n", "- XGBoostModelX\n", 1)
                                            .replace("XGBoostModel]", "XGBoostModelX]")
                                            .replace("[XGBoostModel,", "[XGBoostModelX,"))
    (repo / "pyproject.toml").write_text(PYPROJECT.format(dag="dag.yaml"))
    found, _ = lint(repo, "CL802")
    text = (repo / "pipeline/dag.yaml").read_text()
    assert [(f[0], f[1], f[3]) for f in found] == [("pipeline/dag.yaml", line_in(text, "- XGBoostModelX"), "CL802")]
    assert found[0][4].startswith("DAG node 'XGBoostModelX' has no config of that name; candidates: 'XGBoostModel'")


def test_missing_source_dir_is_named(repo: Path) -> None:
    text = config_text(repo).replace('"source_dir": "steps/scripts"', '"source_dir": "/nonexistent/scripts"')
    (repo / "pipeline/config.json").write_text(text)
    found, _ = lint(repo, "CL808")
    # every node with an entry point, none of those without (DataLoading, XGBoostModel, ...)
    assert [(f[1], f[5]) for f in found] == [
        (74, "Package"), (104, "TabularPreprocessing"), (122, "TabularPreprocessing"), (150, "XGBoostModelEval"),
        (215, "XGBoostTraining")]
    assert found[0][4] == ("config 'Package': source_dir '/nonexistent/scripts' does not exist, so "
                           "processing_entry_point 'package.py' cannot be found (/nonexistent/scripts/package.py)")
    assert found[4][4] == ("config 'XGBoostTraining': source_dir '/nonexistent/scripts' does not exist, so "
                           "training_entry_point 'xgboost_training.py' cannot be found "
                           "(/nonexistent/scripts/xgboost_training.py)")


def test_processing_source_dir_wins_over_source_dir(repo: Path) -> None:
    text = config_text(repo)
    start = text.index('"Package": {')
    old = '"processing_source_dir": null'
    at = text.index(old, start)
    text = text[:at] + '"processing_source_dir": "steps"' + text[at + len(old):]
    (repo / "pipeline/config.json").write_text(text)
    found, _ = lint(repo, "CL808")
    assert [(f[1], f[4]) for f in found] == [
        (line_in(text, '"package.py"'),
         "config 'Package': processing_entry_point 'package.py' does not exist (steps/package.py)")]


def test_entry_point_saved_in_shared_counts_for_every_step(repo: Path) -> None:
    data = json.loads(config_text(repo))
    data["configuration"]["shared"]["processing_entry_point"] = "common.py"
    for entry in data["configuration"]["specific"].values():
        entry.pop("processing_entry_point", None)
    text = json.dumps(data, indent=2)
    (repo / "pipeline/config.json").write_text(text)
    found, _ = lint(repo, "CL808")
    # "shared" holds the fields every config has: each node reads it, each is reported at the shared value
    assert {f[1] for f in found} == {line_in(text, '"common.py"')}
    assert sorted(f[4] for f in found)[0] == ("config 'BatchTransform_calibration': processing_entry_point "
                                              "'common.py' does not exist (steps/scripts/common.py)")
    assert len(found) == len(data["configuration"]["specific"]) == 10


def test_absent_entry_point_field_is_not_judged(repo: Path) -> None:
    data = json.loads(config_text(repo))
    data["configuration"]["specific"]["TabularPreprocessing_training"].pop("processing_entry_point")
    (repo / "pipeline/config.json").write_text(json.dumps(data, indent=2))
    found, result = lint(repo, "CL810")
    assert found == []
    assert result.unknown["pipeline-entry-point-from-class-default"] == 1


def test_unreadable_and_invalid_pipeline_files_are_cl9xx(repo: Path) -> None:
    (repo / "pipeline/dag.json").unlink()
    (repo / "pipeline/config.json").write_text('{\n  "configuration": {\n    "shared": {,\n')
    found, _ = lint(repo)
    assert [(f[0], f[1], f[3], f[4]) for f in found] == [
        ("pipeline/config.json", 3, "CL901", "invalid JSON in the pipeline config: Expecting property name "
                                             "enclosed in double quotes"),
        ("pipeline/dag.json", 1, "CL902", "cannot read the pipeline DAG: no such file (configured in "
                                          "[tool.cursus-lint])"),
    ]


def test_wrong_shapes_are_reported_not_guessed(repo: Path) -> None:
    (repo / "pipeline/dag.json").write_text('{"steps": ["A"]}\n')
    (repo / "pipeline/config.json").write_text('{"configuration": {"shared": {}}}\n')
    found, _ = lint(repo)
    assert [(f[0], f[3], f[4]) for f in found] == [
        ("pipeline/config.json", "CL901", "not a saved pipeline config: expected 'configuration' with 'shared' and "
                                          "'specific' objects"),
        ("pipeline/dag.json", "CL901", "not a pipeline DAG: expected an object whose 'nodes' is a list of step names"),
    ]


def test_config_keys_are_kebab_case_and_relative_to_the_config_file(repo: Path) -> None:
    settings = load_config(repo / "steps", set(all_rules()))
    assert settings.dag_path == repo / "pipeline/dag.json"
    assert settings.pipeline_config_path == repo / "pipeline/config.json"
    (repo / "pyproject.toml").write_text('[tool.cursus-lint]\npipeline_config = "x.json"\n')
    with pytest.raises(ConfigError, match="unknown key 'pipeline_config'.*did you mean 'pipeline-config'"):
        load_config(repo, set(all_rules()))


def test_locate_json_spans_keys_items_and_escapes() -> None:
    text = '{\n  "a\\"b": [1, "x",\n    {"k": null}],\n  "c": {"d": true}\n}'
    spans = locate_json(text)
    assert spans[("a\"b",)] == Span(2, 3, 3, 17)
    assert spans[("a\"b", 1)] == Span(2, 15, 2, 18)
    assert spans[("a\"b", 2, "k")] == Span(3, 6, 3, 15)
    assert spans[("c", "d")] == Span(4, 9, 4, 18)


def test_load_pipeline_is_none_when_nothing_is_configured(tmp_path: Path) -> None:
    assert load_pipeline(None, None, tmp_path) is None
