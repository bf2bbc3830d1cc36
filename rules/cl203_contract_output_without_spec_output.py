"""CL203 contract-output-without-spec-output: a contract output no spec variant output names."""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Example, Rule

from ._examples import BASE, edit, line_of, repo
from ._level2 import contract_names_missing_in_spec, spec_label

_BAD_CONTRACT = edit("contract", 'expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},',
                     'expected_output_paths={\n        "clean_data": "/opt/ml/processing/output/clean",\n'
                     '        "report": "/opt/ml/processing/output/report",\n    },')

RULE = Rule(
    code="CL203",
    name="contract-output-without-spec-output",
    summary="The script contract declares an output that the step specification has no output for.",
    severity=Severity.ERROR,
    fixable="safe",
    docs='''
## What it checks
Every logical name in the contract's `expected_output_paths` must be the `logical_name` of an
`OutputSpec` in the step specification, for every job-type variant spec that references the
contract.

## Why it matters
Builders create one `ProcessingOutput` per spec output, uploading the contract's container path
for the same logical name. Whatever the script writes to an output the spec does not declare is
never uploaded, and no downstream step can depend on it.

## Example
```python
# steps/contracts/clean_contract.py
expected_output_paths={
    "clean_data": "/opt/ml/processing/output/clean",
    "report": "/opt/ml/processing/output/report",      # no OutputSpec named 'report'
}
# steps/specs/clean_spec.py
outputs=[OutputSpec(logical_name="clean_data", ...)]   # CL203
```
Use instead:
```python
outputs=[
    OutputSpec(logical_name="clean_data", ...),
    OutputSpec(logical_name="report", output_type=DependencyType.PROCESSING_OUTPUT,
               property_path="properties.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri"),
]
```

## How to fix
Add an output with the same logical name to each spec variant, or drop the path from the
contract if the script no longer writes it.
''',
    bad=(Example(repo(contract=_BAD_CONTRACT),
                 expect=(("steps/specs/clean_spec.py", line_of(BASE["spec"], "outputs=[")),)),),
    good=(Example(repo()),),
)


@RULE
def check(step, project):
    for variant, resolved, name, entry, where in contract_names_missing_in_spec(step, project, "output"):
        yield RULE.report(
            variant.path, where,
            f"contract output '{name}' of '{resolved.label}' has no output in spec '{spec_label(variant)}'",
            step=step.name,
            related=[(resolved.path, entry.key_span, f"'{resolved.label}' declares output '{name}' here")],
        )
