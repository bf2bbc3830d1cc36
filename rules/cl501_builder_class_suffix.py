"""CL501 builder-class-suffix: step builder classes end in ``StepBuilder``."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._classes import BASE_SUFFIXES, builder_chain, used_as_base
from ._examples import edit, line_of, repo

_RENAMED = edit("builder", "class CleanStepBuilder(StepBuilderBase):", "class CleanBuilder(StepBuilderBase):")
_REGISTRY = edit("registry", '"builder_step_name": "CleanStepBuilder"', '"builder_step_name": "CleanBuilder"')
_LOCAL_BASE = '''\
from cursus_core.base import StepBuilderBase


class ProcessingBuilderMixin:
    def _processing_defaults(self):
        return {"instance_count": self.config.processing_instance_count}


class SharedProcessing(StepBuilderBase):
    def validate_configuration(self):
        if not self.config.processing_instance_count:
            raise ValueError("processing_instance_count is required")
'''
_USES_BASE = edit("builder", "class CleanStepBuilder(StepBuilderBase):", "class CleanStepBuilder(SharedProcessing):")
_USES_BASE = _USES_BASE.replace("from cursus_core.base import StepBuilderBase\n",
                                "from .builder_shared_processing import SharedProcessing\n")


def suggested(name: str) -> str:
    """``CleanBuilder`` -> ``CleanStepBuilder``; ``CleanStep`` -> ``CleanStepBuilder``."""
    stem = name
    for suffix in ("StepBuilder", "Builder", "Step"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    return f"{stem}StepBuilder"


def is_builder(chain) -> bool:
    """A StepBuilderBase subclass, or a subclass of something named like a builder."""
    return chain.reaches_base or any(b.endswith(("Builder", "BuilderBase")) for b in chain.bases)


RULE = Rule(
    code="CL501",
    name="builder-class-suffix",
    summary="A step builder class name does not end in 'StepBuilder'.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Every class in a builder file that derives from `StepBuilderBase` (directly, through repo-local
classes, or from an outside base named like a builder) is named `<StepName>StepBuilder`. Classes
meant only to be inherited from — named `...Base`, `...Mixin`, or used as a base by another builder
in the repo — may be named freely.

## Why it matters
The registry's `builder_step_name`, the step catalog and the pipeline tooling find builders by
this convention; a builder named otherwise is matched by weaker evidence or not at all, and readers
cannot tell builders from helpers.

## Example
```python
class CleanBuilder(StepBuilderBase):        # CL501
    ...
```
Use instead:
```python
class CleanStepBuilder(StepBuilderBase):
    ...
```

## How to fix
Rename the class to `<StepName>StepBuilder` and update the registry's `builder_step_name` and any
imports.
''',
    bad=(Example(repo(builder=_RENAMED, registry=_REGISTRY),
                 expect=(("steps/builders/builder_clean_step.py", line_of(_RENAMED, "class CleanBuilder")),)),),
    good=(Example(repo()),
          Example(repo(builder=_USES_BASE, extra={"steps/builders/builder_shared_processing.py": _LOCAL_BASE}))),
)


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    bases = used_as_base(project)
    for cls in facts.builders:
        if cls.name.endswith("StepBuilder") or cls.name.endswith(BASE_SUFFIXES) or cls.name in bases:
            continue
        if not is_builder(builder_chain(project, cls, facts.path)):
            continue
        yield RULE.report(
            facts.path, cls.name_span,
            f"builder class '{cls.name}' should end in 'StepBuilder' (e.g. '{suggested(cls.name)}')",
        )
