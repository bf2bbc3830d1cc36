"""CL205 property-path-wrong-output: a Processing property_path names another output."""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._level2 import PROPERTY_SCHEMAS, output_name, processing_output_key, resolve_contract, spec_label

_BAD_SPEC = edit("spec", "Outputs['clean_data']", "Outputs['raw_data']")
_INDEX_SPEC = edit("spec", "Outputs['clean_data']", "Outputs[0]")

RULE = Rule(
    code="CL205",
    name="property-path-wrong-output",
    summary="A Processing output's property_path reads another output's S3 URI.",
    severity=Severity.ERROR,
    fixable="safe",
    docs='''
## What it checks
For an output whose `property_path` has the Processing form
`properties.ProcessingOutputConfig.Outputs['<name>'].S3Output.S3Uri`, `<name>` must be the
output's own `logical_name` (builders name each `ProcessingOutput` after its logical name).
The index form `Outputs[0]` cannot be checked statically and is left alone. Steps whose
registry `sagemaker_step_type` is a known non-Processing type are left to CL206.

## Why it matters
The property path is how downstream steps receive this output at run time. A copy-pasted path
that names a sibling output silently wires the wrong S3 prefix into the next step, or fails the
pipeline definition when no output of that name exists.

## Example
```python
OutputSpec(
    logical_name="clean_data",
    property_path="properties.ProcessingOutputConfig.Outputs['raw_data'].S3Output.S3Uri",  # CL205
)
```
Use instead:
```python
OutputSpec(
    logical_name="clean_data",
    property_path="properties.ProcessingOutputConfig.Outputs['clean_data'].S3Output.S3Uri",
)
```

## How to fix
Replace the name inside `Outputs[...]` with the output's own logical name; the message shows the
expected path text.
''',
    bad=(Example(repo(spec=_BAD_SPEC), expect=(("steps/specs/clean_spec.py", line_of(_BAD_SPEC, "property_path=")),)),),
    good=(Example(repo()), Example(repo(spec=_INDEX_SPEC))),
)


@RULE
def check(step, project):
    sm_type = step.sagemaker_step_type
    if sm_type in PROPERTY_SCHEMAS and sm_type != "Processing":
        return  # a Processing-shaped path on another step type is CL206's finding
    for variant in step.specs:
        contract = None
        for out in variant.spec.outputs:
            name = output_name(out)
            if out.property_path is None or name is None:
                continue
            found = processing_output_key(out.property_path)
            if found is None or found[1] == name:
                continue
            quote, named = found
            expected = out.property_path.replace(f"[{quote}{named}{quote}]", f"[{quote}{name}{quote}]", 1)
            if contract is None:
                contract = resolve_contract(step, variant, project, quiet=True) or False
            related = []
            if contract and contract.foreign_owner is None and name in contract.facts.outputs:
                related.append((contract.path, contract.facts.outputs[name].key_span,
                                f"'{contract.label}' declares output '{name}' here"))
            sibling = next((o for o in variant.spec.outputs if output_name(o) == named and o is not out), None)
            if sibling is not None:
                related.append((variant.path, sibling.span, f"output '{named}' is declared here"))
            yield RULE.report(
                variant.path, out.property_path_span or out.span,
                f"property_path of output '{name}' in spec '{spec_label(variant)}' reads output '{named}'; "
                f"expected \"{expected}\"",
                step=step.name, related=related,
            )
