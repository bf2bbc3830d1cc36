"""paths -> catalog -> facts -> step model -> rules -> select / suppress -> diagnostics.

The engine is the only place that touches the file system during a check; rules are pure
functions over the model it builds.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Callable, Iterable, Sequence

import msgspec

from cursus_core.catalog import CatalogProblem, StepCatalog, StepInfo, find_repo_root
from cursus_core.catalog.layout import StepDir, WorkspaceOf, discover_step_dirs
from cursus_core.catalog.scan import remember, reserve
from cursus_core.registry.literal_reader import RegistryFile, read_registry_file
from cursus_core.registry.models import RegistryProblem
from cursus_core.cache import DiskCache, code_fingerprint
from cursus_core.source import MEMO_SIZE, LruMemo, SourceProblem, decode_source, load_source, read_source

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.interface.model import StepInterface

from .bases import BaseResolver
from .check_result import CheckResult
from .diagnostic import Diagnostic, Location, Severity
from .facts import FileFacts, UnknownCase, extract_all
from .fix import FixMode
from .model import Focus, ProjectModel, SpecVariant, StepModel
from .prefetch import Parsed
from .rule import FileCheck, ProjectCheck, Rule, StepCheck
from .rules_index import all_rules

ROLE_OF_DIR = {"scripts": "script", "contracts": "contract", "specs": "spec", "builders": "builder",
               "configs": "config", "hyperparams": "hyperparams"}
SOURCE_PROBLEM_CODES = {"syntax-error": "CL901", "not-utf8": "CL902", "bad-encoding": "CL902", "unreadable": "CL902",
                        "not-regular": "CL902", "too-large": "CL902"}


def _extract_guarded(sf, roles: set[str]) -> FileFacts:
    """Facts of a parsed file; one nested deeper than the extractors' recursion can follow (valid
    Python: CPython parses a few thousand chained ``+``) yields no facts, counted as unknowable.
    That is a limit of this tool, not a fault of the file, so it is no CL9xx finding."""
    try:
        return extract_all(sf, roles)
    except RecursionError:
        return FileFacts(sf.path, sf.digest, frozenset(roles), unknown=Counter({"too-deeply-nested": 1}))


#: facts by (path, content digest, roles), for the life of the process: a language server re-lints
#: after every edit, and only the edited document's facts are new (the rest are reused as they are)
_facts_memo: LruMemo[tuple[str, str, frozenset[str]], FileFacts] = LruMemo(MEMO_SIZE)
_facts_lock = threading.Lock()


#: an interface's facts by the identity of its (frozen) model, which the interface loader reuses
#: while the file's text is unchanged: a re-lint converts only the edited interface again
_interface_memo: dict[int, tuple[StepInterface, FileFacts]] = {}


def _interface_facts(iface: StepInterface, convert: Callable[[StepInterface], FileFacts]) -> FileFacts:
    with _facts_lock:
        hit = _interface_memo.get(id(iface))
    if hit is not None and hit[0] is iface:
        return hit[1]
    facts = convert(iface)
    with _facts_lock:
        if len(_interface_memo) >= MEMO_SIZE:
            _interface_memo.clear()
        _interface_memo[id(iface)] = (iface, facts)
    return facts


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Cache entries are valid for exactly this version of the fact extractors and the catalog (file
    summaries, name-matching answers)."""
    import cursus_core.cache as cache
    import cursus_core.catalog as catalog  # every module of the package: scan summaries, name-match answers
    import cursus_core.literals as literals  # registry tables are cached: their literal reading
    import cursus_core.registry as registry  # every module: the reader, its records, the required keys
    import cursus_core.datacodec as datacodec
    import cursus_core.facts as core_facts
    import cursus_core.interface as interface  # validated interfaces are cached too
    import cursus_core.literal_value as literal_value
    import cursus_core.source as source
    import cursus_core.structcodec as structcodec
    import cursus_lint.bases as bases
    import cursus_lint.facts as facts

    from ._version import __version__

    return code_fingerprint(core_facts, facts, catalog, registry, literals, source, cache, datacodec, structcodec,
                            literal_value, bases, interface,
                            extra=__version__)


