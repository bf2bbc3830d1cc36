"""CL507 registry-class-name-mismatch: registry class names disagree with the step's files."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._classes import registry_related, step_class_candidates
from ._examples import edit, line_of, repo

_BUILDER = edit("builder", "class CleanStepBuilder(StepBuilderBase):", "class CleaningStepBuilder(StepBuilderBase):")
_CONFIG = edit("config", "class CleanConfig(ProcessingStepConfigBase):",
               "class CleaningConfig(ProcessingStepConfigBase):")
_CONFIG_BUILDER = edit("builder", "import CleanConfig", "import CleaningConfig") \
    .replace("config: CleanConfig", "config: CleaningConfig")
_BOTH_REGISTRY = edit("registry", '"config_class": "CleanConfig"', '"config_class": "CleaningConfig"') \
    .replace('"builder_step_name": "CleanStepBuilder"', '"builder_step_name": "CleaningStepBuilder"')
_BOTH_BUILDER = _CONFIG_BUILDER.replace("class CleanStepBuilder(", "class CleaningStepBuilder(")

RULE = Rule(
    code="CL507",
    name="registry-class-name-mismatch",
    summary="The registry's builder_step_name or config_class is not the class defined in the step's file.",
    severity=Severity.ERROR,
    docs='''
## What it checks
For each registered step whose builder (config) file was found, the registry's
`builder_step_name` (`config_class`) must be the name of a class defined in that file. The
finding points at the builder (config) class actually there, with the registry entry as the
related location. Only registries read from a file are checked.

## Why it matters
Pipelines map configs to builders through the registry's class names. When a class is renamed in
its file but not in the registry (or the other way round), the pipeline compiler raises "no
builder for config ..." — or silently picks another step's class.

## Example
```python
# registry/step_names.py
"Clean": {"config_class": "CleanConfig", "builder_step_name": "CleanStepBuilder", ...}

# steps/builders/builder_clean_step.py
class CleaningStepBuilder(StepBuilderBase):      # CL507: the registry says CleanStepBuilder
```
Use instead:
```python
class CleanStepBuilder(StepBuilderBase):
```

## How to fix
Rename the class back, or update `builder_step_name` / `config_class` in the registry entry (and
every import of the old name).
''',
    bad=(
        Example(repo(builder=_BUILDER),
                expect=(("steps/builders/builder_clean_step.py", line_of(_BUILDER, "class CleaningStepBuilder")),)),
        Example(repo(config=_CONFIG, builder=_CONFIG_BUILDER),
                expect=(("steps/configs/config_clean_step.py", line_of(_CONFIG, "class CleaningConfig")),)),
    ),
    good=(Example(repo()), Example(repo(config=_CONFIG, builder=_BOTH_BUILDER, registry=_BOTH_REGISTRY))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    reg = step.registry
    if reg is None:
        return
    if reg.source_path is None:
        project.count_unknown("registry-not-in-repo")
        return
    checks = (("builder", "builder_step_name", reg.builder_step_name, step.builder_file),
              ("config", "config_class", reg.config_class, step.config_file))
    for kind, key, wanted, facts in checks:
        if facts is None:
            continue
        classes = facts.builders if kind == "builder" else facts.configs
        if any(c.name == wanted for c in classes):
            continue
        found = step_class_candidates(project, facts, kind)
        if not found:
            continue
        names = ", ".join(f"'{c.name}'" for c in found)
        yield RULE.report(
            facts.path, found[0].name_span,
            f"registry entry '{reg.name}' names {key} '{wanted}' but {facts.path.name} defines {kind} "
            f"class {names}",
            step=step.name,
            related=registry_related(step, f"registry entry '{reg.name}' here"),
        )
