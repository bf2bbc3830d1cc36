"""CL206 property-path-invalid-for-step-type: a property_path the step's SageMaker type does not have."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._level2 import (
    PROPERTY_SCHEMAS, TYPICAL_PATHS, output_name, property_path_problem, registry_span, resolve_contract, spec_label,
)

_BAD_SPEC = edit("spec", "properties.ProcessingOutputConfig.Outputs['clean_data'].S3Output.S3Uri",
                 "properties.ModelArtifacts.S3ModelArtifacts")
_INDEX_SPEC = edit("spec", "Outputs['clean_data']", "Outputs[0]")

# Known limits: a step type without a property schema (Lambda) is not checked
_LAMBDA = edit("registry", '''        "spec_type": "Clean",
        "sagemaker_step_type": "Processing",''', '''        "spec_type": "Clean",
        "sagemaker_step_type": "Lambda",''')

RULE = Rule(
    code="CL206",
    name="property-path-invalid-for-step-type",
    summary="An output's property_path is not a property of the step's SageMaker step type.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Each output's `property_path` must name a property that SageMaker exposes for the step's
registry `sagemaker_step_type` (the members of the matching `Describe*` API response):

| type | typical output path |
| --- | --- |
| Processing | `properties.ProcessingOutputConfig.Outputs['<name>'].S3Output.S3Uri` (or `Outputs[0]`) |
| Training | `properties.ModelArtifacts.S3ModelArtifacts`, `properties.OutputDataConfig.S3OutputPath`, `properties.FinalMetricDataList['<metric>'].Value` |
| Transform | `properties.TransformOutput.S3OutputPath` |
| CreateModel | `properties.ModelName` |
| RegisterModel | `properties.ModelPackageArn` |
| Tuning | `properties.BestTrainingJob.TrainingJobName`, `properties.TrainingJobSummaries[0]...` |

The `properties.` prefix is optional. Members whose inner shape is open (maps such as
`HyperParameters`, or `Environment`) accept anything below them.

## Why it matters
The dependency resolver turns the path into a SageMaker `Properties` reference when it wires
the pipeline. A path the step type does not have (typically copied from a spec of another step
type) fails the pipeline build with an `AttributeError`, or at execution time.

## Example
```python
# registry: "Clean": {..., "sagemaker_step_type": "Processing"}
OutputSpec(logical_name="clean_data",
           property_path="properties.ModelArtifacts.S3ModelArtifacts", ...)   # CL206: a Training property
```
Use instead:
```python
OutputSpec(logical_name="clean_data",
           property_path="properties.ProcessingOutputConfig.Outputs['clean_data'].S3Output.S3Uri", ...)
```

## How to fix
Use a path of the step's own type (the message suggests the usual one), or correct the
registry's `sagemaker_step_type` if the step really is of another type.

## Known limits
Step types without a property schema here (Lambda, Condition, custom types) are not checked: the
rule stays silent for them.
''',  # noqa: E501 (a Markdown table row cannot wrap)
    bad=(Example(repo(spec=_BAD_SPEC), expect=(("steps/specs/clean_spec.py", line_of(_BAD_SPEC, "property_path=")),)),),
    good=(Example(repo()), Example(repo(spec=_INDEX_SPEC)),
          Example(repo(spec=_BAD_SPEC, registry=_LAMBDA))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    sm_type = step.sagemaker_step_type
    checked = [(v, o) for v in step.specs for o in v.spec.outputs if o.property_path is not None]
    if not checked:
        return
    if sm_type not in PROPERTY_SCHEMAS:
        project.count_unknown("property-path-step-type")
        return
    registry = registry_span(step)
    for variant, out in checked:
        assert out.property_path is not None  # checked keeps outputs with a path
        problem = property_path_problem(out.property_path, sm_type)
        if problem is None:
            continue
        name = output_name(out) or "?"
        typical = TYPICAL_PATHS[sm_type].replace("{name}", name)
        related = []
        if registry is not None:
            related.append((registry[0], registry[1], f"step '{step.name}' is registered as '{sm_type}' here"))
        contract = resolve_contract(step, variant, project, quiet=True)
        if contract is not None and contract.foreign_owner is None and name in contract.facts.outputs:
            related.append((contract.path, contract.facts.outputs[name].key_span,
                            f"'{contract.label}' declares output '{name}' here"))
        yield RULE.report(
            variant.path, out.property_path_span or out.span,
            f"property_path '{out.property_path}' of output '{name}' in spec '{spec_label(variant)}' {problem}: "
            f"not a property of a {sm_type} step (registry sagemaker_step_type of '{step.name}'); "
            f"a {sm_type} output usually reads {typical}",
            step=step.name, related=related,
        )
