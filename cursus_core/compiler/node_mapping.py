"""Which saved config belongs to which DAG node.

A node takes the config saved under exactly its name, or the one an explicit mapping names.
There is no fuzzy fallback and no "first config of the right class": a guess here builds a
pipeline that runs the wrong settings. Close names are only offered as candidates in errors.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cursus_core.dag import PipelineDAG
from cursus_core.registry.names import split_step_name

__all__ = ["NodeConfigError", "UnusedConfigError", "UnmappedNode", "NodeMapping", "map_nodes_to_configs",
           "split_step_name"]


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


class NodeConfigError(ValueError):
    """A DAG node without a config, or an explicit mapping that names something missing."""


class UnusedConfigError(NodeConfigError):
    """Strict mode: configs that no DAG node uses."""


@dataclass(frozen=True)
class UnmappedNode:
    """A node with no config of its name; ``candidates`` are configs of the same or a close
    canonical step name, best first."""

    node: str
    candidates: list[str]

    @property
    def message(self) -> str:
        if self.candidates:
            return (f"DAG node '{self.node}' has no config of that name; candidates: {_quoted(self.candidates)} "
                    "(rename the config or map the node explicitly)")
        return f"DAG node '{self.node}' has no config of that name and no config name is close"


@dataclass
class NodeMapping:
    """``resolved``: node -> config in DAG order; what is left over on either side."""

    resolved: dict[str, Any] = field(default_factory=dict)
    unmapped_nodes: list[UnmappedNode] = field(default_factory=list)
    unused_configs: list[str] = field(default_factory=list)

    def require_nodes(self) -> None:
        """Raise :class:`NodeConfigError` if any node is unmapped (all of them in one message)."""
        if self.unmapped_nodes:
            raise NodeConfigError("; ".join(u.message for u in self.unmapped_nodes))

    def require_all(self) -> None:
        """Also raise :class:`UnusedConfigError` if a config has no node."""
        self.require_nodes()
        if self.unused_configs:
            raise UnusedConfigError(f"config(s) without a DAG node: {_quoted(self.unused_configs)}")


def _candidates(node: str, names: list[str]) -> list[str]:
    """Configs of the same or a close canonical step name, the closest job type / name first."""
    canonical, job_type = split_step_name(node)

    def score(name: str) -> tuple[float, float]:
        other, other_job = split_step_name(name)
        step = difflib.SequenceMatcher(None, canonical, other).ratio()
        job = difflib.SequenceMatcher(None, job_type or "", other_job or "").ratio()
        return (step, job)

    scored = [(score(name), name) for name in names]
    close = [(s, name) for s, name in scored if s[0] >= 0.8]
    return [name for _, name in sorted(close, key=lambda item: (-item[0][0], -item[0][1]))]


def map_nodes_to_configs(dag: PipelineDAG, configs: Mapping[str, Any], explicit: Mapping[str, str] | None = None,
                         *, strict: bool = False) -> NodeMapping:
    """Map every node to its config (exact step name, or ``explicit[node]``).

    Mistakes in ``explicit`` itself always raise. Otherwise nodes without a config and configs
    without a node are returned for reporting; ``strict=True`` raises for either instead.
    """
    names = list(configs)
    explicit = dict(explicit or {})
    for node, step in explicit.items():
        if node not in dag:
            raise NodeConfigError(f"explicit mapping names node '{node}', which is not in the DAG")
        if step not in configs:
            close = _candidates(step, names)
            hint = f"; candidates: {_quoted(close)}" if close else ""
            raise NodeConfigError(f"explicit mapping sends DAG node '{node}' to config '{step}', "
                                  f"which is not in the saved config{hint}")
    mapping = NodeMapping()
    for node in dag.nodes:
        step = explicit.get(node, node)
        if step in configs:
            mapping.resolved[node] = configs[step]
        else:
            mapping.unmapped_nodes.append(UnmappedNode(node, _candidates(node, names)))
    used = {explicit.get(node, node) for node in mapping.resolved}
    mapping.unused_configs = [name for name in names if name not in used]
    if strict:
        mapping.require_all()
    return mapping
