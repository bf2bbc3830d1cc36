"""CL301 unknown-compatible-source: ``compatible_sources`` names a step nobody registered or wrote."""

from __future__ import annotations

from collections.abc import Iterator
import difflib

from cursus_core.deps import strip_job_suffix
from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._dependencies import index
from ._examples import edit, line_of, repo

_TYPO = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["DataLoader", "DataLoad"]')
_SPEC_TYPE = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["DataLoad", "Clean_Training"]')
# Known limits: a registry table that is not a literal may define any step name
_SHARED_REGISTRY = edit("registry", "STEP_NAMES = {\n",
                        "from shared_registry import SHARED_STEPS\n\nSTEP_NAMES = {\n    **SHARED_STEPS,\n")

RULE = Rule(
    code="CL301",
    name="unknown-compatible-source",
    summary="A dependency's compatible_sources names a step that is neither registered nor found in the repo.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Every string in a `DependencySpec(compatible_sources=[...])` must name a step the project knows:
a key of the registry (`STEP_NAMES`, any workspace's `WORKSPACE_STEPS` / `STEP_OVERRIDES`, or the
built-in core table), a registered `spec_type` (a job-type suffix such as `_Training` is
ignored), or a step the catalog found in the repo. The finding points at the string itself.

## Why it matters
The resolver gives a strong bonus to outputs of the steps a dependency lists as compatible
sources. A misspelled or renamed step earns no bonus, so the dependency is wired by weaker
evidence, to the wrong output or to nothing at all, and nothing says why.

## Example
```python
DependencySpec(
    logical_name="raw_data",
    dependency_type=DependencyType.PROCESSING_OUTPUT,
    compatible_sources=["DataLoader", "DataLoad"],      # CL301: no step is called DataLoader
)
```
Use instead:
```python
DependencySpec(
    logical_name="raw_data",
    dependency_type=DependencyType.PROCESSING_OUTPUT,
    compatible_sources=["DataLoad"],
)
```

## How to fix
Use the registry key of the providing step (its canonical name). If the step was renamed,
update every spec that lists it; if it was removed, drop the entry.

## Known limits
When a registry table is not a literal the rule stays silent: the step names it defines are not
knowable statically.
''',
    bad=(Example(repo(spec=_TYPO), expect=(("steps/specs/clean_spec.py", line_of(_TYPO, "DataLoader")),)),),
    good=(Example(repo()), Example(repo(spec=_SPEC_TYPE)),
          Example(repo(spec=_TYPO, registry=_SHARED_REGISTRY))),
)


def _registry_opaque(project: ProjectModel) -> bool:
    files = project.registry_files
    return any(t.opaque for f in files.values() for t in f.tables.values())


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    ix = index(project)
    if _registry_opaque(project):
        project.count_unknown("registry-not-literal")
        return
    known = ix.known_names
    registry_file = project.catalog.core_registry_file
    for consumer in ix.consumers:
        for dep in consumer.spec.dependencies:
            for source, span in zip(dep.compatible_sources, dep.compatible_source_spans, strict=False):
                if source in known or strip_job_suffix(source) in known:
                    continue
                hint = difflib.get_close_matches(source, sorted(ix.registered | {s.name for s in project.steps}),
                                                 n=1, cutoff=0.6)
                where = f"dependency '{dep.logical_name}' of {consumer.spec_name}" if dep.logical_name \
                    else consumer.spec_name
                message = (f"compatible source '{source}' of {where} is not a registered step "
                           f"or a step of this repo" + (f"; did you mean '{hint[0]}'?" if hint else ""))
                related = [(registry_file, None, "steps are registered here")] if registry_file else []
                yield RULE.report(consumer.path, span, message, step=consumer.step.name, related=related)
