"""CL111 env-read-crashes-when-unset: ``int(os.environ.get("X"))`` without a default."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

#: how a read without a default yields None when the variable is unset
_NONE_WHEN_UNSET = frozenset({"get", "getenv", "environ_vars.get"})

_BAD = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
            '    sep = environ_vars.get("SEPARATOR", ",")\n'
            '    workers = int(os.environ.get("MAX_WORKERS"))\n')
_BAD_MAIN = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                 '    sep = environ_vars.get("SEPARATOR", ",")\n'
                 '    rate = float(environ_vars.get("SAMPLE_RATE"))\n')
_GOOD = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
             '    sep = environ_vars.get("SEPARATOR", ",")\n'
             '    workers = int(os.environ.get("MAX_WORKERS", "4"))\n'
             '    rate = float(os.environ["SAMPLE_RATE"])\n'
             '    chunk = os.getenv("CHUNK")\n'
             '    chunk = int(chunk) if chunk else 100\n')

RULE = Rule(
    code="CL111",
    name="env-read-crashes-when-unset",
    summary="int()/float() over an env read without a default crashes when the variable is unset.",
    severity=Severity.WARNING,
    docs='''
## What it checks
`int(...)` or `float(...)` applied directly to `os.environ.get("X")`, `os.getenv("X")` or
`environ_vars.get("X")` with no default. When `X` is unset the read returns `None`, and the
conversion raises `TypeError: int() argument must be ... not 'NoneType'`.

## Why it matters
`.get` without a default says "this variable is optional", but the conversion makes it required
with a worse error: the job dies with a `TypeError` far from the missing setting, typically when
a builder stops setting an optional variable or a test runs the script without it.

## Example
```python
workers = int(os.environ.get("MAX_WORKERS"))          # CL111
```
Use instead:
```python
workers = int(os.environ.get("MAX_WORKERS", "4"))     # optional, with a default
rate = float(os.environ["SAMPLE_RATE"])              # or required, with a clear KeyError
```

## How to fix
Give the read the default the contract declares for it (`optional_env_vars`), or subscript
`os.environ["X"]` when the variable is required.

## Known limits
Only a conversion applied directly to the read is seen; a value stored first and converted later
(`x = os.getenv("X")` ... `int(x)`) is not followed.
''',
    bad=(Example(repo(script=_BAD), expect=(("steps/scripts/clean.py", line_of(_BAD, "MAX_WORKERS")),)),
         Example(repo(script=_BAD_MAIN), expect=(("steps/scripts/clean.py", line_of(_BAD_MAIN, "SAMPLE_RATE")),))),
    good=(Example(repo()), Example(repo(script=_GOOD))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    f = step.script
    if f is None or f.script is None:
        return
    for read in f.script.env_reads:
        if read.converted is None or read.has_default or read.how not in _NONE_WHEN_UNSET:
            continue
        yield RULE.report(
            f.path, read.span,
            f"{read.converted}() of env var '{read.name}' read without a default raises TypeError when "
            f"'{read.name}' is unset; give the read a default or subscript it as required",
            step=step.name,
        )
