"""CL503 spec-variable-suffix: module-level specification variables end in ``_SPEC``."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_LOWER = edit("spec", "CLEAN_SPEC = StepSpecification(", "clean_spec = StepSpecification(")
_BUILDER = edit("builder", "import CLEAN_SPEC", "import clean_spec").replace("spec=CLEAN_SPEC", "spec=clean_spec")
_FACTORY = edit("spec", "CLEAN_SPEC = StepSpecification(", "def _make():\n    spec = StepSpecification(")
_FACTORY = _FACTORY.replace("\n    ],\n)\n", "\n    ],\n    )\n    return spec\n\n\nCLEAN_SPEC = _make()\n")


def suggested(variable: str) -> str:
    upper = variable.upper()
    for tail in ("_SPECIFICATION", "SPECIFICATION", "_SPEC", "SPEC"):
        if upper.endswith(tail) and len(upper) > len(tail):
            upper = upper[: -len(tail)].rstrip("_")
            break
    return f"{upper}_SPEC"


RULE = Rule(
    code="CL503",
    name="spec-variable-suffix",
    summary="A module-level step specification variable does not end in '_SPEC'.",
    severity=Severity.WARNING,
    docs='''
## What it checks
A `StepSpecification(...)` assigned to a module-level variable is named `<STEP_NAME>_SPEC`
(upper case, `_SPEC` suffix), like `CLEAN_SPEC` or `CLEAN_TRAINING_SPEC`. Specifications built
inside functions are not judged.

## Why it matters
Builders import specs by name, and the catalog and dependency tooling recognise spec references by
the `_SPEC` suffix; a spec named otherwise is invisible to them and to readers.

## Example
```python
clean_spec = StepSpecification(step_type="Clean", ...)      # CL503
```
Use instead:
```python
CLEAN_SPEC = StepSpecification(step_type="Clean", ...)
```

## How to fix
Rename the variable to `<STEP_NAME>_SPEC` and update the imports that use it.
''',
    bad=(Example(repo(spec=_LOWER, builder=_BUILDER),
                 expect=(("steps/specs/clean_spec.py", line_of(_LOWER, "clean_spec = StepSpecification")),)),),
    good=(Example(repo()), Example(repo(spec=_FACTORY))),
)


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    definitions = facts.module.definitions if facts.module else {}
    for spec in facts.specs:
        name = spec.variable
        if name is None or name.endswith("_SPEC") or definitions.get(name) != spec.variable_span:
            continue
        yield RULE.report(
            facts.path, spec.variable_span,
            f"specification variable '{name}' should end in '_SPEC' (e.g. '{suggested(name)}')",
        )
