"""CL204 spec-output-without-contract-output: a spec output the contract has no output path for."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._level2 import spec_label, spec_names_missing_in_contract

_EXTRA_OUTPUT = '''        ),
        OutputSpec(
            logical_name="summary",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['summary'].S3Output.S3Uri",
            data_type="S3Uri",
        ),
    ],
)
'''
_BAD_SPEC = edit("spec", "        ),\n    ],\n)\n", _EXTRA_OUTPUT)

# the "Use instead" of the docs: the contract declares the output path
_FIXED_CONTRACT = edit("contract", 'expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},',
                       'expected_output_paths={\n        "clean_data": "/opt/ml/processing/output/clean",\n'
                       '        "summary": "/opt/ml/processing/output/summary",\n    },')

RULE = Rule(
    code="CL204",
    name="spec-output-without-contract-output",
    summary="An output of the step specification has no output path in the script contract.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every `OutputSpec` of each spec variant must have an entry with the same logical name in the
referenced contract's `expected_output_paths`.

## Why it matters
The builder takes the container directory to upload from the contract. An output the contract
does not declare either breaks the build (`KeyError`) or uploads a directory the script never
writes, so downstream steps receive an empty prefix.

## Example
```python
# steps/specs/clean_spec.py
outputs=[
    OutputSpec(logical_name="clean_data", ...),
    OutputSpec(logical_name="summary", ...),      # CL204: not in CLEAN_CONTRACT
]
# steps/contracts/clean_contract.py
expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"}
```
Use instead:
```python
expected_output_paths={
    "clean_data": "/opt/ml/processing/output/clean",
    "summary": "/opt/ml/processing/output/summary",
}
```

## How to fix
Declare the output path in the contract (and write it in the script), or remove the output
from the spec.
''',
    bad=(Example(repo(spec=_BAD_SPEC), expect=(("steps/specs/clean_spec.py", line_of(_BAD_SPEC, "OutputSpec(", 2)),)),),
    good=(Example(repo()),
          Example(repo(spec=_BAD_SPEC, contract=_FIXED_CONTRACT))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    for variant, resolved, out, name, where in spec_names_missing_in_contract(step, project, "output"):
        yield RULE.report(
            variant.path, out.span,
            f"spec output '{name}' of '{spec_label(variant)}' has no output path in contract '{resolved.label}'",
            step=step.name,
            related=[(resolved.path, where, f"'{resolved.label}' declares its output paths here")],
        )
