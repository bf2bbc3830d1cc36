"""Shared class-chain helpers for the builder/config (CL4xx) and naming (CL5xx) rules.

Inheritance is followed by the last segment of each base name through classes found in the
repo's builder and config files; a base that is neither in the repo nor one of ours is
*unknown*, and rules stay silent about it (precision before recall).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar
from collections.abc import Iterator

import msgspec

from cursus_lint.facts.model import BuilderFacts, ConfigFacts, FileFacts, Span
from cursus_lint.model import ProjectModel, StepModel, per_run

T = TypeVar("T")

STEP_BUILDER_BASE = "StepBuilderBase"
#: config bases we ship (cursus has the same names)
CONFIG_BASES = frozenset({"BasePipelineConfig", "ProcessingStepConfigBase"})
#: bases that add nothing a builder or config needs
NEUTRAL_BASES = frozenset({"object", "ABC", "Generic", "Protocol"})
#: suffixes of classes meant only to be inherited from
BASE_SUFFIXES = ("Base", "Mixin", "ABC")


def short(name: str) -> str:
    """``cursus.core.base.StepBuilderBase`` -> ``StepBuilderBase``; ``Generic[T]`` stays as written."""
    return name.rsplit(".", 1)[-1]


@per_run
def builder_classes(project: ProjectModel) -> dict[str, list[tuple[Path, BuilderFacts]]]:
    """Every class in the repo's builder files, by name (all definitions); once per run."""
    found: dict[str, list[tuple[Path, BuilderFacts]]] = {}
    for path, facts in sorted(project.files.items()):
        for cls in facts.builders:
            found.setdefault(cls.name, []).append((path, cls))
    return found


def nearest(items: list[tuple[Path, T]], near: Path | None) -> tuple[Path, T]:
    """Of several same-named definitions (workspaces), the one sharing most of ``near``'s path."""
    if near is None or len(items) == 1:
        return items[0]
    parts = near.parts

    def shared(item: tuple[Path, T]) -> int:
        n = 0
        for a, b in zip(item[0].parts, parts, strict=False):
            if a != b:
                break
            n += 1
        return n

    return max(items, key=shared)


@per_run
def used_as_base(project: ProjectModel) -> frozenset[str]:
    """Names some repo builder or config class inherits from (those may carry any suffix)."""
    names: set[str] = set()
    for facts in project.files.values():
        classes: list[BuilderFacts | ConfigFacts] = [*facts.builders, *facts.configs, *facts.hyperparams]
        for cls in classes:
            names.update(short(b) for b in cls.bases)
    return frozenset(names)


def step_class_candidates(project: ProjectModel, facts: FileFacts, kind: str) -> list[BuilderFacts | ConfigFacts]:
    """The classes of a step's builder (``kind="builder"``) or config file that could be the one the
    registry names: not a base (by suffix or because a repo class inherits it) and looking like a
    builder / config. CL507 reports these; CL601 leaves the same drift to it."""
    bases = used_as_base(project)
    if kind == "builder":
        return [b for b in facts.builders
                if not b.name.endswith(BASE_SUFFIXES) and b.name not in bases
                and (b.name.endswith("Builder") or builder_chain(project, b, facts.path).reaches_base)]
    return [c for c in facts.configs
            if not c.name.endswith(BASE_SUFFIXES) and c.name not in bases
            and (c.name.endswith("Config") or is_config_class(project, c, facts.path))]


def is_shared_base_file(project: ProjectModel, facts: FileFacts | None) -> bool:
    """A config / builder module whose every class is a base (``ProcessingStepConfigBase``): a
    shared module the catalog may file under a registered base entry, not a step's own file."""
    if facts is None:
        return False
    classes: list[ConfigFacts | BuilderFacts] = [*facts.configs, *facts.builders]
    bases = used_as_base(project)
    return bool(classes) and all(c.name.endswith(BASE_SUFFIXES) or c.name in bases for c in classes)


class BuilderChain(msgspec.Struct, frozen=True):
    """What a builder class inherits: whether StepBuilderBase is reached, methods from repo-local
    bases, and bases we cannot see (outside the repo and not StepBuilderBase)."""

    reaches_base: bool
    methods: frozenset[str]
    unknown_bases: tuple[str, ...]
    bases: tuple[str, ...]  # every base walked, nearest first


def builder_chain(project: ProjectModel, builder: BuilderFacts, near: Path | None = None) -> BuilderChain:
    """Walk ``builder``'s bases; same-named repo classes are taken from the file nearest ``near``."""
    local = builder_classes(project)
    methods: set[str] = set(builder.methods)
    unknown: list[str] = []
    walked: list[str] = []
    reaches = False
    seen = {builder.name}
    todo = [short(b) for b in builder.bases]
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        walked.append(name)
        if name == STEP_BUILDER_BASE:
            reaches = True
        elif name in local:
            base = nearest(local[name], near)[1]
            methods.update(base.methods)
            todo.extend(short(b) for b in base.bases)
        elif name not in NEUTRAL_BASES:
            unknown.append(name)
    return BuilderChain(reaches, frozenset(methods), tuple(unknown), tuple(walked))


def config_class(project: ProjectModel, name: str, near: Path | None = None) -> tuple[Path, ConfigFacts] | None:
    return project.config_class(name, near)


def is_config_class(project: ProjectModel, cfg: ConfigFacts, near: Path | None = None) -> bool:
    """Whether ``cfg`` is a step configuration: it inherits (through repo classes) from one of our
    config bases or from an outside base that is itself named like a config (``...Config``,
    ``...ConfigBase``). Plain pydantic helper models and hyperparameter classes are not."""
    seen: set[str] = set()
    todo = [short(b) for b in cfg.bases]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in CONFIG_BASES:
            return True
        local = config_class(project, name, near)
        if local is not None:
            todo.extend(short(b) for b in local[1].bases)
        elif name.endswith(("Config", "ConfigBase")):
            return True
    return False


def iter_field_chain(project: ProjectModel, class_name: str,
                     near: Path | None = None) -> Iterator[tuple[Path, ConfigFacts]]:
    """Repo classes of ``class_name``'s inheritance chain, most derived first (depth-first, like a
    single-inheritance MRO)."""
    seen: set[str] = set()
    todo = [class_name]
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        local = config_class(project, name, near)
        if local is None:
            continue
        yield local
        todo[:0] = [short(b) for b in local[1].bases]


def step_config_class(step: StepModel, project: ProjectModel) -> str | None:
    """The config class a step's builder reads: the one the builder declares (annotation,
    isinstance, import) when the repo defines it, else the step's (registry) config class."""
    builder = step.builder
    near = step.builder_file.path if step.builder_file else None
    if builder is not None and builder.config_class and config_class(project, builder.config_class, near):
        return builder.config_class
    if step.config is not None:
        return step.config.name
    return builder.config_class if builder is not None else None


def registry_span(step: StepModel) -> Span | None:
    """The span of the step's registry key (the quoted name), when the entry came from a file."""
    reg = step.registry
    if reg is None or reg.source_path is None or reg.line is None:
        return None
    column = reg.column or 1
    return Span(reg.line, column, reg.line, column + len(reg.name) + 2)


def registry_related(step: StepModel, message: str) -> list[tuple[Path, Span, str]]:
    """A related location at the step's registry entry, when it came from a file."""
    span, reg = registry_span(step), step.registry
    if span is None or reg is None or reg.source_path is None:
        return []
    return [(reg.source_path, span, message)]
