"""CL103 undeclared-env-var: the script reads an env var its contract does not declare."""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Example, Rule

from ._examples import BASE, edit, line_of, repo

_BAD_SCRIPT = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                   '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')

RULE = Rule(
    code="CL103",
    name="undeclared-env-var",
    summary="The script reads an environment variable that its script contract does not declare.",
    severity=Severity.ERROR,
    fixable="safe",
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
''',
    bad=(Example(repo(script=_BAD_SCRIPT), expect=(("steps/scripts/clean.py", line_of(_BAD_SCRIPT, "DEBUG_MODE")),)),),
    good=(Example(repo()),),
)


@RULE
def check(step, project):
    script, contract = step.script, step.contract
    if script is None or script.script is None or contract is None:
        return
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
