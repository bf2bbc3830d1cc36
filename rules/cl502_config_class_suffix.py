"""CL502 config-class-suffix: step config classes end in ``Config``."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._classes import BASE_SUFFIXES, is_config_class, used_as_base
from ._examples import edit, line_of, repo

_RENAMED = edit("config", "class CleanConfig(ProcessingStepConfigBase):",
                "class CleanSettings(ProcessingStepConfigBase):")
_REGISTRY = edit("registry", '"config_class": "CleanConfig"', '"config_class": "CleanSettings"')
_BUILDER = edit("builder", "import CleanConfig", "import CleanSettings").replace("config: CleanConfig",
                                                                                "config: CleanSettings")
_HELPERS = edit("config", "class CleanConfig(ProcessingStepConfigBase):", '''\
class ColumnRule(BaseModel):
    column: str
    drop_if_missing: bool = False


class CleanShared(ProcessingStepConfigBase):
    separator: str = ","


class CleanConfig(CleanShared):''').replace("from pydantic import Field", "from pydantic import BaseModel, Field")

def suggested(name: str, step_names: list[str]) -> str:
    """``<Step>Config`` for the step owning the file, else the name with a config-ish tail replaced."""
    if len(step_names) == 1:
        return f"{step_names[0]}Config"
    for tail in ("Configuration", "Settings", "Options", "Params", "Conf", "Cfg"):
        if name.endswith(tail) and len(name) > len(tail):
            return f"{name[:-len(tail)]}Config"
    return f"{name}Config"


RULE = Rule(
    code="CL502",
    name="config-class-suffix",
    summary="A step configuration class name does not end in 'Config'.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Every class in a config file that is a step configuration — it inherits, through repo classes, from
`BasePipelineConfig` / `ProcessingStepConfigBase` or from an outside base named `...Config` — is
named `<StepName>Config`. Classes named `...Base` / `...Mixin`, or used as a base by another config
class in the repo, are exempt; so are plain pydantic helper models and hyperparameter classes.

## Why it matters
The registry's `config_class`, saved pipeline configs (which record the class name) and the step
catalog rely on the suffix to tell step configs from helper models.

## Example
```python
class CleanSettings(ProcessingStepConfigBase):   # CL502
    label_name: str
```
Use instead:
```python
class CleanConfig(ProcessingStepConfigBase):
    label_name: str
```

## How to fix
Rename the class to `<StepName>Config` and update the registry's `config_class`, the builder's
imports and annotations, and saved configs.
''',
    bad=(Example(repo(config=_RENAMED, registry=_REGISTRY, builder=_BUILDER),
                 expect=(("steps/configs/config_clean_step.py", line_of(_RENAMED, "class CleanSettings")),)),),
    good=(Example(repo()), Example(repo(config=_HELPERS))),
)


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    bases = used_as_base(project)
    for cls in facts.configs:
        if cls.name.endswith("Config") or cls.name.endswith(BASE_SUFFIXES) or cls.name in bases:
            continue
        if not is_config_class(project, cls, facts.path):
            continue
        owners = sorted(s.name for s in project.steps if s.info.config == facts.path)
        yield RULE.report(
            facts.path, cls.name_span,
            f"config class '{cls.name}' should end in 'Config' (e.g. '{suggested(cls.name, owners)}')",
        )
