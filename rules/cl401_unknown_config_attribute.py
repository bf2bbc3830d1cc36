"""CL401 unknown-config-attribute: the builder reads ``self.config.X`` that its config class lacks."""

from __future__ import annotations

from collections.abc import Iterator
import difflib

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._classes import config_class, step_config_class
from ._examples import edit, line_of, repo

_RENAMED = edit("config", "    label_name: str = Field(", "    label_field: str = Field(")
_GUARDED = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n',
                '        env_vars["SEPARATOR"] = self.config.separator\n'
                '        if hasattr(self.config, "debug_mode"):\n'
                '            env_vars["DEBUG"] = str(self.config.debug_mode)\n'
                '        region = getattr(self.config, "aws_region", "us-east-1")\n')

# the "Use instead" of the docs: the builder reads the renamed field
_FOLLOWED = edit("builder", "self.config.label_name", "self.config.label_field", count=2)

RULE = Rule(
    code="CL401",
    name="unknown-config-attribute",
    summary="The builder reads a config attribute that its config class (and its bases) does not define.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every `self.config.X` (or `config.X` on the builder's config parameter, or `getattr(self.config, "X")`
without a default) the step builder reads must exist on the step's config class: as a field, a
`@property`, a method, a private attribute or a class attribute, on the class itself or anywhere in
its inheritance chain (repo-local bases and the shipped `BasePipelineConfig` /
`ProcessingStepConfigBase`). Reads guarded by `hasattr(self.config, "X")` or
`getattr(self.config, "X", default)` are fine.

## Why it matters
Config classes are pydantic models: a missing attribute is an `AttributeError` raised when the
pipeline is compiled, typically after a field was renamed in the config but not in the builder.

## Example
```python
# steps/configs/config_clean_step.py
class CleanConfig(ProcessingStepConfigBase):
    label_field: str                                      # renamed from label_name

# steps/builders/builder_clean_step.py
env_vars["LABEL_FIELD"] = self.config.label_name          # CL401
```
Use instead:
```python
env_vars["LABEL_FIELD"] = self.config.label_field
```

## How to fix
Read the attribute under its current name (the message suggests the closest public field or
property; a method only when the builder calls it; never a private `_name`), add the field
or property to the config class, or — when the attribute is really optional — guard the read with
`getattr(self.config, "X", default)`.

In the interface layout (`.step.yaml`, no builder file) the attributes checked are those the
template builder reads because the interface names them: every `compute.*_field` value and every
`contract.job_arguments[].source`, each reported at its value in the YAML.

## Known limits
When a base class of the config lives outside the repo (its source cannot be found), its members
are unknowable and the rule stays silent for that config.
''',
    bad=(Example(repo(config=_RENAMED), expect=(
        ("steps/builders/builder_clean_step.py", line_of(repo()["steps/builders/builder_clean_step.py"],
                                                         "if not self.config.label_name")),
        ("steps/builders/builder_clean_step.py", line_of(repo()["steps/builders/builder_clean_step.py"],
                                                         "= self.config.label_name")),
    )),),
    good=(Example(repo()), Example(repo(builder=_GUARDED)),
          Example(repo(config=_RENAMED, builder=_FOLLOWED))),
)


def _described(name: str, bases: list[str]) -> str:
    if not bases:
        return name
    return f"{name} (and its base{'s' if len(bases) > 1 else ''} {', '.join(bases)})"


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    builder = step.builder
    if builder is None or not builder.config_reads:
        return
    assert step.builder_file is not None  # builder facts come from the builder file
    name = step_config_class(step, project)
    if name is None:
        project.count_unknown("builder-config-class")
        return
    near = step.builder_file.path
    members = project.config_members(name, near)
    if not members.complete:
        project.count_unknown("config-base-outside-repo")
        return
    defined = config_class(project, name, near)
    related = [(defined[0], defined[1].name_span, f"{name} defined here")] if defined else []
    bases = [cls for _, cls in members.chain[1:]]
    public = sorted(n for n in members.names if not n.startswith("_"))  # never suggest a private member
    data = [n for n in public if n not in members.methods]
    for read in builder.config_reads:
        if read.guarded or read.attr in members.names:
            continue
        # a call may be meant for any public member; a read of a value only for a field or property
        close = difflib.get_close_matches(read.attr, public if read.how == "call" else data, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        reader = f"interface key '{read.method}' names config attribute '{read.attr}'" if builder.synthesized \
            else f"builder reads 'self.config.{read.attr}'"
        yield RULE.report(
            step.builder_file.path, read.span,
            f"{reader} but {_described(name, bases)} defines no such field, property or method{hint}",
            step=step.name, related=related,
        )
