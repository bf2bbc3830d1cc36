"""CL806 ambiguous-wiring: two upstream outputs match a dependency equally well, so its wiring is a guess.

Emitted by ``cursus-lint build`` from the dry-run compiler's problems (it needs the repo's
builders and configs imported, in a child process), so there is no static check here: this
module carries the documentation. Tests build broken copies of the example pipeline.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Rule

RULE = Rule(
    code="CL806",
    name="ambiguous-wiring",
    summary="Two upstream outputs match a dependency equally well, so its wiring is a guess.",
    severity=Severity.WARNING,
    docs='''
## What it checks
When two or more outputs of a node's DAG predecessors score within the tie margin of each
other for one dependency, the resolver cannot tell which one is meant. A required dependency is
still wired (to the first best match, as the message says) and reported; an optional one is not
wired at all.

## Why it matters
A guessed wiring builds fine and runs the wrong data: the known failure is an optional
`calibration_model` input wired to an unrelated `evaluation_output`.

## Example
```python
DependencySpec(logical_name="model_input", compatible_sources=["XGBoostTraining", "PyTorchTraining"], ...)
# both trainings are predecessors of the node and both expose "model_output"
```
Use instead:
```python
DependencySpec(logical_name="model_input", compatible_sources=["XGBoostTraining"], ...)
```

## How to fix
Narrow the dependency (`compatible_sources`, `semantic_keywords`) or remove the DAG edge that
should not feed this node.
''',
    emitted_by="build",
)
