"""Shared pieces of the CL8xx (pipeline) rules: example pipelines and node -> step lookups.

The examples add a pipeline to the two-step example repo (``DataLoad -> Clean``): a
``pyproject.toml`` that configures ``dag`` and ``pipeline-config``, the DAG as JSON and the saved
config, in the layout users have.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from cursus_core.registry.names import split_step_name
from cursus_lint.facts.pipeline import PipelineConfigEntry, PipelineFacts

from ._examples import repo

PYPROJECT = '''\
[tool.cursus-lint]
dag = "pipeline/dag.json"
pipeline-config = "pipeline/config.json"
'''

DAG = '''\
{
  "nodes": [
    "DataLoad",
    "Clean"
  ],
  "edges": [
    ["DataLoad", "Clean"]
  ]
}
'''

CONFIG = '''\
{
  "configuration": {
    "shared": {
      "source_dir": "steps/scripts"
    },
    "specific": {
      "Clean": {
        "__model_type__": "CleanConfig",
        "label_name": "label",
        "processing_entry_point": "clean.py"
      },
      "DataLoad": {
        "__model_type__": "DataLoadConfig",
        "processing_entry_point": null
      }
    }
  },
  "metadata": {
    "config_types": {
      "Clean": "CleanConfig",
      "DataLoad": "DataLoadConfig"
    }
  }
}
'''


def pipeline_repo(dag: str = DAG, config: str = CONFIG, **replace: str) -> dict[str, str]:
    """The example repo with a configured pipeline (``replace`` swaps step components)."""
    return repo({"pyproject.toml": PYPROJECT, "pipeline/dag.json": dag, "pipeline/config.json": config}, (),
                **replace)


def edit_json(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced once; the result must still be valid JSON."""
    if old not in text:
        raise ValueError(f"{old!r} not found")
    out = text.replace(old, new, 1)
    json.loads(out)
    return out


def step_of(node: str) -> str:
    """The canonical step name of a node (``Clean_training`` -> ``Clean``)."""
    return split_step_name(node)[0]


def node_names(facts: PipelineFacts) -> set[str] | None:
    return None if facts.nodes is None else {n.name for n in facts.nodes}


def used_configs(facts: PipelineFacts) -> Iterator[PipelineConfigEntry]:
    """Configs the DAG uses (all of them when the DAG's nodes are not known statically)."""
    if facts.configs is None:
        return
    names = node_names(facts)
    for entry in facts.configs.values():
        if names is None or entry.name in names:
            yield entry


def step_model(project, node: str, class_name: str | None):
    """The repo step a node runs: by canonical name (core before workspaces), else by config class."""
    canonical = step_of(node)
    by_name = sorted((s for s in project.steps if s.name == canonical), key=lambda s: s.workspace_id or "")
    if by_name:
        return by_name[0]
    if class_name:
        return next((s for s in project.steps if s.registry and s.registry.config_class == class_name), None)
    return None
