"""CL603 unregistered-step: a step has builder/config/spec files but no registry entry."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import BASE, REGISTRY, line_of, repo

_CLEAN_ENTRY = REGISTRY[REGISTRY.index('    "Clean": {'):REGISTRY.rindex("}")]
_WITHOUT_CLEAN = REGISTRY.replace(_CLEAN_ENTRY, "")

RULE = Rule(
    code="CL603",
    name="unregistered-step",
    summary="A step with builder, config or spec files that the registry does not name.",
    severity=Severity.ERROR,
    docs='''
## What it checks
The catalog finds steps by their files (a `<Step>StepBuilder` class, a `<Step>Config` class, a
spec's `step_type`). A step with at least two of builder, config and spec must have an entry in
the registry of its scope: `STEP_NAMES` for the repo, `WORKSPACE_STEPS` for a workspace. The
rule only runs for a scope that has a registry file (a repo without one relies on a registry
outside it).

## Why it matters
Builders, configs and specs are looked up through the registry. An unregistered step cannot
be used in a DAG, its `step_type` cannot be resolved, and other steps cannot name it in
`compatible_sources`: usually the registry entry was forgotten when the step was added.

## Example
```python
# steps/builders/builder_clean_step.py
class CleanStepBuilder(StepBuilderBase):   # CL603: "Clean" is not in STEP_NAMES
    ...
```
Use instead:
```python
# registry/step_names.py
STEP_NAMES = {
    "Clean": {
        "config_class": "CleanConfig",
        "builder_step_name": "CleanStepBuilder",
        "spec_type": "Clean",
        "sagemaker_step_type": "Processing",
        "description": "Cleans raw data",
    },
}
```

## How to fix
Add the step to the registry of its scope with its config class, builder class, spec type and
SageMaker step type, or delete the leftover files.
''',
    bad=(Example(repo(registry=_WITHOUT_CLEAN),
                 expect=(("steps/builders/builder_clean_step.py",
                          line_of(BASE["builder"], "class CleanStepBuilder")),)),),
    good=(Example(repo()),),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    if step.registry is not None:
        return
    registry = project.catalog.registry
    if step.workspace_id is None:
        registry_file = project.catalog.core_registry_file
        if registry_file is None:
            project.count_unknown("no-registry-file")
            return
        table = "STEP_NAMES"
    else:
        if step.workspace_id not in registry.list_workspaces():
            project.count_unknown("no-registry-file")
            return
        paths = registry.get_workspace(step.workspace_id).paths
        registry_file = paths[0] if paths else None
        table = f"WORKSPACE_STEPS of workspace '{step.workspace_id}'"
    info = step.info
    have = [k for k, v in (("builder", info.builder), ("config", info.config), ("spec", info.specs or None)) if v]
    if len(have) < 2:
        return
    if step.builder is not None:
        assert step.builder_file is not None  # builder facts come from the builder file
        path, span = step.builder_file.path, step.builder.name_span
    elif step.specs and step.specs[0].spec.step_type is not None:
        path, span = step.specs[0].path, step.specs[0].spec.step_type.span
    elif step.config is not None:
        assert step.config_file is not None  # config facts come from the config file
        path, span = step.config_file.path, step.config.name_span
    else:
        return  # the files did not parse: CL901 says why
    files = " and ".join([", ".join(have[:-1]), have[-1]]) if len(have) > 1 else have[0]
    related = [(registry_file, None, "the registry of this scope")] if registry_file is not None else []
    yield RULE.report(path, span, f"step '{step.name}' has {files} files but no entry in {table}",
                      step=step.name, related=related)
