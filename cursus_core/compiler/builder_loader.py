"""Importing a step repo's builders and configs: the one place the dry run runs user code.

The repo is mounted as a synthetic package (``_cursus_repo_<hash>``) whose ``__path__`` is the
repo root, so a builder's relative imports (``from ..configs.x import XConfig``) resolve inside
the repo, nothing is added to ``sys.path``, and two repos with a ``steps`` package never collide.
The CLI runs all of this in a child process with a time limit.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
import traceback
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cursus_core.catalog import StepCatalog, StepInfo
from cursus_core.registry import StepDefinition

__all__ = ["BuilderLoadError", "BuilderNotFoundError", "RepoImporter", "user_frame", "BuilderLoader"]


def user_frame(exc: BaseException, repo_root: Path) -> tuple[Path | None, int | None]:
    """File and line of the innermost traceback frame inside ``repo_root`` (None, None if none).

    A SyntaxError inside the repo names its own file and line.
    """
    root = repo_root.resolve()
    if isinstance(exc, SyntaxError) and exc.filename:
        path = Path(exc.filename).resolve()
        if path.is_relative_to(root):
            return path, exc.lineno
    found: tuple[Path | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(root):
            found = (path, frame.lineno)
    return found


class BuilderLoadError(Exception):
    """Importing a module of the repo raised; ``path``/``line`` point into the repo."""

    def __init__(self, message: str, path: Path | None = None, line: int | None = None, step: str | None = None):
        super().__init__(message)
        self.path, self.line, self.step = path, line, step


class BuilderNotFoundError(Exception):
    """No builder class for a step: not registered, no builder file, or the class is missing."""

    def __init__(self, message: str, step: str | None = None, path: Path | None = None, line: int | None = None):
        super().__init__(message)
        self.step, self.path, self.line = step, path, line


class RepoImporter:
    """Imports files of one repo as modules of a synthetic package named after its path."""

    def __init__(self, repo_root: str | Path) -> None:
        self.root = Path(repo_root).resolve()
        digest = hashlib.sha1(str(self.root).encode()).hexdigest()[:10]
        self.package = f"_cursus_repo_{digest}"
        if self.package not in sys.modules:
            module = types.ModuleType(self.package, f"step repo at {self.root} (dry run)")
            module.__path__ = [str(self.root)]
            module.__file__ = str(self.root / "__init__.py")
            sys.modules[self.package] = module

    def module_name(self, path: Path) -> str:
        rel = path.resolve().relative_to(self.root).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        return ".".join([self.package, *parts])

    def import_file(self, path: str | Path, step: str | None = None) -> types.ModuleType:
        """Import ``path`` (inside the repo); any exception becomes :class:`BuilderLoadError`."""
        file = Path(path).resolve()
        name = self.module_name(file)
        try:
            return importlib.import_module(name)
        except Exception as exc:
            where, line = user_frame(exc, self.root)
            raise BuilderLoadError(f"importing {file.relative_to(self.root)} failed: {type(exc).__name__}: {exc}",
                                   where or file, line, step) from exc


def _classes_defined_in(module: types.ModuleType) -> dict[str, type]:
    return {name: obj for name, obj in vars(module).items()
            if inspect.isclass(obj) and obj.__module__ == module.__name__}


@dataclass(frozen=True)
class BuilderChoice:
    """Which registry entry and builder class serve one config."""

    step: str
    definition: StepDefinition
    builder_class: type
    builder_file: Path


class BuilderLoader:
    """Config classes and builder classes of a repo, found through its catalog and registry."""

    def __init__(self, repo_root: str | Path, catalog: StepCatalog | None = None) -> None:
        self.importer = RepoImporter(repo_root)
        self.root = self.importer.root
        self.catalog = catalog if catalog is not None else StepCatalog(self.root)

    def _steps(self) -> list[StepInfo]:
        return [info for info in self.catalog.iter_steps() if info.workspace_id is None]

    def config_classes(self) -> dict[str, list[type]]:
        """Every pydantic model defined in the repo's config and hyperparameter files, by class name."""
        found: dict[str, list[type]] = {}
        files: list[tuple[Path, str]] = []
        for info in self._steps():
            if info.config is not None:
                files.append((info.config, info.name))
            files.extend((h, info.name) for h in info.hyperparams)
        seen: set[Path] = set()
        for path, step in files:
            if path in seen:
                continue
            seen.add(path)
            module = self.importer.import_file(path, step)
            for name, cls in _classes_defined_in(module).items():
                if issubclass(cls, BaseModel):
                    group = found.setdefault(name, [])
                    if cls not in group:
                        group.append(cls)
        # Base classes a config module imports from elsewhere in the repo are defined there too.
        for module_name, module in list(sys.modules.items()):
            if module_name.startswith(self.importer.package + ".") and module is not None:
                for name, cls in _classes_defined_in(module).items():
                    if issubclass(cls, BaseModel):
                        group = found.setdefault(name, [])
                        if cls not in group:
                            group.append(cls)
        return found

    def definition_for(self, config: Any, node_step: str) -> StepDefinition:
        """The registry entry whose ``config_class`` is the config's class; ties go to the node's step name."""
        class_name = type(config).__name__
        entries = [info.registry for info in self._steps()
                   if info.registry is not None and info.registry.config_class == class_name]
        if not entries:
            raise BuilderNotFoundError(f"no registry entry has config_class '{class_name}' "
                                       f"(node '{node_step}')", node_step)
        if len(entries) > 1:
            named = [e for e in entries if e.name == node_step]
            if len(named) != 1:
                raise BuilderNotFoundError(
                    f"config_class '{class_name}' is registered for {', '.join(sorted(e.name for e in entries))}; "
                    f"node '{node_step}' names none of them", node_step)
            entries = named
        return entries[0]

    def builder_for(self, config: Any, node_step: str) -> BuilderChoice:
        """The builder class serving ``config`` (imported from the repo)."""
        definition = self.definition_for(config, node_step)
        info = self.catalog.get_step_info(definition.name)
        if info is None or info.builder is None:
            raise BuilderNotFoundError(f"step '{definition.name}' has no builder file "
                                       f"(expected a module defining {definition.builder_step_name})",
                                       definition.name, definition.source_path, definition.line)
        module = self.importer.import_file(info.builder, definition.name)
        cls = getattr(module, definition.builder_step_name, None)
        if not inspect.isclass(cls):
            raise BuilderNotFoundError(f"{info.builder.relative_to(self.root)} defines no class "
                                       f"'{definition.builder_step_name}' (registry builder_step_name of "
                                       f"'{definition.name}')", definition.name, info.builder, 1)
        return BuilderChoice(definition.name, definition, cls, info.builder)
