"""CL808 entry-point-missing: a node's config names a script (or source dir) that is not on disk."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._pipeline import CONFIG, edit_json, pipeline_repo, step_of, used_configs

_BAD_SCRIPT = edit_json(CONFIG, '"processing_entry_point": "clean.py"', '"processing_entry_point": "cleaning.py"')
_BAD_DIR = edit_json(CONFIG, '"source_dir": "steps/scripts"', '"source_dir": "src/scripts"')

RULE = Rule(
    code="CL808",
    name="entry-point-missing",
    summary="A DAG node's config names an entry point script or source dir that does not exist on disk.",
    severity=Severity.ERROR,
    docs='''
## What it checks
For every DAG node, the entry point fields of its saved config — `processing_entry_point`
(inside `processing_source_dir`, else `source_dir`), `training_entry_point` (inside
`training_source_dir`, else `source_dir`), `inference_entry_point` (inside `source_dir`) and
`script_path` — must name a file that exists. Values set in `configuration.shared` count for
every step; relative paths are relative to the directory of the `pyproject.toml` that configures
`pipeline-config` (the repo root). A config whose entry point is `null` runs no script and is
not checked (see CL810).

In `cursus-lint check` this runs when `[tool.cursus-lint]` sets `pipeline-config` (and `dag`, to
limit it to the nodes the DAG uses); `cursus-lint build` reports the same problem from the
compiler.

## Why it matters
SageMaker uploads the source dir and runs the entry point only when the pipeline starts; a
renamed script or a source dir that exists on one laptop only fails the run, or the build on
the CI machine, long after the config was saved.

## Example
```json
"shared": {"source_dir": "steps/scripts"},
"specific": {"Clean": {..., "processing_entry_point": "cleaning.py"}, ...}   // steps/scripts has clean.py
```
Use instead:
```json
"specific": {"Clean": {..., "processing_entry_point": "clean.py"}, ...}
```

## How to fix
Point the entry point at the script's current name, or the source dir at the directory that
holds it (relative to the repo root, so the config works on every machine), and save the config
again.
''',
    bad=(Example(pipeline_repo(config=_BAD_SCRIPT), expect=(("pipeline/config.json", 10),)),
         Example(pipeline_repo(config=_BAD_DIR), expect=(("pipeline/config.json", 10),))),
    good=(Example(pipeline_repo()),),
)


def _shown(path, root) -> str:
    """Relative to the repo root when inside it, else the absolute path."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    facts = project.pipeline
    if facts is None:
        return
    root = project.settings.root
    for entry in used_configs(facts):
        assert facts.config_path is not None  # the entries were read from it
        for ep in entry.entry_points:
            if ep.script_exists:
                continue
            related = []
            if ep.source_dir_span is not None:
                related.append((facts.config_path, ep.source_dir_span, f"{ep.source_dir_field} is set here"))
            if ep.source_dir_exists is False:
                message = (f"config '{entry.name}': {ep.source_dir_field} '{ep.source_dir}' does not exist, so "
                           f"{ep.field} '{ep.value}' cannot be found ({_shown(ep.script, root)})")
            else:
                message = f"config '{entry.name}': {ep.field} '{ep.value}' does not exist ({_shown(ep.script, root)})"
            yield RULE.report(facts.config_path, ep.span, message, step=step_of(entry.name), related=related)
