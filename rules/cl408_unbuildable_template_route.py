"""CL408 unbuildable-template-route: no template builder handles the interface's route."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import Span
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import CLEAN_INTERFACE, interface_edit, interface_repo, line_of
from ._template_routes import KINDS, NO_BUILDER, SDK_TYPES

_WRONG_KIND = interface_edit("clean", "  kind: sklearn\n", "  kind: estimator\n")
_LAMBDA = interface_edit("clean", "  sagemaker_step_type: Processing\n", "  sagemaker_step_type: Lambda\n")
_DELEGATED = interface_edit("clean", "  step_assembly: code\n", "  step_assembly: delegation\n")
_XGBOOST = interface_edit("clean", "  kind: sklearn\n", "  kind: xgboost\n")

RULE = Rule(
    code="CL408",
    name="unbuildable-template-route",
    summary="The interface's SageMaker step type and compute.kind form a route no template builder handles.",
    severity=Severity.ERROR,
    docs='''
## What it checks
In the interface layout a step has no builder file: the template builder is chosen by the
registry's `sagemaker_step_type` × `patterns.step_assembly` × `compute.kind`. The route must be
one cursus builds:

| SageMaker step type | `compute.kind` |
| --- | --- |
| `Processing` (`step_assembly` `code` or `step_args`) | `sklearn`, `xgboost`, `framework`, `script`, `byo_container` |
| `Training`, `Tuning` | `estimator`, `byo_container` |
| `CreateModel` | `model` |
| `Transform` | `transformer` |

`step_assembly: delegation` and the SDK step types (`CradleDataLoading`, `RedshiftDataLoading`,
`MimsModelRegistrationProcessing`) are built by an SDK package's own step class and take any
kind. `Base` and `Lambda` have no builder at all.

## Why it matters
The pipeline compiler picks the template when it builds the DAG; a route no template handles
fails the whole build (or the dry run) for a typo that the YAML loader accepted.

## Example
```yaml
registry:
  sagemaker_step_type: Processing
compute:
  kind: estimator          # CL408: a Processing template builds no estimator
```
Use instead:
```yaml
compute:
  kind: sklearn
```

## How to fix
Pick a `compute.kind` the step type's template builds, or correct `sagemaker_step_type`.

## Known limits
A step type cursus does not know at all is CL602's finding; a kind outside the schema's enum is
CL003's.
''',
    bad=(Example(interface_repo(clean=_WRONG_KIND), expect=(("steps/interfaces/clean.step.yaml",
                                                            line_of(_WRONG_KIND, "kind: estimator")),)),
         Example(interface_repo(clean=_LAMBDA), expect=(("steps/interfaces/clean.step.yaml",
                                                        line_of(CLEAN_INTERFACE, "step_type: Clean")),))),
    good=(Example(interface_repo()), Example(interface_repo(clean=_DELEGATED)),
          Example(interface_repo(clean=_XGBOOST))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    builder, reg = step.builder, step.registry
    if builder is None or not builder.synthesized or reg is None or step.builder_file is None:
        return
    smt = reg.sagemaker_step_type
    keys = builder.template_keys
    assembly = keys.get("patterns.step_assembly")
    if smt in SDK_TYPES or (assembly is not None and assembly.value == "delegation"):
        return  # an SDK step class builds it
    path = step.builder_file.path
    if smt in NO_BUILDER:
        line, column = reg.line or 1, reg.column or 1
        yield RULE.report(path, Span(line, column, line, column + len(step.name)),
                          f"interface of '{step.name}' has SageMaker step type '{smt}', for which cursus "
                          f"registers no builder: no template builds this step", step=step.name)
        return
    kind = keys.get("compute.kind")
    allowed = KINDS.get(smt or "")
    if kind is None or allowed is None or not isinstance(kind.value, str) or kind.value in allowed:
        return
    yield RULE.report(path, kind.value_span,
                      f"no template builds route {smt} x {assembly.value if assembly else '-'} x {kind.value}: "
                      f"a {smt} step takes compute.kind {', '.join(allowed)}", step=step.name)
