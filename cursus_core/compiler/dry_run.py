"""The dry-run build: DAG file + saved config + step repo -> pipeline definition, or problems.

:func:`dry_run` never raises for a problem in the user's pipeline: each failure becomes a
:class:`BuildProblem` of one :data:`PROBLEM_KINDS` kind, with the node, file and line it belongs
to (a builder exception points at the builder's own frame, not at a traceback dump). It does
import the repo's builders and configs, so the ``cursus-lint build`` command runs it in a child
process with a time limit. A missing ``build`` extra is the one thing it raises (ImportError).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeGuard

from cursus_core.compiler.assembler import AssemblyError, AssemblyProblem
from cursus_core.compiler.builder_loader import BuilderLoadError, user_frame
from cursus_core.compiler.config_io import ConfigLoadError
from cursus_core.compiler.dag_compiler import CompilationReport, PipelineDAGCompiler
from cursus_core.compiler.node_mapping import map_nodes_to_configs
from cursus_core.compiler.offline import require_build_extra
from cursus_core.compiler.source_paths import SourceResolver
from cursus_core.dag import DAGCycleError, DAGError, load_dag
from cursus_core.sandbox import inside_root

__all__ = ["PROBLEM_KINDS", "BuildProblem", "DryRunResult", "dry_run", "find_missing_entry_points",
           "normalize_definition"]

#: Every kind a :class:`BuildProblem` can have (``cursus-lint build`` maps them to CL8xx codes).
PROBLEM_KINDS: tuple[str, ...] = (
    "dag-invalid",
    "dag-cycle",
    "node-without-config",
    "config-without-node",
    "builder-not-found",
    "required-input-not-wired",
    "ambiguous-wiring",
    "config-invalid",
    "entry-point-missing",
    "builder-exception",
    "placeholder-node",
)
#: Kinds that do not stop the build: the pipeline is complete without the unused config, and a
#: placeholder node's outputs stand in as pipeline parameters.
NON_BLOCKING_KINDS = frozenset({"config-without-node", "placeholder-node"})


@dataclass(frozen=True)
class BuildProblem:
    """One reason the build failed; ``path`` is absolute, ``line`` 1-based, both None when unknown."""

    kind: str
    message: str
    node: str | None = None
    path: Path | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "node": self.node,
                "path": str(self.path) if self.path is not None else None, "line": self.line}


@dataclass
class DryRunResult:
    """``definition`` is the parsed pipeline definition, None when a blocking problem stopped the build."""

    definition: dict[str, Any] | None
    report: CompilationReport | None
    problems: list[BuildProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.problems


_CODE_HASH = re.compile(r"/code/[0-9a-f]{64}/")


def normalize_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition with content hashes of uploaded code replaced by ``<content-hash>``.

    The build itself is deterministic; this only keeps golden files and review diffs stable
    when a script's text (not the pipeline) changes.
    """
    text = json.dumps(definition, sort_keys=True)
    return json.loads(_CODE_HASH.sub("/code/<content-hash>/", text))


def _problem(p: AssemblyProblem) -> BuildProblem:
    return BuildProblem(p.kind, p.message, p.node, p.path.resolve() if p.path is not None else None, p.line)


def _line_of(path: Path, *needles: str) -> int | None:
    """First line of ``path`` containing every needle (to point at a value in a config file)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for number, text in enumerate(lines, 1):
        if all(n in text for n in needles):
            return number
    return None


def _source_dir_for(config: Any, prefix: str) -> Any:
    for name in (f"effective_{prefix}_source_dir", f"{prefix}_source_dir", "effective_source_dir", "source_dir"):
        value = getattr(config, name, None)
        if value:
            return value
    return None


def _local(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value) and not value.startswith("s3://")


def source_resolver(configs: dict[str, Any], repo_root: Path, config_path: Path,
                    source_root: Path | None = None) -> SourceResolver:
    """How this build resolves the configs' relative paths (see :mod:`cursus_core.compiler.source_paths`)."""
    folders = {getattr(c, "project_root_folder", None) for c in configs.values()} - {None, ""}
    source_dirs = {getattr(c, "source_dir", None) for c in configs.values()} - {None, ""}
    return SourceResolver([config_path.parent, repo_root], source_root=source_root,
                          project_root_folder=next(iter(folders)) if len(folders) == 1 else None,
                          source_dir=str(next(iter(source_dirs))) if len(source_dirs) == 1 else None)


#: source views made by :func:`project_work_dir` -> the directory they stand for (user-facing paths)
_VIEWS: dict[str, str] = {}


def _unview(text: str) -> str:
    """A message names the user's ``--source-root``, never the temporary view that stands for it."""
    for view, real in _VIEWS.items():
        text = text.replace(view, real)
    return text


