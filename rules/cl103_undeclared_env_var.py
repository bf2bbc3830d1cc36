"""CL103 undeclared-env-var: the script reads an env var its contract does not declare."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

if TYPE_CHECKING:  # pragma: no cover
    from cursus_lint.fix.context import Context, Planned

_BAD_SCRIPT = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                   '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')

# Env-var lists built at run time: which names they hold is not knowable statically, so the
# script's read of DEBUG_MODE (not in any literal list) is not reported.
_SHARED_REQUIRED = edit("contract", 'required_env_vars=["LABEL_FIELD"],',
                        'required_env_vars=["LABEL_FIELD", *SHARED_ENV_VARS],')
_SHARED_OPTIONAL = edit("contract", 'optional_env_vars={"SEPARATOR": ","},',
                        'optional_env_vars=shared_defaults(SEPARATOR=","),')

# the "Use instead" of the docs: the contract declares the variable with a default
_FIXED_CONTRACT = edit("contract", 'optional_env_vars={"SEPARATOR": ","},',
                       'optional_env_vars={"SEPARATOR": ",", "DEBUG_MODE": "false"},')

RULE = Rule(
    code="CL103",
    name="undeclared-env-var",
    summary="The script reads an environment variable that its script contract does not declare.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every environment variable the script reads — `os.environ["X"]`, `os.environ.get("X")`,
`os.getenv("X")`, `"X" in os.environ`, or `environ_vars["X"]` / `environ_vars.get("X")` in the
testable `main` — must appear in the contract's `required_env_vars` or `optional_env_vars`.

## Why it matters
Builders set a step's environment from its contract. A variable the contract does not declare is
never set in the container, so the script falls back to a default silently or fails with a
`KeyError` hours into the pipeline run.

## Example
```python
# steps/scripts/clean.py
debug = os.getenv("DEBUG_MODE")          # CL103: not in CLEAN_CONTRACT

# steps/contracts/clean_contract.py
CLEAN_CONTRACT = ScriptContract(..., required_env_vars=["LABEL_FIELD"], optional_env_vars={"SEPARATOR": ","})
```
Use instead:
```python
CLEAN_CONTRACT = ScriptContract(
    ...,
    required_env_vars=["LABEL_FIELD"],
    optional_env_vars={"SEPARATOR": ",", "DEBUG_MODE": "false"},
)
```

## How to fix
Declare the variable in the contract: in `optional_env_vars` with a default when the script
copes without it, in `required_env_vars` otherwise. If the read is dead code, remove it.

## Known limits
When `required_env_vars` or `optional_env_vars` is not a literal list or dict — built from a
constant imported from elsewhere or computed at run time
(`required_env_vars=["LABEL_FIELD", *SHARED_ENV_VARS]`) — the names it holds are not knowable
statically, and the rule stays silent for the whole contract.

## Fix safety
Safe: the fix only adds a declaration the script already relies on. A read with a literal
default (`environ_vars.get("X", ",")`) is declared in `optional_env_vars` with that default, a
read without one in `required_env_vars`; builders then set the variable the script reads. No fix
is offered when the script's default is computed at run time (declaring it required would make
the builder demand a value the script can do without), or when the contract's env-var field is
not a literal list or dict.
''',
    bad=(Example(repo(script=_BAD_SCRIPT), expect=(("steps/scripts/clean.py", line_of(_BAD_SCRIPT, "DEBUG_MODE")),)),),
    good=(Example(repo()),
          Example(repo(script=_BAD_SCRIPT, contract=_SHARED_REQUIRED)),
          Example(repo(script=_BAD_SCRIPT, contract=_SHARED_OPTIONAL)),
          Example(repo(script=_BAD_SCRIPT, contract=_FIXED_CONTRACT))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    script, contract = step.script, step.contract
    if script is None or script.script is None or contract is None:
        return
    assert step.contract_file is not None  # contract facts come from the contract file
    if "required_env_vars" in contract.non_literal or "optional_env_vars" in contract.non_literal:
        return  # not knowable statically: stay silent
    declared = {item.name for item in contract.required_env_vars} | set(contract.optional_env_vars)
    where = contract.keyword_spans.get("required_env_vars") or contract.keyword_spans.get("optional_env_vars") \
        or contract.span
    name = contract.variable or "the contract"
    reported: set[str] = set()
    for read in script.script.env_reads:
        if read.name in declared or read.name in reported:
            continue
        reported.add(read.name)
        yield RULE.report(
            script.path, read.span,
            f"script reads env var '{read.name}' that contract '{name}' does not declare",
            step=step.name,
            related=[(step.contract_file.path, where, f"'{name}' declares its env vars here")],
        )


@RULE.fixer(safety="safe", edits="adds the variable to the contract's optional_env_vars (with the script's literal "
                                 "default) or, when the script reads it without a default, to required_env_vars")
def add_env_var(d: Diagnostic, ctx: Context) -> Planned | None:
    """Declare a read env var: optional with the script's literal default, else required."""
    import libcst as cst

    from cursus_lint.fix.context import add_to_contract, as_text, at, contract_label

    step = ctx.step(d)
    if step is None or step.script is None or step.script.script is None:
        return None
    reads = step.script.script.env_reads
    here = [r for r in reads if at(d.location, r.span)]
    here = [r for r in here if f"'{r.name}'" in d.message] or here
    if not here:
        return None
    name = here[0].name
    same = [r for r in reads if r.name == name]
    literal = next((r for r in same if r.has_default and r.default_is_literal and r.default is not None), None)
    label = contract_label(step)
    if literal is not None:
        value = as_text(literal.default)
        item = cst.DictElement(cst.SimpleString(repr(name)), cst.SimpleString(repr(value)))
        return add_to_contract(step, ctx, "optional_env_vars", item,
                               f"declare '{name}' in optional_env_vars of '{label}' (default {value!r})")
    if any(r.has_default for r in same):
        return None  # a default the script computes at run time: required would be wrong
    return add_to_contract(step, ctx, "required_env_vars", cst.Element(cst.SimpleString(repr(name))),
                           f"declare '{name}' in required_env_vars of '{label}'")
