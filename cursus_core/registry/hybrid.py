"""The workspace-aware ("hybrid") step registry.

One core table plus any number of developer workspaces, each adding steps
(``WORKSPACE_STEPS``) or replacing core steps for that workspace only (``STEP_OVERRIDES``).
Which workspace applies comes from an explicit argument or from a context variable, so
concurrent threads and asyncio tasks each see their own workspace.
Every file is read statically (:mod:`cursus_core.registry.literal_reader`).
"""

from __future__ import annotations

import difflib
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

import msgspec

from cursus_core.registry.core_table import CORE_STEP_NAMES, REQUIRED_STEP_KEYS
from cursus_core.registry.literal_reader import RegistryFile, RegistryTable, read_registry_file
from cursus_core.registry.models import (
    RegistryEntry,
    RegistryProblem,
    RegistryType,
    ResolutionContext,
    StepDefinition,
    StepResolutionResult,
)

_WORKSPACE: ContextVar[str | None] = ContextVar("cursus_registry_workspace", default=None)

#: Where a workspace keeps its registry, relative to ``development/projects/<id>``.
WORKSPACE_REGISTRY_DIR = Path("src") / "cursus_dev" / "registry"


def set_workspace_context(workspace_id: str | None) -> Token[str | None]:
    """Make ``workspace_id`` current for this thread / task; returns a token for ``reset``."""
    return _WORKSPACE.set(workspace_id)


def get_workspace_context() -> str | None:
    return _WORKSPACE.get()


def clear_workspace_context() -> None:
    _WORKSPACE.set(None)


@contextmanager
def workspace_context(workspace_id: str | None) -> Iterator[str | None]:
    """Run a block with ``workspace_id`` current, restoring the previous one afterwards."""
    token = _WORKSPACE.set(workspace_id)
    try:
        yield workspace_id
    finally:
        _WORKSPACE.reset(token)


def closest_names(name: str, candidates: list[str], n: int = 3) -> list[str]:
    """Up to ``n`` candidates nearest to ``name`` (case-insensitive), best first."""
    lowered = {c.lower(): c for c in sorted(candidates)}
    return [lowered[m] for m in difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.4)]


class StepNotFoundError(KeyError):
    """A step name no registry in scope defines; the message lists the nearest names."""

    def __init__(self, step_name: str, workspace_id: str | None = None, closest: list[str] | None = None):
        self.step_name = step_name
        self.workspace_id = workspace_id
        self.closest = list(closest or [])
        scope = f" in workspace '{workspace_id}' or the core registry" if workspace_id else " in the core registry"
        hint = ("; did you mean " + ", ".join(f"'{c}'" for c in self.closest) + "?") if self.closest else ""
        self.message = f"step '{step_name}' is not registered{scope}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class UnknownWorkspaceError(KeyError):
    """An explicitly requested workspace that was never added."""

    def __init__(self, workspace_id: str, known: list[str]):
        self.workspace_id = workspace_id
        listed = ", ".join(f"'{k}'" for k in known) or "none"
        self.message = f"unknown workspace '{workspace_id}' (known: {listed})"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class WorkspaceRegistry(msgspec.Struct):
    """What one workspace contributes: its own steps, its overrides, its metadata."""

    workspace_id: str
    paths: list[Path] = msgspec.field(default_factory=list)
    local_steps: dict[str, StepDefinition] = msgspec.field(default_factory=dict)
    overrides: dict[str, StepDefinition] = msgspec.field(default_factory=dict)
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)


def _definition(entry: RegistryEntry, registry_type: RegistryType, workspace_id: str | None,
                path: Path | None) -> StepDefinition | None:
    """A definition for a complete entry; incomplete ones were already reported by the reader."""
    fields: Mapping[str, Any] = entry.fields  # the four keys are checked to be strings below
    if entry.opaque or not all(isinstance(fields.get(k), str) for k in REQUIRED_STEP_KEYS):
        return None
    description = fields.get("description", "")
    return StepDefinition(
        name=entry.name,
        config_class=fields["config_class"],
        builder_step_name=fields["builder_step_name"],
        spec_type=fields["spec_type"],
        sagemaker_step_type=fields["sagemaker_step_type"],
        description=description if isinstance(description, str) else "",
        registry_type=registry_type,
        workspace_id=workspace_id,
        source_path=path,
        line=entry.line if path is not None else None,
        column=entry.column if path is not None else None,
    )


