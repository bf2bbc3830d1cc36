"""The same misalignment gives the same code in the classic and the interface layout.

Each case breaks one thing in a copy of ``fixtures/example_repo`` (Python contract/spec/builder)
and the same thing in a copy of ``fixtures/interface_repo`` (``.step.yaml``), then asserts the
finding, with its exact path and line: in the interface layout the line is the YAML key or value
where the broken thing is written.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules_index import all_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLASSIC, INTERFACE = "example_repo", "interface_repo"
TP_SCRIPT = "steps/scripts/tabular_preprocessing.py"
TP_YAML = "steps/interfaces/tabular_preprocessing.step.yaml"
TP_CONTRACT = "steps/contracts/tabular_preprocessing_contract.py"
TP_TRAIN_SPEC = "steps/specs/tabular_preprocessing_training_spec.py"
TP_BUILDER = "steps/builders/builder_tabular_preprocessing_step.py"
TP_CONFIG = "steps/configs/config_tabular_preprocessing_step.py"
SIG_PATH = ('"SIGNATURE": "/opt/ml/processing/input/signature"', '"SIGNATURE": "/opt/ml/processing/input/sig"')
MODE_ARG = ("    args = parser.parse_args()",
            '    parser.add_argument("--mode", default="a")\n    args = parser.parse_args()')
YAML_JOB_ARG = "    - flag: --job_type\n      source: job_type\n"


@dataclass(frozen=True)
class Layout:
    edits: tuple[tuple[str, str, str], ...]  # (file, old text, new text): old must occur once or first
    where: tuple[str, str]  # (file, text on the expected line; first line holding it after the edits)
    after: str = ""  # the expected line comes after the first line holding this text (a YAML section)


@dataclass(frozen=True)
class Case:
    code: str
    classic: Layout
    interface: Layout


CASES = [
    Case("CL101",  # the contract's entry point names a script that is not in the scripts directory
         Layout((("steps/contracts/tabular_preprocessing_contract.py", 'entry_point="tabular_preprocessing.py"',
                  'entry_point="tabular_prep.py"'),),
                ("steps/contracts/tabular_preprocessing_contract.py", "entry_point=")),
         Layout(((TP_YAML, "entry_point: tabular_preprocessing.py", "entry_point: tabular_prep.py"),),
                (TP_YAML, "entry_point: tabular_prep.py"))),
    Case("CL103",  # the contract stops declaring an env var the script reads
         Layout((("steps/contracts/tabular_preprocessing_contract.py", 'required_env_vars=["LABEL_FIELD"]',
                  "required_env_vars=[]"),), (TP_SCRIPT, 'environ_vars["LABEL_FIELD"]')),
         Layout(((TP_YAML, "required: [LABEL_FIELD]", "required: []"),), (TP_SCRIPT, 'environ_vars["LABEL_FIELD"]'))),
    Case("CL105",  # the script reads a logical name the contract does not have
         Layout(((TP_SCRIPT, 'output_paths["processed_data"]', 'output_paths["processed"]'),),
                (TP_SCRIPT, 'output_paths["processed"]')),
         Layout(((TP_SCRIPT, 'output_paths["processed_data"]', 'output_paths["processed"]'),),
                (TP_SCRIPT, 'output_paths["processed"]'))),
    Case("CL102",  # the script uses a container path the contract does not declare
         Layout(((TP_SCRIPT, *SIG_PATH),), (TP_SCRIPT, SIG_PATH[1])),
         Layout(((TP_SCRIPT, *SIG_PATH),), (TP_SCRIPT, SIG_PATH[1]))),
    Case("CL108",  # the script parses an argument the contract does not declare
         Layout(((TP_SCRIPT, *MODE_ARG),), (TP_SCRIPT, 'add_argument("--mode"')),
         Layout(((TP_SCRIPT, *MODE_ARG),), (TP_SCRIPT, 'add_argument("--mode"'))),
    Case("CL109",  # the contract declares an argument the script never parses (job_arguments in a .step.yaml)
         Layout(((TP_CONTRACT, '"job_type": "training",\n', '"job_type": "training",\n        "mode": "a",\n'),),
                (TP_CONTRACT, '"mode": "a"')),
         Layout(((TP_YAML, YAML_JOB_ARG, YAML_JOB_ARG + "    - flag: --mode\n      source: job_type\n"),),
                (TP_YAML, "flag: --mode"))),
    Case("CL201",  # the contract gains an input no spec dependency matches
         Layout((("steps/contracts/tabular_preprocessing_contract.py", '"DATA": "/opt/ml/processing/input/data",',
                  '"DATA": "/opt/ml/processing/input/data",\n'
                  '        "EXTRA": "/opt/ml/processing/input/data/extra",'),),
                ("steps/specs/tabular_preprocessing_training_spec.py", "dependencies=[")),  # the spec's list
         Layout(((TP_YAML, "  inputs:\n", "  inputs:\n    EXTRA:\n      path: /opt/ml/processing/input/data/extra\n"),),
                (TP_YAML, "  dependencies:"))),
    Case("CL204",  # the spec gains an output the contract does not have
         Layout(((TP_TRAIN_SPEC, "    outputs=[\n",
                  '    outputs=[\n        OutputSpec(\n            logical_name="report",\n'
                  "            output_type=DependencyType.PROCESSING_OUTPUT,\n"
                  "            property_path=\"properties.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri\",\n"
                  "        ),\n"),), (TP_TRAIN_SPEC, "OutputSpec(")),
         Layout(((TP_YAML, "  outputs:\n    processed_data:\n      type",
                  "  outputs:\n    report:\n      type: processing_output\n      property_path: "
                  "properties.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri\n"
                  "    processed_data:\n      type"),),
                (TP_YAML, "    report:"))),
    Case("CL205",  # a property path names another output
         Layout((("steps/specs/tabular_preprocessing_training_spec.py", "Outputs['processed_data']",
                  "Outputs['model_data']"),),
                ("steps/specs/tabular_preprocessing_training_spec.py", "Outputs['model_data']")),
         Layout(((TP_YAML, "Outputs['processed_data']", "Outputs['model_data']"),),
                (TP_YAML, "Outputs['model_data']"))),
    Case("CL301",  # a compatible source names no step
         Layout((("steps/specs/tabular_preprocessing_training_spec.py", 'compatible_sources=["DataLoading"]',
                  'compatible_sources=["DataLoadingg"]'),),
                ("steps/specs/tabular_preprocessing_training_spec.py", '"DataLoadingg"')),
         Layout(((TP_YAML, "compatible_sources: [DataLoading]", "compatible_sources: [DataLoadingg]"),),
                (TP_YAML, "DataLoadingg"))),
    Case("CL302",  # a required dependency's type is one no compatible source produces
         Layout(((TP_TRAIN_SPEC, "dependency_type=DependencyType.PROCESSING_OUTPUT",
                  "dependency_type=DependencyType.HYPERPARAMETERS"),), (TP_TRAIN_SPEC, 'logical_name="DATA"')),
         Layout(((TP_YAML, "    DATA:\n      type: processing_output", "    DATA:\n      type: hyperparameters"),),
                (TP_YAML, "    DATA:"), after="spec:")),
    Case("CL401",  # the builder (template) reads a config attribute the config class lacks
         Layout((("steps/builders/builder_tabular_preprocessing_step.py", "self.config.processing_framework_version",
                  "self.config.processing_framework_versoin"),),
                ("steps/builders/builder_tabular_preprocessing_step.py", "processing_framework_versoin")),
         Layout(((TP_YAML, "framework_version_field: processing_framework_version",
                  "framework_version_field: processing_framework_versoin"),),
                (TP_YAML, "processing_framework_versoin"))),
    Case("CL402",  # the required LABEL_FIELD is no longer set (builder code / the config's own env collector)
         Layout(((TP_BUILDER, '        env_vars["LABEL_FIELD"] = self.config.label_name\n', ""),),
                (TP_BUILDER, "def _get_environment_variables")),
         Layout(((TP_CONFIG, 'values = {"LABEL_FIELD": self.label_name, "TRAIN_RATIO": str(self.train_ratio),\n'
                  '                  "TEST_VAL_RATIO": str(self.test_val_ratio)}\n'
                  "        return {name: values[name] for name in names if name in values}",
                  'return {"TRAIN_RATIO": str(self.train_ratio), "TEST_VAL_RATIO": str(self.test_val_ratio)}'),),
                (TP_YAML, "required: [LABEL_FIELD]"))),
]


def _copy(name: str, dest: Path, layout: Layout) -> Path:
    root = dest / name
    shutil.copytree(FIXTURES / name, root)
    for rel, old, new in layout.edits:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def _line_of(root: Path, rel: str, needle: str, after: str = "") -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines, 1) if after in line) if after else 0
    return next(i for i, line in enumerate(lines, 1) if i > start and needle in line)


def _hits(root: Path, code: str) -> set[tuple[str, int]]:
    settings = load_config(root, set(all_rules()))
    result = Engine(settings).run([root])
    return {(d.location.path.relative_to(root).as_posix(), d.location.line)
            for d in result.diagnostics if d.code == code}


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
@pytest.mark.parametrize("which", [CLASSIC, INTERFACE])
def test_same_misalignment_same_code(case: Case, which: str, tmp_path: Path) -> None:
    layout = case.classic if which == CLASSIC else case.interface
    root = _copy(which, tmp_path, layout)
    rel, needle = layout.where
    assert (rel, _line_of(root, rel, needle, layout.after)) in _hits(root, case.code)


@pytest.mark.parametrize("which", [CLASSIC, INTERFACE])
def test_unbroken_copies_have_none_of_these_codes(which: str, tmp_path: Path) -> None:
    root = _copy(which, tmp_path, Layout((), ("", "")))
    settings = load_config(root, set(all_rules()))
    codes = {d.code for d in Engine(settings).run([root]).diagnostics}
    assert codes.isdisjoint({c.code for c in CASES})


def test_variant_merge_is_checked_per_job_type(tmp_path: Path) -> None:
    """A variant that renames a dependency breaks contract = spec only for that job type."""
    layout = Layout(((TP_YAML, "  calibration:\n    spec:\n      dependencies:\n        SIGNATURE:\n",
                      "  calibration:\n    spec:\n      dependencies:\n        SIGNATURES:\n"
                      "          type: processing_output\n"
                      "        SIGNATURE:\n"),), (TP_YAML, "SIGNATURES:"))
    root = _copy(INTERFACE, tmp_path, layout)
    settings = load_config(root, set(all_rules()))
    diagnostics = [d for d in Engine(settings).run([root]).diagnostics if d.code.startswith("CL2")]
    found = [(d.code, d.location.path.relative_to(root).as_posix(), d.location.line) for d in diagnostics]
    messages = [d.message for d in diagnostics]
    # reported once (only the calibration variant has it), at the key inside the variant block
    assert found == [("CL202", TP_YAML, _line_of(root, TP_YAML, "SIGNATURES:"))]
    assert "'SIGNATURES'" in messages[0]


def test_a_computed_step_names_does_not_switch_registry_rules_off(tmp_path: Path) -> None:
    """cursus >= 2.5 computes STEP_NAMES from the interfaces: neither CL607 nor silence."""
    layout = Layout(((TP_YAML, "compatible_sources: [DataLoading]", "compatible_sources: [DataLoadingg]"),),
                    (TP_YAML, "DataLoadingg"))
    root = _copy(INTERFACE, tmp_path, layout)
    (root / "registry").mkdir()
    (root / "registry" / "step_names.py").write_text("from .loader import get_step_names\n\n"
                                                     "STEP_NAMES = get_step_names()\n", encoding="utf-8")
    settings = load_config(root, set(all_rules()))
    found = sorted((d.code, d.location.path.relative_to(root).as_posix(), d.location.line)
                   for d in Engine(settings).run([root]).diagnostics if d.code != "CL007")
    assert found == [("CL301", TP_YAML, _line_of(root, TP_YAML, "DataLoadingg"))]


def _lint_files(root: Path, files: dict[str, str]) -> list[tuple[str, str, int]]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    settings = load_config(root, set(all_rules()))
    return sorted((d.code, d.location.path.relative_to(root).as_posix(), d.location.line)
                  for d in Engine(settings).run([root]).diagnostics)


def test_container_entrypoint_makes_declared_but_unused_unknowable(tmp_path: Path) -> None:
    """A BYO container runs ``compute.container_entrypoint``, not the script: a declared env var
    the script never reads may be read there (silent, counted); one the script reads but the
    contract lacks is still a finding."""
    from cursus_lint.rules import _examples as ex

    unused = ex.interface_edit("clean", '      SEPARATOR: ","\n', '      SEPARATOR: ","\n      EXTRA: "1"\n')
    assert _lint_files(tmp_path / "plain", ex.interface_repo(clean=unused)) == [
        ("CL107", ex.INTERFACE_PATHS["clean"], unused.splitlines().index('      EXTRA: "1"') + 1)]
    delegated = unused.replace("  kind: sklearn\n",
                               "  kind: byo_container\n  container_entrypoint: [bash, run.sh]\n", 1)
    # a BYO container needs an image (CL409): the config names one
    byo_config = ex.INTERFACE_CONFIG.replace('    separator: str = ","\n',
                                             '    separator: str = ","\n    image_uri: str = "repo/clean:1"\n')
    assert _lint_files(tmp_path / "byo", ex.interface_repo(clean=delegated, config=byo_config)) == []
    undeclared = delegated.replace("    required: [LABEL_FIELD]\n", "    required: []\n", 1)
    found = _lint_files(tmp_path / "byo2", ex.interface_repo(clean=undeclared, config=byo_config))
    assert found == [("CL103", ex.INTERFACE_PATHS["script"], ex.SCRIPT.splitlines().index(
        '    label = environ_vars["LABEL_FIELD"]') + 1)]


def test_the_processing_code_mount_is_a_platform_path(tmp_path: Path) -> None:
    from cursus_lint.rules import _examples as ex

    script = ex.SCRIPT.replace('OUTPUT_DIR = "/opt/ml/processing/output/clean"\n',
                               'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n'
                               'CODE_DIR = "/opt/ml/processing/input/code"\n'
                               'HELPERS = os.path.join(CODE_DIR, "helpers")\n', 1)
    assert _lint_files(tmp_path, ex.interface_repo(script=script)) == []
