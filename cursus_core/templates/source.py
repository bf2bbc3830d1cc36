"""The interface layout as a source of config classes and builders for the dry-run compiler.

A step of the interface layout is its ``.step.yaml`` plus a config class in the ``configs``
directory beside it (package ``steps/`` or a step pack). For each config the compiler loaded, the
step is the interface whose ``registry.config_class`` names the config's class; its builder is the
route's template bound to that interface. When a step pack declares a step the package has too,
the package's interface and config are the ones built (upstream loads the package's interface
first); the linter reports the shadowing on its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cursus_core.compiler.builder_loader import BuilderChoice, BuilderNotFoundError, RepoImporter
from cursus_core.interface.discovery import LoadedInterface, discover, load, snake_step_name
from cursus_core.interface.model import StepInterface
from cursus_core.registry import StepDefinition

from .base import TemplateStepBuilder
from .routes import UnbuildableRoute, route_for

__all__ = ["InterfaceSteps", "bind", "config_file_for", "effective_steps"]


def bind(template: type[TemplateStepBuilder], interface: StepInterface, label: str) -> type[TemplateStepBuilder]:
    """A subclass of ``template`` for one step, creatable as ``cls(config=..., sagemaker_session=..., role=...)``."""
    name = f"{template.__name__}[{interface.name}]"
    return type(name, (template,), {"interface_base": interface, "route": label, "__module__": template.__module__})


def config_file_for(item: LoadedInterface, class_name: str) -> Path | None:
    """The file in the interface's ``configs`` directory defining ``class_name`` (conventional name first)."""
    directory = item.file.configs_dir
    stem = snake_step_name(item.interface.name) if item.interface is not None and item.interface.name else ""
    conventional = directory / f"config_{stem}_step.py"
    pattern = re.compile(rf"^class\s+{re.escape(class_name)}\b", re.MULTILINE)
    try:
        others = sorted(p for p in directory.glob("*.py") if p != conventional)
    except OSError:
        others = []
    for path in [conventional, *others]:
        try:
            if path.is_file() and pattern.search(path.read_text(encoding="utf-8")):
                return path
        except (OSError, UnicodeDecodeError):
            continue
    return None


def effective_steps(items: list[LoadedInterface]) -> dict[str, LoadedInterface]:
    """Step type -> its interface; discovery lists the package first, so the package wins a shadowing."""
    steps: dict[str, LoadedInterface] = {}
    for item in items:
        if item.interface is not None and item.interface.name:
            steps.setdefault(item.interface.name, item)
    return steps


class InterfaceSteps:
    """Every buildable interface of one repo (package first, then step packs)."""

    def __init__(self, items: list[LoadedInterface], importer: RepoImporter) -> None:
        self.importer = importer
        self.steps = effective_steps(items)
        self._classes: dict[str, list[type]] | None = None

    @classmethod
    def for_repo(cls, importer: RepoImporter) -> InterfaceSteps | None:
        """The repo's interfaces, or None when it has none (a classic-layout repo)."""
        files = discover(importer.root)
        return cls(load(files), importer) if files else None

    def config_classes(self) -> dict[str, list[type]]:
        """The config class each interface names, imported from its ``configs`` directory."""
        if self._classes is None:
            self._classes = {}
            for step, item in self.steps.items():
                assert item.interface is not None
                name = item.interface.registry.config_class.value
                path = config_file_for(item, name)
                if path is None:
                    continue
                cls = getattr(self.importer.import_file(path, step), name, None)
                if isinstance(cls, type) and issubclass(cls, BaseModel):
                    self._classes[name] = [cls]
        return self._classes

    def choice_for(self, config: Any, node_step: str) -> BuilderChoice | None:
        """The template builder for ``config`` (None when no interface names its class).

        Raises :class:`BuilderNotFoundError` for a route no template builds, located at the interface.
        """
        class_name = type(config).__name__
        matches = [item for item in self.steps.values()
                   if item.interface is not None and item.interface.registry.config_class.value == class_name]
        if len(matches) > 1:
            matches = [m for m in matches if m.interface is not None and m.interface.name == node_step] or matches[:1]
        if not matches:
            return None
        item = matches[0]
        interface = item.interface
        assert interface is not None and interface.name
        try:
            route = route_for(interface)
        except UnbuildableRoute as exc:
            where = interface.patterns.step_assembly or interface.registry.sagemaker_step_type or interface.step_type
            line = where.span.line if where is not None else None
            raise BuilderNotFoundError(str(exc), interface.name, item.file.path, line) from None
        smt = interface.registry.sagemaker_step_type
        definition = StepDefinition(
            name=interface.name, config_class=class_name, builder_step_name=interface.registry.builder_step_name.value,
            spec_type=interface.name, sagemaker_step_type=smt.value if smt else "Base",
            description=interface.registry.description.value,
            registry_type="core" if item.file.origin == "package" else "workspace",
            source_path=item.file.path, line=interface.step_type.span.line if interface.step_type else None)
        return BuilderChoice(interface.name, definition, bind(route.template, interface, route.label), item.file.path)