class UnifiedRegistryManager:
    """Core table + workspaces with workspace-first resolution.

    ``core_table`` is a ``STEP_NAMES``-shaped mapping, a path to a file defining
    ``STEP_NAMES`` (read statically), or None for the built-in :data:`CORE_STEP_NAMES`.
    """

    def __init__(self, core_table: Mapping[str, Any] | str | os.PathLike[str] | None = None,
                 workspaces_root: str | os.PathLike[str] | None = None) -> None:
        self._lock = threading.RLock()
        self._problems: list[RegistryProblem] = []
        self._workspaces: dict[str, WorkspaceRegistry] = {}
        self.core_path: Path | None = None
        self._core = self._load_core(CORE_STEP_NAMES if core_table is None else core_table)
        if workspaces_root is not None:
            self.discover_workspaces(workspaces_root)

    # -- loading ---------------------------------------------------------------------
    def _load_core(self, core_table: Mapping[str, Any] | str | os.PathLike[str]) -> dict[str, StepDefinition]:
        if isinstance(core_table, Mapping):
            return self._core_from_mapping(core_table)
        path = Path(core_table)
        self.core_path = path
        registry = read_registry_file(path)
        self._problems.extend(registry.problems)
        table = registry.table("STEP_NAMES")
        if table is None:
            if not registry.problems:
                self._problems.append(RegistryProblem(path, 1, 1, "core registry file defines no STEP_NAMES table",
                                                      "bad-shape"))
            return {}
        return self._definitions(table, "core", None, path)

    def _core_from_mapping(self, table: Mapping[str, Any]) -> dict[str, StepDefinition]:
        out: dict[str, StepDefinition] = {}
        for name, info in table.items():
            if not isinstance(name, str) or not isinstance(info, Mapping):
                self._problems.append(RegistryProblem(None, 1, 1, f"core table entry {name!r} is not a dict",
                                                      "wrong-type", step=str(name)))
                continue
            missing = [k for k in REQUIRED_STEP_KEYS if not isinstance(info.get(k), str)]
            if missing:
                names = ", ".join(f"'{k}'" for k in missing)
                self._problems.append(RegistryProblem(
                    None, 1, 1, f"step '{name}' in the core table is missing required key(s): {names}",
                    "missing-key", step=name, key=missing[0]))
                continue
            out[name] = StepDefinition(name=name, **{k: info[k] for k in REQUIRED_STEP_KEYS},
                                       description=str(info.get("description", "")), registry_type="core")
        return out

    @staticmethod
    def _definitions(table: RegistryTable, registry_type: RegistryType, workspace_id: str | None,
                     path: Path) -> dict[str, StepDefinition]:
        out: dict[str, StepDefinition] = {}
        for entry in table.entries.values():
            definition = _definition(entry, registry_type, workspace_id, path)
            if definition is not None:
                out[entry.name] = definition
        return out

    def add_workspace(self, workspace_id: str, path: str | os.PathLike[str]) -> WorkspaceRegistry:
        """Add (or extend) a workspace from a registry file or a directory of them."""
        p = Path(path)
        files = sorted(f for f in p.glob("*.py") if f.is_file()) if p.is_dir() else [p]
        with self._lock:
            workspace = self._workspaces.setdefault(workspace_id, WorkspaceRegistry(workspace_id))
            for file in files:
                if file in workspace.paths:
                    continue
                registry = read_registry_file(file)
                if not registry.has_tables and not registry.problems and not p.is_dir():
                    self._problems.append(RegistryProblem(
                        file, 1, 1, f"workspace registry for '{workspace_id}' defines neither WORKSPACE_STEPS "
                                    "nor STEP_OVERRIDES", "bad-shape"))
                if registry.has_tables or registry.problems:
                    workspace.paths.append(file)
                self._merge(workspace, registry)
        return workspace

    def _merge(self, workspace: WorkspaceRegistry, registry: RegistryFile) -> None:
        self._problems.extend(registry.problems)
        if registry.workspace_metadata:
            workspace.metadata.update(registry.workspace_metadata)
        tables: tuple[tuple[str, RegistryType, dict[str, StepDefinition]], ...] = (
            ("WORKSPACE_STEPS", "workspace", workspace.local_steps),
            ("STEP_OVERRIDES", "override", workspace.overrides))
        for table_name, registry_type, target in tables:
            table = registry.table(table_name)
            if table is None:
                continue
            for name, definition in self._definitions(table, registry_type, workspace.workspace_id,
                                                      registry.path).items():
                previous = target.get(name)
                if previous is not None:
                    self._problems.append(RegistryProblem(
                        registry.path, definition.line or 1, definition.column or 1,
                        f"step '{name}' is defined in {table_name} of workspace '{workspace.workspace_id}' twice: "
                        f"{previous.source_path}:{previous.line} and {registry.path}:{definition.line}",
                        "duplicate-step", step=name, related_line=previous.line, related_column=previous.column))
                target[name] = definition

    def discover_workspaces(self, root: str | os.PathLike[str]) -> list[str]:
        """Add every ``development/projects/<id>/src/cursus_dev/registry``; returns the ids added."""
        base = Path(root)
        added: list[str] = []
        for projects in (base / "development" / "projects", base):
            if not projects.is_dir():
                continue
            for project in sorted(d for d in projects.iterdir() if d.is_dir()):
                registry_dir = project / WORKSPACE_REGISTRY_DIR
                if registry_dir.is_dir():
                    self.add_workspace(project.name, registry_dir)
                    added.append(project.name)
            if added:
                break
        return added

    # -- scope -----------------------------------------------------------------------
    @property
    def problems(self) -> list[RegistryProblem]:
        with self._lock:
            return list(self._problems)

    def list_workspaces(self) -> list[str]:
        with self._lock:
            return sorted(self._workspaces)

    def get_workspace(self, workspace_id: str) -> WorkspaceRegistry:
        with self._lock:
            if workspace_id not in self._workspaces:
                raise UnknownWorkspaceError(workspace_id, sorted(self._workspaces))
            return self._workspaces[workspace_id]

    def _scope(self, workspace_id: str | None) -> str | None:
        """The workspace in effect: explicit (must exist), else the context's if this manager knows it."""
        with self._lock:
            if workspace_id is not None:
                if workspace_id not in self._workspaces:
                    raise UnknownWorkspaceError(workspace_id, sorted(self._workspaces))
                return workspace_id
            current = _WORKSPACE.get()
            return current if current in self._workspaces else None

    def _effective(self, workspace_id: str | None) -> dict[str, StepDefinition]:
        with self._lock:
            steps = dict(self._core)
            if workspace_id is not None:
                workspace = self._workspaces[workspace_id]
                steps.update(workspace.local_steps)
                steps.update(workspace.overrides)
            return steps

    # -- queries ---------------------------------------------------------------------
    def get_step_definition(self, name: str, workspace_id: str | None = None) -> StepDefinition:
        """Workspace override, else workspace step, else core; StepNotFoundError otherwise."""
        scope = self._scope(workspace_id)
        steps = self._effective(scope)
        if name in steps:
            return steps[name]
        raise StepNotFoundError(name, scope, closest_names(name, list(steps)))

    def has_step(self, name: str, workspace_id: str | None = None) -> bool:
        return name in self._effective(self._scope(workspace_id))

    def list_steps(self, workspace_id: str | None = None) -> list[str]:
        return sorted(self._effective(self._scope(workspace_id)))

    def get_all_step_definitions(self, workspace_id: str | None = None) -> dict[str, StepDefinition]:
        return self._effective(self._scope(workspace_id))

    def create_legacy_step_names_dict(self, workspace_id: str | None = None) -> dict[str, dict[str, str]]:
        """The effective steps in the ``STEP_NAMES`` shape, in name order."""
        steps = self._effective(self._scope(workspace_id))
        return {name: steps[name].to_legacy_dict() for name in sorted(steps)}

    def get_step_conflicts(self) -> dict[str, list[StepDefinition]]:
        """Step names that more than one workspace defines in WORKSPACE_STEPS."""
        with self._lock:
            by_name: dict[str, list[StepDefinition]] = {}
            for workspace_id in sorted(self._workspaces):
                for name, definition in self._workspaces[workspace_id].local_steps.items():
                    by_name.setdefault(name, []).append(definition)
        return {name: defs for name, defs in sorted(by_name.items()) if len(defs) > 1}

    def get_registry_statistics(self) -> dict[str, Any]:
        with self._lock:
            per_workspace = {
                workspace_id: {
                    "local_steps": len(ws.local_steps),
                    "overrides": len(ws.overrides),
                    "total_steps": len(self._effective(workspace_id)),
                    "files": len(ws.paths),
                }
                for workspace_id, ws in sorted(self._workspaces.items())
            }
            return {
                "core_steps": len(self._core),
                "workspaces": len(self._workspaces),
                "workspace_details": per_workspace,
                "conflicts": len(self.get_step_conflicts()),
                "problems": len(self._problems),
            }

    def resolve_step(self, name: str, context: ResolutionContext | None = None) -> StepResolutionResult:
        """Explain which definition ``name`` means in ``context``, without raising."""
        context = context or ResolutionContext()
        workspace_id = context.workspace_id
        with self._lock:
            if workspace_id is not None and workspace_id not in self._workspaces:
                return StepResolutionResult(step_name=name, resolved=False, workspace_id=workspace_id,
                                            reason=str(UnknownWorkspaceError(workspace_id, sorted(self._workspaces))))
            candidates = [ws.local_steps[name] for _, ws in sorted(self._workspaces.items()) if name in ws.local_steps]
            conflicts = candidates if len(candidates) > 1 else []
            if workspace_id is not None:
                own = self._workspaces[workspace_id]
                chosen = own.overrides.get(name) or own.local_steps.get(name)
                if chosen is not None:
                    how = "overrides the core definition" if chosen.registry_type == "override" else "defines it"
                    return self._result(name, chosen, f"workspace '{workspace_id}' {how}", conflicts)
            core = self._core.get(name)
            if core is not None:
                return self._result(name, core, "core definition", conflicts)
            if not candidates:
                known = list(self._effective(workspace_id))
                hint = closest_names(name, known)
                reason = f"step '{name}' is not registered" + (
                    "; closest: " + ", ".join(f"'{h}'" for h in hint) if hint else "")
                return StepResolutionResult(step_name=name, resolved=False, workspace_id=workspace_id, reason=reason)
            owners = ", ".join(f"'{d.workspace_id}'" for d in candidates)
            if context.resolution_mode == "strict":
                return StepResolutionResult(
                    step_name=name, resolved=False, workspace_id=workspace_id, conflicts=conflicts,
                    reason=f"step '{name}' is defined only in workspace(s) {owners}; strict mode needs that "
                           "workspace in the context")
            if len(candidates) == 1:
                return self._result(name, candidates[0], f"defined only in workspace {owners}", conflicts)
            if context.resolution_mode == "interactive":
                return StepResolutionResult(
                    step_name=name, resolved=False, workspace_id=workspace_id, conflicts=conflicts,
                    reason=f"step '{name}' is defined in workspaces {owners}; choose one")
            return self._pick(name, candidates, context)

    def _pick(self, name: str, candidates: list[StepDefinition], context: ResolutionContext) -> StepResolutionResult:
        """Automatic choice among workspaces: framework match (2) + shared environment tags (1 each)."""
        framework = (context.preferred_framework or "").lower()
        wanted = set(context.environment_tags)

        def score(definition: StepDefinition) -> int:
            text = " ".join((definition.name, definition.config_class, definition.builder_step_name,
                             definition.description)).lower()
            metadata = self._workspaces[definition.workspace_id or ""].metadata
            tags = metadata.get("environment_tags", metadata.get("tags", []))
            shared = len(wanted & set(tags)) if isinstance(tags, (list, tuple, set)) else 0
            return (2 if framework and framework in text else 0) + shared

        scored = sorted(candidates, key=lambda d: (-score(d), d.workspace_id or ""))
        best = scored[0]
        top = score(best)
        if top and (len(scored) == 1 or score(scored[1]) < top):
            reason = f"workspace '{best.workspace_id}' matches the context best (score {top})"
        else:
            reason = f"several workspaces define '{name}' equally well; took '{best.workspace_id}' (first by id)"
        return self._result(name, best, reason, candidates)

    @staticmethod
    def _result(name: str, chosen: StepDefinition, reason: str,
                conflicts: list[StepDefinition]) -> StepResolutionResult:
        return StepResolutionResult(step_name=name, resolved=True, selected_definition=chosen,
                                    source_registry=chosen.registry_type, workspace_id=chosen.workspace_id,
                                    reason=reason, conflicts=conflicts)
