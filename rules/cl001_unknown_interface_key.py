"""CL001 unknown-interface-key: a .step.yaml key that the interface schema does not know at that level (often
a misspelling).

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

KINDS = frozenset({"unknown-key"})

_BAD = interface_edit("clean", "      required: true\n", "      requried: true\n")

RULE = Rule(
    code="CL001",
    name="unknown-interface-key",
    summary="A .step.yaml key that the interface schema does not know at that level (often a misspelling).",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every key of a step interface, at every level (top, `registry`, `patterns`, `compute`, `contract`
and its ports, `spec` and its dependencies/outputs, `variants.<job_type>`), is looked up in the
interface schema. A key the schema does not allow there is reported at the key, with the closest
allowed spelling when there is one (`requried` -> `required`, `direct_input_key` ->
`direct_input_keys`).

## Why it matters
cursus reads interfaces with `yaml.safe_load` and ignores keys it does not know: a misspelled
`requried: false` loads fine and the dependency stays required; a misspelled `direct_input_key`
means no input is passed directly. Nothing fails until the pipeline behaves differently from what
the file says.

## Example
```yaml
spec:
  dependencies:
    raw_data:
      requried: true    # CL001: did you mean 'required'?
```
Use instead:
```yaml
      required: true
```

## How to fix
Rename the key to the spelling the message suggests, or delete it. `cursus-lint schema step-
interface` prints the JSON Schema with every allowed key; wire it into your editor's YAML language
server to see these while typing.

## Known limits
Free-form mappings (`compute` keys ending in `_field`, `framework_requirements`, port names, variant
names) accept any key.
''',
    bad=(Example(interface_repo(clean=_BAD), expect=((INTERFACE_PATHS["clean"], line_of(_BAD, "requried")),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
