"""CL110 nonstandard-main-signature: main half-follows the testable (input_paths, ...) convention."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts.script import TESTABLE_PARAMS
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._script_contract import pair

_BAD_SCRIPT = edit("script", "def main(input_paths, output_paths, environ_vars, job_args):",
                   "def main(input_paths, output_paths, job_args, environ_vars):")
_BAD_SCRIPT = _BAD_SCRIPT.replace("        args,\n    )", "    )").replace(
    '{"LABEL_FIELD": os.environ["LABEL_FIELD"], "SEPARATOR": os.environ.get("SEPARATOR", ",")},\n',
    'args,\n        {"LABEL_FIELD": os.environ["LABEL_FIELD"], "SEPARATOR": os.environ.get("SEPARATOR", ",")},\n')
_GOOD_EXTRA = edit("script", "def main(input_paths, output_paths, environ_vars, job_args):",
                   "def main(input_paths, output_paths, environ_vars, job_args, logger=None):")

RULE = Rule(
    code="CL110",
    name="nonstandard-main-signature",
    summary="The script's main only partly follows main(input_paths, output_paths, environ_vars, job_args).",
    severity=Severity.WARNING,
    docs='''
## What it checks
When a script's top-level `main` uses the testable convention at all — one of its parameters, or
a keyword in the `__main__` block's `main(...)` call, is `input_paths`, `output_paths`,
`environ_vars` or `job_args` — its first four parameters must be exactly
`input_paths, output_paths, environ_vars, job_args`, in that order. Further parameters (with
defaults) may follow. A `main(args)` that does not use the convention is not reported.

## Why it matters
Script tests, local runners and the alignment tooling call `main` with the contract's paths, env
vars and arguments by position. A missing or reordered parameter makes them pass output paths as
env vars (or fail outright), and the script's reads of `input_paths[...]` can no longer be checked
against the contract.

## Example
```python
def main(input_paths, output_paths, job_args, environ_vars):   # CL110: environ_vars and job_args swapped
    ...
```
Use instead:
```python
def main(input_paths, output_paths, environ_vars, job_args):
    ...
```

## How to fix
Reorder or add the parameters so `main` starts with `input_paths, output_paths, environ_vars,
job_args`, and update the `main(...)` call in the `__main__` block to match.
''',
    bad=(Example(repo(script=_BAD_SCRIPT), expect=(("steps/scripts/clean.py", line_of(_BAD_SCRIPT, "def main")),)),),
    good=(Example(repo()), Example(repo(script=_GOOD_EXTRA))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    p = pair(step)
    if p is None or p.script.main is None or not p.script.main.partial:
        return
    main = p.script.main
    names = [q.name for q in main.params]
    missing = [n for n in TESTABLE_PARAMS if n not in names]
    detail = "it lacks " + ", ".join(missing) if missing else "the conventional parameters are out of order"
    yield RULE.report(
        p.script_file.path, main.name_span,
        f"main({', '.join(names)}) does not follow main({', '.join(TESTABLE_PARAMS)}): {detail}; callers "
        f"cannot hand it the paths, env vars and arguments of contract '{p.label}' by position",
        step=step.name,
        related=[(p.contract_path, p.contract.span, f"'{p.label}' declares what main receives")],
    )
