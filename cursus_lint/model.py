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
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import msgspec

from cursus_core.catalog import StepCatalog, StepInfo
from cursus_core.interface.span import Problem as InterfaceProblem
from cursus_core.registry.models import StepDefinition

from .facts import BuilderFacts, ConfigFacts, ContractFacts, FileFacts, SpecFacts

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.registry.literal_reader import RegistryFile

    from .config import LintConfig
    from .facts.pipeline import PipelineFacts

T = TypeVar("T")


class SpecVariant(msgspec.Struct):
    """One spec file of a step; job-type variants are separate and checked one by one."""

    job_type: str | None
    file: FileFacts
    spec: SpecFacts

    @property
    def path(self) -> Path:
        return self.file.path


def contract_label(contract: ContractFacts, path: Path | None = None, *, by_function: bool = True) -> str:
    """How messages name a contract: its variable, the function returning it (unless
    ``by_function`` is off, as some rules' messages always had), or (an interface step has
    neither) its ``.step.yaml`` file name, so no message says "contract 'the contract'"."""
    if contract.variable:
        return contract.variable
    if contract.function and by_function:
        return f"{contract.function}()"
    if path is not None and path.name.endswith(".step.yaml"):
        return path.name
    return "the contract"


class StepModel(msgspec.Struct):
    name: str
    workspace_id: str | None
    info: StepInfo
    registry: StepDefinition | None
    script: FileFacts | None = None
    contract_file: FileFacts | None = None
    contract: ContractFacts | None = None
    specs: list[SpecVariant] = msgspec.field(default_factory=list)
    builder_file: FileFacts | None = None
    builder: BuilderFacts | None = None
    config_file: FileFacts | None = None
    config: ConfigFacts | None = None
    hyperparams: list[FileFacts] = msgspec.field(default_factory=list)

    @property
    def sagemaker_step_type(self) -> str | None:
        return self.registry.sagemaker_step_type if self.registry else None

    @property
    def files(self) -> list[Path]:
        return self.info.files


def known_base_members(class_name: str) -> frozenset[str] | None:
    """Attributes of config base classes we ship (and their cursus namesakes), or None if unknown.

    Read from a stored table when it fits the running pydantic (:mod:`cursus_core.base.members`),
    so a check does not import pydantic to learn them.
    """
    from cursus_core.base.members import base_members

    found = base_members(class_name)
    return None if found is None else found[0]


def known_base_methods(class_name: str) -> frozenset[str]:
    """The members of a shipped config base (:func:`known_base_members`) that are methods, not data."""
    from cursus_core.base.members import base_members

    found = base_members(class_name)
    return frozenset() if found is None else found[1]


class ConfigMembers(msgspec.Struct):
    """Everything reachable as ``config.X`` on a config class, and whether the chain is fully known."""

    names: frozenset[str]
    complete: bool
    unknown_bases: tuple[str, ...] = ()
    chain: tuple[tuple[Path | None, str], ...] = ()
    #: the members that are methods (plain, class or static), for suggestions of a data attribute
    methods: frozenset[str] = frozenset()


class Focus(msgspec.Struct, frozen=True):
    """What a run over given files reports: findings located in ``files`` or belonging to one of
    ``steps`` (by name, every workspace view). Project rules may skip work outside it, since the
    engine drops those findings anyway; a whole-repo run has no focus."""

    files: frozenset[Path]
    steps: frozenset[str]

    def wants(self, path: Path, step: str | None) -> bool:
        return path in self.files or (step is not None and step in self.steps)


class ProjectModel(msgspec.Struct):
    catalog: StepCatalog
    files: dict[Path, FileFacts]
    steps: list[StepModel]
    settings: LintConfig
    config_classes: dict[str, list[tuple[Path, ConfigFacts]]] = msgspec.field(default_factory=dict)
    #: base classes imported from somewhere whose source could not be found (members unknowable)
    opaque_bases: set[str] = msgspec.field(default_factory=set)
    #: registry files of the repo (and its workspaces) with located entries, for the CL6xx rules
    registry_files: dict[Path, RegistryFile] = msgspec.field(default_factory=dict)
    #: the configured pipeline DAG and saved config read as data (None: none configured), for CL8xx
    pipeline: PipelineFacts | None = None
    #: located problems of the step interfaces (``.step.yaml``), for the CL0xx rules
    interface_problems: list[InterfaceProblem] = msgspec.field(default_factory=list)
    #: set when only some files' findings are wanted (pre-commit, editor); None: the whole repo
    focus: Focus | None = None
    #: cases a rule could not decide statically, by kind (shown by --statistics)
    unknown: Counter[str] = msgspec.field(default_factory=Counter)
    #: results of :func:`per_run` helpers, by helper; only ``per_run`` reads or writes it
    _memo: dict[Callable[..., Any], Any] = msgspec.field(default_factory=dict)

    def wanted(self, path: Path, step: str | None) -> bool:
        """Whether a finding at ``path`` for ``step`` would be reported by this run."""
        return self.focus is None or self.focus.wants(path, step)

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
        methods: set[str] = set()
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
                methods |= set(facts.methods) | set(facts.classmethods) | set(facts.staticmethods)
                todo.extend(b.rsplit(".", 1)[-1] for b in facts.bases)
                continue
            known = None if cls in self.opaque_bases else known_base_members(cls)
            if known is not None:
                chain.append((None, cls))
                names |= known
                methods |= known_base_methods(cls)
            elif cls not in {"object", "Generic", "ABC"}:
                unknown.append(cls)
        return ConfigMembers(frozenset(names), not unknown, tuple(unknown), tuple(chain), frozenset(methods))


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
