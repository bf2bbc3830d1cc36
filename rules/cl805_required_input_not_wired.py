"""CL805 required-input-not-wired: a required dependency of a step has no viable provider among its DAG predecessors.

Emitted by ``cursus-lint build`` from the dry-run compiler's problems (it needs the repo's
builders and configs imported, in a child process), so there is no static check here: this
module carries the documentation. Tests build broken copies of the example pipeline.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Rule

RULE = Rule(
    code="CL805",
    name="required-input-not-wired",
    summary="A required dependency of a step has no viable provider among its DAG predecessors.",
    severity=Severity.ERROR,
    docs='''
## What it checks
The dependency resolver matches each required dependency of a node's specification against
the outputs of the node's DAG predecessors (only DAG edges are candidates), scoring dependency
type, data type, names and aliases, semantic keywords and compatible sources. A required
dependency with no provider above the threshold is reported with the candidates and their
scores.

## Why it matters
The step would be built without one of its inputs; in SageMaker that is a step whose input
channel is missing, which fails at run time or, worse, reads stale data from a default path.

## Example
```json
{"nodes": ["DataLoad", "Clean", "Train"], "edges": [["DataLoad", "Train"]]}
// Train needs Clean's "clean_data"; only DataLoad feeds it
```
Use instead:
```json
{"nodes": ["DataLoad", "Clean", "Train"], "edges": [["DataLoad", "Clean"], ["Clean", "Train"]]}
```

## How to fix
Add the missing DAG edge from the step that produces the input, or fix the specification's
`compatible_sources`, `semantic_keywords` or output aliases so the right provider scores above
the threshold.
''',
    emitted_by="build",
)
