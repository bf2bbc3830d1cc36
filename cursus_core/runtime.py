"""ContractRuntime: the in-container helper a script builds from its own contract.

A script that asks its contract for paths and env vars keeps those names in one place (the
contract), checks that its required inputs exist before doing any work, and can be pointed at
local directories without edits:

```python
from cursus_core.runtime import ContractRuntime
from ..contracts.package_contract import PACKAGE_CONTRACT

rt = ContractRuntime(PACKAGE_CONTRACT, optional_inputs={"inference_scripts_input"})
rt.check_inputs()                      # raises MissingInputError listing every absent required input
model_dir = rt.input_path("model_input")
level = rt.env("COMPRESSION_LEVEL")    # contract default when unset
```

Path redirection (what the runtime tester sets in the child process):

- ``CURSUS_RUNTIME_PATHS``: a JSON object ``{container_path: local_path}``; the longest matching
  container-path prefix wins.
- ``CURSUS_RUNTIME_ROOT``: a directory; any other container path ``/opt/ml/x`` becomes
  ``<root>/opt/ml/x``.

Without either, paths are the contract's container paths, as in SageMaker.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - imported lazily: the test harness only maps paths
    from cursus_core.base import ScriptContract

__all__ = ["ContractRuntime", "RuntimeContractError", "MissingInputError", "MissingEnvVarError",
           "ROOT_ENV", "PATHS_ENV", "map_container_path", "contract_from_file"]

ROOT_ENV = "CURSUS_RUNTIME_ROOT"
PATHS_ENV = "CURSUS_RUNTIME_PATHS"
_CONTRACT_CLASS_NAMES = ("ScriptContract", "TrainingScriptContract")


class RuntimeContractError(RuntimeError):
    """A script's runtime view of its contract cannot be satisfied."""


class MissingInputError(RuntimeContractError):
    """Required inputs whose directories do not exist; ``missing`` is ``{logical: path}``."""

    def __init__(self, missing: dict[str, str]) -> None:
        self.missing = missing
        listed = ", ".join(f"{name} ({path})" for name, path in missing.items())
        super().__init__(f"required input(s) missing before work started: {listed}")


