"""CL812 placeholder-node: a node's builder needs a package that is not installed, so the dry run
stood the node in with a placeholder.

Emitted by ``cursus-lint build`` from the dry-run compiler's problems (it needs the repo's
builders imported, in a child process), so there is no static check here: this module carries
the documentation. Tests build a copy of the example pipeline whose data-loading builder imports
an SDK that is not installed.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Rule

RULE = Rule(
    code="CL812",
    name="placeholder-node",
    summary="A node's builder needs a package that is not installed; the node was built as a placeholder.",
    severity=Severity.WARNING,
    docs='''
## What it checks
`cursus-lint build` imports each node's builder. When the import fails because a package outside
the repo is not installed (a step that delegates to an external SDK, such as data loading or
model registration), the node becomes a placeholder: its specification's outputs stand in as
pipeline parameters named `<node>_<output>`, so every node downstream is still built and wired.
The definition is written, and its `Metadata.CursusLintPlaceholders` lists the placeholder nodes,
the missing package and the parameters. `--strict` makes this finding an error.

## Why it matters
A placeholder is not a built step: the real step's arguments, image and permissions were not
checked. Everything else in the pipeline was, which is why the build goes on.

## Example
```python
# steps/builders/builder_data_load_step.py
from vendor_sdk.loading import DataLoadingStep   # vendor_sdk is not installed here
```
Use instead:
```sh
pip install vendor-sdk        # in the environment the build runs in
```

## How to fix
Install the package in the environment of the build to build the node for real, or accept the
placeholder where the SDK is only available in production (and leave `--strict` off).
''',
    emitted_by="build",
)
