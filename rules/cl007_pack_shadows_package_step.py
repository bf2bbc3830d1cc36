"""CL007 pack-shadows-package-step: a step-pack interface declares a step the package already has.

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

KINDS = frozenset({"pack-shadows-package"})



RULE = Rule(
    code="CL007",
    name="pack-shadows-package-step",
    summary="A step-pack interface declares a step the package already has.",
    severity=Severity.WARNING,
    docs='''
## What it checks
A step pack (`<project>/step_pack/interfaces`) declaring a `step_type` that the package
(`steps/interfaces`) also declares. Reported on the pack's file, with the package's file as related
location.

## Why it matters
cursus merges the pack's registry row over the package's, but it still searches the package's
interfaces first: the step then runs with the package's contract and spec and the pack's registry
row. Changes in the pack's contract or spec silently do nothing.

## Example
```yaml
# projects/team/step_pack/interfaces/clean.step.yaml
step_type: Clean      # CL007: shadows steps/interfaces/clean.step.yaml
```
Use instead:
```yaml
step_type: TeamClean
```

## How to fix
Give the pack's step its own step_type (and file name), or change the package's interface instead.

## Known limits
The linter checks each of the two interfaces as its own step (the pack's in the pack's scope).
''',
    bad=(Example(interface_repo(extra={"projects/team/step_pack/interfaces/clean.step.yaml": CLEAN_INTERFACE}),
                 expect=(("projects/team/step_pack/interfaces/clean.step.yaml", 1),)),),
    good=(Example(interface_repo()),
          Example(interface_repo(extra={"projects/team/step_pack/interfaces/team_clean.step.yaml":
                                        CLEAN_INTERFACE.replace("step_type: Clean", "step_type: TeamClean")}))),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