class Engine:
    """One check run. ``overlay`` maps absolute paths to unsaved editor text."""

    def __init__(self, settings, rules: dict[str, Rule] | None = None,
                 overlay: dict[Path, str] | None = None, use_cache: bool = False,
                 parallel_min_files: int | None = None, fixes: FixMode = "edits") -> None:
        self.settings = settings
        self.fixes: FixMode = fixes  # what the output needs of fixes (see cursus_lint.fix.FixMode)
        #: parse in worker processes from this many uncached files (0: the default threshold, None: never).
        #: Off unless asked for: spawned workers re-import ``__main__``, which only a guarded entry
        #: point (the CLI) is known to survive; a library caller's script may not be
        self.parallel_min_files = parallel_min_files
        self._prefetched: dict[Path, Parsed] = {}
        self._listed: dict[Path, list[Path]] = {}  # role directory -> its component files, this run
        self.parsed_in_workers = 0
        self.rules = rules if rules is not None else all_rules()
        self.overlay = overlay or {}
        self.unknown: Counter[str] = Counter()
        self.unknown_at: dict[Path, tuple[UnknownCase, ...]] = {}
        self.cache: DiskCache | None = None
        if use_cache:
            self.cache = DiskCache(settings.cache_path, "facts", _fingerprint())

    # -- facts ----------------------------------------------------------------------------
    def _facts(self, path: Path, roles: set[str]) -> FileFacts:
        """Facts of one file: from the on-disk cache when its content was seen before."""
        _, digest, _ = read_source(path, self.overlay)
        memo_key = (str(path), digest, frozenset(roles))
        if digest and self.cache is None:  # with a disk cache, that is the one to read (and fill)
            with _facts_lock:
                hit = _facts_memo.lookup(memo_key)
            if hit is not None:  # this process extracted this content before (the editor's last lint)
                self.unknown.update(hit.unknown)
                self._locate_unknown(hit)
                return hit
        pre = self._prefetched.pop(path, None)
        if pre is not None and pre.facts.roles == frozenset(roles) and path not in self.overlay \
                and pre.digest == digest:
            facts = pre.facts
            if self.cache is not None:
                self.cache.put(f"{pre.digest}-{'.'.join(sorted(roles))}", facts, FileFacts)
            self.unknown.update(facts.unknown)
            self._locate_unknown(facts)
        else:
            facts = self._cached_or_extracted(path, roles, digest)
        if digest:
            with _facts_lock:
                _facts_memo.put(memo_key, facts)
        return facts

    def _cached_or_extracted(self, path: Path, roles: set[str], digest: str) -> FileFacts:
        key = None
        if self.cache is not None and path not in self.overlay and digest:
            key = f"{digest}-{'.'.join(sorted(roles))}"
            facts = self.cache.get(key, FileFacts)
            # an entry is only valid for the content and roles it was derived from
            if facts is not None and facts.digest == digest and facts.roles == frozenset(roles):
                problem = msgspec.structs.replace(facts.problem, path=path) if facts.problem else None
                facts = msgspec.structs.replace(facts, path=path, problem=problem)
                self.unknown.update(facts.unknown)
                self._locate_unknown(facts)
                return facts
        facts = _extract_guarded(load_source(path, self.overlay), roles)
        if key is not None and self.cache is not None:
            self.cache.put(key, facts, FileFacts)
        self.unknown.update(facts.unknown)
        self._locate_unknown(facts)
        return facts

    def _locate_unknown(self, facts: FileFacts) -> None:
        if facts.unknown_at:
            self.unknown_at[facts.path] = facts.unknown_at

    def _roles(self, step_dirs: list[StepDir]) -> dict[Path, set[str]]:
        """Each component file (not excluded) under ``step_dirs`` -> the roles its directories give it."""
        roles: dict[Path, set[str]] = {}
        for step_dir in step_dirs:
            for role, dirs in step_dir.role_dirs.items():
                for d in dirs:
                    for p in self._component_files(d):
                        roles.setdefault(p, set()).add(ROLE_OF_DIR[role])
        return roles

    def _component_files(self, directory: Path) -> list[Path]:
        """The ``.py`` files (``__init__.py`` and excluded ones left out) of one role directory,
        listed once per run: the prefetch pass and the build both ask."""
        found = self._listed.get(directory)
        if found is None:
            try:  # what Path.glob("*.py") lists (directories named *.py too), sorted by name
                with os.scandir(directory) as entries:
                    names = sorted(e.name for e in entries if e.name.endswith(".py") and e.name != "__init__.py")
            except OSError:
                names = []  # Path.glob's answer for a directory it cannot list
            found = self._listed[directory] = [p for n in names
                                               if not self.settings.is_excluded(p := directory / n)]
        return found

    def _prefetch(self, roots: list[Path], workspace_dirs: list[Path]) -> None:
        """Parse the files neither the cache nor the editor has, summary and facts from one parse
        each: in worker processes for a large repo, else in this process, dropping each tree
        once taken (see :mod:`cursus_lint.prefetch`)."""
        from .prefetch import PARALLEL_MIN_FILES, parse_parallel, parse_serial

        if self.parallel_min_files is None:
            return
        search = [r for r in roots if r.is_dir()] + [w for w in workspace_dirs if w.is_dir()]
        dirs = discover_step_dirs(search, dict(self.settings.layout) or None, WorkspaceOf(workspace_dirs))
        todo: list[tuple[Path, frozenset[str]]] = []
        components = self._roles(dirs)
        reserve(len(components))
        for path, roles in components.items():
            if path in self.overlay:
                continue
            _, digest, _ = read_source(path)
            if not digest or (self.cache is not None and self.cache.has(f"{digest}-{'.'.join(sorted(roles))}")):
                continue
            if self.cache is None:
                with _facts_lock:
                    if (str(path), digest, frozenset(roles)) in _facts_memo:
                        continue  # extracted by an earlier run of this process (the editor's last lint)
            todo.append((path, frozenset(roles)))
        minimum = PARALLEL_MIN_FILES if self.parallel_min_files == 0 else self.parallel_min_files
        found = parse_parallel(todo, minimum)
        self.parsed_in_workers += len(found)
        if not found and todo:
            # too few files (or one core) for workers: the same one-parse pass in this process,
            # which drops each tree once taken, so a cold run never holds the whole repo's trees
            found = parse_serial(todo)
        for parsed in found:
            self._prefetched[parsed.path] = parsed
            if parsed.summary is not None:
                remember(parsed.path, parsed.digest, parsed.summary, self.cache)

    def _build(self, roots: list[Path], configured: bool = True) -> ProjectModel:
        """One project; only the ``configured`` one (the repo the settings belong to) gets the
        configured workspaces and pipeline, so a nested repo never inherits them."""
        s = self.settings
        workspace_dirs = [w.absolute() for w in s.workspace_paths] if configured else []
        registry = s.registry_path.absolute() if s.registry_path else None
        self._prefetch(roots, workspace_dirs)
        catalog = StepCatalog(roots, workspace_dirs=workspace_dirs, registry=registry, layout=dict(s.layout) or None,
                              cache=self.cache, interface_dirs=[d.absolute() for d in s.interface_paths],
                              overlay=self.overlay)
        roles = self._roles(catalog.step_dirs)
        for p in catalog.registry_files:
            if not s.is_excluded(p):
                roles.setdefault(p, set()).add("registry")
        files = {p: self._facts(p, r) for p, r in sorted(roles.items())}
        interfaces = {item.file.path: item.interface for item in catalog.interfaces.loaded
                      if item.interface is not None and not s.is_excluded(item.file.path)}
        if interfaces:  # the interface layer loads only for a repo that has interfaces
            from cursus_core.interface.facts import interface_file_facts

            files.update((p, _interface_facts(i, interface_file_facts)) for p, i in sorted(interfaces.items()))
        config_classes: dict[str, list] = {}
        for p, f in files.items():
            for cfg in f.configs + f.hyperparams:
                config_classes.setdefault(cfg.name, []).append((p, cfg))
        # config bases defined outside the step dirs (the repo's core package, an installed one)
        bases = BaseResolver(files, config_classes, list(catalog.roots), self.overlay, self.cache)
        bases.run()
        steps = [self._step(info, files, interfaces) for info in catalog.iter_steps()]
        # registry tables with located entries, for the CL6xx rules (rules never read files)
        registry_files = {p: read_registry_file(p, self.overlay) for p in catalog.registry_files
                          if not s.is_excluded(p)}
        if catalog.interfaces.definitions:
            registry_files = {p: _without_computed_step_names(f) for p, f in registry_files.items()}
        # the configured pipeline DAG and saved config, read as data, for the static CL8xx rules
        from .facts.pipeline import load_pipeline

        pipeline = load_pipeline(s.dag_path, s.pipeline_config_path, s.root, self.overlay) if configured else None
        project = ProjectModel(catalog, files, steps, s, config_classes, opaque_bases=bases.opaque,
                               registry_files=registry_files, pipeline=pipeline,
                               interface_problems=[p for p in catalog.interfaces.problems if not s.is_excluded(p.path)])
        if pipeline is not None:
            project.unknown.update(pipeline.unknown)
        return project

    @staticmethod
    def _step(info: StepInfo, files: dict[Path, FileFacts],
              interfaces: dict[Path, StepInterface] | None = None) -> StepModel:
        def get(p: Path | None) -> FileFacts | None:
            return files.get(p) if p is not None else None

        iface = (interfaces or {}).get(info.interface) if info.interface is not None else None
        if iface is not None:
            return Engine._interface_step(info, files, iface)

        step = StepModel(info.name, info.workspace_id, info, info.registry)
        step.script = get(info.script)
        step.contract_file = get(info.contract)
        if step.contract_file and step.contract_file.contracts:
            contracts = step.contract_file.contracts
            script_name = info.script.name if info.script else None
            step.contract = next((c for c in contracts if c.entry_point and c.entry_point.value == script_name),
                                 contracts[0])
        for job_type, path in sorted(info.specs.items(), key=lambda kv: kv[0] or ""):
            f = get(path)
            if f is not None:
                for spec in f.specs:
                    step.specs.append(SpecVariant(job_type, f, spec))
        for job_type, path in sorted(info.legacy_specs.items()):
            f = get(path)  # a legacy default spec declaring this variant too: checked like the variant
            if f is not None and path not in info.specs.values():
                step.specs.extend(SpecVariant(job_type, f, spec) for spec in f.specs)
        step.builder_file = get(info.builder)
        if step.builder_file and step.builder_file.builders:
            wanted = info.registry.builder_step_name if info.registry else None
            builders = step.builder_file.builders
            step.builder = next((b for b in builders if b.name == wanted), builders[0])
        step.config_file = get(info.config)
        if step.config_file and step.config_file.configs:
            wanted = info.registry.config_class if info.registry else None
            configs = step.config_file.configs
            step.config = next((c for c in configs if c.name == wanted),
                               next((c for c in configs if c.name.endswith("Config")), configs[0]))
        step.hyperparams = [f for p in info.hyperparams if (f := get(p)) is not None]
        return step

    @staticmethod
    def _interface_step(info: StepInfo, files: dict[Path, FileFacts], iface: StepInterface) -> StepModel:
        """An interface-layout step: contract, specs (one per job type) and registry row from the
        ``.step.yaml``, the template builder synthesized from it, script and config as usual."""
        step = StepModel(info.name, info.workspace_id, info, info.registry)
        step.script = files.get(info.script) if info.script else None
        yaml_facts = files.get(info.interface) if info.interface else None
        if yaml_facts is not None:
            step.contract_file = yaml_facts
            step.contract = yaml_facts.contracts[0] if yaml_facts.contracts else None
            for spec in yaml_facts.specs:
                job_type = spec.step_type.job_type if spec.step_type else None
                step.specs.append(SpecVariant(job_type, yaml_facts, spec))
            step.builder_file = yaml_facts
            from cursus_core.interface.facts import synthesized_builder

            step.builder = synthesized_builder(iface)
        step.config_file = files.get(info.config) if info.config else None
        if step.config_file and step.config_file.configs:
            wanted = info.registry.config_class if info.registry else None
            configs = step.config_file.configs
            step.config = next((c for c in configs if c.name == wanted),
                               next((c for c in configs if c.name.endswith("Config")), configs[0]))
        step.hyperparams = [f for p in info.hyperparams if (f := files.get(p)) is not None]
        return step

    # -- rules ----------------------------------------------------------------------------
    def _run_rules(self, project: ProjectModel, only_files: set[Path]) -> list[Diagnostic]:
        """Run the enabled rules. With ``only_files`` (pre-commit, editor), step and file rules run
        only for the steps those files belong to; project rules see everything (and are filtered)."""
        out: list[Diagnostic] = []
        enabled = [r for r in self.rules.values() if r.check is not None and self.settings.enabled(r.code)]
        steps = project.steps
        files = list(project.files.values())
        if only_files:
            wanted = {key for f in only_files for key in project.catalog.find_steps_for_file(f)}
            steps = [s for s in steps if (s.workspace_id, s.name) in wanted
                     or any((w, s.name) in wanted for w, _ in wanted if w is None)]
            step_files = {p for s in steps for p in s.files} | only_files
            files = [f for f in files if f.path in step_files]
        parsed = [f for f in files if f.problem is None]
        for rule in enabled:
            check = rule.check
            if isinstance(check, StepCheck):
                for step in steps:
                    out.extend(check.run(step, project))
            elif isinstance(check, ProjectCheck):
                out.extend(check.run(project))
            elif isinstance(check, FileCheck):
                for facts in parsed:
                    out.extend(check.run(facts, project))
        return out

    def _problem_diagnostics(self, project: ProjectModel) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        seen: set[tuple] = set()
        problems: list[SourceProblem | RegistryProblem | CatalogProblem] = [
            f.problem for f in project.files.values() if f.problem]
        problems.extend(project.catalog.problems)
        if project.pipeline is not None:
            problems.extend(project.pipeline.problems)
        for p in problems:
            if isinstance(p, CatalogProblem):
                continue  # "no steps here" is a summary fact (0 steps), not a finding
            if isinstance(p, SourceProblem):
                code = SOURCE_PROBLEM_CODES.get(p.kind, "CL902")
            else:
                code = SOURCE_PROBLEM_CODES.get(p.kind, "CL607")
            rule = self.rules.get(code)
            if rule is None or p.path is None:
                continue
            key = (code, str(p.path), p.line, p.column, p.message)
            if key in seen:
                continue
            seen.add(key)
            out.append(Diagnostic(code, rule.name, rule.severity, Location(Path(p.path), p.line, p.column),
                                  p.message, getattr(p, "step", None)))
        return out

    def project(self, path: Path | str) -> ProjectModel:
        """The step model of the repo holding ``path``, without running rules: for tools that
        describe steps and their wiring (the MCP server's ``step`` and ``wiring``)."""
        layout = dict(self.settings.layout) or None
        root = find_repo_root(Path(path).absolute(), layout)
        return self._build([root], configured=_configured_root([root], self.settings.root) == root)

    def run(self, paths: Sequence[Path | str]) -> CheckResult:
        start = time.perf_counter()
        given = [Path(p).absolute() for p in paths] or [Path.cwd()]
        for p in given:
            if not p.exists() and p not in self.overlay:
                raise FileNotFoundError(f"path does not exist: {p}")
        only_files = {p for p in given if not p.is_dir()}
        if only_files:
            # pre-commit passes files explicitly: `exclude` must still win
            kept_files = {p for p in only_files if not self.settings.is_excluded(p)}
            given = [p for p in given if p.is_dir() or p in kept_files]
            only_files = kept_files
            if not given:
                return CheckResult([], self.rules, 0, 0, (time.perf_counter() - start) * 1000, self.unknown)
        layout = dict(self.settings.layout) or None
        roots, empty = split_step_repos(sorted({find_repo_root(p, layout) for p in given}), layout)
        empty_dirs = [p for p in given if p.is_dir() and find_repo_root(p, layout) in empty
                      and not self.settings.workspace_paths]
        home = _configured_root(roots, self.settings.root)
        diagnostics: list[Diagnostic] = []
        files = steps = 0
        for root in roots:
            project = self._build([root], configured=root == home)
            if only_files:
                names = {name for f in only_files for _, name in project.catalog.find_steps_for_file(f)}
                project.focus = Focus(frozenset(only_files), frozenset(names))
            found = self._run_rules(project, only_files) + self._problem_diagnostics(project)
            found = self._postprocess(found, project, only_files)
            from .fix import attach_fixes

            attach_fixes(found, self.rules, project, self.overlay, self.fixes)
            self.unknown.update(project.unknown)
            diagnostics.extend(found)
            if only_files:  # the summary counts what was checked: the given files' steps
                wanted = {key for f in only_files for key in project.catalog.find_steps_for_file(f)}
                chosen = [st for st in project.steps if (st.workspace_id, st.name) in wanted]
                steps += len(chosen)
                files += len({p for st in chosen for p in st.files} | (only_files & set(project.files)))
            else:
                files += len(project.files)
                steps += len(project.steps)
        if self.cache is not None:
            self.cache.flush()  # one write of the pack, with what this run added
        diagnostics.sort(key=Diagnostic.sort_key)
        return CheckResult(diagnostics, self.rules, files, steps, (time.perf_counter() - start) * 1000, self.unknown,
                           empty_dirs=empty_dirs, unknown_at=dict(sorted(self.unknown_at.items())))

    def _postprocess(self, diagnostics: list[Diagnostic], project: ProjectModel,
                     only_files: set[Path]) -> list[Diagnostic]:
        from .suppress import apply_suppressions, parse_noqa

        s = self.settings
        unique: dict[tuple, Diagnostic] = {}
        for d in diagnostics:
            if d.step is None:
                owners = project.catalog.find_steps_for_file(d.location.path)
                if owners:
                    d.step = sorted(owners, key=lambda o: (o[0] or "", o[1]))[0][1]
            key = (d.code, str(d.location.path), d.location.line, d.location.column, d.message)
            unique.setdefault(key, d)
        kept: list[Diagnostic] = []
        for d in unique.values():
            if not s.enabled(d.code) or s.ignored_for_path(d.code, d.location.path) or s.is_excluded(d.location.path):
                continue
            d.severity = Severity(s.severity_for(d.code, d.severity.value))
            kept.append(d)
        if only_files:
            wanted_steps = {name for f in only_files for _, name in project.catalog.find_steps_for_file(f)}
            kept = [d for d in kept if d.location.path in only_files or (d.step in wanted_steps)]
        noqa = {}
        for path in {d.location.path for d in kept} | (only_files if only_files else set(project.files)):
            text = self.overlay.get(path)
            if text is None:
                data, _, _ = read_source(path)  # bytes only: no parse, no tokenize unless needed
                if data is None or b"noqa" not in data:
                    continue
                text = decode_source(data)
            if "noqa" in text:
                noqa[path] = parse_noqa(text)
        known = set(all_rules()) | set(self.rules)
        kept.extend(self._unknown_noqa_codes(noqa, known))
        kept, suppressed, unused = apply_suppressions(
            kept, noqa, enabled=lambda code, path: s.enabled(code) and not s.ignored_for_path(code, path))
        self.suppressed = len(suppressed)
        rule = self.rules.get("CL903")
        if rule is not None and s.enabled("CL903"):
            for u in unused:
                if s.ignored_for_path("CL903", u.path) or (u.code is not None and u.code not in known):
                    continue  # an unknown code is CL904's finding, not an unused one
                what = f"'{u.code}'" if u.code else "bare 'noqa'"
                d = rule.report(u.path, None, f"unused suppression: {what} suppresses nothing on this line")
                d.location = Location(u.path, u.line, u.column)
                d.severity = Severity(s.severity_for("CL903", rule.severity.value))
                kept.append(d)
        kept.sort(key=Diagnostic.sort_key)
        return kept

    def _unknown_noqa_codes(self, noqa: dict, known: set[str]) -> list[Diagnostic]:
        """CL904 for each ``CL`` code in a noqa comment that names no rule. They go through
        suppression like any finding, so a file-level ``# cursus-lint: noqa: CL904`` silences them."""
        s = self.settings
        rule = self.rules.get("CL904")
        if rule is None or not s.enabled("CL904"):
            return []
        out: list[Diagnostic] = []
        for path, nmap in sorted(noqa.items(), key=lambda kv: str(kv[0])):
            if s.ignored_for_path("CL904", path):
                continue
            for directive in (*nmap.file_level, *nmap.lines.values()):
                for code, column in zip(directive.codes or (), directive.code_columns, strict=False):
                    if not code.startswith("CL") or code in known:
                        continue
                    d = rule.report(path, None, f"noqa names '{code}', which is not a cursus-lint rule code"
                                                f"{_code_hint(code, known)}")
                    d.location = Location(path, directive.line, column)
                    d.severity = Severity(s.severity_for("CL904", rule.severity.value))
                    out.append(d)
        return out


