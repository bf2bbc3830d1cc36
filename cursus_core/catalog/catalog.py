"""StepCatalog: which files form which step, found by convention *and* content, never by import.

Matching order, strongest evidence first:

1. builder and config classes by the registry's ``builder_step_name`` / ``config_class``;
2. specs by the ``step_type`` they declare (job-type suffix removed);
3. contracts by the specs that import them (so one contract may serve many steps);
4. scripts by the contracts' ``entry_point``;
5. anything left by file name (job-type suffixes, abbreviations, permutations, fuzzy);
6. hyperparameter modules by the builder/config files that import them.

Workspace components (``development/projects/<id>/src/cursus_dev/steps``) take precedence over
core components of the same step inside that workspace.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from cursus_core.catalog.scan import FileSummary, summarize_path
from cursus_core.registry.core_table import CORE_STEP_NAMES
from cursus_core.registry.hybrid import UnifiedRegistryManager
from cursus_core.registry.literal_reader import SKIP_DIRS, find_registry_files, read_registry_file
from cursus_core.registry.models import RegistryProblem, StepDefinition
from cursus_core.registry.names import match_canonical_name, snake_to_pascal
from cursus_core.source import SourceProblem

ROLES = ("scripts", "contracts", "specs", "builders", "configs", "hyperparams")
DEFAULT_LAYOUT: dict[str, tuple[str, ...]] = {
    "scripts": ("scripts",),
    "contracts": ("contracts",),
    "specs": ("specs",),
    "builders": ("builders",),
    "configs": ("configs",),
    "hyperparams": ("hyperparams", "hyperparameters"),
}
JOB_TYPES = ("training", "validation", "testing", "calibration", "inference")


@dataclass
class StepInfo:
    """The components of one step in one scope (core, or a workspace)."""

    name: str
    workspace_id: str | None = None
    registry: StepDefinition | None = None
    script: Path | None = None
    contract: Path | None = None
    specs: dict[str | None, Path] = field(default_factory=dict)  # job type (None = base spec) -> file
    builder: Path | None = None
    config: Path | None = None
    hyperparams: list[Path] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        out = [p for p in (self.script, self.contract, self.builder, self.config) if p is not None]
        out.extend(self.specs.values())
        out.extend(self.hyperparams)
        return sorted(set(out))

    def components(self) -> dict[str, object]:
        return {"script": self.script, "contract": self.contract, "specs": dict(self.specs),
                "builder": self.builder, "config": self.config, "hyperparams": list(self.hyperparams)}


@dataclass(frozen=True)
class UnmatchedFile:
    path: Path
    role: str
    reason: str


@dataclass(frozen=True)
class StepDir:
    """A ``steps`` directory and the workspace it belongs to (None for the core repo)."""

    path: Path
    workspace_id: str | None
    role_dirs: dict[str, tuple[Path, ...]]


def _workspace_id(path: Path) -> str | None:
    parts = path.parts
    for i in range(len(parts) - 2):
        if parts[i] == "development" and parts[i + 1] == "projects":
            return parts[i + 2]
    return None


def discover_step_dirs(roots: Iterable[Path], layout: Mapping[str, Iterable[str]] | None = None) -> list[StepDir]:
    """Directories holding at least two component sub-directories (scripts/, contracts/, ...)."""
    lay = {role: tuple((layout or {}).get(role, DEFAULT_LAYOUT[role])) for role in ROLES}
    found: dict[Path, StepDir] = {}
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for dirpath, dirnames, _ in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".cursus"))
            here = set(dirnames)
            role_dirs = {role: tuple(Path(dirpath) / d for d in names if d in here) for role, names in lay.items()}
            if sum(1 for dirs in role_dirs.values() if dirs) >= 2:
                p = Path(dirpath)
                found[p] = StepDir(p, _workspace_id(p), {r: d for r, d in role_dirs.items() if d})
    return sorted(found.values(), key=lambda s: (s.workspace_id or "", str(s.path)))


def _py_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        files.extend(p for p in sorted(d.glob("*.py")) if p.name != "__init__.py" and p.is_file())
    return files


class StepCatalog:
    """Index of steps and their component files under one or more roots.

    ``roots`` are searched for ``steps`` directories and registry files; ``workspace_dirs`` add
    isolated workspaces (``development/projects/<id>/...``). ``registry`` names the core registry
    file explicitly (otherwise the first file under the roots defining ``STEP_NAMES``, else the
    built-in core table).
    """

    def __init__(self, roots: Path | str | Iterable[Path | str], workspace_dirs: Iterable[Path | str] = (),
                 registry: Path | str | None = None,
                 layout: Mapping[str, Iterable[str]] | None = None) -> None:
        if isinstance(roots, (str, Path)):
            roots = [roots]
        self.roots = [Path(r) for r in roots]
        self.workspace_dirs = [Path(w) for w in workspace_dirs]
        self.layout = layout
        self.problems: list[SourceProblem | RegistryProblem] = []
        self.unmatched: list[UnmatchedFile] = []
        self.summaries: dict[Path, FileSummary] = {}
        self.registry_files: list[Path] = []
        self._steps: dict[str | None, dict[str, StepInfo]] = {}
        self._by_file: dict[Path, list[tuple[str | None, str]]] = {}
        self._role_of: dict[Path, str] = {}
        self.registry = self._load_registry(registry)
        self.step_dirs = discover_step_dirs(self.roots + self.workspace_dirs, layout)
        for step_dir in self.step_dirs:
            self._index(step_dir)

    # -- registry ------------------------------------------------------------------------
    def _load_registry(self, registry: Path | str | None) -> UnifiedRegistryManager:
        candidates: list[Path] = []
        for root in self.roots + self.workspace_dirs:
            if root.is_file():
                continue
            candidates.extend(find_registry_files(root))
        self.registry_files = sorted(set(candidates))
        core_file = Path(registry) if registry is not None else None
        workspace_files: list[tuple[str, Path]] = []
        for path in self.registry_files:
            ws = _workspace_id(path)
            if ws is not None:
                workspace_files.append((ws, path))
            elif core_file is None and read_registry_file(path).table("STEP_NAMES") is not None:
                core_file = path
        if core_file is not None:
            manager = UnifiedRegistryManager(core_file)
            if core_file not in self.registry_files:
                self.registry_files.append(core_file)
        else:
            manager = UnifiedRegistryManager(CORE_STEP_NAMES)
        for ws, path in workspace_files:
            manager.add_workspace(ws, path)
        for path in self.registry_files:
            if path != core_file and _workspace_id(path) is None:
                # extra STEP_NAMES tables (copies, legacy files) are read so their problems surface
                self.problems.extend(read_registry_file(path).problems)
        self.problems.extend(manager.problems)
        self.core_registry_file = core_file
        return manager

    # -- indexing ------------------------------------------------------------------------
    def _summary(self, path: Path) -> FileSummary:
        s = self.summaries.get(path)
        if s is None:
            s = self.summaries[path] = summarize_path(path)
            if s.problem is not None:
                self.problems.append(s.problem)
        return s

    def _scope(self, ws: str | None) -> dict[str, StepInfo]:
        return self._steps.setdefault(ws, {})

    def _info(self, ws: str | None, name: str) -> StepInfo:
        scope = self._scope(ws)
        info = scope.get(name)
        if info is None:
            definitions = self.registry.get_all_step_definitions(ws)
            info = scope[name] = StepInfo(name, ws, definitions.get(name))
        return info

    def _attach(self, ws: str | None, name: str, role: str, path: Path, job_type: str | None = None) -> None:
        info = self._info(ws, name)
        if role == "specs":
            info.specs.setdefault(job_type, path)
        elif role == "hyperparams":
            if path not in info.hyperparams:
                info.hyperparams.append(path)
        else:
            attr = role[:-1]  # scripts -> script
            if getattr(info, attr) is None:
                setattr(info, attr, path)
        key = (ws, name)
        owners = self._by_file.setdefault(path, [])
        if key not in owners:
            owners.append(key)
        self._role_of[path] = role

    def _name_from_file(self, path: Path, names: list[str], role: str) -> str | None:
        try:
            match = match_canonical_name(path.name, names)
        except ValueError as exc:
            self.unmatched.append(UnmatchedFile(path, role, str(exc)))
            return None
        return match.name

    def _index(self, step_dir: StepDir) -> None:
        ws = step_dir.workspace_id
        definitions = self.registry.get_all_step_definitions(ws)
        names = sorted(definitions)
        by_builder = {d.builder_step_name: n for n, d in definitions.items()}
        by_config = {d.config_class: n for n, d in definitions.items()}
        by_spec_type = {d.spec_type: n for n, d in definitions.items()}
        files = {role: _py_files(step_dir.role_dirs.get(role, ())) for role in ROLES}

        def name_for_class(cls: str, table: dict[str, str], suffix: str) -> str | None:
            if cls in table:
                return table[cls]
            if cls.endswith(suffix) and cls[: -len(suffix)] in definitions:
                return cls[: -len(suffix)]
            return None

        # 1. builders and configs by class name
        for role, table, suffix in (("builders", by_builder, "StepBuilder"), ("configs", by_config, "Config")):
            for path in files[role]:
                summary = self._summary(path)
                hits = [n for c in summary.classes if (n := name_for_class(c, table, suffix))]
                if hits:
                    self._attach(ws, hits[0], role, path)
                    continue
                if summary.problem is not None:
                    continue
                if role == "configs" and (not summary.classes or all(
                        c.endswith(("Base", "Mixin")) for c in summary.classes)):
                    continue  # shared base classes belong to no step
                own = [c for c in summary.classes if c.endswith(suffix)]
                if own:
                    # a class following the convention but missing from the registry: its own step
                    self._attach(ws, own[0][: -len(suffix)], role, path)
                    continue
                name = self._name_from_file(path, names, role)
                if name is not None:
                    self._attach(ws, name, role, path)
        # 2. specs by declared step type
        contract_users: dict[str, list[str]] = {}
        for path in files["specs"]:
            summary = self._summary(path)
            step: str | None = None
            job: str | None = None
            for base, job_type in summary.spec_types:
                full = f"{base}_{job_type}" if job_type else base
                if full in by_spec_type:
                    step, job = by_spec_type[full], None
                elif base in by_spec_type or base in definitions:
                    step, job = by_spec_type.get(base, base), (job_type.lower() if job_type else None)
                if step:
                    break
            if step is None and summary.problem is None:
                if summary.spec_types:
                    base, job_type = summary.spec_types[0]
                    step, job = base, (job_type.lower() if job_type else None)
                else:
                    step = self._name_from_file(path, names, "specs")
                    job = next((j for j in JOB_TYPES if path.stem.removesuffix("_spec").endswith("_" + j)), None)
            if step is None:
                continue
            self._attach(ws, step, "specs", path, job)
            for module in summary.imported_modules:
                contract_users.setdefault(module, []).append(step)
        # 3. contracts by the specs that import them, else by file name
        entry_owner: dict[str, list[str]] = {}
        for path in files["contracts"]:
            summary = self._summary(path)
            users = sorted(set(contract_users.get(path.stem, [])))
            if not users and summary.problem is None:
                name = self._name_from_file(path, names, "contracts")
                users = [name] if name else []
            for step in users:
                self._attach(ws, step, "contracts", path)
            for ep in summary.entry_points:
                entry_owner.setdefault(Path(ep).name, []).extend(users)
        # 4. scripts by entry point, else by file name
        for path in files["scripts"]:
            owners = sorted(set(entry_owner.get(path.name, [])))
            if not owners:
                name = self._name_from_file(path, names, "scripts")
                owners = [name] if name else []
            for step in owners:
                self._attach(ws, step, "scripts", path)
        # 5. hyperparameters by the builders/configs that import them
        for path in files["hyperparams"]:
            self._summary(path)
            importers = sorted({n for (w, n) in self._owners_importing(path.stem, ws)})
            if not importers:
                self.unmatched.append(UnmatchedFile(path, "hyperparams",
                                                    "no builder or config of any step imports this module"))
            for step in importers:
                self._attach(ws, step, "hyperparams", path)

    def _owners_importing(self, module: str, ws: str | None) -> set[tuple[str | None, str]]:
        out: set[tuple[str | None, str]] = set()
        for info in self._scope(ws).values():
            for p in (info.builder, info.config):
                if p is not None and module in self._summary(p).imported_modules:
                    out.add((ws, info.name))
        return out

    # -- queries ---------------------------------------------------------------------------
    def list_workspaces(self) -> list[str]:
        return sorted(w for w in self._steps if w is not None)

    def list_available_steps(self, workspace_id: str | None = None) -> list[str]:
        names = set(self._steps.get(None, {}))
        if workspace_id is not None:
            names |= set(self._steps.get(workspace_id, {}))
        return sorted(names)

    def get_step_info(self, name: str, workspace_id: str | None = None) -> StepInfo | None:
        """The step as seen from ``workspace_id``: workspace components first, core ones filling gaps."""
        core = self._steps.get(None, {}).get(name)
        local = self._steps.get(workspace_id, {}).get(name) if workspace_id is not None else None
        if local is None:
            return core
        if core is None:
            return local
        merged = StepInfo(name, workspace_id, local.registry or core.registry)
        for attr in ("script", "contract", "builder", "config"):
            setattr(merged, attr, getattr(local, attr) or getattr(core, attr))
        merged.specs = {**core.specs, **local.specs}
        merged.hyperparams = local.hyperparams or core.hyperparams
        return merged

    def iter_steps(self) -> list[StepInfo]:
        """Every step in every scope, workspace views merged over the core (stable order)."""
        out = [self._steps[None][n] for n in sorted(self._steps.get(None, {}))]
        for ws in self.list_workspaces():
            out.extend(self.get_step_info(n, ws) for n in sorted(self._steps[ws]))  # type: ignore[misc]
        return out

    def find_steps_for_file(self, path: Path | str) -> list[tuple[str | None, str]]:
        """(workspace, step) pairs a component file belongs to; O(1)."""
        return list(self._by_file.get(Path(path), []))

    def role_of(self, path: Path | str) -> str | None:
        return self._role_of.get(Path(path))

    def registry_only_steps(self) -> list[str]:
        """Registered core steps with no component file at all (fine for built-in tables)."""
        return sorted(set(self.registry.list_steps()) - set(self._steps.get(None, {})))