class MissingEnvVarError(RuntimeContractError):
    """Required env vars that are not set."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__("required env var(s) not set: " + ", ".join(names))


def _path_map(environ: Mapping[str, str]) -> dict[str, str]:
    raw = environ.get(PATHS_ENV)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RuntimeContractError(f"{PATHS_ENV} is not a JSON object: {exc.msg}") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise RuntimeContractError(f"{PATHS_ENV} must map container paths to local paths (strings)")
    return data


def map_container_path(path: str, mapping: Mapping[str, str], root: str | None) -> str:
    """``path`` with the longest ``mapping`` prefix replaced, else re-rooted under ``root``."""
    for prefix in sorted(mapping, key=len, reverse=True):
        bare = prefix.rstrip("/")
        if path == bare or path.startswith(bare + "/"):
            return mapping[prefix].rstrip("/") + path[len(bare):]
    if root and path.startswith("/"):
        return os.path.join(root, path.lstrip("/"))
    return path


def contract_from_file(path: str | os.PathLike[str], variable: str | None = None) -> ScriptContract:
    """The contract a file defines, read from its syntax tree (the file is never imported).

    ``variable`` picks one module-level assignment; otherwise the file must define exactly one.
    """
    from cursus_core import base
    from cursus_core.literals import NotLiteral, literal_value, module_constants
    from cursus_core.source import load_source

    source = load_source(Path(path))
    if source.tree is None:
        raise RuntimeContractError(f"{path}: cannot read the contract: {source.problem}")
    names = module_constants(source.tree)
    found: list[tuple[str, ScriptContract]] = []
    for node in source.tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        cls_name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if cls_name not in _CONTRACT_CLASS_NAMES:
            continue
        target = node.targets[0].id if isinstance(node.targets[0], ast.Name) else "?"
        try:
            kwargs = {kw.arg: literal_value(kw.value, names) for kw in node.value.keywords if kw.arg}
            found.append((target, getattr(base, cls_name)(**kwargs)))
        except (NotLiteral, ValueError, TypeError) as exc:
            raise RuntimeContractError(f"{path}: contract '{target}' cannot be read statically: {exc}") from exc
    if variable is not None:
        found = [item for item in found if item[0] == variable]
    if len(found) != 1:
        what = f"'{variable}'" if variable else "exactly one ScriptContract(...) assignment"
        raise RuntimeContractError(f"{path}: expected {what}, found {len(found)}")
    return found[0][1]


class ContractRuntime:
    """Inputs, outputs, env vars and arguments of one script, by the contract's names."""

    def __init__(self, contract: ScriptContract, optional_inputs: Iterable[str] = (),
                 environ: Mapping[str, str] | None = None) -> None:
        self.contract = contract
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.optional_inputs = frozenset(optional_inputs)
        unknown = sorted(self.optional_inputs - set(contract.expected_input_paths))
        if unknown:
            raise RuntimeContractError(f"optional input(s) {', '.join(unknown)} are not contract inputs "
                                       f"(expected: {', '.join(contract.expected_input_paths)})")
        self._mapping = _path_map(self.environ)
        self._root = self.environ.get(ROOT_ENV) or None

    @classmethod
    def from_step(cls, step_name: str, repo_root: str | os.PathLike[str] | None = None,
                  environ: Mapping[str, str] | None = None) -> ContractRuntime:
        """The runtime of a registered step: its contract file found by the step catalog, read
        statically; inputs its specification marks ``required=False`` are optional."""
        from cursus_core.catalog import StepCatalog

        catalog = StepCatalog(Path(repo_root) if repo_root is not None else Path.cwd())
        info = catalog.get_step_info(step_name)
        if info is None or info.contract is None:
            known = ", ".join(s for s in catalog.list_available_steps()) or "none"
            raise RuntimeContractError(f"no contract found for step '{step_name}' (steps with files: {known})")
        contract = contract_from_file(info.contract)
        optional: set[str] = set()
        for spec_file in info.specs.values():
            optional |= _optional_dependencies(spec_file)
        return cls(contract, optional & set(contract.expected_input_paths), environ)

    # -- paths -------------------------------------------------------------------------------
    def _local(self, container_path: str) -> str:
        return map_container_path(container_path, self._mapping, self._root)

    def input_path(self, logical_name: str) -> str:
        paths = self.contract.expected_input_paths
        if logical_name not in paths:
            raise KeyError(f"unknown input '{logical_name}' (expected: {', '.join(paths)})")
        return self._local(paths[logical_name])

    def output_path(self, logical_name: str) -> str:
        paths = self.contract.expected_output_paths
        if logical_name not in paths:
            raise KeyError(f"unknown output '{logical_name}' (expected: {', '.join(paths)})")
        return self._local(paths[logical_name])

    @property
    def input_paths(self) -> dict[str, str]:
        return {name: self.input_path(name) for name in self.contract.expected_input_paths}

    @property
    def output_paths(self) -> dict[str, str]:
        return {name: self.output_path(name) for name in self.contract.expected_output_paths}

    def check_inputs(self) -> dict[str, str]:
        """Paths of the inputs that exist; raise :class:`MissingInputError` for absent required ones."""
        present: dict[str, str] = {}
        missing: dict[str, str] = {}
        for name, path in self.input_paths.items():
            if os.path.exists(path):
                present[name] = path
            elif name not in self.optional_inputs:
                missing[name] = path
        if missing:
            raise MissingInputError(missing)
        return present

    def prepare_outputs(self) -> dict[str, str]:
        """Create every output directory and return the output paths."""
        paths = self.output_paths
        for path in paths.values():
            os.makedirs(path, exist_ok=True)
        return paths

    # -- env vars and arguments ----------------------------------------------------------------
    def env(self, name: str) -> str | None:
        """A declared env var: its value, else the contract default (None for an unset required one)."""
        if name not in self.contract.required_env_vars and name not in self.contract.optional_env_vars:
            declared = ", ".join(self.contract.required_env_vars + list(self.contract.optional_env_vars))
            raise KeyError(f"env var '{name}' is not declared by the contract (declared: {declared or 'none'})")
        if name in self.environ:
            return self.environ[name]
        return self.contract.optional_env_vars.get(name)

    def environ_vars(self) -> dict[str, str]:
        """Every declared env var with its value; raise :class:`MissingEnvVarError` for unset required ones."""
        missing = [n for n in self.contract.required_env_vars if n not in self.environ]
        if missing:
            raise MissingEnvVarError(missing)
        names = list(self.contract.required_env_vars) + list(self.contract.optional_env_vars)
        return {name: self.env(name) or "" for name in names}

    def job_args(self, argv: list[str] | None = None) -> Any:
        """The contract's arguments parsed from ``argv`` (default ``sys.argv[1:]``), defaults from the contract."""
        import argparse

        parser = argparse.ArgumentParser()
        for name, default in self.contract.expected_arguments.items():
            parser.add_argument(f"--{name}", dest=name.replace("-", "_"), default=default)
        return parser.parse_args(argv)


def _optional_dependencies(spec_file: Path) -> set[str]:
    """Logical names of ``DependencySpec(..., required=False)`` calls in a spec file (read statically)."""
    from cursus_core.source import load_source

    source = load_source(spec_file)
    if source.tree is None:
        return set()
    out: set[str] = set()
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "DependencySpec":
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            required = kw.get("required")
            if isinstance(required, ast.Constant) and required.value is False:
                name = kw.get("logical_name")
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    out.add(name.value)
    return out
