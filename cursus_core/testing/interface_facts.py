"""A step's script requirements from its ``.step.yaml`` (the interface layout), for runtime testing.

The planner reads a classic step's contract and spec through the lint facts; an interface-layout
step has neither file, so this module offers the same shapes from the interface: container paths
of inputs and outputs, required and optional env vars, job arguments (``flag`` + the config
attribute ``source``) and the spec's dependencies and outputs for the shared resolver. Like the
rest of the planner it imports nothing of the repo: when the config class has its own
``get_environment_variables`` collector, which var reads which field is read from its syntax tree
(``{"LABEL_FIELD": self.label_name}``), as the planner reads a classic builder's.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cursus_core.interface.discovery import LoadedInterface, discover, load
from cursus_core.source import load_source

__all__ = ["InterfaceIndex", "InterfaceFacts", "collector_env_mapping"]


@dataclass
class InterfaceFacts:
    """What the planner needs of one step, shaped like its contract/spec facts."""

    contract: Any
    spec: Any
    spec_type: str
    file: Path
    env_mapping: dict[str, tuple[str, Any, bool]]
    job_arguments: list[tuple[str, str]]


def _self_attr(expr: ast.AST) -> str | None:
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            return node.attr
    return None


def collector_env_mapping(config_file: Path | None, class_name: str) -> dict[str, tuple[str, Any, bool]]:
    """Env var -> ("attr", field, wrapped in str()) / ("literal", text, False) from the class's own
    ``get_environment_variables``: every string-keyed dict entry or subscript assignment in it."""
    if config_file is None:
        return {}
    tree = load_source(config_file).tree
    if tree is None:
        return {}
    found: dict[str, tuple[str, Any, bool]] = {}
    for cls in ast.walk(tree):
        if not (isinstance(cls, ast.ClassDef) and cls.name == class_name):
            continue
        for func in cls.body:
            if not (isinstance(func, ast.FunctionDef) and func.name == "get_environment_variables"):
                continue
            pairs: list[tuple[ast.AST, ast.AST]] = []
            for node in ast.walk(func):
                if isinstance(node, ast.Dict):
                    pairs += [(k, v) for k, v in zip(node.keys, node.values, strict=True) if k is not None]
                elif isinstance(node, ast.Assign):
                    pairs += [(t.slice, node.value) for t in node.targets if isinstance(t, ast.Subscript)]
            for key, value in pairs:
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    continue
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.setdefault(key.value, ("literal", value.value, False))
                    continue
                attr = _self_attr(value)
                as_str = isinstance(value, ast.Call) and getattr(value.func, "id", None) == "str"
                found.setdefault(key.value, ("attr", attr, as_str) if attr else ("unknown", None, False))
    return found


def _entry(value: Any) -> SimpleNamespace:
    return SimpleNamespace(value=value)


class InterfaceIndex:
    """The interfaces of one repo by step type (package first), read once."""

    def __init__(self, repo_root: Path) -> None:
        from cursus_core.templates.source import effective_steps

        files = discover(repo_root)
        self.steps: dict[str, LoadedInterface] = effective_steps(load(files)) if files else {}

    def facts(self, step: str, job_type: str | None, class_name: str | None) -> InterfaceFacts | None:
        """The step's requirements for ``job_type`` (its variant merged), or None without an interface."""
        from cursus_core.templates.base import spec_from_interface
        from cursus_core.templates.source import config_file_for

        item = self.steps.get(step)
        if item is None or item.interface is None:
            return None
        iface = item.interface.for_job_type(job_type)
        c = iface.contract
        contract = SimpleNamespace(
            required_env_vars=[SimpleNamespace(name=v.value) for v in c.env_required],
            optional_env_vars={n: _entry(v.value) for n, v in c.env_optional.items()},
            expected_arguments={},
            inputs={n: _entry(p.path.value) for n, p in c.inputs.items() if p.path.value},
            outputs={n: _entry(p.path.value) for n, p in c.outputs.items() if p.path.value})
        spec = spec_from_interface(iface, job_type)
        shaped = SimpleNamespace(dependencies=list(spec.dependencies.values()), outputs=list(spec.outputs.values()))
        name = class_name or iface.registry.config_class.value
        mapping = collector_env_mapping(config_file_for(item, name), name)
        args = [(a.flag.value, a.source.value) for a in c.job_arguments]
        return InterfaceFacts(contract, shaped, spec.step_type, item.file.path, mapping, args)
