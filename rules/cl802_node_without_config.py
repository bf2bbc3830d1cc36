"""CL802 node-without-config: a DAG node has no config of its name in the saved config."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._pipeline import DAG, edit_json, pipeline_repo, step_of

_BAD_DAG = edit_json(DAG, '"Clean"\n', '"Clean_training"\n').replace('["DataLoad", "Clean"]',
                                                                      '["DataLoad", "Clean_training"]')

RULE = Rule(
    code="CL802",
    name="node-without-config",
    summary="A DAG node has no config saved under its name, so the pipeline cannot be built.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every node of the pipeline DAG must have an entry of exactly its name in the saved config's
`configuration.specific` (`Clean`, or `Clean_training` for a job-type variant). The message
lists the configs whose names are close (same step with another job type first).

In `cursus-lint check` this runs when `[tool.cursus-lint]` sets `dag` (a `.json`/`.yaml` DAG; a
`.py` DAG is code and only `cursus-lint build` runs it) and `pipeline-config`. `cursus-lint build`
reports the same finding from the compiler, which also honours an explicit node mapping.

## Why it matters
The compiler never guesses which config a node meant (a guess builds a pipeline that runs the
wrong settings), so the build stops. Usually a node was renamed or given a job type in the DAG
and the config was saved before that.

## Example
```json
// pipeline/dag.json
{"nodes": ["DataLoad", "Clean_training"], "edges": [["DataLoad", "Clean_training"]]}
// pipeline/config.json: configuration.specific has "DataLoad" and "Clean"
```
Use instead:
```json
{"nodes": ["DataLoad", "Clean"], "edges": [["DataLoad", "Clean"]]}
```

## How to fix
Rename the node or the saved config so the names match exactly (regenerate the config file with
`save_configs` from the same step names the DAG uses), or map the node explicitly when building.
''',
    bad=(Example(pipeline_repo(dag=_BAD_DAG), expect=(("pipeline/dag.json", 4),)),),
    good=(Example(pipeline_repo()),),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    facts = project.pipeline
    if facts is None or facts.nodes is None or facts.configs is None:
        return
    assert facts.dag_path is not None and facts.config_path is not None  # nodes and configs were read from them
    # only when a pipeline is configured: the compiler package (networkx) stays off the static path
    from cursus_core.compiler.node_mapping import map_nodes_to_configs
    from cursus_core.dag import DAGError, PipelineDAG

    try:
        dag = PipelineDAG([n.name for n in facts.nodes])
    except DAGError:
        project.count_unknown("pipeline-dag-duplicate-node")
        return
    mapping = map_nodes_to_configs(dag, facts.configs)
    spans = {n.name: n.span for n in facts.nodes}
    related = [(facts.config_path, facts.specific_span, "saved configs are listed here")] if facts.specific_span \
        else []
    for unmapped in mapping.unmapped_nodes:
        yield RULE.report(facts.dag_path, spans[unmapped.node], unmapped.message, step=step_of(unmapped.node),
                          related=related)

