"""CL508 spec-type-not-registry-key: a registry entry's spec_type differs from its key."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._classes import registry_span
from ._examples import edit, line_of, repo

_DRIFT = edit("registry", '"spec_type": "Clean",', '"spec_type": "Cleaning",')

RULE = Rule(
    code="CL508",
    name="spec-type-not-registry-key",
    summary="A registry entry's spec_type is not the entry's own key (the canonical step name).",
    severity=Severity.ERROR,
    docs='''
## What it checks
In `STEP_NAMES` (and workspace `WORKSPACE_STEPS` / `STEP_OVERRIDES`), each entry's `spec_type` must
equal its key: the canonical step name is also the specification's `step_type` (job-type variants
append `_Training` etc. to it).

## Why it matters
Dependency resolution matches `compatible_sources` and spec `step_type`s against registry keys and
maps spec types back to step names through `spec_type`. An entry whose `spec_type` differs from
its key makes the step unreachable under one of the two names: dependencies on it fail to resolve,
or resolve to the wrong step.

## Example
```python
STEP_NAMES = {
    "Clean": {..., "spec_type": "Cleaning", ...},      # CL508
}
```
Use instead:
```python
STEP_NAMES = {
    "Clean": {..., "spec_type": "Clean", ...},
}
```

## How to fix
Set `spec_type` to the key. If the step really was renamed, rename the key (and every
`compatible_sources` entry and spec `step_type` that uses it) instead.
''',
    bad=(Example(repo(registry=_DRIFT), expect=(("registry/step_names.py", line_of(_DRIFT, '"Clean": {')),)),),
    good=(Example(repo()),),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    reg = step.registry
    if reg is None or reg.spec_type == reg.name:
        return
    span = registry_span(step)
    if span is None:
        project.count_unknown("registry-not-in-repo")
        return
    assert reg.source_path is not None  # registry_span found the entry in its file
    related = []
    for variant in step.specs:
        ref = variant.spec.step_type
        if ref is not None and ref.base is not None:
            related.append((variant.path, ref.span, f"{variant.spec.variable or 'spec'} step_type here"))
    yield RULE.report(
        reg.source_path, span,
        f"registry entry '{reg.name}' has spec_type '{reg.spec_type}'; spec_type must equal the key '{reg.name}'",
        step=step.name, related=related,
    )
