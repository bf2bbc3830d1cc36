"""CL202 dependency-without-contract-input: a required spec dependency the contract has no input for."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._level2 import spec_label, spec_names_missing_in_contract

_EXTRA_DEP = '''        DependencySpec(
            logical_name="lookup_table",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
            required=True,
            compatible_sources=["DataLoad"],
            semantic_keywords=["lookup"],
            data_type="S3Uri",
        ),
    ],
    outputs=['''
_BAD_SPEC = edit("spec", "    ],\n    outputs=[", _EXTRA_DEP)
_GOOD_SPEC = edit("spec", "    ],\n    outputs=[", _EXTRA_DEP.replace("required=True", "required=False"))

# the "Use instead" of the docs: the contract declares the input
_FIXED_CONTRACT = edit("contract", 'expected_input_paths={"raw_data": "/opt/ml/processing/input/data"},',
                       'expected_input_paths={\n        "raw_data": "/opt/ml/processing/input/data",\n'
                       '        "lookup_table": "/opt/ml/processing/input/lookup",\n    },')

RULE = Rule(
    code="CL202",
    name="dependency-without-contract-input",
    summary="A required dependency of the step specification has no input path in the script contract.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every **required** `DependencySpec` of each spec variant must have an entry with the same
logical name in the referenced contract's `expected_input_paths`.

## Why it matters
The builder looks the dependency up in the contract to find where to mount it. Without a
container path the pipeline build fails with a `KeyError`, or the data is mounted where the
script never looks.

## Example
```python
# steps/specs/clean_spec.py
dependencies=[
    DependencySpec(logical_name="raw_data", ...),
    DependencySpec(logical_name="lookup_table", ..., required=True, ...),   # CL202
]
# steps/contracts/clean_contract.py
expected_input_paths={"raw_data": "/opt/ml/processing/input/data"}
```
Use instead:
```python
expected_input_paths={
    "raw_data": "/opt/ml/processing/input/data",
    "lookup_table": "/opt/ml/processing/input/lookup",
}
```

## How to fix
Declare the input in the contract (and read it in the script), or mark the dependency
`required=False` if the step can run without it, or remove it.

## Known limits
Optional dependencies without a contract input are allowed (builders may route them elsewhere,
for example as a hyperparameters channel) and are not reported.
''',
    bad=(Example(repo(spec=_BAD_SPEC),
                 expect=(("steps/specs/clean_spec.py", line_of(_BAD_SPEC, "DependencySpec(", 2)),)),),
    good=(Example(repo()), Example(repo(spec=_GOOD_SPEC)),
          Example(repo(spec=_BAD_SPEC, contract=_FIXED_CONTRACT))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    for variant, resolved, dep, name, where in spec_names_missing_in_contract(step, project, "input"):
        yield RULE.report(
            variant.path, dep.span,
            f"required dependency '{name}' of spec '{spec_label(variant)}' has no input path in contract "
            f"'{resolved.label}'",
            step=step.name,
            related=[(resolved.path, where, f"'{resolved.label}' declares its input paths here")],
        )
