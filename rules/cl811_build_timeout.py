"""CL811 build-timeout: the dry-run build did not finish within its time limit and was stopped.

Emitted by ``cursus-lint build`` from the dry-run compiler's problems (it needs the repo's
builders and configs imported, in a child process), so there is no static check here: this
module carries the documentation. Tests build broken copies of the example pipeline.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Rule

RULE = Rule(
    code="CL811",
    name="build-timeout",
    summary="The dry-run build did not finish within its time limit and was stopped.",
    severity=Severity.ERROR,
    docs='''
## What it checks
`cursus-lint build` imports the repo's builders and configs in a child process and stops it
after `--timeout` seconds (default 300). The finding says how long it waited.

## Why it matters
A dry run of a pipeline takes seconds. A build that hangs usually means a module does real
work at import time (network calls, waiting for credentials, a `time.sleep`, an infinite loop),
which will also hang the real build in CI.

## Example
```python
# steps/builders/builder_clean_step.py
import time
time.sleep(600)          # work at import time
```
Use instead:
```python
# do work inside create_step, and never network calls at import time
```

## How to fix
Remove the blocking work from module level or from the builder; if the pipeline is simply very
large, raise `--timeout`.
''',
    emitted_by="build",
)
