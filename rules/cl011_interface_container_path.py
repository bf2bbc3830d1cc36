"""CL011 interface-container-path: a contract path outside the SageMaker container directories, or an
entry_point that is not a script file.

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

KINDS = frozenset({"bad-path-prefix", "bad-entry-point"})

_BAD = interface_edit("clean", "path: /opt/ml/processing/input/data", "path: /data/input")

RULE = Rule(
    code="CL011",
    name="interface-container-path",
    summary="A contract path outside the SageMaker container directories, or an entry_point that is not a script file.",
    severity=Severity.ERROR,
    docs='''
## What it checks
`contract.inputs.<name>.path` and `contract.outputs.<name>.path` must start with a container prefix
of their kind (`/opt/ml/processing/input`, `/opt/ml/input/data`, `/opt/ml/model`, ... for inputs;
`/opt/ml/processing/output`, `/opt/ml/model`, `/opt/ml/output` for outputs); `contract.entry_point`
must name a `.py` file.

## Why it matters
SageMaker mounts channels only under these directories: a path elsewhere is an empty directory at
run time, and the job fails (or, worse, writes outputs nobody uploads).

## Example
```yaml
    raw_data:
      path: /data/input     # CL011: not a container path
```
Use instead:
```yaml
      path: /opt/ml/processing/input/data
```

## How to fix
Use the container directory SageMaker mounts for the step type (and change the script's constant
with it).

## Known limits
The prefixes are per direction (input/output), not yet per SageMaker step type.
''',
    bad=(Example(interface_repo(clean=_BAD), expect=((INTERFACE_PATHS["clean"], line_of(_BAD, "/data/input")),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
