"""CL010 deprecated-interface-key: a .step.yaml key that cursus still reads but has superseded
(registry.step_assembly, spec.step_type, port logical_name).

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

KINDS = frozenset({"deprecated-key"})

_BAD = interface_edit("clean", "  description: Cleans raw data\n",
                      "  description: Cleans raw data\n  step_assembly: code\n")

RULE = Rule(
    code="CL010",
    name="deprecated-interface-key",
    summary=("A .step.yaml key that cursus still reads but has superseded (registry.step_assembly, "
             "spec.step_type, port logical_name)."),
    severity=Severity.WARNING,
    docs='''
## What it checks
Keys the schema marks deprecated: still read by cursus, but moved elsewhere
(`registry.step_assembly` -> `patterns.step_assembly`) or redundant (`logical_name` inside a port,
`spec.step_type`).

## Why it matters
Two places for one value drift apart; a later cursus drops the old spelling.

## Example
```yaml
registry:
  step_assembly: code    # CL010: use patterns.step_assembly
```
Use instead:
```yaml
patterns:
  step_assembly: code
```

## How to fix
Move the value to the key the message names and delete the old one.

## Known limits
The list follows the cursus release the schema was written for.
''',
    bad=(Example(interface_repo(clean=_BAD),
                 expect=((INTERFACE_PATHS["clean"], line_of(_BAD, "  step_assembly: code", 1)),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
