"""CL801 dag-cycle: the pipeline DAG has a cycle, so no step order exists.

Emitted by ``cursus-lint build`` from the dry-run compiler's problems (it needs the repo's
builders and configs imported, in a child process), so there is no static check here: this
module carries the documentation. Tests build broken copies of the example pipeline.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Rule

RULE = Rule(
    code="CL801",
    name="dag-cycle",
    summary="The pipeline DAG has a cycle, so no step order exists.",
    severity=Severity.ERROR,
    docs='''
## What it checks
`cursus-lint build` loads the DAG (`.json`, `.yaml` or a `.py` file defining `create_dag()`)
and reports a cycle, naming its nodes in order: `cycle: A -> B -> C -> A`.

## Why it matters
A SageMaker pipeline is a DAG; a cycle means some step waits for its own output. The compiler
cannot order the steps, so nothing after the DAG is checked until the cycle is gone.

## Example
```json
{"nodes": ["DataLoad", "Clean", "Train"],
 "edges": [["DataLoad", "Clean"], ["Clean", "Train"], ["Train", "Clean"]]}
```
Use instead:
```json
{"nodes": ["DataLoad", "Clean", "Train"],
 "edges": [["DataLoad", "Clean"], ["Clean", "Train"]]}
```

## How to fix
Remove the edge that points back upstream; usually it was meant for another job-type variant of
the step (`Clean_calibration` rather than `Clean`).
''',
    emitted_by="build",
)
