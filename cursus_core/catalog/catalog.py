"""StepCatalog: which files form which step, found by convention *and* content, never by import.

Per ``steps`` directory, strongest evidence first (a later, weaker pass never takes a slot an
earlier pass filled; a second file for a filled slot is reported as a duplicate):

1. builders and configs by class name: the registry's ``builder_step_name`` / ``config_class``,
   then ``<Step>StepBuilder`` / ``<Step>Config`` spelled differently (``XgboostTrainingConfig``),
   then the file name, then a convention-following class of an unregistered step;
2. specs by the ``step_type`` they declare (job type from the ``_Training`` suffix or the
   ``spec_type_with_job_type`` argument), else by file name (``x_training_spec.py``);
3. contracts by the specs that import them (module or ``X_CONTRACT`` name; one contract may
   serve several steps), then by the builders that import them, then by file name;
4. scripts by the contracts' ``entry_point`` (a workspace also sees core contracts), then by
   file name;
5. hyperparameter modules by the builders/configs that import them (module or class name).

File names are matched with :func:`cursus_core.registry.names.match_canonical_name`
(case conversion with acronyms, job-type suffixes, abbreviations, word order, fuzzy last).
Every file is read with :func:`cursus_core.source.load_source`; nothing is imported.
Workspace components take precedence over core ones in :meth:`StepCatalog.get_step_info`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec

from cursus_core.catalog.interfaces import StepInterfaces
from cursus_core.catalog.layout import (
    ROLES,
    StepDir,
    WorkspaceOf,
    discover_step_dirs,
    find_repo_root,
    resolve_layout,
)
from cursus_core.catalog.matches import NameMatcher
from cursus_core.catalog.scan import FileSummary, entry_point_stem, summarize_path
from cursus_core.registry.core_table import CORE_STEP_NAMES
from cursus_core.registry.hybrid import UnifiedRegistryManager, workspace_context
from cursus_core.registry.literal_reader import SKIP_DIRS as REGISTRY_SKIP_DIRS
from cursus_core.registry.literal_reader import find_registry_files, read_registry_file
from cursus_core.registry.models import RegistryProblem, StepDefinition
from cursus_core.registry.names import JOB_TYPE_SUFFIXES, split_words
from cursus_core.source import SourceProblem, load_source

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.cache import DiskCache

UnmatchedKind = Literal["no-match", "duplicate", "shared", "unreadable", "unused"]
_SHARED_SUFFIXES = ("Base", "Mixin", "ABC")


def _abs(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.abspath(path))


_STEP_NAMES_LINE = re.compile(r"^STEP_NAMES[ \t]*(?::[^=\n]*)?=(?!=)", re.MULTILINE)


def _defines_core_table(path: Path) -> bool:
    """A readable ``STEP_NAMES`` table, or an unparseable file whose text assigns one (so its
    syntax error is reported as the repo's registry instead of silently falling back)."""
    registry = read_registry_file(path)
    if registry.table("STEP_NAMES") is not None:
        return True
    source = load_source(path)
    return source.tree is None and source.text is not None and bool(_STEP_NAMES_LINE.search(source.text))


def _references(summary: FileSummary) -> set[tuple[str, str]]:
    """What a spec or builder points at: ("module", stem) and ("name", imported or referenced name)."""
    refs = {("module", m) for m in summary.imported_modules}
    refs.update(("name", n) for n in summary.imported_names)
    refs.update(("name", n) for n in summary.contract_refs)
    return refs


class StepInfo(msgspec.Struct):
    """The components of one step in one scope (core, or a workspace view)."""

    name: str
    workspace_id: str | None = None
    registry: StepDefinition | None = None
    script: Path | None = None
    contract: Path | None = None
    specs: dict[str | None, Path] = msgspec.field(default_factory=dict)  # job type (None = base spec) -> file
    #: legacy default specs that declare a variant a job-type file also declares (job type -> file):
    #: not the step's spec for that slot, but builders still import them, so they are checked too
    legacy_specs: dict[str, Path] = msgspec.field(default_factory=dict)
    builder: Path | None = None
    config: Path | None = None
    hyperparams: list[Path] = msgspec.field(default_factory=list)
    #: the ``.step.yaml`` holding contract, specs and registry row (interface layout); then
    #: ``contract`` and every ``specs`` entry are this file and there is no builder file
    interface: Path | None = None

    @property
    def files(self) -> list[Path]:
        out = [p for p in (self.script, self.contract, self.builder, self.config, self.interface) if p is not None]
        out.extend(self.specs.values())
        out.extend(self.hyperparams)
        return sorted(set(out))

    @property
    def missing(self) -> list[str]:
        """Component kinds with no file (``spec`` when there is no spec at all)."""
        have = {"script": self.script, "contract": self.contract, "spec": self.specs or None,
                "builder": self.builder or self.interface, "config": self.config}
        return [k for k, v in have.items() if v is None]


class UnmatchedFile(msgspec.Struct, frozen=True):
    """A component file the catalog could not (or deliberately did not) give to a step.

    ``kind``: ``no-match`` (no evidence names a step), ``duplicate`` (the step already has that
    component), ``shared`` (only base classes / mixins), ``unreadable`` (broken file whose name
    matches no step either), ``unused`` (hyperparameters nobody imports).
    """

    path: Path
    role: str
    reason: str
    kind: UnmatchedKind = "no-match"
    workspace_id: str | None = None


def _names_job_type(path: Path, job_type: str) -> bool:
    """Whether a spec file's name says which variant it is (``x_training_spec.py``)."""
    return path.name.lower().endswith(f"_{job_type.lower()}_spec.py")


def _is_computed_core_table(problem: object) -> bool:
    """The problem that says a ``STEP_NAMES`` table as a whole is not a literal (``get_step_names()``)."""
    if not isinstance(problem, RegistryProblem) or problem.kind != "non-literal" or problem.path is None \
            or problem.key is not None or problem.step is not None:
        return False
    table = read_registry_file(problem.path).table("STEP_NAMES")
    return table is not None and table.opaque and table.span.line == problem.line


def _has_literal_core_table(path: Path) -> bool:
    table = read_registry_file(path).table("STEP_NAMES")
    return table is not None and not table.opaque and bool(table.entries)


class CatalogProblem(msgspec.Struct, frozen=True):
    """Bad catalog input that is not a single file's fault: ``missing-root`` or ``no-steps``."""

    path: Path
    kind: str
    message: str
    line: int = 1
    column: int = 1


Problem = SourceProblem | RegistryProblem | CatalogProblem


class _Scope(msgspec.Struct):
    """Indexing state of one scope (core or a workspace)."""

    workspace_id: str | None
    definitions: dict[str, StepDefinition]
    steps: dict[str, StepInfo] = msgspec.field(default_factory=dict)
    names: list[str] = msgspec.field(default_factory=list)
    by_builder: dict[str, str] = msgspec.field(default_factory=dict)
    by_config: dict[str, str] = msgspec.field(default_factory=dict)
    by_spec_type: dict[str, str] = msgspec.field(default_factory=dict)
    #: script stem -> steps whose contract declares it as entry point
    entry_owners: dict[str, set[str]] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        self._reindex()

    def add_definitions(self, definitions: Mapping[str, StepDefinition]) -> None:
        """Registry rows from step interfaces (the registry of the interface layout)."""
        self.definitions = {**self.definitions, **definitions}
        self._reindex()

    def _reindex(self) -> None:
        self.names = sorted(self.definitions)
        self.by_builder = {d.builder_step_name: n for n, d in self.definitions.items()}
        self.by_config = {d.config_class: n for n, d in self.definitions.items()}
        self.by_spec_type = {d.spec_type: n for n, d in self.definitions.items()}


class StepCatalog:
    """Index of steps and their component files under one or more roots.

    ``roots`` are searched for ``steps`` directories and registry files (a file given as a root
    stands for its enclosing repo, see :func:`find_repo_root`). Anything under
    ``development/projects/<id>`` is workspace ``<id>``; ``workspace_dirs`` add more workspace
    trees (a directory outside that convention becomes the workspace named after it).
    ``registry`` names the core registry file; otherwise the ``STEP_NAMES`` file nearest to a
    root is used, else the built-in core table (whose steps then only serve name matching).
    All paths are made absolute; lookups are dictionary hits after the constructor returns.
    ``overlay`` (absolute path -> unsaved editor text) is read instead of the disk for ``.step.yaml``
    files, so an editor sees the interface it is editing (its schema problems, its registry row).
    """

    def __init__(self, roots: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                 workspace_dirs: Iterable[str | os.PathLike[str]] = (),
                 registry: str | os.PathLike[str] | None = None,
                 layout: Mapping[str, Iterable[str]] | None = None,
                 cache: DiskCache | None = None,
                 interface_dirs: Iterable[str | os.PathLike[str]] = (),
                 overlay: Mapping[Path, str] | None = None) -> None:
        if isinstance(roots, (str, os.PathLike)):
            roots = [roots]
        self.layout = layout
        self.cache = cache  # optional on-disk cache of file summaries, keyed by content
        self.name_matcher = NameMatcher(cache)  # file-name matching answers, kept in the cache too
        self.problems: list[Problem] = []
        self.unmatched: list[UnmatchedFile] = []
        self.roots: list[Path] = []
        for r in roots:
            p = _abs(r)
            if not p.exists():
                self.problems.append(CatalogProblem(p, "missing-root", f"root '{p}' does not exist"))
                continue
            self.roots.append(p if p.is_dir() else find_repo_root(p, layout))
        self.workspace_dirs = [_abs(w) for w in workspace_dirs]
        for w in self.workspace_dirs:
            if not w.is_dir():
                self.problems.append(CatalogProblem(w, "missing-root", f"workspace directory '{w}' does not exist"))
        # interfaces first: a configured step pack's home is a scope the directory walk must know
        self.interfaces = StepInterfaces.find(self.roots, [_abs(d) for d in interface_dirs], overlay, cache)
        self._workspace_of = WorkspaceOf(self.workspace_dirs, self.interfaces.pack_scopes(self.roots))
        self.summaries: dict[Path, FileSummary] = {}
        self._scopes: dict[str | None, _Scope] = {}
        self._by_file: dict[Path, list[tuple[str | None, str]]] = {}
        self._role_of: dict[Path, str] = {}
        self._evidence: dict[tuple[Path, str | None, str], str] = {}
        self.core_registry_file: Path | None = None
        self.registry_files: list[Path] = []
        self.registry = self._load_registry(_abs(registry) if registry is not None else None)
        search = self.roots + [w for w in self.workspace_dirs if w.is_dir()]
        unreadable: list[tuple[Path, str]] = []
        self.step_dirs: list[StepDir] = discover_step_dirs(search, layout, self._workspace_of, unreadable)
        for d, reason in unreadable:
            self._unreadable_dir(d, reason)
        if self.interfaces.definitions:
            # cursus >= 2.5 computes STEP_NAMES from the interfaces: a computed table is expected there
            self.problems = [p for p in self.problems if not _is_computed_core_table(p)]
        self._add_interface_homes(layout)
        if not self.step_dirs and self.roots:
            self.problems.append(CatalogProblem(
                self.roots[0], "no-steps",
                f"no step directories (steps/{{scripts,contracts,specs,builders,configs}}) found under "
                f"{', '.join(repr(str(r)) for r in self.roots)}"))
        self._attach_interfaces()
        for step_dir in self.step_dirs:
            self._index(step_dir)
        self._add_registered_steps()
        self.name_matcher.save()

    @classmethod
    def for_path(cls, path: str | os.PathLike[str], **kwargs: object) -> StepCatalog:
        """A catalog of the step repo ``path`` (a file or directory) lives in; see :func:`find_repo_root`."""
        layout = kwargs.get("layout")
        return cls(find_repo_root(path, layout if isinstance(layout, Mapping) else None), **kwargs)  # type: ignore[arg-type]

    # -- registry ------------------------------------------------------------------------
    def _load_registry(self, core_file: Path | None) -> UnifiedRegistryManager:
        candidates: set[Path] = set()
        for root in self.roots + [w for w in self.workspace_dirs if w.is_dir()]:
            candidates.update(_abs(p) for p in find_registry_files(root, self.cache))
        for path in sorted(candidates | ({core_file} if core_file is not None else set())):
            # the tables of an unchanged registry come from the facts cache; every later read
            # of it in this run (here, the registry manager, the engine) is a memo hit, no parse
            read_registry_file(path, cache=self.cache)
        workspace_files: list[tuple[str, Path]] = []
        core_candidates: list[Path] = []
        for path in sorted(candidates):
            ws = self._workspace_of(path)
            if ws is not None:
                workspace_files.append((ws, path))
            elif _defines_core_table(path):
                core_candidates.append(path)
            else:  # e.g. not UTF-8: which table it holds is unknowable, but the problem is not
                problems = read_registry_file(path).problems
                self.problems.extend(problems or [RegistryProblem(
                    path, 1, 1, "registry file outside any workspace defines no STEP_NAMES table (only "
                    "workspace tables); the built-in core registry is used", "bad-shape")])
        if core_file is None and core_candidates:
            # a literal table beats a computed one (cursus' step_names.py calls a function while
            # step_names_original.py holds the literal table); then the one nearest the root
            core_file = min(core_candidates, key=lambda p: (not _has_literal_core_table(p), self._depth(p)))
        if core_file is not None:
            manager = UnifiedRegistryManager(core_file)
            candidates.add(core_file)
        else:
            manager = UnifiedRegistryManager(CORE_STEP_NAMES)
            for path in self._registry_named_files(candidates):
                self.problems.append(RegistryProblem(
                    path, 1, 1, "registry file defines no STEP_NAMES table; the built-in core registry is "
                    "used instead", "bad-shape"))
        for ws, path in workspace_files:
            manager.add_workspace(ws, path)
        self.problems.extend(manager.problems)
        for path in core_candidates:
            if path != core_file:  # copies, legacy tables: read so that their problems surface
                other = read_registry_file(path)
                table = other.table("STEP_NAMES")
                if table is not None and table.opaque and core_file is not None:
                    continue  # a computed proxy (STEP_NAMES = get_step_names()) beside the literal table
                self.problems.extend(other.problems)
        self.core_registry_file = core_file
        self.registry_files = sorted(candidates)
        return manager

    def _registry_named_files(self, known: set[Path]) -> list[Path]:
        """``step_names*.py`` files that hold no step table: a registry that lost its
        ``STEP_NAMES`` must not silently hand the repo to the built-in table."""
        out: list[Path] = []
        for root in self.roots:
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if d not in REGISTRY_SKIP_DIRS and not d.startswith(".")
                                     and not d.endswith(".egg-info"))
                out.extend(p for name in sorted(filenames) if name.startswith("step_names") and name.endswith(".py")
                           and (p := _abs(Path(dirpath) / name)) not in known and self._workspace_of(p) is None)
        return out

    def _depth(self, path: Path) -> tuple[int, str]:
        depths = [len(path.relative_to(r).parts) for r in self.roots if r in path.parents]
        return (min(depths) if depths else len(path.parts), str(path))

    def _definitions(self, ws: str | None) -> dict[str, StepDefinition]:
        """Effective definitions of a scope; a workspace without a registry sees the core ones."""
        with workspace_context(None):  # the caller's context must not leak into the core scope
            if ws is not None and ws in self.registry.list_workspaces():
                return self.registry.get_all_step_definitions(ws)
            return self.registry.get_all_step_definitions()

    def _scope(self, ws: str | None) -> _Scope:
        scope = self._scopes.get(ws)
        if scope is None:
            definitions = self._definitions(ws)
            if self.core_registry_file is None and self.interfaces.definitions:
                # the interfaces are the registry: the built-in table must not lend its names
                definitions = {n: d for n, d in definitions.items() if d.source_path is not None}
            scope = self._scopes[ws] = _Scope(ws, definitions)
            scope.add_definitions(self.interfaces.definitions.get(None, {}))
            if ws is not None:
                scope.add_definitions(self.interfaces.definitions.get(ws, {}))
        return scope

    # -- interface layout ------------------------------------------------------------------
    def _add_interface_homes(self, layout: Mapping[str, Iterable[str]] | None) -> None:
        """``steps/`` or ``step_pack/`` holding interfaces is a step dir even with one other role."""
        known = {d.path for d in self.step_dirs}
        lay = resolve_layout(layout)
        scope_of = {item.file.home: self.interfaces.workspace_of(item) for item in self.interfaces.loaded}
        for home in self.interfaces.homes():
            if home in known:
                continue
            role_dirs = {role: tuple(home / n for n in names if (home / n).is_dir()) for role, names in lay.items()}
            self.step_dirs.append(StepDir(home, scope_of.get(home), {r: d for r, d in role_dirs.items() if d}))
            known.add(home)
        self.step_dirs.sort(key=lambda s: (s.workspace_id is not None, s.workspace_id or "", str(s.path)))

    def _attach_interfaces(self) -> None:
        """Each interface is its step's contract and specs (base + variants) and, through its
        ``entry_point``, names the step's script."""
        for item in self.interfaces.loaded:
            iface = item.interface
            if iface is None or iface.step_type is None:
                continue
            ws = self.interfaces.workspace_of(item)
            scope = self._scope(ws)
            name = iface.step_type.value
            info = self._info(scope, name)
            if info.interface is not None:
                continue  # a duplicate step_type: reported by the interface checks (first one wins)
            info.interface = info.contract = item.file.path
            info.specs[None] = item.file.path
            for job_type in iface.variants:
                info.specs[job_type] = item.file.path
            owners = self._by_file.setdefault(item.file.path, [])
            if (ws, name) not in owners:
                owners.append((ws, name))
            self._role_of[item.file.path] = "interfaces"
            self._evidence[(item.file.path, ws, name)] = "interface step_type"
            ep = iface.contract.entry_point.value
            if isinstance(ep, str) and ep:
                scope.entry_owners.setdefault(entry_point_stem(ep), set()).add(name)

    def _add_registered_steps(self) -> None:
        """Registered steps with no file still exist as steps (built-in table names excepted)."""
        if self.core_registry_file is not None:
            core = self._scope(None)
            for name in core.definitions:
                self._info(core, name)
        for ws in self.registry.list_workspaces():
            scope = self._scope(ws)
            for name in self.registry.get_workspace(ws).local_steps:
                self._info(scope, name)

    # -- indexing helpers ------------------------------------------------------------------
    def _summary(self, path: Path) -> FileSummary:
        s = self.summaries.get(path)
        if s is None:
            s = self.summaries[path] = summarize_path(path, self.cache)
            if s.problem is not None:
                self.problems.append(s.problem)
        return s

    def _info(self, scope: _Scope, name: str) -> StepInfo:
        info = scope.steps.get(name)
        if info is None:
            info = scope.steps[name] = StepInfo(name, scope.workspace_id, scope.definitions.get(name))
        return info

    def _unmatched(self, scope: _Scope, path: Path, role: str, reason: str, kind: UnmatchedKind) -> None:
        self.unmatched.append(UnmatchedFile(path, role, reason, kind, scope.workspace_id))

    def _attach(self, scope: _Scope, name: str, role: str, path: Path, evidence: str,
                job_type: str | None = None) -> bool:
        """Give ``path`` to step ``name``; a filled slot makes it a reported duplicate instead."""
        info = self._info(scope, name)
        if role == "specs":
            current = info.specs.get(job_type)
            what = f"{'base' if job_type is None else repr(job_type)} spec"
        elif role == "hyperparams":
            current, what = None, "hyperparameters"
        else:
            current, what = getattr(info, role[:-1]), role[:-1]
        if current is not None and current != path:
            if role == "specs" and job_type and _names_job_type(path, job_type) and not _names_job_type(current,
                                                                                                         job_type):
                # two specs declare one variant: the file named for it holds the slot, the other
                # (often a legacy base spec that declares the variant too) is the duplicate
                self._release(scope, name, current)
                self._unmatched(scope, current, role, f"step '{name}' already has a {what}: {path.name}",
                                "duplicate")
                info.legacy_specs[job_type] = current
            else:
                self._unmatched(scope, path, role, f"step '{name}' already has a {what}: {current.name}",
                                "duplicate")
                return False
        if role == "specs":
            info.specs[job_type] = path
        elif role == "hyperparams":
            if path not in info.hyperparams:
                info.hyperparams.append(path)
        else:
            setattr(info, role[:-1], path)
        owners = self._by_file.setdefault(path, [])
        if (scope.workspace_id, name) not in owners:
            owners.append((scope.workspace_id, name))
        self._role_of[path] = role
        self._evidence[(path, scope.workspace_id, name)] = evidence
        return True

    def _release(self, scope: _Scope, name: str, path: Path) -> None:
        """Take ``path`` back from step ``name`` (it lost its slot to a better-named file)."""
        owners = self._by_file.get(path, [])
        if (scope.workspace_id, name) in owners:
            owners.remove((scope.workspace_id, name))
        if not owners:
            self._by_file.pop(path, None)
            self._role_of.pop(path, None)
        self._evidence.pop((path, scope.workspace_id, name), None)

    def _match(self, text: str, names: list[str], fuzzy: bool) -> tuple[str | None, str]:
        """(step, strategy) or (None, why not); answers come from the cache when a run asked before."""
        name, how, score = self.name_matcher.match(text, names)
        if name is None:
            return None, how
        if how == "fuzzy" and not fuzzy:
            return None, f"only a fuzzy match ('{name}', score {score})"
        return name, how

    def _files(self, step_dir: StepDir, role: str) -> list[Path]:
        out: list[Path] = []
        for d in step_dir.role_dirs.get(role, ()):
            try:
                # scandir, not Path.glob (which would swallow a PermissionError); its entries
                # know whether they are files (following symlinks, as Path.is_file) without a stat
                with os.scandir(d) as entries:
                    files = sorted(e.name for e in entries if e.name.endswith(".py") and e.name != "__init__.py"
                                   and e.is_file())
            except OSError as exc:
                self._unreadable_dir(d, exc.strerror or str(exc))
                continue
            base = os.path.abspath(d)
            out.extend(Path(os.path.join(base, n)) for n in files)
        return out

    def _unreadable_dir(self, directory: Path, reason: str) -> None:
        """A directory that cannot be listed is a finding (CL902), not a silently empty one."""
        path = _abs(directory)
        if any(isinstance(p, SourceProblem) and p.path == path for p in self.problems):
            return
        self.problems.append(SourceProblem(path, "unreadable",
                                           f"cannot read directory: {reason}; the files in it are not linted"))

    # -- indexing ----------------------------------------------------------------------------
    def _index(self, step_dir: StepDir) -> None:
        scope = self._scope(step_dir.workspace_id)
        files = {role: self._files(step_dir, role) for role in ROLES}
        self._index_classes(scope, "builders", files["builders"], scope.by_builder, "StepBuilder")
        self._index_classes(scope, "configs", files["configs"], scope.by_config, "Config")
        contract_users = self._index_specs(scope, files["specs"])
        self._index_contracts(scope, files["contracts"], contract_users)
        self._index_scripts(scope, files["scripts"])
        self._index_hyperparams(scope, files["hyperparams"])

    def _index_classes(self, scope: _Scope, role: str, paths: list[Path], table: dict[str, str],
                       suffix: str) -> None:
        kind = role[:-1]
        pending: list[tuple[Path, FileSummary]] = []
        for path in paths:  # pass 1: class names the registry gives
            summary = self._summary(path)
            hits = [table[c] for c in summary.classes if c in table]
            if hits:
                self._attach(scope, hits[0], role, path, f"registry {kind} class")
            else:
                pending.append((path, summary))
        later: list[tuple[Path, FileSummary]] = []
        for path, summary in pending:  # pass 2: convention class names spelled differently
            own = [c[: -len(suffix)] for c in summary.classes if c.endswith(suffix) and len(c) > len(suffix)]
            named = next((n for o in own if (n := self._match(o, scope.names, fuzzy=False)[0])), None)
            if named is not None:
                self._attach(scope, named, role, path, f"{kind} class name")
            else:
                later.append((path, summary))
        for path, summary in later:  # pass 3: file name, unregistered convention class, fuzzy
            if summary.problem is None:
                if not summary.classes:
                    self._unmatched(scope, path, role, "defines no class", "no-match")
                    continue
                if all(c.endswith(_SHARED_SUFFIXES) or c.startswith("Base") for c in summary.classes):
                    self._unmatched(scope, path, role, "defines only base classes ("
                                    + ", ".join(summary.classes) + "); shared by steps", "shared")
                    continue
            name, how = self._match(path.name, scope.names, fuzzy=False)
            if name is not None:
                self._attach(scope, name, role, path, f"file name ({how})")
                continue
            own = [c[: -len(suffix)] for c in summary.classes if c.endswith(suffix) and len(c) > len(suffix)]
            if own:
                self._attach(scope, own[0], role, path, f"{kind} class name (unregistered step)")
                continue
            self._by_name_or_unmatched(scope, role, path, summary)

    def _by_name_or_unmatched(self, scope: _Scope, role: str, path: Path, summary: FileSummary,
                              job_type: str | None = None) -> str | None:
        """Last resort: the file name (fuzzy allowed); returns the step the file was given to."""
        name, how = self._match(path.name, scope.names, fuzzy=True)
        if name is not None:
            return name if self._attach(scope, name, role, path, f"file name ({how})", job_type) else None
        if summary.problem is not None:
            self._unmatched(scope, path, role, f"{summary.problem.message}; and {how}", "unreadable")
        else:
            self._unmatched(scope, path, role, how, "no-match")
        return None

    def _index_specs(self, scope: _Scope, paths: list[Path]) -> dict[tuple[str, str], set[str]]:
        """Attach specs; returns each reference (see :func:`_references`) -> steps whose spec makes it."""
        users: dict[tuple[str, str], set[str]] = {}
        attached: list[tuple[str, FileSummary]] = []
        later: list[tuple[Path, FileSummary]] = []
        for path in paths:  # pass 1: declared step_type
            summary = self._summary(path)
            found = self._spec_step(scope, summary)
            if found is None:
                later.append((path, summary))
            elif self._attach(scope, found[0], "specs", path, found[2], found[1]):
                attached.append((found[0], summary))
        for path, summary in later:  # pass 2: file name
            step = self._by_name_or_unmatched(scope, "specs", path, summary, self._job_from_file(path))
            if step is not None:
                attached.append((step, summary))
        for step, summary in attached:
            for ref in _references(summary):
                users.setdefault(ref, set()).add(step)
        return users

    def _spec_step(self, scope: _Scope, summary: FileSummary) -> tuple[str, str | None, str] | None:
        for base, job in summary.spec_types:
            full = f"{base}_{job}" if job else base
            if full in scope.by_spec_type:
                return scope.by_spec_type[full], None, "spec step_type"
            if base in scope.by_spec_type:
                return scope.by_spec_type[base], job.lower() if job else None, "spec step_type"
            if base in scope.definitions:
                return base, job.lower() if job else None, "spec step_type"
        for base, job in summary.spec_types:
            name, _ = self._match(base, scope.names, fuzzy=False)
            if name is not None:
                return name, job.lower() if job else None, "spec step_type (spelled differently)"
        if summary.spec_types:
            base, job = summary.spec_types[0]
            return base, job.lower() if job else None, "spec step_type (unregistered step)"
        return None

    @staticmethod
    def _job_from_file(path: Path) -> str | None:
        words = [w.lower() for w in split_words(path.stem)]
        if words and words[-1] == "spec":
            words = words[:-1]
        return words[-1] if len(words) > 1 and words[-1] in JOB_TYPE_SUFFIXES else None

    def _index_contracts(self, scope: _Scope, paths: list[Path],
                         spec_users: dict[tuple[str, str], set[str]]) -> None:
        builder_users: dict[tuple[str, str], set[str]] = {}
        for info in scope.steps.values():
            if info.builder is not None:
                for ref in _references(self._summary(info.builder)):
                    builder_users.setdefault(ref, set()).add(info.name)
        summaries = {path: self._summary(path) for path in paths}
        # a contract variable name identifies its file only when no other contract file uses it
        var_files: dict[str, int] = {}
        for summary in summaries.values():
            for var in set(summary.contract_vars):
                var_files[var] = var_files.get(var, 0) + 1
        owners_of: dict[Path, list[str]] = {}
        later: list[tuple[Path, FileSummary]] = []
        claims: list[tuple[tuple[int, int, str], str, Path, str]] = []
        for path, summary in summaries.items():  # pass 1: imported by the specs, else the builders
            keys = [("module", path.stem)] + [("name", v) for v in summary.contract_vars if var_files[v] == 1]
            owners, evidence = [], ""
            for users, why in ((spec_users, "imported by spec"), (builder_users, "imported by builder")):
                owners = sorted(set().union(*(users.get(k, set()) for k in keys)))
                if owners:
                    evidence = why
                    break
            if owners:
                owners_of[path] = []
                for owner in owners:
                    claims.append((self._contract_preference(scope, owner, path, keys), owner, path, evidence))
            else:
                later.append((path, summary))
        # a step whose variant specs disagree keeps the contract most of them import (then the one
        # named after it); the other becomes a reported duplicate, whatever the file order
        for _, owner, path, evidence in sorted(claims, key=lambda c: c[0]):
            if self._attach(scope, owner, "contracts", path, evidence):
                owners_of[path].append(owner)
        for path, summary in later:  # pass 2: file name
            step = self._by_name_or_unmatched(scope, "contracts", path, summary)
            owners_of[path] = [step] if step is not None else []
        for path, owners in owners_of.items():
            for ep in summaries[path].entry_points:
                scope.entry_owners.setdefault(entry_point_stem(ep), set()).update(owners)

    def _contract_preference(self, scope: _Scope, step: str, path: Path,
                             keys: list[tuple[str, str]]) -> tuple[int, int, str]:
        """Sort key (best first): how many of the step's specs import the contract, whether the
        file is named after the step, then the path for a stable order."""
        info = scope.steps.get(step)
        importing = 0
        if info is not None:
            importing = sum(1 for spec in info.specs.values() if set(keys) & set(_references(self._summary(spec))))
        named = path.stem.removesuffix("_contract").replace("_", "") == step.lower()
        return (-importing, 0 if named else 1, str(path))

    def _index_scripts(self, scope: _Scope, paths: list[Path]) -> None:
        core = self._scopes.get(None) if scope.workspace_id is not None else None
        later: list[Path] = []
        for path in paths:
            problem = summarize_path(path, self.cache, shallow=True).problem
            if problem is not None and path not in self.summaries:
                self.summaries[path] = FileSummary(path, problem)
                self.problems.append(problem)
            owners = scope.entry_owners.get(path.stem) or (core.entry_owners.get(path.stem) if core else None)
            if owners:
                for owner in sorted(owners):
                    self._attach(scope, owner, "scripts", path, "contract entry_point")
            else:
                later.append(path)
        for path in later:
            self._by_name_or_unmatched(scope, "scripts", path, self.summaries.get(path) or FileSummary(path))

    def _index_hyperparams(self, scope: _Scope, paths: list[Path]) -> None:
        for path in paths:
            summary = self._summary(path)
            keys = {path.stem, *summary.classes}
            importers = sorted(
                info.name for info in scope.steps.values()
                if any(p is not None and keys & (self._summary(p).imported_modules | self._summary(p).imported_names)
                       for p in (info.builder, info.config)))
            if importers:
                for step in importers:
                    self._attach(scope, step, "hyperparams", path, "imported by builder or config")
            elif summary.problem is not None:
                self._unmatched(scope, path, "hyperparams", summary.problem.message, "unreadable")
            else:
                self._unmatched(scope, path, "hyperparams", "no builder or config of any step imports this module",
                                "unused")

    # -- queries -------------------------------------------------------------------------------
    def list_workspaces(self) -> list[str]:
        """Workspaces with component files or a registry."""
        return sorted({w for w in self._scopes if w is not None} | set(self.registry.list_workspaces()))

    def list_available_steps(self, workspace_id: str | None = None) -> list[str]:
        """Steps of the core, plus those of ``workspace_id`` when given."""
        names = set(self._scopes[None].steps) if None in self._scopes else set()
        if workspace_id is not None and workspace_id in self._scopes:
            names |= set(self._scopes[workspace_id].steps)
        return sorted(names)

    def get_step_info(self, name: str, workspace_id: str | None = None) -> StepInfo | None:
        """The step as seen from ``workspace_id``: workspace components first, core ones filling gaps.

        The registry entry is the workspace's effective one (an override wins even when the
        workspace has no file of the step). An unknown workspace sees the core.
        """
        core_scope = self._scopes.get(None)
        core = core_scope.steps.get(name) if core_scope else None
        if workspace_id is None or workspace_id not in self.list_workspaces():
            return core
        ws_scope = self._scope(workspace_id)
        local = ws_scope.steps.get(name)
        definition = ws_scope.definitions.get(name)
        if local is None and core is None:
            return None
        merged = StepInfo(name, workspace_id, definition or (local or core).registry)  # type: ignore[union-attr]
        for attr in ("script", "contract", "builder", "config"):
            setattr(merged, attr, (getattr(local, attr) if local else None) or (getattr(core, attr) if core else None))
        merged.specs = {**(core.specs if core else {}), **(local.specs if local else {})}
        merged.interface = (local.interface if local else None) or (core.interface if core and not (
            local and local.contract) else None)
        if local is not None and local.interface is not None:
            merged.specs = dict(local.specs)  # a pack's interface is the whole contract and spec
        elif merged.interface is None and core is not None and core.interface is not None:
            merged.specs = {k: v for k, v in merged.specs.items() if v != core.interface}
        merged.hyperparams = list((local.hyperparams if local else None) or (core.hyperparams if core else []))
        return merged

    def iter_steps(self) -> list[StepInfo]:
        """Every core step, then each workspace's own steps merged over the core (stable order)."""
        out = [self._scopes[None].steps[n] for n in sorted(self._scopes[None].steps)] if None in self._scopes else []
        for ws in self.list_workspaces():
            scope = self._scopes.get(ws)
            for n in sorted(scope.steps if scope else ()):
                info = self.get_step_info(n, ws)
                if info is not None:
                    out.append(info)
        return out

    def find_steps_for_file(self, path: str | os.PathLike[str]) -> list[tuple[str | None, str]]:
        """(workspace, step) pairs a component file directly belongs to; O(1)."""
        return list(self._by_file.get(_abs(path), []))

    def role_of(self, path: str | os.PathLike[str]) -> str | None:
        """``scripts``, ``contracts``, ... for a matched component file, else None."""
        return self._role_of.get(_abs(path))

    def match_evidence(self, path: str | os.PathLike[str], step: str, workspace_id: str | None = None) -> str | None:
        """Why ``path`` was given to ``step`` (``contract entry_point``, ``file name (abbreviation)``...)."""
        return self._evidence.get((_abs(path), workspace_id, step))

    def registry_only_steps(self) -> list[str]:
        """Registered core steps with no component file at all."""
        core = self._scopes.get(None)
        with workspace_context(None):
            registered = self.registry.list_steps()
        return sorted(n for n in registered if core is None or n not in core.steps or not core.steps[n].files)

    def workspace_conflicts(self) -> dict[str, list[str]]:
        """Steps that several workspaces define on their own (not in the core): name -> workspace ids."""
        core = self._scopes.get(None)
        core_names = set(core.steps) if core else set()
        with workspace_context(None):
            core_names |= set(self.registry.list_steps())
        owners: dict[str, list[str]] = {}
        for ws in self.list_workspaces():
            scope = self._scopes.get(ws)
            for name in sorted(scope.steps if scope else ()):
                if name not in core_names:
                    owners.setdefault(name, []).append(ws)
        return {n: w for n, w in sorted(owners.items()) if len(w) > 1}
