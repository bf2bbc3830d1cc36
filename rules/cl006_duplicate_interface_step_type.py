"""CL006 duplicate-interface-step-type: two .step.yaml files of one package or step pack declare the same step_type.

Reported from the located problems the interface layer (``cursus_core.interface``) finds while
reading, validating and cross-checking the ``.step.yaml`` files; see ``rules/_interface.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import CLEAN_INTERFACE, INTERFACE_PATHS, interface_edit, interface_repo, line_of  # noqa: F401
from ._interface import report_kinds

KINDS = frozenset({"duplicate-step-type"})



RULE = Rule(
    code="CL006",
    name="duplicate-interface-step-type",
    summary="Two .step.yaml files of one package or step pack declare the same step_type.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Within the package, and within each step pack, every `step_type` is declared by one file. The second
file is reported, with the first as related location.

## Why it matters
Only one of the two is ever loaded (the one whose file name matches), so edits to the other have no
effect, and which one wins depends on names, not intent.

## Example
```yaml
# steps/interfaces/clean_copy.step.yaml
step_type: Clean      # CL006: also declared in clean.step.yaml
```
Use instead:
```yaml
# one file per step: delete or rename the copy's step_type
```

## How to fix
Delete the stale copy, or give it the step_type it was meant to have.

## Known limits
A step pack declaring a package step is CL007, not a duplicate.
''',
    bad=(Example(interface_repo(extra={"steps/interfaces/clean_copy.step.yaml": CLEAN_INTERFACE}),
                 expect=(("steps/interfaces/clean_copy.step.yaml", 1),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