def split_step_repos(roots: list[Path], layout: dict | None) -> tuple[list[Path], set[Path]]:
    """Each step repo under ``roots`` as its own project root (the example repo and a broken copy
    beside it never share a registry), plus the directory roots with no step repo at all."""
    out: set[Path] = set()
    empty: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            out.add(root)
            continue
        nested = {find_repo_root(d.path, layout) for d in discover_step_dirs([root], layout)}
        inside = {n for n in nested if n == root or root in n.parents}
        if not nested:
            empty.add(root)
        # a root that holds steps of its own keeps everything below it (one catalog scans it all)
        out |= {root} if root in inside or not inside else inside
    return sorted(out), empty


def _configured_root(roots: list[Path], config_root: Path) -> Path | None:
    """The project the configuration belongs to: the one holding its directory, else the first."""
    config_root = config_root.absolute()
    holding = [r for r in roots if r == config_root or r in config_root.parents]
    return max(holding, key=lambda r: len(r.parts)) if holding else (roots[0] if roots else None)

def _without_computed_step_names(registry: RegistryFile) -> RegistryFile:
    """In the interface layout a computed ``STEP_NAMES`` (``get_step_names()``) is the set of
    interfaces, which the catalog knows row by row: it must not make registry rules go silent."""
    table = registry.tables.get("STEP_NAMES")
    if table is None or not table.opaque:
        return registry
    tables = {k: v for k, v in registry.tables.items() if k != "STEP_NAMES"}
    problems = [p for p in registry.problems
                if not (p.kind == "non-literal" and p.line == table.span.line and p.key is None and p.step is None)]
    return msgspec.structs.replace(registry, tables=tables, problems=problems)


