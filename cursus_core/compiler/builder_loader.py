"""Importing a step repo's builders and configs: the one place the dry run runs user code.

A repo root that is a package is imported under its real dotted name; any other root is mounted
as a synthetic package (see :class:`RepoImporter`), so a builder's relative imports
(``from ..configs.x import XConfig``) resolve inside the repo.
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

__all__ = ["BuilderLoadError", "BuilderNotFoundError", "MissingPackageError", "RepoImporter", "package_root",
           "user_frame", "BuilderLoader"]


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


class MissingPackageError(BuilderLoadError):
    """A builder imports a package that is not installed and is not part of the repo (an external
    SDK a step delegates to); the dry run stands the node in with a placeholder."""

    def __init__(self, message: str, package: str, choice: BuilderChoice, line: int | None = None):
        super().__init__(message, choice.builder_file, line, choice.step)
        self.package, self.choice = package, choice


class BuilderNotFoundError(Exception):
    """No builder class for a step: not registered, no builder file, or the class is missing."""

    def __init__(self, message: str, step: str | None = None, path: Path | None = None, line: int | None = None):
        super().__init__(message)
        self.step, self.path, self.line = step, path, line


def package_root(directory: Path) -> Path | None:
    """The ``sys.path`` entry under which ``directory`` imports by its real dotted name.

    Walks up while the parent is a package (has ``__init__.py``), stopping below a directory
    named ``src`` (the source root of a src layout, even when it holds a stray ``__init__.py``);
    None when ``directory`` itself is not a package.
    """
    if not (directory / "__init__.py").is_file() or directory.name == "src":
        return None
    current = directory
    while current.parent != current and current.parent.name != "src" and (current.parent / "__init__.py").is_file():
        current = current.parent
    return current.parent


class RepoImporter:
    """Imports files of one repo as modules, under the names its users import them by.

    A repo root that is a package (``--repo src/mypkg``) is imported under its real dotted name
    (``mypkg.steps.builders.x``) with the directory above its top package put on ``sys.path``:
    mounting it under another name would run its absolute self-imports (``from mypkg.core import
    ...``) as a second copy and break on the first circular import. A root that is not a package
    (a plain checkout holding ``steps/``) is mounted as a synthetic package (``_cursus_repo_<hash>``)
    whose ``__path__`` is the root, so two repos with a ``steps`` package never collide.
    """

    def __init__(self, repo_root: str | Path) -> None:
        self.root = Path(repo_root).resolve()
        self.sys_path_root = package_root(self.root)
        if self.sys_path_root is not None:
            self.package = ".".join(self.root.relative_to(self.sys_path_root).parts)
            top = self.package.split(".")[0]
            own = self.sys_path_root / top
            for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
                file = getattr(sys.modules[name], "__file__", None)  # a same-named package of another repo
                if file is None or not Path(file).resolve().is_relative_to(own):
                    del sys.modules[name]
            if str(self.sys_path_root) in sys.path:
                sys.path.remove(str(self.sys_path_root))
            sys.path.insert(0, str(self.sys_path_root))
            importlib.invalidate_caches()
            return
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

    def _how(self, name: str) -> str:
        if self.sys_path_root is None:
            return f"as '{name}' (the repo mounted as a synthetic package; {self.root} is not a package)"
        return f"as '{name}' (sys.path root {self.sys_path_root}, found by walking up __init__.py files)"

    def import_file(self, path: str | Path, step: str | None = None) -> types.ModuleType:
        """Import ``path`` (inside the repo); any exception becomes :class:`BuilderLoadError`."""
        file = Path(path).resolve()
        name = self.module_name(file)
        try:
            module = importlib.import_module(name)
        except Exception as exc:
            where, line = user_frame(exc, self.root)
            raise BuilderLoadError(f"importing {file.relative_to(self.root)} {self._how(name)} failed: "
                                   f"{type(exc).__name__}: {exc}", where or file, line, step) from exc
        loaded = getattr(module, "__file__", None)
        if loaded is not None and Path(loaded).resolve() != file:
            raise BuilderLoadError(f"importing {file.relative_to(self.root)} {self._how(name)} gave {loaded}: "
                                   f"another '{name.split('.')[0]}' was imported first (installed, or earlier "
                                   "on sys.path); run the build in an environment without it", file, None, step)
        return module


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
        try:
            module = self.importer.import_file(info.builder, definition.name)
        except BuilderLoadError as exc:
            missing = exc.__cause__.name if isinstance(exc.__cause__, ModuleNotFoundError) else None
            if missing and missing.split(".")[0] != self.importer.package.split(".")[0]:
                choice = BuilderChoice(definition.name, definition, type(None), info.builder)
                raise MissingPackageError(str(exc), missing.split(".")[0], choice, exc.line) from exc
            raise
        cls = getattr(module, definition.builder_step_name, None)
        if not inspect.isclass(cls):
            raise BuilderNotFoundError(f"{info.builder.relative_to(self.root)} defines no class "
                                       f"'{definition.builder_step_name}' (registry builder_step_name of "
                                       f"'{definition.name}')", definition.name, info.builder, 1)
        return BuilderChoice(definition.name, definition, cls, info.builder)

    def placeholder_spec(self, step: str, job_type: str | None) -> Any:
        """The step's specification for ``job_type`` (else its base spec), imported from its spec file;
        None when there is none. Spec modules import no SDK, so they load when the builder cannot."""
        info = self.catalog.get_step_info(step)
        specs = dict(info.specs) if info is not None else {}
        path = specs.get(job_type) or specs.get(None) or (next(iter(specs.values())) if len(specs) == 1 else None)
        if path is None:
            return None
        module = self.importer.import_file(path, step)
        found = {k: v for k, v in vars(module).items() if not k.startswith("_") and not inspect.isclass(v)
                 and all(hasattr(v, a) for a in ("outputs", "dependencies", "step_type"))}
        named = [v for k, v in found.items() if job_type and job_type.upper() in k.upper()]
        return (named or list(found.values()) or [None])[0]
