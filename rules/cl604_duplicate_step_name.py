"""CL604 duplicate-step-name: one step name or spec type claimed twice in one scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._dependencies import spec_label
from ._examples import SPEC, line_of, repo
from ._registry_entries import core_entries, entries

_COPY = SPEC.replace("CLEAN_SPEC = ", "CLEAN_V2_SPEC = ")
# A stale copy in a second spec directory: its path sorts first, but the step uses the spec the
# catalog attached (from the first directory of the layout), so the copy is the one reported.
_LEGACY = {"steps/legacy_specs/clean_spec.py": SPEC.replace("CLEAN_SPEC = ", "CLEAN_OLD_SPEC = ")}
_TWO_SPEC_DIRS = {"layout": {"specs": ["specs", "legacy_specs"]}}
_VARIANT = SPEC.replace("CLEAN_SPEC = ", "CLEAN_TRAINING_SPEC = ").replace('step_type="Clean"',
                                                                             'step_type="Clean_Training"')

RULE = Rule(
    code="CL604",
    name="duplicate-step-name",
    summary="Two spec files claim the same step type, or a step name is defined twice across registry tables.",
    severity=Severity.ERROR,
    docs='''
## What it checks
- Two specifications in one scope (the repo, or one workspace) declaring the same `step_type`
  (job-type variants such as `Clean_Training` are distinct types). The catalog keeps one — the
  spec it attached to the step, found first in the layout's spec directories, whatever the order
  of the file names; the others are reported, pointing at the one kept.
- A workspace's `WORKSPACE_STEPS` entry for a step the core `STEP_NAMES` already defines (a new
  step must have a new name; replacing a core step is what `STEP_OVERRIDES` is for).
- A second core `STEP_NAMES` table (another registry file of the repo) defining a step of the
  registry file in use.

A key written twice inside one table is reported by CL607 (malformed-registry), not here.

## Why it matters
Lookups by step name or spec type return one definition; the other is silently ignored. Which
one wins depends on file order, so a pipeline can change behaviour when an unrelated file is
added.

## Example
```python
# steps/specs/clean_spec.py
CLEAN_SPEC = StepSpecification(step_type="Clean", ...)
# steps/specs/clean_v2_spec.py
CLEAN_V2_SPEC = StepSpecification(step_type="Clean", ...)    # CL604 on one of the two
```
Use instead:
```python
CLEAN_TRAINING_SPEC = StepSpecification(step_type="Clean_Training", ...)   # a job-type variant
```

A legacy default spec that declares a job-type variant another spec file also declares is still
imported by builders, so besides this finding it is checked against the contract like the
variant (CL2xx findings point into it).

## How to fix
Delete the stale copy, give a variant its job-type suffix, move a workspace redefinition of a
core step to `STEP_OVERRIDES`, or keep one registry file.
''',
    bad=(Example(repo(extra={"steps/specs/clean_v2_spec.py": _COPY}),
                 expect=(("steps/specs/clean_v2_spec.py", line_of(_COPY, 'step_type="Clean"')),)),
         Example(repo(extra=_LEGACY), config=_TWO_SPEC_DIRS,
                 expect=(("steps/legacy_specs/clean_spec.py", line_of(SPEC, 'step_type="Clean"')),))),
    good=(Example(repo()), Example(repo(extra={"steps/specs/clean_training_spec.py": _VARIANT}))),
)


def _spec_scope(project: ProjectModel, path: Path) -> str | None:
    for step_dir in project.catalog.step_dirs:
        if any(path.parent == d for d in step_dir.role_dirs.get("specs", ())):
            return step_dir.workspace_id
    return None


def _duplicate_specs(project: ProjectModel) -> Iterator[Diagnostic]:
    attached = {p for s in project.steps for p in s.info.specs.values()}
    groups: dict[tuple[str | None, str], list] = {}
    for path, facts in sorted(project.files.items()):
        if "spec" not in facts.roles:
            continue
        for spec in facts.specs:
            ref = spec.step_type
            if ref is None or ref.base is None or ref.raw_kind == "dynamic":
                continue
            label = spec_label(ref.base, None, spec)
            groups.setdefault((_spec_scope(project, path), label), []).append((path, spec))
    for (_, label), members in sorted(groups.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        if len(members) < 2:
            continue
        kept = next((m for m in members if m[0] in attached), members[0])
        for path, spec in members:
            if path == kept[0] and spec is kept[1]:
                continue
            kname = kept[1].variable or "a spec"
            owners = project.catalog.find_steps_for_file(kept[0])
            yield RULE.report(
                path, spec.step_type.span,
                f"spec '{spec.variable or 'spec'}' declares step type '{label}', which {kname} in "
                f"{kept[0].name} already declares; only one of them is used",
                step=owners[0][1] if owners else None,
                related=[(kept[0], kept[1].step_type.span, f"'{label}' is declared here")])


def _duplicate_entries(project):
    core = core_entries(project)
    if core is None:
        return
    for ref in entries(project):
        other = core.get(ref.name)
        if other is None or other.path == ref.path:
            continue
        if ref.workspace_id is not None and ref.table == "WORKSPACE_STEPS":
            message = (f"WORKSPACE_STEPS of workspace '{ref.workspace_id}' defines '{ref.name}', which the core "
                       f"STEP_NAMES already defines; replace a core step through STEP_OVERRIDES")
        elif ref.workspace_id is None and ref.table == "STEP_NAMES":
            message = (f"STEP_NAMES in {ref.path.name} defines '{ref.name}' again; the core registry in use is "
                       f"{other.path.name}, so this definition is ignored")
        else:
            continue
        yield RULE.report(ref.path, ref.entry.key_span, message, step=ref.name,
                          related=[(other.path, other.entry.key_span, f"core definition of '{ref.name}'")])


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    yield from _duplicate_specs(project)
    yield from _duplicate_entries(project)