def project_work_dir(configs: dict[str, Any], resolver: SourceResolver) -> Path | None:
    """The directory the configs' relative source dirs hang from: the build runs there."""
    if resolver.source_root is not None:
        base = resolver.source_dir
        if base is None or (resolver.source_root / base).is_dir():
            return resolver.source_root
        # the config's source_dir stands for the source root: run in a directory where it exists
        view = Path(tempfile.mkdtemp(prefix="cursus-lint-source-view-"))
        atexit.register(shutil.rmtree, view, True)
        (view / base).parent.mkdir(parents=True, exist_ok=True)
        (view / base).symlink_to(resolver.source_root, target_is_directory=True)
        _VIEWS[str(view / base)] = str(resolver.source_root)
        return view
    for config in configs.values():
        for name in getattr(type(config), "model_fields", {}):
            value = getattr(config, name, None)
            if name.endswith("source_dir") and _local(value) and not Path(value).is_absolute():
                found = resolver.project_dir(value)
                if found is not None:
                    return found
    return None


def find_missing_entry_points(node: str, config: Any, repo_root: Path, config_path: Path,
                              resolver: SourceResolver | None = None) -> list[BuildProblem]:
    """Configured source dirs and ``*_entry_point`` scripts that cannot be found (each message names
    where they were looked for), or that escape the repo (an absolute path, ``..``, a symlink out).

    Relative paths are looked for as cursus does (the project folder, ``--source-root``); a path that
    names its way out of the repo is refused wherever it would be found. A config without an entry
    point (a prebuilt image, say) is not a script step and is fine.
    """
    resolver = resolver or SourceResolver([repo_root], source_root=repo_root)
    roots = [repo_root] + ([resolver.source_root] if resolver.source_root is not None else [])

    def escapes(relative: str) -> bool:
        return not any(inside_root(root / relative, root) for root in roots)

    def line(name: str, value: Any) -> int | None:
        return _line_of(config_path, f'"{name}"', json.dumps(value))

    refused = "refused (a pipeline must not run files from outside its repo)"
    problems: list[BuildProblem] = []
    fields = getattr(type(config), "model_fields", {})
    for name in fields:
        value = getattr(config, name, None)
        checked = name.endswith("source_dir") or (name.endswith("entry_point") and Path(str(value)).is_absolute())
        if checked and _local(value) and escapes(value):
            problems.append(BuildProblem(
                "entry-point-missing", f"node '{node}': {name} '{value}' is outside the repo {repo_root}: {refused}",
                node, config_path, line(name, value)))
    if problems:
        return problems
    for name in fields:
        value = getattr(config, name, None)
        if not (name.endswith("source_dir") and _local(value)):
            continue
        found = resolver.resolve(value, directory=True)
        if found.path is None:
            problems.append(BuildProblem(
                "entry-point-missing", f"node '{node}': {name} '{value}' is not a directory (tried {found.describe()}; "
                                       "--source-root DIR names the project directory)",
                node, config_path, line(name, value)))
    for name in fields:
        value = getattr(config, name, None)
        if not name.endswith("entry_point") or not _local(value):
            continue
        directory = _source_dir_for(config, name[: -len("_entry_point")])
        if directory is not None and not _local(directory):
            continue  # the script lives in S3; nothing to check offline
        if directory is not None and resolver.resolve(directory, directory=True).path is None:
            continue  # already reported as a missing source dir
        script = f"{directory.rstrip('/')}/{value}" if directory is not None else value
        if escapes(script):
            problems.append(BuildProblem(
                "entry-point-missing", f"node '{node}': {name} '{value}' resolves to '{script}', outside the repo "
                                       f"{repo_root}: {refused}",
                node, config_path, line(name, value)))
            continue
        found = resolver.resolve(script, directory=False)
        if found.path is None:
            problems.append(BuildProblem(
                "entry-point-missing", f"node '{node}': {name} '{value}' not found at '{script}' "
                                       f"(tried {found.describe()})",
                node, config_path, line(name, value)))
    return problems


def dry_run(dag_path: str | os.PathLike[str], config_path: str | os.PathLike[str],
            repo_root: str | os.PathLike[str], *, pipeline_name: str | None = None,
            source_root: str | os.PathLike[str] | None = None,
            on_progress: Callable[[str], None] | None = None) -> DryRunResult:
    """Build the pipeline for ``dag_path`` and ``config_path`` offline; collect every problem.

    ``on_progress`` gets one line per phase and per node (what a terminal shows while it builds).

    ``source_root`` is the directory the configs' relative source dirs are relative to; without
    it they are looked for as cursus looks for them (see :mod:`cursus_core.compiler.source_paths`).
    """
    result = _dry_run(dag_path, config_path, repo_root, pipeline_name=pipeline_name,
                      source_root=source_root, on_progress=on_progress)
    result.problems = [replace(p, message=_unview(p.message)) for p in result.problems]
    return result


