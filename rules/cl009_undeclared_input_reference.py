"""CL009 undeclared-input-reference: patterns.direct_input_keys, contract.skip_inputs or
input_source_overrides names an input the contract does not declare.

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

KINDS = frozenset({"undeclared-input-reference"})

_BAD = interface_edit("clean", "direct_input_keys: [raw_data]", "direct_input_keys: [raw_dat]")

RULE = Rule(
    code="CL009",
    name="undeclared-input-reference",
    summary=("patterns.direct_input_keys, contract.skip_inputs or input_source_overrides names an input the "
             "contract does not declare."),
    severity=Severity.ERROR,
    docs='''
## What it checks
The handler knobs that name inputs by logical name (`patterns.direct_input_keys`,
`contract.skip_inputs`, the keys of `contract.input_source_overrides`) must name inputs of
`contract.inputs`, on the base and for every job-type variant after the merge.

## Why it matters
cursus ignores a name that is not an input: the input the author meant is still mounted (or not
passed directly), and nothing says so.

## Example
```yaml
patterns:
  direct_input_keys: [raw_dat]   # CL009: not a contract input (did you mean 'raw_data'?)
```
Use instead:
```yaml
  direct_input_keys: [raw_data]
```

## How to fix
Use the logical name as declared under `contract.inputs` (the message suggests the closest one).

## Known limits
Only literal names are checked.
''',
    bad=(Example(interface_repo(clean=_BAD),
                 expect=((INTERFACE_PATHS["clean"], line_of(_BAD, "direct_input_keys")),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
