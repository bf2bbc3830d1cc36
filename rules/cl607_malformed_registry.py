"""CL607 malformed-registry: a registry table that cannot be read statically or is ill-formed.

Emitted by the engine from the registry reader's located problems (non-literal values,
duplicate keys, missing required keys, wrong types, run-time mutation, a step defined twice in
one workspace), so there is no check function here: this module carries the documentation and
the runnable examples.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Example, Rule

from ._examples import REGISTRY, edit, line_of, repo

_DUPLICATE = REGISTRY.replace("\n}\n", '''
    "Clean": {
        "config_class": "CleanConfig",
        "builder_step_name": "CleanStepBuilder",
        "spec_type": "Clean",
        "sagemaker_step_type": "Processing",
        "description": "Cleans raw data (copy)",
    },
}
''', 1)
_MISSING = edit("registry", '        "spec_type": "Clean",\n', "")
_CALL = "import os\n\n" + edit("registry", '"description": "Cleans raw data"', '"description": os.environ["DESC"]')

RULE = Rule(
    code="CL607",
    name="malformed-registry",
    summary="A registry table is not a literal, repeats a key, lacks a required key, or is changed at run time.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Registry files (`STEP_NAMES`, `WORKSPACE_STEPS`, `STEP_OVERRIDES`, `WORKSPACE_METADATA`) are read
from the syntax tree, never imported. This rule reports what makes that reading incomplete or
the table ill-formed, at the offending node:

- a value that is not a literal (a call, an f-string with placeholders, a name not defined as a
  literal in the file); the rest of the table is still read;
- a step or field key given twice (the later one silently wins in Python);
- an entry missing a required key (`config_class`, `builder_step_name`, `spec_type`,
  `sagemaker_step_type`) or a field that is not a string;
- a table changed at run time (`STEP_NAMES.update(...)`, `del`, item assignment after the fact);
- a step defined twice in the `WORKSPACE_STEPS` of one workspace (two registry files).

The findings come from the registry reader itself, so every other registry rule sees the same
table that is reported here.

## Why it matters
Every tool that resolves step names, from the catalog to the pipeline compiler, reads these
tables. A value that is not literal cannot be checked, and a duplicated key hides a definition
that someone believes is in effect.

## Example
```python
STEP_NAMES = {
    "Clean": {...},
    "Clean": {...},            # CL607: the second definition silently wins
}
```
Use instead:
```python
STEP_NAMES = {
    "Clean": {...},            # one definition per step, every value a literal
}
```

## How to fix
Write the table as a plain dict literal with string values, one entry per step, with all four
required keys; move computed values (descriptions from the environment...) out of the registry.
''',
    emitted_by="engine",
    bad=(Example(repo(registry=_DUPLICATE), expect=(("registry/step_names.py", line_of(_DUPLICATE, '"Clean": {', 2)),)),
         Example(repo(registry=_MISSING), expect=(("registry/step_names.py", line_of(_MISSING, '"Clean": {')),)),
         Example(repo(registry=_CALL), expect=(("registry/step_names.py", line_of(_CALL, "os.environ")),))),
    good=(Example(repo()),),
)
