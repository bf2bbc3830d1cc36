"""CL605 workspace-step-conflict: two workspaces add a new step under the same name."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import repo
from ._registry_entries import registry_files

_WS = "development/projects/{}/src/cursus_dev/registry/workspace_registry.py"


def _workspace(description: str) -> str:
    return f'''\
WORKSPACE_STEPS = {{
    "Trim": {{
        "config_class": "TrimConfig",
        "builder_step_name": "TrimStepBuilder",
        "spec_type": "Trim",
        "sagemaker_step_type": "Processing",
        "description": "{description}",
    }},
}}
'''


_OTHER = _workspace("Trims outliers").replace('"Trim"', '"Winsorize"')

RULE = Rule(
    code="CL605",
    name="workspace-step-conflict",
    summary="The same new step name is defined in WORKSPACE_STEPS of two or more workspaces.",
    severity=Severity.WARNING,
    docs='''
## What it checks
A step name that is not in the core registry and appears in `WORKSPACE_STEPS` of two or more
workspaces. The finding is reported at each definition, pointing at the others.

## Why it matters
Workspaces are promoted into the core registry; two different steps under one name cannot both
be promoted, and a pipeline resolved without an explicit workspace picks one of them
arbitrarily (or refuses, in strict mode).

## Example
```python
# development/projects/alpha/.../workspace_registry.py
WORKSPACE_STEPS = {"Trim": {...}}
# development/projects/beta/.../workspace_registry.py
WORKSPACE_STEPS = {"Trim": {...}}        # CL605 in both files
```
Use instead:
```python
# beta
WORKSPACE_STEPS = {"Winsorize": {...}}
```

## How to fix
Agree on one implementation and name, or rename one of the steps (`TrimByQuantile`,
`Winsorize`) before either workspace is promoted.
''',
    bad=(Example(repo(extra={_WS.format("alpha"): _workspace("Drops outliers"),
                             _WS.format("beta"): _workspace("Clips outliers")}),
                 expect=((_WS.format("alpha"), 2), (_WS.format("beta"), 2))),),
    good=(Example(repo(extra={_WS.format("alpha"): _workspace("Drops outliers"), _WS.format("beta"): _OTHER})),),
)


def _span(project, definition):
    rf = registry_files(project).get(definition.source_path)
    table = rf.table("WORKSPACE_STEPS") if rf is not None else None
    entry = table.entries.get(definition.name) if table is not None else None
    return entry.key_span if entry is not None else None


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    for name, definitions in project.catalog.registry.get_step_conflicts().items():
        located = [(d, path, _span(project, d)) for d in definitions if (path := d.source_path) is not None]
        for d, path, span in located:
            others = [(o, p, s) for o, p, s in located if o is not d]
            names = ", ".join(f"'{o.workspace_id}'" for o, _, _ in others)
            yield RULE.report(
                path, span,
                f"step '{name}' of workspace '{d.workspace_id}' is also defined by workspace(s) {names}; "
                f"one name must mean one step before either is promoted",
                step=name,
                related=[(p, s, f"'{name}' in workspace '{o.workspace_id}'") for o, p, s in others])