def _dry_run(dag_path: str | os.PathLike[str], config_path: str | os.PathLike[str],
             repo_root: str | os.PathLike[str], *, pipeline_name: str | None,
             source_root: str | os.PathLike[str] | None,
             on_progress: Callable[[str], None] | None) -> DryRunResult:
    def progress(text: str) -> None:
        if on_progress is not None:
            on_progress(text)

    require_build_extra()
    dag_file, config_file, root = Path(dag_path).resolve(), Path(config_path).resolve(), Path(repo_root).resolve()
    try:
        dag = load_dag(dag_file)
    except DAGCycleError as exc:
        return DryRunResult(None, None, [BuildProblem("dag-cycle", str(exc), exc.cycle[0], dag_file, None)])
    except DAGError as exc:
        return DryRunResult(None, None, [BuildProblem("dag-invalid", str(exc), None, dag_file, None)])
    compiler = PipelineDAGCompiler(config_file, repo_root=root)
    problems: list[BuildProblem] = []
    with compiler.build_context():
        progress("loading the saved config and the repo's config classes")
        try:
            configs = compiler.load_configs()
        except ConfigLoadError as exc:
            line = _line_of(config_file, f'"{exc.step}"') if exc.step else None
            return DryRunResult(None, None, [BuildProblem("config-invalid", str(exc), exc.step, config_file, line)])
        except BuilderLoadError as exc:
            return DryRunResult(None, None, [BuildProblem("builder-exception", str(exc), exc.step, exc.path, exc.line)])
        mapping = map_nodes_to_configs(dag, configs)
        for unmapped in mapping.unmapped_nodes:
            problems.append(BuildProblem("node-without-config", unmapped.message, unmapped.node, dag_file,
                                         _line_of(dag_file, json.dumps(unmapped.node))))
        for name in mapping.unused_configs:
            problems.append(BuildProblem("config-without-node", f"config '{name}' has no DAG node of that name",
                                         name, config_file, _line_of(config_file, json.dumps(name), "{")))
        if mapping.unmapped_nodes:
            return DryRunResult(None, None, problems)
        resolver = source_resolver(configs, root, config_file, Path(source_root) if source_root else None)
        work_dir = project_work_dir(configs, resolver)
        if work_dir is not None and work_dir != root:
            compiler.work_dir = work_dir
            os.chdir(work_dir)  # inside build_context, which restores the directory it entered from
            # cursus's configs resolve source dirs from the working directory when first asked and keep
            # the answer (effective_source_dir): load them again where the project's paths resolve.
            compiler.reload_configs()
            mapping = map_nodes_to_configs(dag, compiler.load_configs())
        for node, config in mapping.resolved.items():
            problems.extend(find_missing_entry_points(node, config, root, config_file, resolver))
        try:
            assembler = compiler.create_assembler(dag)
        except AssemblyError as exc:
            return DryRunResult(None, None, problems + [_problem(p) for p in exc.problems])
        assembler.on_progress = on_progress
        nodes = assembler.plan()
        problems.extend(_placeholder_problems(assembler))
        problems.extend(_problem(p) for p in assembler.problems)
        parameters = [p.name for p in compiler.pipeline_parameters()]

        def report() -> CompilationReport:
            recorder = getattr(compiler.sagemaker_session, "recorder", None)
            return CompilationReport(pipeline_name or compiler.default_pipeline_name(), parameters, nodes,
                                     list(recorder.uploads) if recorder is not None else [])

        if any(p.kind not in NON_BLOCKING_KINDS for p in problems):
            return DryRunResult(None, report(), problems)
        try:
            pipeline = assembler.build(pipeline_name)
        except AssemblyError as exc:
            return DryRunResult(None, report(), problems + [_problem(p) for p in exc.problems])
        progress("rendering the pipeline definition")
        try:
            definition = json.loads(pipeline.definition())
        except Exception as exc:
            path, line = user_frame(exc, root)
            problems.append(BuildProblem("builder-exception", f"rendering the pipeline definition failed: "
                                                              f"{type(exc).__name__}: {exc}", None, path, line))
            return DryRunResult(None, report(), problems)
    if assembler.placeholders:
        definition.setdefault("Metadata", {})["CursusLintPlaceholders"] = {
            node: {"missing_package": holder.package,
                   "parameters": [holder.parameter_name(node, out) for out in holder.spec.outputs]}
            for node, holder in sorted(assembler.placeholders.items())}
    return DryRunResult(definition, report(), problems)


def _placeholder_problems(assembler: Any) -> list[BuildProblem]:
    """One warning per placeholder node: which package is missing and which parameters stand in."""
    out = []
    for node, holder in assembler.placeholders.items():
        choice = assembler.choices[node]
        names = ", ".join(holder.parameter_name(node, o) for o in holder.spec.outputs) or "none"
        out.append(BuildProblem(
            "placeholder-node", f"node '{node}' is a placeholder: its builder needs package '{holder.package}', "
                                f"which is not installed; its outputs stand in as pipeline parameters ({names})",
            node, choice.builder_file.resolve() if choice.builder_file else None, None))
    return out
