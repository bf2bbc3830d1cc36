"""The step model rules see: each step's components as typed facts, plus the whole project.

Built once per run by the engine from the catalog and the per-file facts; rules never parse.
Work several rules share (indexes over all specs, builder classes by name) is memoised per
run by :func:`per_run`, keyed by the helper function itself: the shared state is the set of
``@per_run`` functions, each typed, instead of string keys in a dict.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from cursus_core.catalog import StepCatalog, StepInfo
from cursus_core.interface.span import Problem as InterfaceProblem
from cursus_core.registry.models import StepDefinition

from .facts import BuilderFacts, ConfigFacts, ContractFacts, FileFacts, SpecFacts

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.registry.literal_reader import RegistryFile

    from .config import LintConfig
    from .facts.pipeline import PipelineFacts

T = TypeVar("T")


@dataclass
class SpecVariant:
    """One spec file of a step; job-type variants are separate and checked one by one."""

    job_type: str | None
    file: FileFacts
    spec: SpecFacts

    @property
    def path(self) -> Path:
        return self.file.path


@dataclass
class StepModel:
    name: str
    workspace_id: str | None
    info: StepInfo
    registry: StepDefinition | None
    script: FileFacts | None = None
    contract_file: FileFacts | None = None
    contract: ContractFacts | None = None
    specs: list[SpecVariant] = field(default_factory=list)
    builder_file: FileFacts | None = None
    builder: BuilderFacts | None = None
    config_file: FileFacts | None = None
    config: ConfigFacts | None = None
    hyperparams: list[FileFacts] = field(default_factory=list)

    @property
    def sagemaker_step_type(self) -> str | None:
        return self.registry.sagemaker_step_type if self.registry else None

    @property
    def files(self) -> list[Path]:
        return self.info.files


@functools.cache
def known_base_members(class_name: str) -> frozenset[str] | None:
    """Attributes of config base classes we ship (and their cursus namesakes), or None if unknown.

    These are our own classes, so introspecting them is not running user code.
    """
    from pydantic import BaseModel

    from cursus_core import base

    if class_name == "BaseModel":
        cls: type = BaseModel
    elif class_name in ("BasePipelineConfig", "ProcessingStepConfigBase", "ModelHyperparameters"):
        cls = getattr(base, class_name)  # loads only the module defining it
    else:
        return None
    members = set(dir(cls)) | set(getattr(cls, "model_fields", {})) | set(getattr(cls, "__private_attributes__", {}))
    return frozenset(members)


@dataclass
class ConfigMembers:
    """Everything reachable as ``config.X`` on a config class, and whether the chain is fully known."""

    names: frozenset[str]
    complete: bool
    unknown_bases: tuple[str, ...] = ()
    chain: tuple[tuple[Path | None, str], ...] = ()


@dataclass
class ProjectModel:
    catalog: StepCatalog
    files: dict[Path, FileFacts]
    steps: list[StepModel]
    settings: LintConfig
    config_classes: dict[str, list[tuple[Path, ConfigFacts]]] = field(default_factory=dict)
    #: base classes imported from somewhere whose source could not be found (members unknowable)
    opaque_bases: set[str] = field(default_factory=set)
    #: registry files of the repo (and its workspaces) with located entries, for the CL6xx rules
    registry_files: dict[Path, RegistryFile] = field(default_factory=dict)
    #: the configured pipeline DAG and saved config read as data (None: none configured), for CL8xx
    pipeline: PipelineFacts | None = None
    #: located problems of the step interfaces (``.step.yaml``), for the CL0xx rules
    interface_problems: list[InterfaceProblem] = field(default_factory=list)
    #: cases a rule could not decide statically, by kind (shown by --statistics)
    unknown: Counter[str] = field(default_factory=Counter)
    #: results of :func:`per_run` helpers, by helper; only ``per_run`` reads or writes it
    _memo: dict[Callable[..., Any], Any] = field(default_factory=dict, repr=False, compare=False)

    def count_unknown(self, kind: str) -> None:
        """Record that a rule stayed silent because a fact was not knowable statically."""
        self.unknown[kind] += 1

    def config_class(self, class_name: str, near: Path | None = None) -> tuple[Path, ConfigFacts] | None:
        """The repo definition of ``class_name``; when several files define it (workspaces), the
        one sharing the longest directory prefix with ``near``."""
        local = self.config_classes.get(class_name)
        if not local:
            return None
        if near is None or len(local) == 1:
            return local[0]
        parts = Path(near).parts

        def shared(item: tuple[Path, ConfigFacts]) -> int:
            n = 0
            for a, b in zip(item[0].parts, parts, strict=False):
                if a != b:
                    break
                n += 1
            return n

        return max(local, key=shared)  # max keeps the first of equals

    def config_members(self, class_name: str, near: Path | None = None) -> ConfigMembers:
        """Fields, properties, methods and private attrs through the whole inheritance chain
        (classes defined in several files are taken from the one nearest ``near``)."""
        names: set[str] = set()
        unknown: list[str] = []
        chain: list[tuple[Path | None, str]] = []
        seen: set[str] = set()
        todo = [class_name]
        while todo:
            cls = todo.pop()
            if cls in seen:
                continue  # cyclic or diamond inheritance
            seen.add(cls)
            local = self.config_class(cls, near)
            if local:
                path, facts = local
                chain.append((path, cls))
                names |= set(facts.fields) | set(facts.private_attrs) | set(facts.class_attrs)
                names |= set(facts.properties) | set(facts.methods) | set(facts.classmethods) | set(facts.staticmethods)
                todo.extend(b.rsplit(".", 1)[-1] for b in facts.bases)
                continue
            known = None if cls in self.opaque_bases else known_base_members(cls)
            if known is not None:
                chain.append((None, cls))
                names |= known
            elif cls not in {"object", "Generic", "ABC"}:
                unknown.append(cls)
        return ConfigMembers(frozenset(names), not unknown, tuple(unknown), tuple(chain))


def per_run(fn: Callable[[ProjectModel], T]) -> Callable[[ProjectModel], T]:
    """Memoise ``fn(project)`` for the life of one ProjectModel (one check run).

    For work several rules (or several calls of one rule) share; the result must be treated
    as read-only, since every later caller in the run gets the same object.
    """

    @functools.wraps(fn)
    def memoised(project: ProjectModel) -> T:
        memo = project._memo
        if fn not in memo:
            memo[fn] = fn(project)
        return cast(T, memo[fn])

    return memoised