def _one_edit_apart(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours turns ``a`` into ``b``."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _code_hint(code: str, known: set[str]) -> str:
    """What the writer of an unknown noqa code probably meant (CL904's message tail)."""
    if any(k.startswith(code) for k in known):
        return "; noqa takes full rule codes, not prefixes"
    close = sorted(k for k in known if _one_edit_apart(code, k))
    if close:
        return "; did you mean " + " or ".join(f"'{k}'" for k in close[:3]) + "?"
    return "; 'cursus-lint rules' lists the codes"


def check(paths: Iterable[Path | str] = (".",), *, select: Sequence[str] | None = None,
          ignore: Sequence[str] | None = None, config_file: Path | None = None,
          overlay: dict[Path, str] | None = None) -> list[Diagnostic]:
    """Lint ``paths`` and return the diagnostics (the Python API; see ``cursus_lint.check``)."""
    from .config import load_config

    given = [Path(p) for p in paths]
    start = given[0] if given else Path.cwd()
    overrides: dict[str, object] = {}
    if select is not None:
        overrides["select"] = list(select)
    if ignore is not None:
        overrides["ignore"] = list(ignore)
    settings = load_config(start, set(all_rules()), overrides=overrides, config_file=config_file)
    return Engine(settings, overlay=overlay).run(given).diagnostics
