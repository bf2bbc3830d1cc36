"""CL606 override-of-missing-core-step: STEP_OVERRIDES replaces a step the core registry lacks."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import repo
from ._registry_entries import closest, core_entries, entries

_WS = "development/projects/alpha/src/cursus_dev/registry/workspace_registry.py"


def _overrides(name: str) -> str:
    return f'''\
STEP_OVERRIDES = {{
    "{name}": {{
        "config_class": "CleanConfig",
        "builder_step_name": "CleanStepBuilder",
        "spec_type": "Clean",
        "sagemaker_step_type": "Processing",
        "description": "Cleans raw data, dropping duplicates first",
    }},
}}
'''


RULE = Rule(
    code="CL606",
    name="override-of-missing-core-step",
    summary="A workspace's STEP_OVERRIDES entry names a step the core registry does not define.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every key of a workspace's `STEP_OVERRIDES` must be a step of the core `STEP_NAMES`. When the
repo has no core registry file of its own (it relies on one from a package), the rule stays
silent.

## Why it matters
An override replaces a core step for pipelines built from the workspace. Overriding a name the
core does not have replaces nothing: usually the core step was renamed, or the name is
misspelled, and the workspace silently keeps using the core behaviour it meant to change.

## Example
```python
STEP_OVERRIDES = {
    "Cleaner": {...},      # CL606: the core step is "Clean"
}
```
Use instead:
```python
STEP_OVERRIDES = {
    "Clean": {...},
}
```

## How to fix
Use the core step's exact registry key; if the step is new, move it to `WORKSPACE_STEPS`.
''',
    bad=(Example(repo(extra={_WS: _overrides("Cleaner")}), expect=((_WS, 2),)),),
    good=(Example(repo(extra={_WS: _overrides("Clean")})),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    overrides = [r for r in entries(project) if r.workspace_id is not None and r.table == "STEP_OVERRIDES"]
    if not overrides:
        return
    core = core_entries(project)
    if core is None:
        project.count_unknown("no-core-registry")
        return
    for ref in overrides:
        if ref.name in core:
            continue
        registry_file = project.catalog.core_registry_file
        assert registry_file is not None  # core_entries read the core table from it
        yield RULE.report(
            ref.path, ref.entry.key_span,
            f"STEP_OVERRIDES of workspace '{ref.workspace_id}' overrides '{ref.name}', which the core STEP_NAMES "
            f"does not define{closest(ref.name, core)}",
            step=ref.name, related=[(registry_file, None, "core STEP_NAMES")])
