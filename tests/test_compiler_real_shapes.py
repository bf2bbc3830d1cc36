"""Dry-run builds of shapes real cursus projects have, reproduced on copies of the example repo.

Each test edits a copy the way a real project differs: a builder that matches its dependencies
itself (cursus's ``extract_inputs_from_dependencies``), a DAG source node whose builder supplies a
required input from its config (cursus's DummyDataLoading), and a config class that resolves its
source dir from the working directory once and keeps the answer (cursus's hybrid resolution).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cursus_core.compiler import BuildProblem, DryRunResult, dry_run, require_build_extra
from cursus_core.compiler.assembler import SOURCE_NODE_REASON

require_build_extra()

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "example_repo"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _run(root: Path, source_root: Path | None = None) -> DryRunResult:
    return dry_run(root / "pipeline" / "dag.json", root / "pipeline" / "config.json", root, source_root=source_root)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1))


def _make_source_node(root: Path, node: str) -> None:
    """Drop the DAG edges into ``node``: it has no upstream step left."""
    dag_path = root / "pipeline" / "dag.json"
    dag = json.loads(dag_path.read_text())
    kept = [edge for edge in dag["edges"] if edge[1] != node]
    assert len(kept) < len(dag["edges"]), f"no edge leads into {node}"
    dag["edges"] = kept
    dag_path.write_text(json.dumps(dag))


def _inputs(result: DryRunResult, step: str) -> dict[str, object]:
    assert result.definition is not None
    [found] = [s for s in result.definition["Steps"] if s["Name"] == step]
    return {i["InputName"]: i["S3Input"]["S3Uri"] for i in found["Arguments"]["ProcessingInputs"]}


def test_a_builders_own_match_of_an_unwired_optional_input_is_not_passed(tmp_path: Path) -> None:
    # cursus's builders merge what they match on `dependencies` under the inputs they are given; the
    # match is a {"Get": ...} dict, which sagemaker cannot render as an S3 source
    root = _copy(tmp_path)
    builder = root / "steps" / "builders" / "builder_package_step.py"
    _edit(builder, "inputs=self._get_inputs(self._resolve_inputs(kwargs)),",
          "inputs=self._get_inputs({**self.extract_inputs_from_dependencies(dependencies), "
          "**kwargs.get('inputs', {})}),")
    builder.write_text(builder.read_text() + (
        "\n    def extract_inputs_from_dependencies(self, dependency_steps):\n"
        "        first = dependency_steps[0].name\n"
        "        return {'model_input': {'Get': f'Steps.{first}.ModelArtifacts.S3ModelArtifacts'},\n"
        "                'inference_scripts_input': {'Get': f'Steps.{first}.OutputDataConfig.S3OutputPath'}}\n"))
    result = _run(root)
    assert result.problems == []
    inputs = _inputs(result, "Package")
    # the wired input keeps the compiler's value; the unwired one falls back to the builder's own default
    assert inputs["model_input"] == {"Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"}
    assert inputs["inference_scripts_input"] == (
        "s3://cursus-dry-run-bucket/risk-ml-OrderRisk-xgboost-NA/Package/input/inference_scripts_input")
    [unwired] = result.report.node("Package").unwired
    assert unwired.dependency == "inference_scripts_input"
    assert unwired.reason.endswith(
        "; the builder's own dependency matching picked Steps.XGBoostTraining.OutputDataConfig.S3OutputPath; "
        "not passed, only inputs wired here are")


def test_a_source_nodes_required_input_is_left_to_its_builder(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _make_source_node(root, "TabularPreprocessing_training")
    builder = root / "steps" / "builders" / "builder_tabular_preprocessing_step.py"
    _edit(builder, '        """One ProcessingInput per dependency, mounted at the contract\'s container path."""\n',
          '        """From the config when no step provides it."""\n'
          '        inputs = {"DATA": "s3://example-bucket/raw/orders", **inputs}\n')
    result = _run(root)
    assert result.problems == []
    assert _inputs(result, "TabularPreprocessing_training")["DATA"] == "s3://example-bucket/raw/orders"
    unwired = result.report.node("TabularPreprocessing_training").unwired
    assert [(u.dependency, u.required, u.reason, u.candidates) for u in unwired] == [
        ("DATA", True, SOURCE_NODE_REASON, ()),
        ("SIGNATURE", False, "no provider has an output whose type can satisfy 'processing_output'", ())]


def test_a_source_node_whose_builder_lacks_the_input_fails_in_create_step(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _make_source_node(root, "TabularPreprocessing_training")
    builder = root / "steps" / "builders" / "builder_tabular_preprocessing_step.py"
    result = _run(root)
    assert result.definition is None
    line = next(i for i, text in enumerate(builder.read_text().splitlines(), 1)
                if "raise ValueError(f\"Required input" in text)
    assert result.problems == [BuildProblem(
        "builder-exception", "TabularPreprocessingStepBuilder raised in create_step for node "
                             "'TabularPreprocessing_training': ValueError: Required input 'DATA' not provided",
        "TabularPreprocessing_training", builder, line)]


def test_configs_resolving_their_source_dir_from_the_working_directory_see_the_project(tmp_path: Path) -> None:
    # cursus resolves a relative source_dir from the working directory the first time it is asked and
    # keeps the answer; loaded at the repo root, it would pick the repo's same-named folder
    root = _copy(tmp_path)
    project = root / "projects" / "orders"
    shutil.copytree(root / "steps" / "scripts", project / "steps" / "scripts")
    (root / "steps" / "scripts" / "tabular_preprocessing.py").unlink()
    config = root / "steps" / "configs" / "config_tabular_preprocessing_step.py"
    _edit(config, "    _split_names: Optional[List[str]] = PrivateAttr(default=None)\n",
          "    _split_names: Optional[List[str]] = PrivateAttr(default=None)\n"
          "    _resolved: Optional[str] = PrivateAttr(default=None)\n\n"
          "    @property\n"
          "    def effective_processing_source_dir(self) -> Optional[str]:\n"
          "        import pathlib\n"
          "        if self._resolved is None:\n"
          "            here = pathlib.Path.cwd() / (self.processing_source_dir or self.source_dir)\n"
          "            self._resolved = str(here) if here.is_dir() else self.source_dir\n"
          "        return self._resolved\n\n"
          "    @model_validator(mode='after')\n"
          "    def _resolve_when_loaded(self) -> 'TabularPreprocessingConfig':\n"
          "        assert self.effective_processing_source_dir\n"
          "        return self\n")
    _edit(config, "field_validator", "field_validator, model_validator")
    result = _run(root, source_root=project)
    assert result.problems == []
    assert result.definition is not None
    # the repo's own steps/scripts has no tabular_preprocessing.py: found in the project, not CL808
    assert "tabular_preprocessing.py" in json.dumps(result.definition)
