"""CL003 invalid-interface-enum: a .step.yaml value outside the set cursus accepts (sagemaker_step_type,
compute.kind, dependency type, ...).

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

KINDS = frozenset({"invalid-enum"})

_BAD = interface_edit("clean", "sagemaker_step_type: Processing", "sagemaker_step_type: Procesing")

RULE = Rule(
    code="CL003",
    name="invalid-interface-enum",
    summary=("A .step.yaml value outside the set cursus accepts (sagemaker_step_type, compute.kind, "
             "dependency type, ...)."),
    severity=Severity.ERROR,
    docs='''
## What it checks
Keys with a closed set of values (`registry.sagemaker_step_type`, `node_type`,
`patterns.step_assembly`, `compute.kind`, `compute.sdk_class`, dependency and output `type`, ...)
must hold one of them; the message lists the allowed values and the closest one.

## Why it matters
cursus picks the construction handler from `sagemaker_step_type` x `step_assembly` x `compute.kind`;
an unknown value fails at build time (or falls back to a default handler that builds the wrong
thing). A misspelled dependency type makes the resolver score every provider as incompatible.

## Example
```yaml
registry:
  sagemaker_step_type: Procesing   # CL003: did you mean 'Processing'?
```
Use instead:
```yaml
  sagemaker_step_type: Processing
```

## How to fix
Use one of the listed values (usually the suggested one).

## Known limits
The sets are those of the cursus release the schema was written for; a newer cursus may accept more.
''',
    bad=(Example(interface_repo(clean=_BAD), expect=((INTERFACE_PATHS["clean"], line_of(_BAD, "Procesing")),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
