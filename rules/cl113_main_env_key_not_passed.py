"""CL113 main-env-key-not-passed: main() reads an ``environ_vars`` key the ``__main__`` block never
puts into the dict it passes."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_PASSED = '{"LABEL_FIELD": os.environ["LABEL_FIELD"], "SEPARATOR": os.environ.get("SEPARATOR", ",")}'
_DROPPED = edit("script", _PASSED, '{"LABEL_FIELD": os.environ["LABEL_FIELD"]}')
_LOOP = edit("script", "        " + _PASSED + ",\n", "        env,\n").replace(
    "    args = parser.parse_args()\n",
    "    args = parser.parse_args()\n    env = {}\n    for name in ENV_NAMES:\n"
    "        if name in os.environ:\n            env[name] = os.environ[name]\n").replace(
    'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n',
    'OUTPUT_DIR = "/opt/ml/processing/output/clean"\nENV_NAMES = ["LABEL_FIELD", "SEPARATOR"]\n')
_WHOLE = edit("script", _PASSED, "dict(os.environ)")
# Known limits: a dict built by a helper (or filtered from os.environ.items()) holds unknown keys
_HELPER = edit("script", _PASSED, "collect_env()")

RULE = Rule(
    code="CL113",
    name="main-env-key-not-passed",
    summary="main() reads an environ_vars key that the __main__ block never copies from the environment.",
    severity=Severity.ERROR,
    docs='''
## What it checks
A script with the testable `main(input_paths, output_paths, environ_vars, job_args)` reads env
values from `environ_vars`, and its `if __name__ == "__main__":` block builds that dict from
`os.environ`. Every key `main()` (or a function it passes the dict to) reads —
`environ_vars["X"]`, `environ_vars.get("X")`, `"X" in environ_vars` — must be put into the dict
by the block: a dict literal, item assignments, `update(...)`, `setdefault`, a loop over a literal
list of names (or a module constant holding one), or a dict comprehension over such a list. A
block that passes a copy of the whole environment (`dict(os.environ)`) passes every key.

## Why it matters
The builder sets the variable and the contract declares it, yet the value never reaches `main()`:
`environ_vars.get("X", default)` silently uses its default in production (a configured option
that does nothing), and `environ_vars["X"]` fails with a `KeyError`. Tests that call `main()`
with a hand-built dict never notice.

## Example
```python
def main(input_paths, output_paths, environ_vars, job_args):
    sep = environ_vars.get("SEPARATOR", ",")          # CL113: never passed below

if __name__ == "__main__":
    main(
        {"raw_data": INPUT_DIR},
        {"clean_data": OUTPUT_DIR},
        {"LABEL_FIELD": os.environ["LABEL_FIELD"]},
        args,
    )
```
Use instead:
```python
        {"LABEL_FIELD": os.environ["LABEL_FIELD"], "SEPARATOR": os.environ.get("SEPARATOR", ",")},
```

## How to fix
Copy the variable from `os.environ` into the dict in the `__main__` block (with the same default
the contract declares), or stop reading it in `main()`.

## Known limits
Silent when the dict comes from a helper function, from a loop over `os.environ.items()` with a
filter, or from any other shape whose keys are not literal; reads inside the `__main__` block
itself are not checked.
''',
    bad=(Example(repo(script=_DROPPED), expect=(("steps/scripts/clean.py",
                                                line_of(_DROPPED, 'environ_vars.get("SEPARATOR"')),)),),
    good=(Example(repo()), Example(repo(script=_LOOP)), Example(repo(script=_WHOLE)),
          Example(repo(script=_HELPER))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    facts = step.script.script if step.script is not None else None
    if facts is None or facts.main_env is None or step.script is None:
        return
    env = facts.main_env
    if env.everything:
        return
    if not env.complete:
        project.count_unknown("main-env-dict-keys-unknown")
        return
    passed = {k.name for k in env.keys}
    reported: set[str] = set()
    for read in facts.env_reads:
        if not read.how.startswith("environ_vars") or env.first_line <= read.span.line <= env.last_line:
            continue
        if read.name in passed or read.name in reported:
            continue
        reported.add(read.name)
        yield RULE.report(
            step.script.path, read.span,
            f"main() reads environ_vars key '{read.name}' but the __main__ block never puts it into the "
            f"environ_vars it passes: the value set for the container never reaches main()",
            step=step.name, related=[(step.script.path, env.span, "the dict passed as environ_vars")])
