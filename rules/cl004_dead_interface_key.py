"""CL004 dead-interface-key: a .step.yaml key that is valid-looking but never read by cursus (variants.<jt>.step_type,
spec.node_type).

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

KINDS = frozenset({"dead-key"})

_BAD = interface_edit("clean", "  calibration:\n", "  calibration:\n    step_type: Clean_Calibration\n")

RULE = Rule(
    code="CL004",
    name="dead-interface-key",
    summary=("A .step.yaml key that is valid-looking but never read by cursus (variants.<jt>.step_type, "
             "spec.node_type)."),
    severity=Severity.ERROR,
    docs='''
## What it checks
Keys that the schema knows cursus never reads: `variants.<job_type>.step_type` (a variant's step
type is derived from `step_type` and the job type) and `spec.node_type` (overwritten by the top-
level `node_type`).

## Why it matters
Writing them suggests they do something. A variant `step_type: CleanCalibrationX` does not rename
the variant; a `spec.node_type: source` does not make the step a source. The file lies about the
pipeline.

## Example
```yaml
variants:
  calibration:
    step_type: Clean_Calibration   # CL004: never read
```
Use instead:
```yaml
variants:
  calibration:
    spec: ...
```

## How to fix
Delete the key; if you meant to change what it names, edit the key cursus does read (the message
says which).

## Known limits
Deprecated keys that are still read (`registry.step_assembly`, `logical_name` inside a port) are
CL010, not this rule.
''',
    bad=(Example(interface_repo(clean=_BAD),
                 expect=((INTERFACE_PATHS["clean"], line_of(_BAD, "step_type: Clean_Calibration")),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
