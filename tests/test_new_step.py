"""`cursus-lint new-step`: the generated step lints clean in both layouts for every SageMaker type,
builds in a DAG after its upstream, is wired as the resolver says, and writes nothing it must not.

Planning and writing run in-process; the dry-run builds (which import the generated code) run in
child processes, started together once per module as tests/test_build_cli.py does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from cursus_core.deps import resolve
from cursus_core.interface.discovery import snake_step_name
from cursus_lint import api, cli as cli_module
from cursus_lint.cli import cli, main
from cursus_lint.rules._dependencies import index, visible_providers
from cursus_lint.scaffold import NewStepRequest, ScaffoldError, ScaffoldPlan, plan_new_step, write_plan
from cursus_lint.scaffold.registry_edit import add_registry_row
from cursus_lint.scaffold.repo import load_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SOURCES = {"classic": FIXTURES / "example_repo", "interface": FIXTURES / "interface_repo"}
CONFIG_HELPER = Path(__file__).resolve().parent / "scaffold_config.py"
HYPERPARAMETERS = {"full_field_list": ["order_id", "amount", "is_fraud"], "cat_field_list": [],
                   "tab_field_list": ["amount"], "id_name": "order_id", "label_name": "is_fraud",
                   "multiclass_categories": [0, 1]}


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    after: tuple[str, ...]
    job_types: tuple[str, ...]
    env: tuple[str, ...]
    #: DAG node of the new step, the DAG nodes it comes after, and its config's essential values
    node: str
    upstream_nodes: tuple[str, ...]
    config: dict


CASES = {
    "Processing": Case("FeatureSelection", "Processing", ("TabularPreprocessing",), ("training",),
                       ("LABEL_FIELD", "TOP_K=10"), "FeatureSelection_training", ("TabularPreprocessing_training",),
                       {"job_type": "training", "label_field": "is_fraud"}),
    "Training": Case("SklearnTraining", "Training", ("TabularPreprocessing",), (), ("MAX_ROWS=0",),
                     "SklearnTraining", ("TabularPreprocessing_training",), {"hyperparameters": HYPERPARAMETERS}),
    "CreateModel": Case("SklearnModel", "CreateModel", ("XGBoostTraining",), (), (), "SklearnModel",
                        ("XGBoostTraining",), {"inference_instance_type": "ml.m5.large"}),
    "Transform": Case("ScoreTransform", "Transform", ("XGBoostModel", "TabularPreprocessing"), ("calibration",), (),
                      "ScoreTransform_calibration", ("XGBoostModel", "TabularPreprocessing_calibration"),
                      {"job_type": "calibration", "transform_instance_type": "ml.m5.large"}),
}
COMBOS = [(layout, kind) for layout in SOURCES for kind in CASES]
#: Each SageMaker type is dry-run built once, alternating layouts (8 sagemaker imports in parallel
#: on a shared 2-core machine take minutes); every combination is linted. NEW_STEP_BUILD_ALL=1
#: builds all eight.
BUILT = COMBOS if os.environ.get("NEW_STEP_BUILD_ALL") else [
    ("classic", "Processing"), ("interface", "Training"), ("interface", "CreateModel"), ("classic", "Transform")]


def copy_fixture(layout: str, dest: Path) -> Path:
    shutil.copytree(SOURCES[layout], dest, ignore=shutil.ignore_patterns("__pycache__", "definition.json"))
    return dest


def request_of(case: Case) -> NewStepRequest:
    return NewStepRequest(case.name, case.kind, after=case.after, job_types=case.job_types, env=case.env)


def findings(root: Path) -> list[tuple[str, int, str, str]]:
    return sorted((Path(d.location.path).absolute().relative_to(root).as_posix(), d.location.line, d.code, d.message)
                  for d in api.check([root]))


@dataclass
class Generated:
    root: Path
    plan: ScaffoldPlan
    written: list[Path]
    before: list[tuple[str, int, str, str]]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Generated]:
    out = {}
    baselines = {layout: findings(copy_fixture(layout, tmp_path_factory.mktemp(layout) / "repo"))
                 for layout in SOURCES}
    for layout, kind in COMBOS:
        root = copy_fixture(layout, tmp_path_factory.mktemp(f"{layout}-{kind}") / "repo")
        plan = plan_new_step(root, request_of(CASES[kind]))
        out[(layout, kind)] = Generated(root, plan, write_plan(root, plan), baselines[layout])
    return out


@pytest.mark.parametrize(("layout", "kind"), COMBOS)
def test_generated_step_lints_clean_with_every_rule(generated: dict, layout: str, kind: str) -> None:
    g = generated[(layout, kind)]
    assert g.plan.layout == layout
    assert findings(g.root) == g.before  # nothing on the new files, nothing new elsewhere


def test_each_layout_gets_the_files_it_needs(generated: dict) -> None:
    def paths(layout: str, kind: str) -> list[str]:
        return [f.path.as_posix() for f in generated[(layout, kind)].plan.files]

    assert paths("classic", "Processing") == [
        "steps/scripts/feature_selection.py", "steps/contracts/feature_selection_contract.py",
        "steps/specs/feature_selection_training_spec.py", "steps/builders/builder_feature_selection_step.py",
        "steps/configs/config_feature_selection_step.py", "registry/step_names.py"]
    assert paths("classic", "CreateModel") == [
        "steps/specs/sklearn_model_spec.py", "steps/builders/builder_sklearn_model_step.py",
        "steps/configs/config_sklearn_model_step.py", "registry/step_names.py"]
    assert paths("interface", "Training") == [
        "steps/scripts/sklearn_training.py", "steps/interfaces/sklearn_training.step.yaml",
        "steps/configs/config_sklearn_training_step.py", "steps/hyperparams/hyperparameters_sklearn_training.py"]
    assert paths("interface", "Transform") == [
        "steps/interfaces/score_transform.step.yaml", "steps/configs/config_score_transform_step.py"]
    assert [f.is_edit for f in generated[("classic", "Transform")].plan.files] == [False, False, False, True]


def test_the_training_config_extends_the_repos_training_base_and_holds_hyperparameters(generated: dict) -> None:
    text = (generated[("classic", "Training")].root / "steps/configs/config_sklearn_training_step.py").read_text()
    assert "from .config_training_step_base import TrainingStepConfigBase" in text
    assert "class SklearnTrainingConfig(TrainingStepConfigBase):" in text
    assert ("    hyperparameters: SklearnTrainingHyperparameters = Field(description=\"Settings passed to the "
            "training script.\")") in text
    assert "# ===== Tier 3: derived, exposed read-only =====" in text


def test_the_script_main_and_main_block_come_from_the_contract(generated: dict) -> None:
    text = (generated[("classic", "Processing")].root / "steps/scripts/feature_selection.py").read_text()
    assert "def main(input_paths, output_paths, environ_vars, job_args) -> Dict[str, object]:" in text
    block = text.split('if __name__ == "__main__":\n', 1)[1]
    assert block.splitlines() == [
        "    parser = argparse.ArgumentParser()",
        '    parser.add_argument("--job_type", type=str, required=True)',
        "    args, _ = parser.parse_known_args()",
        "",
        "    input_paths = {",
        '        "processed_data": "/opt/ml/processing/input/processed_data",',
        "    }",
        "    output_paths = {",
        '        "feature_selection_output": "/opt/ml/processing/output/feature_selection_output",',
        "    }",
        "    environ_vars = {",
        '        "LABEL_FIELD": os.environ.get("LABEL_FIELD"),',
        '        "TOP_K": os.environ.get("TOP_K", "10"),',
        "    }",
        "    main(input_paths, output_paths, environ_vars, args)",
    ]


def test_the_interface_file_has_variants_and_its_registry_block(generated: dict) -> None:
    text = (generated[("interface", "Transform")].root / "steps/interfaces/score_transform.step.yaml").read_text()
    assert "registry:\n  sagemaker_step_type: \"Transform\"\n" in text
    assert "variants:\n  calibration:\n    spec:\n      dependencies:\n        model:\n" in text
    assert "contract:\n  entry_point: null\n" in text


# ----------------------------------------------------------------------------- wiring


@pytest.mark.parametrize(("layout", "kind"), COMBOS)
def test_after_wiring_is_the_resolvers_pick_with_its_score(generated: dict, layout: str, kind: str) -> None:
    g = generated[(layout, kind)]
    case = CASES[kind]
    ix = index(load_project(g.root))
    consumers = [c for c in ix.consumers if c.step.name == case.name]
    assert consumers
    by_name = {w.dependency: w for w in g.plan.wiring}
    for consumer in consumers:
        for dep in consumer.spec.dependencies:
            res = resolve(dep, visible_providers(ix, consumer), consumer=consumer.ref)
            proposal = by_name[dep.logical_name]
            assert res.best is not None
            # a tie only with the same step of another scope (a step pack's copy) is no choice (as in CL303)
            assert [r for r in res.rivals if r.provider.step.name != res.best.provider.step.name] == []
            assert (res.best.provider.step.name, res.best.provider.output.logical_name, res.best.total) == (
                proposal.upstream_step, proposal.upstream_output, proposal.score)
            assert proposal.upstream_step in case.after
            assert (f"{case.name}.{proposal.dependency} <- {proposal.upstream_step}.{proposal.upstream_output} "
                    f"(score {proposal.score:.2f}): ") in g.plan.wiring_report()


def test_transform_wiring_report_lines(generated: dict) -> None:
    report = generated[("classic", "Transform")].plan.wiring_report().splitlines()
    assert [line.split(": type:")[0] for line in report] == [
        "ScoreTransform.model_name <- XGBoostModel.model_name (score 1.00)",
        "ScoreTransform.processed_data <- TabularPreprocessing.processed_data (score 1.00)",
    ]


# ----------------------------------------------------------------------------- builds


@dataclass
class Built:
    returncode: int
    stdout: str
    stderr: str


def _prepare_build(g: Generated, case: Case) -> None:
    """Add the new node after its upstream nodes to dag.json and its config to config.json."""
    dag_path = g.root / "pipeline/dag.json"
    dag = json.loads(dag_path.read_text())
    dag["nodes"].append(case.node)
    dag["edges"] += [[up, case.node] for up in case.upstream_nodes]
    dag_path.write_text(json.dumps(dag, indent=2) + "\n")
    subprocess.run([sys.executable, str(CONFIG_HELPER), g.root.name, case.name, snake_step_name(case.name),
                    case.node, json.dumps(case.config)], cwd=g.root.parent, check=True, capture_output=True,
                   text=True, timeout=300)


@pytest.fixture(scope="module")
def builds(generated: dict) -> dict[tuple[str, str], Built]:
    running = {}
    for combo in BUILT:
        g = generated[combo]
        _prepare_build(g, CASES[combo[1]])
        cmd = [sys.executable, "-m", "cursus_lint.cli", "build", "--dag", "pipeline/dag.json", "--config",
               "pipeline/config.json", "--repo", ".", "--definition", "definition.json", "--explain",
               "--timeout", "300"]
        running[combo] = subprocess.Popen(cmd, cwd=g.root, env=dict(os.environ), stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True)
    out: dict[tuple[str, str], Built] = {}

    def wait(combo: tuple[str, str], proc: subprocess.Popen) -> None:
        stdout, stderr = proc.communicate(timeout=600)
        out[combo] = Built(proc.returncode, stdout, stderr)

    threads = [threading.Thread(target=wait, args=item) for item in running.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("layout", "kind"), BUILT)
def test_a_dag_with_the_new_step_after_its_upstream_builds(generated: dict, builds: dict, layout: str,
                                                            kind: str) -> None:
    b, g, case = builds[(layout, kind)], generated[(layout, kind)], CASES[kind]
    assert b.returncode == 0, b.stdout + b.stderr
    assert b.stdout.rstrip().splitlines()[-1].startswith("All checks passed: ")
    definition = json.loads((g.root / "definition.json").read_text())
    # a ModelStep names its CreateModel step "<node>-CreateModel"
    assert {case.node, f"{case.node}-CreateModel"} & {s["Name"] for s in definition["Steps"]}
    lines = b.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{case.node}: {case.name}Config -> "))
    wired = [line.strip() for line in lines[start + 1:] if line.startswith("    ")]
    by_up = dict(zip(case.after, case.upstream_nodes, strict=True)) if len(case.after) == len(case.upstream_nodes) \
        else {case.after[0]: case.upstream_nodes[0]}
    expected = [f"{w.dependency} <- {by_up[w.upstream_step]}.{w.upstream_output} (score {w.score:.2f})"
                for w in g.plan.wiring]
    assert wired[:len(expected)] == expected


# ----------------------------------------------------------------------------- cli and safety


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_fixture("classic", tmp_path / "repo")
    before = _tree(root)
    assert main(["new-step", "FeatureSelection", "--type", "Processing", "--after", "TabularPreprocessing",
                 "--dry-run", str(root)]) == 0
    out = capsys.readouterr().out
    assert _tree(root) == before
    assert "--- /dev/null\n+++ b/steps/scripts/feature_selection.py\n@@ -0,0 +1,47 @@\n" in out
    assert "--- a/registry/step_names.py\n+++ b/registry/step_names.py\n" in out
    assert ("FeatureSelection.processed_data <- TabularPreprocessing.processed_data (score 1.00): type: "
            "'processing_output' is 'processing_output' (+0.25);") in out
    assert out.endswith("Dry run: 6 file(s) planned for FeatureSelection (classic layout), nothing written.\n")


def test_existing_files_are_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_fixture("classic", tmp_path / "repo")
    plan = plan_new_step(root, NewStepRequest("FeatureSelection", "Processing", after=("TabularPreprocessing",)))
    spec = root / "steps/specs/feature_selection_spec.py"
    spec.write_text("# mine\n")
    before = _tree(root)
    with pytest.raises(ScaffoldError, match=r"^refusing to overwrite existing file "
                                            r"steps/specs/feature_selection_spec\.py$"):
        write_plan(root, plan)
    assert _tree(root) == before  # not even the files planned before it
    with pytest.raises(ScaffoldError, match=r"^refusing to overwrite existing file "
                                            r"steps/specs/feature_selection_spec\.py$"):
        plan_new_step(root, NewStepRequest("FeatureSelection", "Processing"))  # a preview says so too
    assert main(["new-step", "FeatureSelection", "--type", "Processing", str(root)]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: refusing to overwrite existing file "
                                       "steps/specs/feature_selection_spec.py\n")
    assert _tree(root) == before


def test_a_missing_option_is_exit_2_when_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_fixture("classic", tmp_path / "repo")
    assert main(["new-step", "FeatureSelection", str(root)]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: missing --type (standard input is not a terminal, "
                                       "so it cannot be asked for)\n")
    assert main(["new-step", "--type", "Processing"]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: missing NAME (standard input is not a terminal, "
                                       "so it cannot be asked for)\n")


def test_missing_options_are_asked_for_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_fixture("interface", tmp_path / "repo")
    monkeypatch.setattr(cli_module, "_stdin_is_tty", lambda: True)
    result = CliRunner().invoke(cli, ["new-step", "--after", "XGBoostTraining", str(root)],
                                input="SklearnModel\nCreateModel\n")
    assert result.exit_code == 0, result.output
    assert "Step name (PascalCase): SklearnModel\n" in result.output
    assert (root / "steps/interfaces/sklearn_model.step.yaml").is_file()


@pytest.mark.parametrize(("request_", "message"), [
    (NewStepRequest("FeatureSelection", "Tuning"),
     "unknown SageMaker step type 'Tuning'; expected one of Processing, Training, CreateModel, Transform"),
    (NewStepRequest("feature_selection", "Processing"),
     "step name 'feature_selection' is not PascalCase (like 'FeatureSelection')"),
    (NewStepRequest("CurrencyConversion", "Processing"), "step 'CurrencyConversion' already exists in the registry"),
    (NewStepRequest("FeatureSelection", "Processing", after=("TabularPreproc",)),
     "unknown --after step 'TabularPreproc'; known steps: BatchTransform, CurrencyConversion"),
    (NewStepRequest("SklearnModel", "CreateModel", after=("TabularPreprocessing",)),
     "--after step 'TabularPreprocessing' has no output a CreateModel step can take (its outputs: processed_data)"),
    (NewStepRequest("SklearnModel", "CreateModel", env=("A",)),
     "--env needs a script: a CreateModel step has no script contract"),
    (NewStepRequest("FeatureSelection", "Processing", env=("lower",)),
     "env var 'lower' must be NAME or NAME=default with an upper-case NAME"),
    (NewStepRequest("FeatureSelection", "Processing", job_types=("Training",)),
     "job type 'Training' must be lower-case letters and digits (like 'training')"),
    (NewStepRequest("FeatureSelection", "Processing", inputs=("a", "a")), "input 'a' is given twice"),
])
def test_bad_requests_are_one_clear_error(request_: NewStepRequest, message: str) -> None:
    with pytest.raises(ScaffoldError) as info:
        plan_new_step(SOURCES["classic"], request_)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


# ----------------------------------------------------------------------------- registry edit

_ROW = {"config_class": "NewConfig", "sagemaker_step_type": "Processing"}


def test_the_registry_row_keeps_the_files_formatting() -> None:
    text = ("# registry\nSTEP_NAMES = {\n  'Old': {'config_class': 'OldConfig'},  # kept\n}\n\nOTHER = 1\n")
    assert add_registry_row(text, "New", _ROW, "r.py") == (
        "# registry\nSTEP_NAMES = {\n  'Old': {'config_class': 'OldConfig'},  # kept\n"
        "  'New': {\n    'config_class': 'NewConfig',\n    'sagemaker_step_type': 'Processing',\n  },\n"
        "}\n\nOTHER = 1\n")


def test_the_registry_row_adds_a_missing_trailing_comma() -> None:
    text = 'STEP_NAMES = {\n    "Old": {"config_class": "OldConfig"}\n}\n'
    assert add_registry_row(text, "New", _ROW, "r.py") == (
        'STEP_NAMES = {\n    "Old": {"config_class": "OldConfig"},\n    "New": {\n'
        '        "config_class": "NewConfig",\n'
        '        "sagemaker_step_type": "Processing",\n    },\n}\n')


def test_a_computed_registry_is_an_error_not_a_guess() -> None:
    with pytest.raises(ScaffoldError, match=r"^STEP_NAMES in r\.py is computed, not a literal dict; add the 'New' "
                                            r"entry by hand$"):
        add_registry_row("STEP_NAMES = get_step_names()\n", "New", _ROW, "r.py")


def test_without_after_each_input_is_matched_across_the_repo(tmp_path: Path) -> None:
    root = copy_fixture("classic", tmp_path / "repo")
    before = findings(root)
    plan = plan_new_step(root, NewStepRequest("FeatureSelection", "Processing", inputs=("data_input",)))
    assert [(w.dependency, w.upstream_step, w.upstream_output, w.score) for w in plan.wiring] == [
        ("data_input", "TabularPreprocessing", "processed_data", 0.93)]
    write_plan(root, plan)
    assert findings(root) == before
    spec = (root / "steps/specs/feature_selection_spec.py").read_text()
    assert '            compatible_sources=["TabularPreprocessing"],\n' in spec
