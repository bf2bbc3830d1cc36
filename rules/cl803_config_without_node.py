"""CL803 config-without-node: the saved config has a step that no DAG node uses."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._pipeline import CONFIG, edit_json, node_names, pipeline_repo, step_of

_BAD_CONFIG = edit_json(CONFIG, '''      "DataLoad": {''', '''      "Clean_calibration": {
        "__model_type__": "CleanConfig",
        "label_name": "label",
        "processing_entry_point": "clean.py"
      },
      "DataLoad": {''')

RULE = Rule(
    code="CL803",
    name="config-without-node",
    summary="The saved config holds a step that no node of the DAG uses.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Every entry of the saved config's `configuration.specific` should be used by a DAG node of
exactly its name. A config no node uses is reported where it is saved.

In `cursus-lint check` this runs when `[tool.cursus-lint]` sets `dag` (`.json`/`.yaml`) and
`pipeline-config`; `cursus-lint build` reports it too.

## Why it matters
It does not stop the build, but it usually means the DAG and the config drifted: a node was
renamed (and now has no config, CL802) or removed while its settings stayed behind, and someone
editing that config believes it is in effect.

## Example
```json
// pipeline/dag.json: nodes "DataLoad", "Clean"
// pipeline/config.json
"specific": {"Clean": {...}, "Clean_calibration": {...}, "DataLoad": {...}}
```
Use instead:
```json
"specific": {"Clean": {...}, "DataLoad": {...}}
```

## How to fix
Add the node to the DAG if the step should run, or regenerate the saved config without it.
''',
    bad=(Example(pipeline_repo(config=_BAD_CONFIG), expect=(("pipeline/config.json", 12),)),),
    good=(Example(pipeline_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    facts = project.pipeline
    if facts is None or facts.configs is None:
        return
    nodes = node_names(facts)
    if nodes is None:
        return  # no DAG, or a .py DAG: its nodes are not known statically (counted by the loader)
    assert facts.dag_path is not None and facts.config_path is not None  # nodes and configs were read from them
    for entry in facts.configs.values():
        if entry.name in nodes:
            continue
        cls = f" ({entry.class_name})" if entry.class_name else ""
        yield RULE.report(facts.config_path, entry.span,
                          f"saved config '{entry.name}'{cls} is used by no node of DAG '{facts.dag_path.name}'",
                          step=step_of(entry.name))
