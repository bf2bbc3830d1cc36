"""CL506 builder-base-class: step builders derive from ``StepBuilderBase``."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel, per_run
from cursus_lint.rule import Example, Rule

from ._classes import builder_chain
from ._examples import edit, line_of, repo

_PLAIN = edit("builder", "class CleanStepBuilder(StepBuilderBase):", "class CleanStepBuilder:")
_ABC = edit("builder", "class CleanStepBuilder(StepBuilderBase):", "class CleanStepBuilder(ABC):") \
    .replace("from cursus_core.base import StepBuilderBase\n", "from abc import ABC\n")
_OUTSIDE = edit("builder", "class CleanStepBuilder(StepBuilderBase):",
                "class CleanStepBuilder(ProcessingStepBuilderBase):") \
    .replace("from cursus_core.base import StepBuilderBase\n",
             "from cursus.steps.builders.base import ProcessingStepBuilderBase\n")

RULE = Rule(
    code="CL506",
    name="builder-base-class",
    summary="A step builder class does not derive from StepBuilderBase.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every class in a builder file named `...StepBuilder`, and every class the registry names as a
`builder_step_name`, derives from `StepBuilderBase` — directly or through builder base classes
defined in the repo.

## Why it matters
The pipeline assembler calls the base class's machinery (contract lookup, dependency extraction,
step naming, default env vars and arguments) on every builder. A builder that does not inherit it
fails when the pipeline is compiled, not when the file is written.

## Example
```python
class CleanStepBuilder:                      # CL506
    ...
```
Use instead:
```python
from cursus_core.base import StepBuilderBase

class CleanStepBuilder(StepBuilderBase):
    ...
```

## How to fix
Derive the class from `StepBuilderBase` (or a repo-local subclass of it) and drop code the base
already provides.

## Known limits
When a base comes from outside the repo the rule cannot see its ancestry and stays silent.
''',
    bad=(
        Example(repo(builder=_PLAIN),
                expect=(("steps/builders/builder_clean_step.py", line_of(_PLAIN, "class CleanStepBuilder")),)),
        Example(repo(builder=_ABC),
                expect=(("steps/builders/builder_clean_step.py", line_of(_ABC, "class CleanStepBuilder")),)),
    ),
    good=(Example(repo()), Example(repo(builder=_OUTSIDE))),
)


@per_run
def registered_builders(project: ProjectModel) -> frozenset[str]:
    """Builder class names of registered steps, computed once per run (asked once per file)."""
    return frozenset(s.registry.builder_step_name for s in project.steps if s.registry is not None)


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    registered = registered_builders(project)
    for cls in facts.builders:
        if not (cls.name.endswith("StepBuilder") or cls.name in registered):
            continue
        chain = builder_chain(project, cls, facts.path)
        if chain.reaches_base:
            continue
        if chain.unknown_bases:
            project.count_unknown("builder-base-outside-repo")
            continue
        bases = ", ".join(chain.bases) if chain.bases else "none"
        yield RULE.report(
            facts.path, cls.name_span,
            f"builder class '{cls.name}' does not derive from StepBuilderBase (bases: {bases})",
        )
