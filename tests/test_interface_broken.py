"""Broken copies of the interface-layout example (fixtures/interface_broken/<case>): every finding,
exactly. Each case breaks one thing; the list is everything the whole rule set reports for it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cursus_core.catalog import StepCatalog
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules_index import all_rules

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "interface_broken"
CLEAN = "steps/interfaces/clean.step.yaml"

EXPECTED: dict[str, list[tuple[str, int, str, str]]] = {
    "unknown_key": [(CLEAN, 31, "CL001", "unknown key 'requried' in spec.dependencies.raw_data (did you mean "
                                         "'required'?)")],
    "wrong_type": [(CLEAN, 31, "CL002", "spec.dependencies.raw_data.required must be a boolean, found a string")],
    "invalid_enum": [(CLEAN, 4, "CL003", "registry.sagemaker_step_type is 'Procesing', not one of:")],
    "dead_key": [(CLEAN, 41, "CL004", "'variants.calibration.step_type' is never read by cursus")],
    "file_name": [("steps/interfaces/cleaning.step.yaml", 1, "CL005",
                   "file name 'cleaning.step.yaml' does not match step_type 'Clean' (expected 'clean.step.yaml')")],
    "duplicate_step_type": [
        ("steps/interfaces/clean_copy.step.yaml", 1, "CL005", "file name 'clean_copy.step.yaml' does not match"),
        ("steps/interfaces/clean_copy.step.yaml", 1, "CL006", "step_type 'Clean' is also declared in clean.step.yaml"),
    ],
    "pack_shadowing": [("projects/team/step_pack/interfaces/clean.step.yaml", 1, "CL007",
                        "step pack interface for 'Clean' shadows the package step of the same name")],
    "yaml_error": [(CLEAN, 21, "CL008", "YAML syntax error: while parsing a flow sequence")],
    "undeclared_input_reference": [(CLEAN, 8, "CL009", "patterns.direct_input_keys names 'raw_dat', which is not "
                                                       "a contract input (did you mean 'raw_data'?)")],
    "deprecated_key": [(CLEAN, 6, "CL010", "'registry.step_assembly' is deprecated; use patterns.step_assembly")],
    # the output path moved out of the container: the script's constant is now undeclared too
    "container_path": [
        (CLEAN, 19, "CL011", "contract.outputs.clean_data.path '/tmp/clean' does not start with a SageMaker "
                             "container path"),
        ("steps/scripts/clean.py", 22, "CL102", "script uses container path '/opt/ml/processing/output/clean' that "
                                                "contract 'clean.step.yaml' does not declare"),
    ],
    # a pack in a configured directory (interface-dirs = ["packs/team"], not called step_pack): its
    # scripts belong to its interfaces, so L1 compares them exactly as in the package layout
    "configured_pack": [
        ("packs/team/interfaces/score.step.yaml", 12, "CL101", "contract 'score.step.yaml' entry_point 'score.py' "
                                                              "names no existing script 'score.py'"),
        ("packs/team/scripts/enrich.py", 9, "CL103", "script reads env var 'REGION' that contract "
                                                     "'enrich.step.yaml' does not declare"),
    ],
}


def test_every_case_directory_is_listed() -> None:
    assert sorted(p.name for p in BROKEN.iterdir() if p.is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_case_reports_exactly(case: str) -> None:
    root = BROKEN / case
    settings = load_config(root, set(all_rules()))
    result = Engine(settings).run([root])
    found = sorted((d.location.path.relative_to(root).as_posix(), d.location.line, d.code, d.message)
                   for d in result.diagnostics)
    expected = sorted(EXPECTED[case])
    assert [(p, line, code) for p, line, code, _ in found] == [(p, line, code) for p, line, code, _ in expected]
    for (_, _, _, message), (_, _, _, start) in zip(found, expected, strict=True):
        assert message.startswith(start), (message, start)


def test_shadowing_finding_points_at_the_package_step() -> None:
    root = BROKEN / "pack_shadowing"
    settings = load_config(root, set(all_rules()))
    (d,) = Engine(settings).run([root]).diagnostics
    assert d.severity.value == "warning"
    assert [(r.location.path.relative_to(root).as_posix(), r.location.line) for r in d.related] == [(CLEAN, 1)]


def test_configured_pack_is_one_scope_with_its_scripts_and_configs() -> None:
    """Each pack step has its own script and config (no second, script-only step in the package
    scope), and a missing entry point is looked for in the pack's and the package's scripts."""
    root = BROKEN / "configured_pack"
    settings = load_config(root, set(all_rules()))
    result = Engine(settings).run([root])
    catalog = StepCatalog(root, interface_dirs=settings.interface_paths)
    steps = {(s.workspace_id, s.name): s for s in catalog.iter_steps()}
    assert set(steps) == {(None, "Clean"), (None, "DataLoad"), ("team", "Enrich"), ("team", "Score")}
    enrich = steps[("team", "Enrich")]
    assert (enrich.script, enrich.config) == (root / "packs/team/scripts/enrich.py",
                                              root / "packs/team/configs/config_enrich_step.py")
    (cl101,) = [d for d in result.diagnostics if d.code == "CL101"]
    assert [(r.location.path.relative_to(root).as_posix(), r.message) for r in cl101.related] == [
        ("packs/team/scripts", "no 'score.py' in this scripts directory"),
        ("steps/scripts", "no 'score.py' in this scripts directory")]


def test_bare_interface_directory_in_the_repo_root_is_checked_by_cl101(tmp_path: Path) -> None:
    """``interface-dirs = ["ifaces"]`` names a bare directory of interfaces at the top of the repo:
    its home is the repo itself, which must not become the pack's scope (that would pull every
    package step into it); the entry point is looked for in ``<repo>/scripts`` and, as for any
    pack, in the package's scripts."""
    root = tmp_path / "repo"
    shutil.copytree(BROKEN / "configured_pack", root)
    (root / "ifaces").mkdir()
    shutil.move(root / "packs/team/interfaces/score.step.yaml", root / "ifaces" / "score.step.yaml")
    (root / "scripts").mkdir()
    (root / "pyproject.toml").write_text('[tool.cursus-lint]\ninterface-dirs = ["packs/team", "ifaces"]\n',
                                         encoding="utf-8")
    settings = load_config(root, set(all_rules()))
    found = [(d.location.path.relative_to(root).as_posix(), d.location.line, d.message,
              [r.location.path.relative_to(root).as_posix() for r in d.related])
             for d in Engine(settings).run([root]).diagnostics if d.code == "CL101"]
    assert found == [("ifaces/score.step.yaml", 12, "contract 'score.step.yaml' entry_point 'score.py' names no "
                      "existing script 'score.py'", ["scripts", "steps/scripts"])]
