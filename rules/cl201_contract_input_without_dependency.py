"""CL201 contract-input-without-dependency: a contract input no spec variant dependency names."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import BASE, edit, line_of, repo
from ._level2 import contract_names_missing_in_spec, spec_label

_BAD_CONTRACT = edit("contract", 'expected_input_paths={"raw_data": "/opt/ml/processing/input/data"},',
                     'expected_input_paths={\n        "raw_data": "/opt/ml/processing/input/data",\n'
                     '        "lookup": "/opt/ml/processing/input/lookup",\n    },')

# the "Use instead" of the docs: an optional dependency for the extra input
_FIXED_SPEC = edit("spec", "    ],\n    outputs=[", '''        DependencySpec(
            logical_name="lookup",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
            required=False,
            data_type="S3Uri",
        ),
    ],
    outputs=[''')

RULE = Rule(
    code="CL201",
    name="contract-input-without-dependency",
    summary="The script contract declares an input that the step specification has no dependency for.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every logical name in the contract's `expected_input_paths` must be the `logical_name` of a
`DependencySpec` in the step specification. Job-type variant specs (`x_training_spec.py`,
`x_calibration_spec.py`, ...) are checked one by one against the contract they reference.

## Why it matters
Builders create one `ProcessingInput` per spec dependency and mount it at the contract's path for
the same logical name. An input the spec does not know is never wired: the container directory
stays empty and the script fails, or silently reads nothing, at run time.

## Example
```python
# steps/contracts/clean_contract.py
CLEAN_CONTRACT = ScriptContract(
    expected_input_paths={
        "raw_data": "/opt/ml/processing/input/data",
        "lookup": "/opt/ml/processing/input/lookup",   # no dependency named 'lookup'
    }, ...)

# steps/specs/clean_spec.py
CLEAN_SPEC = StepSpecification(..., dependencies=[DependencySpec(logical_name="raw_data", ...)])  # CL201
```
Use instead:
```python
CLEAN_SPEC = StepSpecification(..., dependencies=[
    DependencySpec(logical_name="raw_data", ...),
    DependencySpec(logical_name="lookup", ..., required=False, ...),
])
```

## How to fix
Add a dependency with the same logical name to every spec variant that uses the contract, or
remove the input from the contract if the script no longer reads it.
''',
    bad=(Example(repo(contract=_BAD_CONTRACT),
                 expect=(("steps/specs/clean_spec.py", line_of(BASE["spec"], "dependencies=[")),)),),
    good=(Example(repo()),
          Example(repo(contract=_BAD_CONTRACT, spec=_FIXED_SPEC))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    for variant, resolved, name, entry, where in contract_names_missing_in_spec(step, project, "input"):
        yield RULE.report(
            variant.path, where,
            f"contract input '{name}' of '{resolved.label}' has no dependency in spec '{spec_label(variant)}'",
            step=step.name,
            related=[(resolved.path, entry.key_span, f"'{resolved.label}' declares input '{name}' here")],
        )
