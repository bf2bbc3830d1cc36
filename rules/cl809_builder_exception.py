"""CL809 builder-exception: a step builder or config raised while the pipeline was being built.

Emitted by ``cursus-lint build`` from the dry-run compiler's problems (it needs the repo's
builders and configs imported, in a child process), so there is no static check here: this
module carries the documentation. Tests build broken copies of the example pipeline.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Rule

RULE = Rule(
    code="CL809",
    name="builder-exception",
    summary="A step builder or config raised while the pipeline was being built.",
    severity=Severity.ERROR,
    docs='''
## What it checks
The build instantiates one builder per node and asks it for its step. When user code raises
(in `validate_configuration`, `create_step`, a config property, or while its module is
imported), the finding points at the builder's file and line where the exception was raised
and gives the exception type and message, not a traceback.

## Why it matters
This is the error that would otherwise appear only when someone compiles the pipeline to
deploy it; reporting it at the builder line lets the author fix it in review.

## Example
```python
def validate_configuration(self):
    if self.config.label_name not in self.config.feature_columns:   # AttributeError: no such field
        raise ValueError("label must be a feature")
```
Use instead:
```python
def validate_configuration(self):
    if not self.config.label_name:
        raise ValueError("label_name is required")
```

## How to fix
Fix the builder (or the config value it rejects) at the reported line; run
`cursus-lint check` too, since CL4xx finds many such attribute errors statically.
''',
    emitted_by="build",
)
