"""CL109 unparsed-argument: the contract expects a CLI argument the script never defines."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import BASE, edit, line_of, repo
from ._script_contract import arg_key, other_cli, pair, script_side, unknown_keys, used_elsewhere

_BAD_CONTRACT = edit("contract", 'expected_arguments={"job_type": "training"}',
                     'expected_arguments={"job_type": "training", "sample-rate": "1.0"}')
_NO_ARGPARSE = edit("script", '''    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", required=True)
    args = parser.parse_args()
''', '''    args = None
''')
_GOOD_DASHES = edit("contract", '{"job_type": "training"}', '{"job-type": "training"}')

# the "Use instead" of the docs: the script parses the declared argument
_FIXED_SCRIPT = edit("script", '    parser.add_argument("--job_type", required=True)\n',
                     '    parser.add_argument("--job_type", required=True)\n'
                     '    parser.add_argument("--sample-rate", type=float, default=1.0)\n')

RULE = Rule(
    code="CL109",
    name="unparsed-argument",
    summary="The script contract expects a command-line argument that the script never defines.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every key of the contract's `expected_arguments` must be defined by a `parser.add_argument(...)`
in the script (dashes and underscores alike, `dest=` included). A script that declares arguments
in its contract but does not use argparse at all is reported too, once per argument — unless it
reads `sys.argv` by hand or uses another command-line library (click, typer, fire, docopt, absl),
which this rule cannot follow.

## Why it matters
The builder passes every expected argument on the command line. argparse rejects an argument it
was not told about (`error: unrecognized arguments`), so the job dies at start-up; with
`parse_known_args` the value is silently dropped instead.

## Example
```python
# steps/contracts/clean_contract.py
expected_arguments={"job_type": "training", "sample-rate": "1.0"}   # CL109: clean.py has no --sample-rate
```
Use instead:
```python
# steps/scripts/clean.py
parser.add_argument("--sample-rate", type=float, default=1.0)
```

## How to fix
Define the argument in the script's parser, or remove it from `expected_arguments` (and from the
builder's `_get_job_arguments`).
''',
    bad=(Example(repo(contract=_BAD_CONTRACT),
                 expect=(("steps/contracts/clean_contract.py", line_of(_BAD_CONTRACT, "expected_arguments")),)),
         Example(repo(script=_NO_ARGPARSE),
                 expect=(("steps/contracts/clean_contract.py", line_of(BASE["contract"], "expected_arguments")),))),
    good=(Example(repo()), Example(repo(contract=_GOOD_DASHES)),
          Example(repo(contract=_BAD_CONTRACT, script=_FIXED_SCRIPT))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    p = pair(step)
    if p is None or not p.contract.expected_arguments or used_elsewhere(p, project):
        return
    if unknown_keys(p.contract, "expected_arguments"):
        project.count_unknown("non-literal-contract-arguments")
        return
    s = p.script
    if s.uses_argparse and p.script_file.unknown.get("dynamic-argument"):
        project.count_unknown("unparsed-argument-dynamic-definition")
        return
    if not s.uses_argparse and (s.reads_argv or other_cli(p.script_file)):
        project.count_unknown("unparsed-argument-other-parser")
        return
    defined = {a.name for a in s.arg_defs} | {arg_key(f) for a in s.arg_defs for f in a.flags}
    for name, entry in p.contract.expected_arguments.items():
        if arg_key(name) in defined:
            continue
        why = "never defines it with add_argument" if s.uses_argparse else "parses no command-line arguments"
        yield RULE.report(
            p.contract_path, entry.key_span,
            f"contract '{p.label}' expects argument '{name}' but script '{p.script_name}' {why}",
            step=step.name,
            related=[script_side(p, "args")],
        )
