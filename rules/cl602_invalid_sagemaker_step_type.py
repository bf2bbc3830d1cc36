"""CL602 invalid-sagemaker-step-type: a registry entry's sagemaker_step_type is not a known type."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_core.registry.core_table import VALID_SAGEMAKER_STEP_TYPES
from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._registry_entries import closest, entries

_TYPO = edit("registry", '"sagemaker_step_type": "Processing",\n        "description": "Cleans raw data"',
             '"sagemaker_step_type": "Proccessing",\n        "description": "Cleans raw data"')
_TRAINING = edit("registry", '"sagemaker_step_type": "Processing",\n        "description": "Cleans raw data"',
                 '"sagemaker_step_type": "Training",\n        "description": "Cleans raw data"')

RULE = Rule(
    code="CL602",
    name="invalid-sagemaker-step-type",
    summary="A registry entry's sagemaker_step_type is not one of the SageMaker step types the builders know.",
    severity=Severity.ERROR,
    docs='''
## What it checks
`sagemaker_step_type` of every registry entry (`STEP_NAMES`, `WORKSPACE_STEPS`,
`STEP_OVERRIDES`) must be one of: ''' + ", ".join(f"`{t}`" for t in sorted(VALID_SAGEMAKER_STEP_TYPES)) + '''.
Values that are not literals are left alone.

## Why it matters
The SageMaker step type decides which property paths a step's outputs may use and how the
compiler builds the step. An unknown type (often a typo) makes every check that depends on
it silently meaningless and fails the build.

## Example
```python
"Clean": {
    ...
    "sagemaker_step_type": "Proccessing",   # CL602
},
```
Use instead:
```python
    "sagemaker_step_type": "Processing",
```

## How to fix
Use the exact spelling of one of the valid types (they are case-sensitive).
''',
    bad=(Example(repo(registry=_TYPO), expect=(("registry/step_names.py", line_of(_TYPO, "Proccessing")),)),),
    good=(Example(repo()), Example(repo(registry=_TRAINING))),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    for ref in entries(project):
        value = ref.entry.fields.get("sagemaker_step_type")
        if not isinstance(value, str) or value in VALID_SAGEMAKER_STEP_TYPES:
            continue
        span = ref.entry.field_spans.get("sagemaker_step_type", ref.entry.key_span)
        yield RULE.report(ref.path, span,
                          f"{ref.where()} entry '{ref.name}' has sagemaker_step_type '{value}', which is not a "
                          f"known SageMaker step type{closest(value, VALID_SAGEMAKER_STEP_TYPES)}",
                          step=ref.name)
