"""Shared by the registry rules (CL601-CL606): every registry entry with its file, table and
workspace, read from the RegistryFiles the engine put into ``project.registry_files``."""

from __future__ import annotations

import difflib
from pathlib import Path

import msgspec

from cursus_core.registry.literal_reader import RegistryFile
from cursus_core.registry.models import RegistryEntry
from cursus_lint.model import ProjectModel, StepModel, per_run

class EntryRef(msgspec.Struct, frozen=True):
    path: Path
    table: str  # STEP_NAMES | WORKSPACE_STEPS | STEP_OVERRIDES
    entry: RegistryEntry
    workspace_id: str | None  # None: a core (non-workspace) registry file

    @property
    def name(self) -> str:
        return self.entry.name

    def where(self) -> str:
        scope = f" of workspace '{self.workspace_id}'" if self.workspace_id else ""
        return f"{self.table}{scope}"


def registry_files(project: ProjectModel) -> dict[Path, RegistryFile]:
    return project.registry_files


def workspace_of(project: ProjectModel, path: Path) -> str | None:
    registry = project.catalog.registry
    for ws in registry.list_workspaces():
        if path in registry.get_workspace(ws).paths:
            return ws
    return None


@per_run
def entries(project: ProjectModel) -> list[EntryRef]:
    """Every entry of every step table of every registry file, in file order (once per run)."""
    out: list[EntryRef] = []
    for path, rf in sorted(registry_files(project).items()):
        ws = workspace_of(project, path)
        for table in rf.tables.values():
            for entry in table.entries.values():
                out.append(EntryRef(path, table.name, entry, ws))
    return out


def core_entries(project: ProjectModel) -> dict[str, EntryRef] | None:
    """The STEP_NAMES entries of the core registry file; None when there is none or it is opaque."""
    core = project.catalog.core_registry_file
    if core is None:
        return None
    rf = registry_files(project).get(core)
    table = rf.table("STEP_NAMES") if rf is not None else None
    if table is None or table.opaque:
        return None
    return {name: EntryRef(core, "STEP_NAMES", e, None) for name, e in table.entries.items()}


def step_for(project: ProjectModel, name: str, workspace_id: str | None) -> StepModel | None:
    return next((s for s in project.steps if s.name == name and s.workspace_id == workspace_id), None)


def closest(word: str, choices) -> str:
    """``"; did you mean 'X'?"`` or an empty string."""
    hit = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"; did you mean '{hit[0]}'?" if hit else ""
