"""CL108 undeclared-argument: the script defines a CLI argument its contract does not declare."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._script_contract import arg_key, pair, unknown_keys

if TYPE_CHECKING:  # pragma: no cover
    from cursus_lint.fix.context import Context, Planned
    from cursus_lint.fix.shape import ShapeContext

_BAD_SCRIPT = edit("script", '    parser.add_argument("--job_type", required=True)\n',
                   '    parser.add_argument("--job_type", required=True)\n'
                   '    parser.add_argument("--drop-duplicates", action="store_true")\n')
_GOOD_DASHES = edit("script", '"--job_type"', '"--job-type"')

# the "Use instead" of the docs: the contract declares the option
_FIXED_CONTRACT = edit("contract", 'expected_arguments={"job_type": "training"}',
                       'expected_arguments={"job_type": "training", "drop-duplicates": "false"}')

RULE = Rule(
    code="CL108",
    name="undeclared-argument",
    summary="The script defines a command-line argument that its script contract does not declare.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every `parser.add_argument(...)` in the script must correspond to a key of the contract's
`expected_arguments`. Dashes and underscores are alike (`--job-type` matches `job_type`, as in
argparse), and `dest=` counts as the argument's name too.

An argument the step's builder passes itself in `_get_job_arguments` (cursus builders pass
`--job_type` from the config while the contract says "job_type comes from config") is not
reported: script and builder agree, so the job runs as written.

## Why it matters
Builders pass exactly the contract's `expected_arguments` as job arguments. An argument the
contract does not list is never passed: a `required=True` one makes the job exit at start-up, an
optional one silently keeps its default in every pipeline run.

## Example
```python
# steps/scripts/clean.py
parser.add_argument("--drop-duplicates", action="store_true")   # CL108

# steps/contracts/clean_contract.py
expected_arguments={"job_type": "training"}
```
Use instead:
```python
expected_arguments={"job_type": "training", "drop-duplicates": "false"}
```

## How to fix
Declare the argument in `expected_arguments` (and have the builder pass it), or remove it from
the script if the pipeline never needs it.

## Fix safety
Safe: the fix only declares an option the script already parses, so the builder starts passing
it. The value is the argument's literal default, else `""`; review it for flags
(`action="store_true"`), where a value is not wanted, and for required arguments, where `""` is
a placeholder. Positional arguments get no fix (they are not passed as `--key value`).
''',
    bad=(Example(repo(script=_BAD_SCRIPT),
                 expect=(("steps/scripts/clean.py", line_of(_BAD_SCRIPT, "--drop-duplicates")),)),),
    good=(Example(repo()), Example(repo(script=_GOOD_DASHES)),
          Example(repo(script=_BAD_SCRIPT, contract=_FIXED_CONTRACT))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    p = pair(step)
    if p is None or not p.script.arg_defs:
        return
    if unknown_keys(p.contract, "expected_arguments"):
        project.count_unknown("non-literal-contract-arguments")
        return
    expected = {arg_key(k) for k in p.contract.expected_arguments}
    declared = ", ".join(f"'{k}'" for k in p.contract.expected_arguments) or "none"
    passed = {arg_key(a.name) for a in step.builder.job_arguments} if step.builder is not None else set()
    for arg in p.script.arg_defs:
        names = {arg.name} | {arg_key(f) for f in arg.flags}
        if names & expected:
            continue
        if names & passed:
            continue
        yield RULE.report(
            p.script_file.path, arg.span,
            f"script defines argument '{arg.raw}' that contract '{p.label}' does not declare in "
            f"expected_arguments (declared: {declared})",
            step=step.name,
            related=[(p.contract_path, p.where("expected_arguments"), f"'{p.label}' declares its arguments here")],
        )


def _option(d: Diagnostic, step: StepModel | None) -> tuple[str, str] | None:
    """The option to declare and its default ("" unless literal), from the facts alone."""
    from cursus_lint.fix.shape import as_text, at

    if step is None or step.script is None or step.script.script is None:
        return None
    arg = next((a for a in step.script.script.arg_defs if at(d.location, a.span)), None)
    if arg is None or not arg.raw.startswith("-"):
        return None  # positional arguments are not passed as --key value
    return arg.raw.lstrip("-"), as_text(arg.default) if arg.default_is_literal and arg.default is not None else ""


@RULE.fixer(safety="safe", edits="adds the option to the contract's expected_arguments with its literal default "
                                 "(else \"\")")
def add_argument(d: Diagnostic, ctx: Context) -> Planned | None:
    """Declare an argparse option in ``expected_arguments`` with its literal default (else "")."""
    import libcst as cst

    from cursus_lint.fix.context import add_to_contract, contract_label

    step = ctx.step(d)
    option = _option(d, step)
    if step is None or option is None:
        return None
    key, value = option
    item = cst.DictElement(cst.SimpleString(repr(key)), cst.SimpleString(repr(value)))
    return add_to_contract(step, ctx, "expected_arguments", item,
                           f"declare '{key}' in expected_arguments of '{contract_label(step)}'")


@RULE.fix_probe
def can_add_argument(d: Diagnostic, ctx: ShapeContext) -> bool:
    import ast

    from cursus_lint.fix.shape import contract_accepts

    step = ctx.step(d)
    return step is not None and _option(d, step) is not None and \
        contract_accepts(step, ctx, "expected_arguments", ast.Dict)
