"""CL008 interface-yaml-error: a .step.yaml that cannot be read as one YAML mapping (syntax error, duplicate
key, tag, size, encoding).

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

KINDS = frozenset({
    "duplicate-key", "yaml-syntax", "yaml-too-deep", "yaml-too-large", "yaml-bad-merge", "yaml-complex-key",
    "yaml-unsupported-tag", "yaml-encoding", "file-too-large", "unreadable", "not-a-mapping"})

_BAD = interface_edit("clean", "  inputs:\n    raw_data:\n", "  inputs: {raw_data: [\n    raw_data:\n")
#: the parser stops at the first ':' inside the still open flow sequence
_BAD_LINE = line_of(_BAD, "path: /opt/ml/processing/input/data")

RULE = Rule(
    code="CL008",
    name="interface-yaml-error",
    summary="A .step.yaml that cannot be read as one YAML mapping (syntax error, duplicate key, tag, size, encoding).",
    severity=Severity.ERROR,
    docs='''
## What it checks
Each interface file is read without constructing any Python object: a syntax error, several
documents, a top level that is not a mapping, duplicate keys, tags, alias bombs, non-UTF-8 text and
oversized files are reported at the position the reader gives.

## Why it matters
cursus fails to load the step (or, for a duplicate key, silently keeps the last value). The linter
cannot check a file it cannot read, so its step may look cleaner than it is.

## Example
```yaml
contract:
  inputs: {raw_data: [    # CL008: unclosed flow sequence
```
Use instead:
```yaml
contract:
  inputs:
    raw_data:
      path: /opt/ml/processing/input/data
```

## How to fix
Fix the YAML at the reported position (`python -c "import yaml,sys;
yaml.safe_load(open(sys.argv[1]))" FILE` shows the parser's view).

## Known limits
A file that cannot be read has no model: the step's other rules do not run for it.
''',
    bad=(Example(interface_repo(clean=_BAD), expect=((INTERFACE_PATHS["clean"], _BAD_LINE),)),),
    good=(Example(interface_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from report_kinds(RULE, project, KINDS)
