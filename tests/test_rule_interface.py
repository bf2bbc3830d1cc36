"""The typed rule interface: ``@RULE.step`` / ``@RULE.file`` / ``@RULE.project`` decide what a
check receives, ``emitted_by`` marks rules without a check, and ``per_run`` memoises shared work."""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_lint.config import load_config
from cursus_lint.diagnostic import Severity
from cursus_lint.engine import Engine
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel, StepModel, per_run
from cursus_lint.rule import FileCheck, ProjectCheck, Rule, StepCheck
from cursus_lint.rules import _examples
from cursus_lint.rules_index import all_rules

from .repo_helpers import write_repo

RULES = all_rules()


def rule(code: str) -> Rule:
    return Rule(code, f"probe-{code}", "probe", Severity.INFO, "")


def run(root: Path, rules: dict[str, Rule]) -> None:
    write_repo(root, _examples.repo(script=_examples.SCRIPT + "x = (\n"))
    Engine(load_config(root, set(RULES)), rules).run([root])


def test_each_decorator_hands_its_check_the_typed_model(tmp_path: Path) -> None:
    seen: dict[str, list] = {"step": [], "file": [], "project": []}
    step_rule, file_rule, project_rule = rule("CL103"), rule("CL701"), rule("CL303")

    @step_rule.step
    def on_step(step: StepModel, project: ProjectModel):
        seen["step"].append((type(step), type(project), step.name))
        return ()

    @file_rule.file
    def on_file(facts: FileFacts, project: ProjectModel):
        seen["file"].append((type(facts), facts.path.name))
        return ()

    @project_rule.project
    def on_project(project: ProjectModel):
        seen["project"].append(type(project))
        return ()

    assert (step_rule.scope, file_rule.scope, project_rule.scope) == ("step", "file", "project")
    assert isinstance(step_rule.check, StepCheck) and step_rule.check.run is on_step
    assert isinstance(file_rule.check, FileCheck) and isinstance(project_rule.check, ProjectCheck)
    run(tmp_path, {"CL103": step_rule, "CL701": file_rule, "CL303": project_rule})
    assert sorted(seen["step"]) == [(StepModel, ProjectModel, "Clean"), (StepModel, ProjectModel, "DataLoad")]
    assert seen["project"] == [ProjectModel]
    names = sorted(name for _, name in seen["file"])
    assert {t for t, _ in seen["file"]} == {FileFacts}
    # the script does not parse (CL901): file checks never see it; the other step files they do
    assert "clean.py" not in names and "clean_contract.py" in names and "step_names.py" in names


def test_a_rule_has_one_check_and_a_rule_without_one_says_who_reports_it() -> None:
    r = rule("CL103")
    r.step(lambda step, project: ())
    with pytest.raises(TypeError, match="one check"):
        r.project(lambda project: ())
    built = Rule("CL801", "x", "x", Severity.ERROR, "", emitted_by="build")
    with pytest.raises(TypeError):
        built.file(lambda facts, project: ())
    assert (built.scope, built.check) == ("build", None)
    assert Rule("CL905", "x", "x", Severity.ERROR, "", emitted_by="editor").scope == "editor"
    assert Rule("CL901", "x", "x", Severity.ERROR, "", emitted_by="engine").scope == "file"


def test_every_shipped_rule_has_exactly_one_of_check_and_emitted_by() -> None:
    for code, r in RULES.items():
        assert (r.check is None) != (r.emitted_by is None), code
    assert {c for c, r in RULES.items() if r.emitted_by == "engine"} == {"CL607", "CL901", "CL902", "CL903", "CL904"}
    assert {c for c, r in RULES.items() if r.emitted_by == "editor"} == {"CL905"}


def test_per_run_memoises_once_per_project_model() -> None:
    calls: list[int] = []

    @per_run
    def count_steps(project: ProjectModel) -> int:
        calls.append(len(project.steps))
        return len(project.steps)

    a = ProjectModel(catalog=None, files={}, steps=[], settings=None)  # type: ignore[arg-type]
    b = ProjectModel(catalog=None, files={}, steps=[], settings=None)  # type: ignore[arg-type]
    assert (count_steps(a), count_steps(a), count_steps(b)) == (0, 0, 0)
    assert calls == [0, 0]  # once for a, once for b


def test_the_project_model_has_no_untyped_scratch_dict() -> None:
    names = set(ProjectModel.__struct_fields__)  # a Struct (issue 13): its fields, in order
    assert "extra" not in names and {"registry_files", "pipeline"} <= names
