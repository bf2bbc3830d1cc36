"""CL005 interface-file-name: a .step.yaml file not named snake(step_type).step.yaml.

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

KINDS = frozenset({"file-name-mismatch"})



RULE = Rule(
    code="CL005",
    name="interface-file-name",
    summary="A .step.yaml file not named snake(step_type).step.yaml.",
    severity=Severity.ERROR,
    docs='''
## What it checks
The file of step `XGBoostModelEval` must be `xgboost_model_eval.step.yaml` (compound words such as
XGBoost, PyTorch, LightGBM stay one word). A name that differs only in case or separators is a
warning (cursus finds it through a case-blind fallback); any other name is an error.

## Why it matters
cursus finds the interface of a step by the file name derived from the step name. A file named after
something else is never loaded for that step: the step has no contract and spec at build time,
although the file exists.

## Example
```yaml
# steps/interfaces/cleaning.step.yaml
step_type: Clean      # CL005: expected clean.step.yaml
```
Use instead:
```yaml
# steps/interfaces/clean.step.yaml
step_type: Clean
```

## How to fix
Rename the file to the name in the message (or change `step_type` if the file name is the one you
meant).

## Known limits
Only `.step.yaml` files in interface directories are checked.
''',
    bad=(Example(interface_repo(drop=("clean",), extra={"steps/interfaces/cleaning.step.yaml": CLEAN_INTERFACE}),
                 expect=(("steps/interfaces/cleaning.step.yaml", 1),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
