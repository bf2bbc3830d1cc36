"""CL905 configuration-error: the ``[tool.cursus-lint]`` table cannot be used.

On the command line a configuration error is one line on stderr and exit status 2 (nothing is
linted with a configuration the user did not mean). The language server cannot exit, so it shows
the same message as this diagnostic on each open document, pointing at the pyproject.toml.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Rule

RULE = Rule(
    code="CL905",
    name="configuration-error",
    summary="The [tool.cursus-lint] configuration is invalid (unknown key or code, bad value, bad TOML).",
    severity=Severity.ERROR,
    emitted_by="editor",
    docs='''
## What it checks
That the nearest `pyproject.toml` with a `[tool.cursus-lint]` table is valid TOML, uses only the
documented keys, names only existing rule codes or prefixes, and gives values of the right type
(severities, globs, paths, resolver thresholds between 0 and 1).

## Why it matters
A typo in the configuration silently changes what is checked: `selct = ["CL1"]` would otherwise
run every rule, `ignore = ["CL1O3"]` would ignore nothing. cursus-lint therefore refuses to lint
with a configuration it does not understand: the command line prints one line and exits 2, the
editor shows this diagnostic.

## Example
```toml
[tool.cursus-lint]
selct = ["CL1"]          # CL905: unknown key 'selct'; did you mean 'select'?
ignore = ["CL1O3"]       # CL905: unknown rule code 'CL1O3'
```
Use instead:
```toml
[tool.cursus-lint]
select = ["CL1"]
ignore = ["CL103"]
```

## How to fix
Correct the key or code the message names (it suggests the closest valid one). `cursus-lint
rules` lists every code; the README lists every key.
''',
)
