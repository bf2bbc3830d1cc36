"""CL601 registry-class-missing: a registry entry names a builder or config class no file defines."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import Span
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._classes import step_class_candidates
from ._examples import CLEAN_INTERFACE, REMOTE_REGISTRY, edit, interface_repo, line_of, repo
from ._registry_entries import closest, entries, step_for

_RENAMED = edit("registry", '"builder_step_name": "CleanStepBuilder"', '"builder_step_name": "CleaningStepBuilder"')
# Known limits: a step only registered here (its code lives in another package), and a builder
# file that does not parse (the classes it defines are unknown)
_UNPARSABLE = edit("builder", "    def validate_configuration(self):\n", "    def validate_configuration(self:\n")

RULE = Rule(
    code="CL601",
    name="registry-class-missing",
    summary="A registry entry's builder_step_name or config_class names a class that no file of the repo defines.",
    severity=Severity.ERROR,
    docs='''
## What it checks
For every entry of `STEP_NAMES` (and of a workspace's `WORKSPACE_STEPS` / `STEP_OVERRIDES`) whose
step has component files in this repo, the classes named by `builder_step_name` and
`config_class` must be defined somewhere in the repo's step files.

## Why it matters
The pipeline assembler looks builders and configs up by these names. A name that matches no
class fails the whole pipeline build with a lookup error, typically after a class was renamed
and the registry was not.

## Example
```python
STEP_NAMES = {
    "Clean": {
        "config_class": "CleanConfig",
        "builder_step_name": "CleaningStepBuilder",   # CL601: the class is CleanStepBuilder
        ...
    },
}
```
Use instead:
```python
        "builder_step_name": "CleanStepBuilder",
```

## How to fix
Make the registry name the class as it is spelled in `steps/builders` / `steps/configs`, or
rename the class to match the registry.

When CL507 is enabled and the step's own builder (config) file defines a differently named class,
that drift is reported once, by CL507 at the class; CL601 then covers the names no file explains.

In the interface layout the registry row is the `.step.yaml` and the builder is a template:
the class named by `registry.config_class` (by default `<step_type>Config`) must be defined in
the repo; the finding points at the `step_type` of the interface.

## Known limits
Steps that are only registered here (their code lives in another package) are not checked, and
the rule stays silent while a builder or config file does not parse.
''',
    bad=(Example(repo(registry=_RENAMED),
                 expect=(("registry/step_names.py", line_of(_RENAMED, "CleaningStepBuilder")),)),
         Example(interface_repo(drop=("config",)),
                 expect=(("steps/interfaces/clean.step.yaml", line_of(CLEAN_INTERFACE, "step_type: Clean")),))),
    good=(Example(repo()), Example(repo(registry=REMOTE_REGISTRY)),
          Example(repo(registry=_RENAMED, builder=_UNPARSABLE))),
)

_KINDS = {"builder_step_name": ("builder", "builders"), "config_class": ("config", "configs")}


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    if any(f.problem is not None and f.roles & {"builder", "config", "hyperparams"} for f in project.files.values()):
        project.count_unknown("class-file-unparsable")
        return
    defined: set[str] = set()
    by_kind: dict[str, set[str]] = {"builder": set(), "config": set()}
    for f in project.files.values():
        if f.module is not None:
            defined |= set(f.module.definitions)
        by_kind["builder"] |= {b.name for b in f.builders}
        by_kind["config"] |= {c.name for c in f.configs}
    defined |= by_kind["builder"] | by_kind["config"]
    defer_to_cl507 = project.settings.enabled("CL507")
    for ref in entries(project):
        step = step_for(project, ref.name, ref.workspace_id)
        if step is None or not step.files:
            continue  # registered here, implemented elsewhere
        for key, (kind, _folder) in _KINDS.items():
            value = ref.entry.fields.get(key)
            if not isinstance(value, str) or value in defined:
                continue
            own = step.builder_file if kind == "builder" else step.config_file
            if defer_to_cl507 and own is not None and step_class_candidates(project, own, kind):
                continue  # the same drift, reported once by CL507 at the class in the step's file
            span = ref.entry.field_spans.get(key, ref.entry.key_span)
            message = (f"{ref.where()} entry '{ref.name}' names {kind} class '{value}' ({key}), but no file of "
                       f"the repo defines it{closest(value, by_kind[kind])}")
            related = [(own.path, None, f"the step's {kind} file")] if own is not None else []
            yield RULE.report(ref.path, span, message, step=ref.name, related=related)
    yield from _interface_rows(project, by_kind["config"] | defined, defer_to_cl507)


def _interface_rows(project: ProjectModel, defined: set[str], defer_to_cl507: bool) -> Iterator[Diagnostic]:
    """Interface layout: the registry row is the ``.step.yaml``; its ``registry.config_class`` (or
    the default ``<Name>Config``) must be a class of the repo (the builder is the template)."""
    for step in project.steps:
        reg = step.registry
        if step.builder is None or not step.builder.synthesized or reg is None or step.contract_file is None:
            continue
        value = reg.config_class
        if not value or value in defined:
            continue
        own = step.config_file
        if defer_to_cl507 and own is not None and step_class_candidates(project, own, "config"):
            continue  # CL507 reports it at the class of the step's config file
        line, column = reg.line or 1, reg.column or 1
        where = Span(line, column, line, column + len(step.name))
        yield RULE.report(
            step.contract_file.path, where,
            f"interface of '{step.name}' needs config class '{value}' (registry.config_class, by default "
            f"'<step_type>Config'), but no file of the repo defines it{closest(value, defined)}",
            step=step.name)
