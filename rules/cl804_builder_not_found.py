"""CL804 builder-not-found: no step builder could be found for a DAG node's config.

Emitted by ``cursus-lint build`` from the dry-run compiler's problems (it needs the repo's
builders and configs imported, in a child process), so there is no static check here: this
module carries the documentation. Tests build broken copies of the example pipeline.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Rule

RULE = Rule(
    code="CL804",
    name="builder-not-found",
    summary="No step builder could be found for a DAG node's config.",
    severity=Severity.ERROR,
    docs='''
## What it checks
For every DAG node, the build looks up the builder of the node's config class through the
registry (`config_class` -> `builder_step_name`) and the step catalog, job-type aware, and
reports a node for which no builder class exists or can be imported.

## Why it matters
Without a builder the node cannot become a SageMaker step. Typical causes are a registry entry
whose `builder_step_name` was renamed, a builder file that is not where the catalog looks, or a
config class that is not registered at all.

## Example
```python
STEP_NAMES = {"Clean": {"config_class": "CleanConfig", "builder_step_name": "CleaningStepBuilder", ...}}
# steps/builders/builder_clean_step.py defines CleanStepBuilder
```
Use instead:
```python
STEP_NAMES = {"Clean": {"config_class": "CleanConfig", "builder_step_name": "CleanStepBuilder", ...}}
```

## How to fix
Make the registry entry, the builder file name and the builder class name agree (the CL5xx and
CL6xx rules of `cursus-lint check` point at the exact mismatch).
''',
    emitted_by="build",
)
