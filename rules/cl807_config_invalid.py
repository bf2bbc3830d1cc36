"""CL807 config-invalid: a saved config does not load: unknown class, a field that does not
validate, or a derived value that does not recompute.

Emitted by ``cursus-lint build`` from the dry-run compiler's problems (it needs the repo's
builders and configs imported, in a child process), so there is no static check here: this
module carries the documentation. Tests build broken copies of the example pipeline.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Rule

RULE = Rule(
    code="CL807",
    name="config-invalid",
    summary=("A saved config does not load: unknown class, a field that does not validate, or a derived value "
             "that does not recompute."),
    severity=Severity.ERROR,
    docs='''
## What it checks
The build loads the saved config with the repo's config classes and reports, per step, what
fails: a `__model_type__` that names no known class (or two classes with one name), a field
whose value does not validate, a required field that is missing, or a derived value in
`metadata.derived` that differs from what the class computes now.

## Why it matters
A config that does not validate cannot be built; loading it leniently would build a pipeline
from settings that nobody wrote. Derived values are checked rather than trusted, so a file
cannot smuggle in a value the code would not compute.

## Example
```json
"Clean": {"__model_type__": "CleanConfig", "processing_instance_count": "two"}
```
Use instead:
```json
"Clean": {"__model_type__": "CleanConfig", "processing_instance_count": 2}
```

## How to fix
Correct the value in the saved config, or regenerate the file with `save_configs` from
config objects that validate.
''',
    emitted_by="build",
)
