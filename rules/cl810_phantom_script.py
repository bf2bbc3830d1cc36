"""CL810 phantom-script: a DAG node runs no script although its step has a script contract."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._pipeline import CONFIG, edit_json, pipeline_repo, step_model, used_configs

_NO_ENTRY = edit_json(CONFIG, '"processing_entry_point": "clean.py"', '"processing_entry_point": null')

RULE = Rule(
    code="CL810",
    name="phantom-script",
    summary="A DAG node's config names no entry point, so it is not a script step, yet its step has a script "
            "contract.",
    severity=Severity.INFO,
    docs='''
## What it checks
Only a node whose saved config names an entry point (`processing_entry_point`,
`training_entry_point`, `inference_entry_point` or `script_path`, in its own section or in
`shared`) is a script step: script checks and runtime script tests apply to it, and CL808 checks
that its file exists. A node without one (a data loader running a prebuilt image, a model or
registration step) is not treated as a script step — no phantom script is assumed for it.

This rule reports the one suspicious case: the config saves its entry point as `null`, but the
repo has a script contract for the node's step that declares one. Either the config lost its
entry point (the step would run without the script the contract describes) or the contract is a
leftover. A config that saves no entry point field at all may get one from its class default,
so it is not judged.

It runs in `cursus-lint check` when `[tool.cursus-lint]` sets `pipeline-config` (and `dag`).

## Why it matters
Tools that assume every node has a script look for files that do not exist (phantom scripts)
and fail or test the wrong thing; tools that trust the config silently skip a script that
should run. Saying which nodes are script steps, and flagging the inconsistent ones, keeps both
honest.

## Example
```json
"specific": {"Clean": {..., "processing_entry_point": null}, ...}   // CLEAN_CONTRACT: entry_point="clean.py"
```
Use instead:
```json
"specific": {"Clean": {..., "processing_entry_point": "clean.py"}, ...}
```

## How to fix
Set the entry point in the config when the step runs the script; delete the contract (and the
script) when the step really runs without one.
''',
    bad=(Example(pipeline_repo(config=_NO_ENTRY), expect=(("pipeline/config.json", 7),)),),
    good=(Example(pipeline_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    facts = project.pipeline
    if facts is None:
        return
    for entry in used_configs(facts):
        assert facts.config_path is not None  # the entries were read from it
        if entry.entry_points:
            continue  # a script step: CL808 checks its file
        step = step_model(project, entry.name, entry.class_name)
        contract = step.contract if step is not None else None
        if contract is None or contract.entry_point is None:
            continue  # no script anywhere: not a script step, nothing assumed
        if not entry.null_entry_points:
            project.count_unknown("pipeline-entry-point-from-class-default")
            continue  # no entry point field saved: the config class may supply a default
        script = contract.entry_point.value
        if not isinstance(script, str):
            project.count_unknown("pipeline-contract-entry-point-not-literal")
            continue
        name = contract.variable or contract.class_name
        yield RULE.report(
            facts.config_path, entry.span,
            f"config '{entry.name}' names no entry point, so node '{entry.name}' is not a script step, but "
            f"contract '{name}' of step '{step.name}' declares entry point '{script}'",
            step=step.name,
            related=[(step.contract_file.path, contract.entry_point.value_span, f"'{name}' declares its script here")],
        )
