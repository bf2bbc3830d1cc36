"""Shared by the level-3 rules (CL301-CL303): every spec output of the project as a resolver
provider, every dependency once (only those of the run's focus, when it has one), and the step
names the project knows.

Built once per run from the ProjectModel (memoised by ``per_run``); nothing here reads a file.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from cursus_core.deps import Provider, StepRef, strip_job_suffix
from cursus_core.deps.resolver import ProviderPool, Resolution, resolve
from cursus_core.registry.core_table import CORE_STEP_NAMES
from cursus_core.registry.hybrid import workspace_context
from cursus_lint.facts import DependencyFacts, OutputFacts, SpecFacts, Span
from cursus_lint.model import ProjectModel, StepModel, per_run


class OutputRef(msgspec.Struct, frozen=True):
    """Where a provider's output is written, for ``related`` locations."""

    path: Path
    span: Span
    spec_variable: str | None


class Consumer(msgspec.Struct):
    """One spec variant that declares dependencies, checked once even if several scopes share it."""

    step: StepModel
    ref: StepRef
    path: Path
    spec: SpecFacts

    @property
    def spec_name(self) -> str:
        return self.spec.variable or f"the {self.ref.label} spec"


class Level3Index(msgspec.Struct):
    providers: list[Provider] = msgspec.field(default_factory=list)
    consumers: list[Consumer] = msgspec.field(default_factory=list)
    #: steps whose outputs cannot be read statically (dynamic lists, unparsable spec files)
    opaque_steps: set[str] = msgspec.field(default_factory=set)
    #: step names with at least one readable spec
    steps_with_specs: set[str] = msgspec.field(default_factory=set)
    #: every step name the registry (all workspaces), the built-in table or the catalog knows,
    #: and every registered spec type
    known_names: set[str] = msgspec.field(default_factory=set)
    registered: set[str] = msgspec.field(default_factory=set)
    #: prepared provider pools by consumer workspace (None: the core view)
    pools: dict[str | None, ProviderPool] = msgspec.field(default_factory=dict)
    #: resolutions by (consumer, dependency) identity and settings: CL302 and CL303 both ask for
    #: every dependency, and scoring is the costly part of level-3 checks
    resolutions: dict[tuple[int, int, float, float], Resolution] = msgspec.field(default_factory=dict)
    #: every name a compatible_sources entry may use for a provider (filled on first use: asked once
    #: per dependency, it was a walk over all providers each time, quadratic in the steps)
    provider_names: set[str] | None = None


def spec_label(step: str, job_type: str | None, spec: SpecFacts) -> str:
    """The spec type as the spec writes it (``RiskTableMapping_Training``), else step + job type."""
    ref = spec.step_type
    if ref is not None and ref.base:
        return _with_job_type(ref.base, ref.job_type) if ref.job_type else ref.base
    return _with_job_type(step, job_type)


def output_readable(out: OutputFacts) -> bool:
    return out.logical_name is not None and out.output_type is not None and not out.non_literal


def dependency_readable(dep: DependencyFacts) -> bool:
    return dep.logical_name is not None and dep.dependency_type is not None and dep.required is not None


@per_run
def index(project: ProjectModel) -> Level3Index:
    """Providers, consumers and known names of ``project`` (computed once per run)."""
    out = Level3Index()
    seen: set[tuple[Path, int, int]] = set()
    for step in project.steps:
        for path in step.info.specs.values():
            facts = project.files.get(path)
            if facts is None or facts.problem is not None or not facts.specs:
                out.opaque_steps.add(step.name)
        for variant in step.specs:
            spec = variant.spec
            key = (variant.path, spec.span.line, spec.span.column)
            if key in seen:
                continue  # a workspace view of a core spec: same file, checked once
            seen.add(key)
            ref = StepRef(step.name, spec_label(step.name, variant.job_type, spec), variant.job_type,
                          step.workspace_id)
            if spec.outputs_shape == "dynamic" or "outputs" in spec.non_literal:
                out.opaque_steps.add(step.name)
            for output in spec.outputs:
                if output_readable(output):
                    out.providers.append(Provider(ref, output, OutputRef(variant.path, output.span, spec.variable)))
                    out.steps_with_specs.add(step.name)
                else:
                    out.opaque_steps.add(step.name)
            # only consumers whose findings this run reports: a pre-commit run over one step scores
            # that step's dependencies against every provider, not every dependency of the repo
            if spec.dependencies and project.wanted(variant.path, step.name):
                out.consumers.append(Consumer(step, ref, variant.path, spec))
    registry = project.catalog.registry
    with workspace_context(None):
        definitions = list(registry.get_all_step_definitions().values())
        for ws in registry.list_workspaces():
            definitions.extend(registry.get_all_step_definitions(ws).values())
    out.registered = {d.name for d in definitions}
    out.known_names = (out.registered | {d.spec_type for d in definitions} | set(CORE_STEP_NAMES)
                       | {info["spec_type"] for info in CORE_STEP_NAMES.values()} | {s.name for s in project.steps})
    return out


def visible_providers(ix: Level3Index, consumer: Consumer) -> ProviderPool:
    """What a consumer may be wired to: a workspace step sees the core and its own workspace; a
    core step sees every step of the project (a workspace may add its provider). One prepared
    pool per scope, shared by every dependency and rule of the run."""
    ws = consumer.ref.workspace_id
    pool = ix.pools.get(ws)
    if pool is None:
        chosen = ix.providers if ws is None else [p for p in ix.providers if p.step.workspace_id in (None, ws)]
        pool = ix.pools[ws] = ProviderPool(chosen)
    return pool


def resolution(ix: Level3Index, consumer: Consumer, dep: DependencyFacts, threshold: float,
               tie_margin: float) -> Resolution:
    """``resolve`` for ``dep`` of ``consumer`` against its visible providers, once per run: the
    index (and so every id used as a key) lives exactly as long as the run's ProjectModel."""
    key = (id(consumer), id(dep), threshold, tie_margin)
    found = ix.resolutions.get(key)
    if found is None:
        found = ix.resolutions[key] = resolve(dep, visible_providers(ix, consumer), threshold, tie_margin,
                                              consumer=consumer.ref)
    return found


def names_of(provider: Provider) -> set[str]:
    """Every name a compatible_sources entry may use for a provider."""
    step = provider.step
    out = {step.name}
    if step.spec_type:
        out |= {step.spec_type, strip_job_suffix(step.spec_type)}
    return out


def sources_without_specs(ix: Level3Index, dep: DependencyFacts) -> list[str]:
    """Listed sources the project knows (registered) but whose spec outputs it cannot see."""
    if ix.provider_names is None:
        ix.provider_names = set().union(*(names_of(p) for p in ix.providers)) if ix.providers else set()
    readable = ix.provider_names
    out = []
    for source in dep.compatible_sources:
        if {source, strip_job_suffix(source)} & readable:
            continue
        if source in ix.known_names or strip_job_suffix(source) in ix.known_names:
            out.append(source)
    return out


def _with_job_type(base: str, job_type: str | None) -> str:
    # the domain helper from its pydantic-free module (cursus_core.base is lazy)
    from cursus_core.base.naming import spec_type_with_job_type

    return spec_type_with_job_type(base, job_type)
