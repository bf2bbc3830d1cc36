"""CL405 missing-builder-method: the builder lacks a method its SageMaker step type requires."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_core.base.builder import COMMON_BUILDER_METHODS, REQUIRED_BUILDER_METHODS
from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._classes import builder_chain, registry_related
from ._examples import SDK_BUILDER, edit, line_of, repo
from ._script_steps import JOB_FACTORIES, delegates_to_sdk

_RENAMED = edit("builder", "    def _create_processor(self):", "    def _build_processor(self):")
_RENAMED = _RENAMED.replace("processor=self._create_processor(),", "processor=self._build_processor(),")
_ALTERNATIVE = edit("builder", "    def _create_processor(self):", "    def _get_processor(self):")
_ALTERNATIVE = _ALTERNATIVE.replace("processor=self._create_processor(),", "processor=self._get_processor(),")
_LOCAL_BASE = '''\
from cursus_core.base import StepBuilderBase


class ProcessingStepBuilderBase(StepBuilderBase):
    def validate_configuration(self):
        if not self.config.processing_instance_count:
            raise ValueError("processing_instance_count is required")
'''
_INHERITS = edit("builder", "class CleanStepBuilder(StepBuilderBase):",
                 "class CleanStepBuilder(ProcessingStepBuilderBase):")
_INHERITS = _INHERITS.replace('''    def validate_configuration(self):
        if not self.config.label_name:
            raise ValueError("label_name is required")

''', "").replace("from cursus_core.base import StepBuilderBase\n",
                 "from .builder_processing_step_base import ProcessingStepBuilderBase\n")
# Known limits: a mixin from outside the repo may provide the renamed method
_VENDOR_MIXIN = edit("builder", "class CleanStepBuilder(StepBuilderBase):",
                     "class CleanStepBuilder(VendorProcessorMixin, StepBuilderBase):")
_VENDOR_MIXIN = _VENDOR_MIXIN.replace("from cursus_core.base import StepBuilderBase\n",
                                      "from cursus_core.base import StepBuilderBase\n"
                                      "from vendor_steps.mixins import VendorProcessorMixin\n")
_VENDOR_MIXIN = _VENDOR_MIXIN.replace("    def _create_processor(self):", "    def _build_processor(self):")

RULE = Rule(
    code="CL405",
    name="missing-builder-method",
    summary="The builder does not define a method that builders of its SageMaker step type need.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Each builder must define, itself or through repo-local builder base classes, one method of every
group in `cursus_core.base.REQUIRED_BUILDER_METHODS` for its registry `sagemaker_step_type` — for
example `validate_configuration`, `_create_processor` or `_get_processor`, `_get_inputs`,
`_get_outputs` and `create_step` for `Processing` steps. Step types not in the table need the
common methods only.

## Why it matters
The abstract methods make instantiation fail with `TypeError`; the factory method
(`_create_processor`, `_create_estimator`, ...) is what `create_step` and the tooling around
builders call by name. Renaming one breaks pipeline compilation for every DAG using the step.

## Example
```python
class CleanStepBuilder(StepBuilderBase):      # CL405: no _create_processor / _get_processor
    def _build_processor(self): ...
```
Use instead:
```python
class CleanStepBuilder(StepBuilderBase):
    def _create_processor(self): ...
```

## How to fix
Define the method under one of its accepted names (the message lists them), or inherit it from a
repo-local builder base class.

A builder that wraps a step class of an external SDK (it imports no SageMaker processor,
estimator or job step class, has no job factory method, and builds its step in `create_step`)
needs no processor or estimator factory; the other required methods still apply.

## Known limits
When a base class comes from outside the repo (and is not `StepBuilderBase`) the methods it
provides are unknowable and the rule stays silent.
''',
    bad=(Example(repo(builder=_RENAMED),
                 expect=(("steps/builders/builder_clean_step.py", line_of(_RENAMED, "class CleanStepBuilder")),)),),
    good=(Example(repo()), Example(repo(builder=_ALTERNATIVE)),
          Example(repo(builder=SDK_BUILDER)),
          Example(repo(builder=_INHERITS,
                       extra={"steps/builders/builder_processing_step_base.py": _LOCAL_BASE})),
          Example(repo(builder=_VENDOR_MIXIN))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    builder = step.builder
    if builder is None or builder.synthesized:
        return  # interface layout: the builder is a cursus template, not code in the repo
    assert step.builder_file is not None  # builder facts come from the builder file
    chain = builder_chain(project, builder, step.builder_file.path)
    if chain.unknown_bases:
        project.count_unknown("builder-base-outside-repo")
        return
    if not chain.reaches_base:
        return  # not a StepBuilderBase subclass: CL506's business
    step_type = step.sagemaker_step_type
    delegated = delegates_to_sdk(step, project)
    groups = REQUIRED_BUILDER_METHODS.get(step_type or "", COMMON_BUILDER_METHODS)
    kind = f"sagemaker_step_type '{step_type}'" if step_type else "every step builder"
    for group in groups:
        if any(m in chain.methods for m in group):
            continue
        if delegated and JOB_FACTORIES & set(group):
            project.count_unknown("builder-delegates-to-sdk")
            continue  # wraps an external SDK step: there is no processor or estimator to create
        names = " or ".join(f"'{m}'" for m in group)
        yield RULE.report(
            step.builder_file.path, builder.name_span,
            f"builder {builder.name} defines no {names} (required for {kind})",
            step=step.name,
            related=registry_related(step, f"registry declares {kind} here") if step_type else [],
        )
