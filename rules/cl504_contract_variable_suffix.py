"""CL504 contract-variable-suffix: module-level contract variables end in ``_CONTRACT``."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_CAMEL = edit("contract", "CLEAN_CONTRACT = ScriptContract(", "CleanContract = ScriptContract(")
_SPEC = edit("spec", "import CLEAN_CONTRACT", "import CleanContract").replace("script_contract=CLEAN_CONTRACT",
                                                                              "script_contract=CleanContract")
_FACTORY = edit("contract", "CLEAN_CONTRACT = ScriptContract(", "def _build():\n    contract = ScriptContract(")
_FACTORY = _FACTORY.replace('\n    optional_env_vars={"SEPARATOR": ","},\n)\n',
                            '\n    optional_env_vars={"SEPARATOR": ","},\n    )\n    return contract\n\n\n'
                            'CLEAN_CONTRACT = _build()\n')


def suggested(variable: str) -> str:
    upper = "".join(f"_{c}" if c.isupper() and i and variable[i - 1].islower() else c
                    for i, c in enumerate(variable)).upper()
    for tail in ("_CONTRACT", "CONTRACT"):
        if upper.endswith(tail) and len(upper) > len(tail):
            upper = upper[: -len(tail)].rstrip("_")
            break
    return f"{upper}_CONTRACT"


RULE = Rule(
    code="CL504",
    name="contract-variable-suffix",
    summary="A module-level script contract variable does not end in '_CONTRACT'.",
    severity=Severity.WARNING,
    docs='''
## What it checks
A `ScriptContract(...)` (or `TrainingScriptContract(...)`) assigned to a module-level variable in a
contract file is named `<SCRIPT_NAME>_CONTRACT`. Contracts built inside functions are not judged.

## Why it matters
Specs import contracts by name, and the catalog pairs contracts with specs and builders partly by
the `_CONTRACT` suffix; a contract named otherwise is matched by weaker evidence or not at all.

## Example
```python
CleanContract = ScriptContract(entry_point="clean.py", ...)    # CL504
```
Use instead:
```python
CLEAN_CONTRACT = ScriptContract(entry_point="clean.py", ...)
```

## How to fix
Rename the variable to `<SCRIPT_NAME>_CONTRACT` and update the specs and builders that import it.
''',
    bad=(Example(repo(contract=_CAMEL, spec=_SPEC),
                 expect=(("steps/contracts/clean_contract.py", line_of(_CAMEL, "CleanContract = ")),)),),
    good=(Example(repo()), Example(repo(contract=_FACTORY))),
)


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    if "contract" not in facts.roles:
        return
    definitions = facts.module.definitions if facts.module else {}
    for contract in facts.contracts:
        name = contract.variable
        if name is None or contract.function is not None or name.endswith("_CONTRACT") \
                or definitions.get(name) != contract.variable_span:
            continue
        yield RULE.report(
            facts.path, contract.variable_span,
            f"contract variable '{name}' should end in '_CONTRACT' (e.g. '{suggested(name)}')",
        )
