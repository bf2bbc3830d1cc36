"""CL210 malformed-contract-or-spec: a contract or spec file defines nothing, or gives a keyword a
literal of the wrong type."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import DependencyFacts, OutputFacts
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._level2 import contract_label, spec_label

_INT_ENTRY = edit("contract", 'entry_point="clean.py"', "entry_point=3")
_LIST_STEP_TYPE = edit("spec", 'step_type="Clean"', 'step_type=["Clean"]')
_INT_LOGICAL = edit("spec", 'logical_name="raw_data"', "logical_name=5")
_STRING_DEPENDENCIES = edit("load_spec", "    outputs=[\n", "    dependencies=None,\n    outputs=[\n")

#: keyword -> what it must be, in the words of the message
EXPECTED = {"entry_point": "a string (the script's file name)", "step_type": "a string",
            "logical_name": "a string", "dependencies": "a list (or dict) of DependencySpec",
            "outputs": "a list (or dict) of OutputSpec"}

RULE = Rule(
    code="CL210",
    name="malformed-contract-or-spec",
    summary="A contract or spec file defines nothing, or a keyword holds a literal of the wrong type.",
    severity=Severity.ERROR,
    docs='''
## What it checks
The step's contract and spec files are read from the syntax tree. This rule reports what makes
them unusable rather than merely unknowable:

- a contract or spec file of the step that defines nothing at all (empty, or only comments and
  imports), so every level-1 and level-2 check of the step silently has nothing to compare;
- a keyword written as a literal of a type it can never have: a non-string `entry_point`,
  `step_type` or `logical_name` (`entry_point=3`, `step_type=["Clean"]`), or `dependencies` /
  `outputs` that are not a list or dict (`dependencies=None`, `outputs="data"`).

A value computed at run time (a name, a call) is not a wrong type: it is not knowable
statically, is counted under `--statistics`, and is not reported.

## Why it matters
The contract and spec classes validate their fields only when the pipeline is built, hours
later and far from the file; until then every other rule sees "no value" and stays quiet, so
the drift they would find goes unreported too.

## Example
```python
CLEAN_CONTRACT = ScriptContract(entry_point=3, ...)        # CL210: an int, not a file name
```
Use instead:
```python
CLEAN_CONTRACT = ScriptContract(entry_point="clean.py", ...)
```

## How to fix
Give the keyword a value of the right type; write the contract or spec the file is named for,
or delete the empty file.
''',
    bad=(Example(repo(contract=_INT_ENTRY), expect=(("steps/contracts/clean_contract.py",
                                                      line_of(_INT_ENTRY, "entry_point=3")),)),
         Example(repo(spec=_LIST_STEP_TYPE), expect=(("steps/specs/clean_spec.py",
                                                      line_of(_LIST_STEP_TYPE, "step_type=")),)),
         Example(repo(spec=_INT_LOGICAL),
                 expect=(("steps/specs/clean_spec.py", line_of(_INT_LOGICAL, "logical_name=5")),)),
         Example(repo(load_spec=_STRING_DEPENDENCIES),
                 expect=(("steps/specs/data_load_spec.py", line_of(_STRING_DEPENDENCIES, "dependencies=None")),)),
         Example(repo(contract=""), expect=(("steps/contracts/clean_contract.py", 1),))),
    good=(Example(repo()),),
)


def _defines_nothing(facts) -> bool:
    """Parsed, and binds no top-level name (empty, comments, docstring, imports only)."""
    if facts is None or facts.problem is not None or facts.module is None:
        return False
    return not facts.module.definitions


def _wrong(owner, what: str, where: dict, path, step: str):
    for keyword, found in sorted(owner.wrong_types.items()):
        span = where.get(keyword)
        yield RULE.report(path, span, f"{what}: {keyword} is {found}, but must be {EXPECTED.get(keyword, 'a string')}",
                          step=step)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    contract_file = step.contract_file
    if contract_file is not None and not contract_file.contracts and _defines_nothing(contract_file):
        yield RULE.report(contract_file.path, None, f"contract file of step '{step.name}' defines nothing "
                                                    "(no ScriptContract): the script is checked against no contract",
                          step=step.name)
    for contract in (contract_file.contracts if contract_file is not None else ()):
        assert contract_file is not None
        yield from _wrong(contract, f"contract '{contract_label(contract, contract_file.path)}'", contract.value_spans,
                          contract_file.path, step.name)
    for _job_type, path in sorted(step.info.specs.items(), key=lambda kv: kv[0] or ""):
        facts = project.files.get(path)
        if facts is not None and not facts.specs and _defines_nothing(facts):
            yield RULE.report(path, None, f"spec file of step '{step.name}' defines nothing "
                                          "(no StepSpecification): its dependencies and outputs are unchecked",
                              step=step.name)
    for variant in step.specs:
        spec = variant.spec
        label = f"spec '{spec_label(variant)}'"
        yield from _wrong(spec, label, spec.non_literal | {k: v for k, v in spec.keyword_spans.items()
                                                            if k not in spec.non_literal}, variant.path, step.name)
        items: tuple[DependencyFacts | OutputFacts, ...] = (*spec.dependencies, *spec.outputs)
        for item in items:
            yield from _wrong(item, label, item.non_literal, variant.path, step.name)
