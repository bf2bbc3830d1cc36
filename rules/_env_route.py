"""Which env vars a step's builder really sets, in either layout: the builder/config half of the
three-way env check (script reads ⊆ contract declares; declared ones are supplied and set).

Classic layout: a builder that overrides ``_get_environment_variables`` without calling
``super()`` sets exactly what its code sets; otherwise the base class takes each declared name
from the same-named (lower-case) config attribute and gives optional ones their default.
Interface layout (template builder): the config's *own* collector (``get_environment_variables``,
else the ``environment_variables`` property, defined below the shared bases) when it has one;
otherwise each declared name from ``_env_overrides`` or the same-named config attribute; then the
interface defaults of optional names and the ``computed_env_paths``.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from cursus_lint.facts import ConfigFacts, EnvCollector, Span
from cursus_lint.model import ConfigMembers, ProjectModel, StepModel

from ._script_steps import delegates_to_sdk

#: SageMaker step types that are an SDK package's own step class: the SDK, not the builder's env
#: route, feeds what their contract declares
SDK_STEP_TYPES = frozenset({"CradleDataLoading", "RedshiftDataLoading", "MimsModelRegistrationProcessing"})

#: config classes whose collector is the generic one (they resolve declared names by convention)
SHARED_BASES = frozenset({"BasePipelineConfig", "ProcessingStepConfigBase", "TieredModel", "BaseModel", "object"})


class OwnCollector(msgspec.Struct, frozen=True):
    """The collector of a config class below the shared bases, with the file defining it."""

    path: Path
    owner: str
    facts: EnvCollector


class EnvRoute(msgspec.Struct, frozen=True):
    """What the builder (or template) of one step sets in the container env."""

    interface: bool
    #: names set explicitly (builder code, or the config's own collector), first place each is set
    sets: dict[str, tuple[Path, Span]]
    #: ``sets`` is all that is set explicitly (no computed key, no dict from elsewhere)
    complete: bool
    #: declared names are also taken from same-named (lower-case) config attributes
    convention: bool
    #: declared optional names get their declared default when nothing else sets them
    defaults: bool
    members: ConfigMembers | None
    collector: OwnCollector | None = None

    def config_has(self, name: str) -> bool | None:
        """Whether the config carries attribute ``name.lower()``; None when its chain is not known."""
        if self.members is None:
            return None
        attr = name.lower()
        if attr in self.members.names:
            return True
        if not self.members.complete or "hyperparameters" in self.members.names:
            return None  # a base outside the repo, or the hyperparameters fallback, may hold it
        return False

    def sets_name(self, name: str) -> bool | None:
        """Whether the route sets declared env var ``name``; None when that is not knowable."""
        if name in self.sets:
            return True
        if self.convention:
            has = self.config_has(name)
            if has is not False:
                return has
        return False if self.complete else None


def config_chain(step: StepModel, project: ProjectModel) -> list[tuple[Path, ConfigFacts]]:
    """The repo classes of the step's config, the class first, then its bases (depth first)."""
    if step.config is None or step.config_file is None:
        return []
    out: list[tuple[Path, ConfigFacts]] = []
    seen: set[str] = set()
    todo = [step.config.name]
    while todo:
        name = todo.pop(0)
        if name in seen or name in SHARED_BASES:
            continue
        seen.add(name)
        found = project.config_class(name, step.config_file.path)
        if found is not None:
            out.append(found)
            todo.extend(b.rsplit(".", 1)[-1] for b in found[1].bases)
    return out


def _own(chain: list[tuple[Path, ConfigFacts]], member: str, start: int = 0) -> tuple[int, OwnCollector] | None:
    for i, (path, cfg) in enumerate(chain[start:], start):
        facts = cfg.env_collectors.get(member)
        if facts is not None:
            return i, OwnCollector(path, cfg.name, facts)
    return None


def _collect(chain: list[tuple[Path, ConfigFacts]], at: tuple[int, OwnCollector],
             sets: dict[str, tuple[Path, Span]]) -> tuple[bool, bool]:
    """Add what an own collector emits (following bare ``super()`` calls up the chain);
    returns (complete, convention)."""
    index, own = at
    for item in own.facts.names:
        sets.setdefault(item.name, (own.path, item.span))
    complete, convention = own.facts.complete, own.facts.super_call == "names"
    if own.facts.super_call == "bare":
        parent = _own(chain, own.facts.member, index + 1)
        if parent is not None:
            more, conv = _collect(chain, parent, sets)
            complete, convention = complete and more, convention or conv
    return complete, convention


def env_route(step: StepModel, project: ProjectModel) -> EnvRoute | None:
    """The env route of ``step``; None without a builder, or a config when the layout needs one."""
    builder = step.builder
    if builder is None:
        return None
    if step.sagemaker_step_type in SDK_STEP_TYPES or (not builder.synthesized and delegates_to_sdk(step, project)):
        project.count_unknown("env-of-sdk-step")
        return None
    members = None
    if step.config is not None and step.config_file is not None:
        members = project.config_members(step.config.name, step.config_file.path)
    if not builder.synthesized:
        assert step.builder_file is not None
        path = step.builder_file.path
        sets = {e.name: (path, e.span) for e in reversed(builder.env_vars_set)}
        complete = bool(builder.env_vars_set) and not step.builder_file.unknown.get("dynamic-builder-env-name")
        inherited = not builder.has_env_method or builder.calls_super_env
        return EnvRoute(False, sets, complete or not builder.has_env_method, inherited, inherited, members)
    if step.config is None or members is None:
        return None
    chain = config_chain(step, project)
    own = _own(chain, "get_environment_variables") or _own(chain, "environment_variables")
    sets = {}
    if own is not None:
        complete, convention = _collect(chain, own, sets)
        return EnvRoute(True, sets, complete, convention, True, members, own[1])
    overrides = _own(chain, "_env_overrides")
    complete = True
    if overrides is not None:
        complete = overrides[1].facts.complete
        for item in overrides[1].facts.names:
            sets.setdefault(item.name, (overrides[1].path, item.span))
    return EnvRoute(True, sets, complete, True, True, members)
