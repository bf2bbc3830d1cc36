"""CL207 spec-foreign-contract: a spec's script_contract is another step's contract."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._level2 import contract_label, resolve_contract, spec_label

_LOAD_CONTRACT = '''\
from cursus_core.base import ScriptContract

DATA_LOAD_CONTRACT = ScriptContract(
    entry_point="data_load.py",
    expected_input_paths={},
    expected_output_paths={"raw_data": "/opt/ml/processing/output"},
    expected_arguments={},
    required_env_vars=[],
    optional_env_vars={},
)
'''
_BAD_SPEC = edit("spec", "from ..contracts.clean_contract import CLEAN_CONTRACT",
                 "from ..contracts.data_load_contract import DATA_LOAD_CONTRACT").replace(
    "script_contract=CLEAN_CONTRACT", "script_contract=DATA_LOAD_CONTRACT")
_LOAD_FILES = {"steps/contracts/data_load_contract.py": _LOAD_CONTRACT}

RULE = Rule(
    code="CL207",
    name="spec-foreign-contract",
    summary="A step specification's script_contract is the contract of another step.",
    severity=Severity.ERROR,
    docs='''
## What it checks
The `script_contract` of every spec variant is followed to the contract it imports (directly,
or through a `_get_contract()` helper that imports it). The contract must belong to the spec's
own step: its file name, variable or `entry_point` must not be named after another registered
step, and, when no name says which step it is, the catalog must not give the file to another
step only.

## Why it matters
Specs are usually created by copying a sibling. A forgotten import makes the builder mount the
other step's container paths and pass its arguments, so the step runs with the wrong interface;
the alignment of the copied spec against its real contract is never checked.

## Example
```python
# steps/specs/clean_spec.py
from ..contracts.data_load_contract import DATA_LOAD_CONTRACT

CLEAN_SPEC = StepSpecification(step_type="Clean", ..., script_contract=DATA_LOAD_CONTRACT, ...)  # CL207
```
Use instead:
```python
from ..contracts.clean_contract import CLEAN_CONTRACT

CLEAN_SPEC = StepSpecification(step_type="Clean", ..., script_contract=CLEAN_CONTRACT, ...)
```

## How to fix
Import the step's own contract. If two steps really share one script, give the shared contract
a neutral file and variable name so that it is not named after one of them.
''',
    bad=(Example(repo(spec=_BAD_SPEC, extra=_LOAD_FILES),
                 expect=(("steps/specs/clean_spec.py", line_of(_BAD_SPEC, "script_contract=")),)),),
    good=(Example(repo(extra=_LOAD_FILES)),),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    for variant in step.specs:
        resolved = resolve_contract(step, variant, project)
        if resolved is None or resolved.foreign_owner is None:
            continue
        spec = variant.spec
        where = spec.script_contract.span or spec.keyword_spans.get("script_contract") or spec.span
        related = [(resolved.path, resolved.facts.variable_span or resolved.facts.span,
                    f"'{resolved.label}' is defined here")]
        own = step.contract
        if own is not None and step.contract_file is not None and step.contract_file.path != resolved.path:
            own_label = contract_label(own, step.contract_file.path)
            related.append((step.contract_file.path, own.variable_span or own.span,
                            f"step '{step.name}' has its own contract '{own_label}' here"))
        yield RULE.report(
            variant.path, where,
            f"spec '{spec_label(variant)}' of step '{step.name}' uses contract '{resolved.label}', which belongs "
            f"to step '{resolved.foreign_owner}' ({resolved.evidence})",
            step=step.name, related=related,
        )
