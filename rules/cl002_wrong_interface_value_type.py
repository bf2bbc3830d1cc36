"""CL002 wrong-interface-value-type: a .step.yaml value of the wrong type (a string where a boolean belongs),
or a required key missing.

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

KINDS = frozenset({"wrong-type", "missing-key"})

_BAD = interface_edit("clean", "      required: true\n", '      required: "true"\n')

RULE = Rule(
    code="CL002",
    name="wrong-interface-value-type",
    summary="A .step.yaml value of the wrong type (a string where a boolean belongs), or a required key missing.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every value is checked against the type the schema gives its key: mappings, lists, strings,
booleans, integers. Required keys (`step_type`, `registry.sagemaker_step_type`) must be present. The
finding points at the value (or, for a missing key, at the mapping that should hold it).

## Why it matters
A quoted `"true"` is a string, and cursus tests `if dep.get("required", True)`: any non-empty string
is true, so `required: "false"` makes the dependency required. A list written as a string is
iterated character by character. These are silent misreadings, not errors, upstream.

## Example
```yaml
      required: "true"   # CL002: must be a boolean
```
Use instead:
```yaml
      required: true
```

## How to fix
Write the value with the type the message names (unquote booleans and numbers; use `[a, b]` for
lists), or add the missing key.

## Known limits
YAML 1.1 typing is applied as cursus's loader applies it: `yes`/`no`/`on`/`off` are booleans, `1e-5`
is a string.
''',
    bad=(Example(interface_repo(clean=_BAD), expect=((INTERFACE_PATHS["clean"], line_of(_BAD, 'required: "true"')),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
