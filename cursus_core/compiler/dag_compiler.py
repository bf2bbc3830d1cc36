"""``PipelineDAGCompiler``: a DAG plus a saved config file become a sagemaker ``Pipeline``.

The compiler loads the saved configs with the repo's own config classes, maps every DAG node
to its config (exact name or an explicit map), finds each config's builder through the
registry and the catalog, and hands all of it to :class:`PipelineAssembler`. Pipeline
parameters travel to every builder: by default ``EXECUTION_S3_PREFIX``,
``KMS_ENCRYPTION_KEY_PARAM``, ``SECURITY_GROUP_ID`` and ``VPC_SUBNET`` as ``ParameterString``.

Without a ``sagemaker_session`` the compiler uses an offline session
(:mod:`cursus_core.compiler.offline`) and compiles inside :func:`offline_environment`; call
``definition()`` inside that context too (or use :func:`cursus_core.compiler.dry_run.dry_run`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cursus_core.base.builder import DEFAULT_PARAMETER_NAMES, EXECUTION_PREFIX_PARAM
from cursus_core.catalog import StepCatalog, find_repo_root
from cursus_core.compiler.assembler import (
    DEFAULT_THRESHOLD,
    AssemblyError,
    AssemblyProblem,
    NodeReport,
    PipelineAssembler,
    Placeholder,
    pipeline_name_for,
)
from cursus_core.compiler.builder_loader import (
    BuilderChoice,
    BuilderLoader,
    BuilderLoadError,
    BuilderNotFoundError,
    MissingPackageError,
)
from cursus_core.compiler.config_io import load_configs
from cursus_core.compiler.node_mapping import map_nodes_to_configs, split_step_name
from cursus_core.compiler.offline import OfflineUpload, make_offline_session, offline_environment
from cursus_core.dag import PipelineDAG

__all__ = ["CompilationReport", "PipelineDAGCompiler", "default_pipeline_parameters"]


@contextlib.contextmanager
def _chdir(path: Path) -> Iterator[None]:
    """``contextlib.chdir`` (Python 3.11+) for Python 3.10."""
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def default_pipeline_parameters(execution_prefix_default: str | None = None) -> list[Any]:
    """The four standard parameters as ``ParameterString``; the prefix defaults to ``pipeline_s3_loc``."""
    from sagemaker.workflow.parameters import ParameterString

    params = []
    for name in DEFAULT_PARAMETER_NAMES:
        default = execution_prefix_default if name == EXECUTION_PREFIX_PARAM else None
        # None is accepted at run time (no default), though the SDK annotates default_value as str
        params.append(ParameterString(name=name, default_value=default))  # type: ignore[arg-type]
    return params


@dataclass
class CompilationReport:
    """Why the pipeline looks the way it does: per node its config, builder and wired inputs."""

    pipeline_name: str
    parameters: list[str]
    nodes: list[NodeReport]
    uploads: list[OfflineUpload] = field(default_factory=list)

    def node(self, name: str) -> NodeReport:
        return next(n for n in self.nodes if n.node == name)

    def to_dict(self) -> dict[str, Any]:
        return {"pipeline_name": self.pipeline_name, "parameters": list(self.parameters),
                "nodes": [n.to_dict() for n in self.nodes],
                "uploads": [{"kind": u.kind, "source": u.source, "s3_uri": u.s3_uri} for u in self.uploads]}

    def __str__(self) -> str:
        return self.format_text()

    def format_text(self) -> str:
        """One block per node: config -> builder, then each input with its provider and score."""
        lines = [f"pipeline {self.pipeline_name} (parameters: {', '.join(self.parameters) or 'none'})"]
        for n in self.nodes:
            lines.append(f"{n.node}: {n.config_class} -> {n.builder_class} ({n.builder_file}), "
                         f"{n.sagemaker_step_type} step, spec {n.spec_type}")
            for w in n.inputs:
                tag = "required" if w.required else "optional"
                lines.append(f"  {w.dependency} ({tag}) <- {w.provider_node}.{w.provider_output} score {w.score:.2f}")
            for u in n.unwired:
                tag = "required" if u.required else "optional"
                lines.append(f"  {u.dependency} ({tag}) unwired: {u.reason}")
        return "\n".join(lines)


class PipelineDAGCompiler:
    """Compile DAGs against one saved config file and one step repo."""

    def __init__(self, config_path: str | os.PathLike[str], pipeline_parameters: list[Any] | None = None,
                 sagemaker_session: Any = None, role: str | None = None,
                 repo_root: str | os.PathLike[str] | None = None, *,
                 node_config_map: Mapping[str, str] | None = None, threshold: float = DEFAULT_THRESHOLD,
                 catalog: StepCatalog | None = None, work_dir: str | os.PathLike[str] | None = None) -> None:
        self.config_path = Path(config_path).resolve()
        #: where relative source dirs resolve (the project root of real configs); default the repo root
        self.work_dir = Path(work_dir).resolve() if work_dir is not None else None
        self.repo_root = Path(repo_root).resolve() if repo_root is not None else find_repo_root(self.config_path)
        self.offline = sagemaker_session is None
        self.sagemaker_session = sagemaker_session
        self.role = role
        self.node_config_map = dict(node_config_map or {})
        self.threshold = threshold
        self.loader = BuilderLoader(self.repo_root, catalog)
        self._pipeline_parameters = list(pipeline_parameters) if pipeline_parameters is not None else None
        self._configs: dict[str, Any] | None = None
        self._interface_steps: Any = False  # InterfaceSteps | None once looked up

    @contextlib.contextmanager
    def build_context(self) -> Iterator[None]:
        """Relative script and source-dir paths in configs are relative to the project (``work_dir``,
        default the repo root), so the build runs there; offline compilers also enter
        :func:`offline_environment`."""
        with _chdir(self.work_dir or self.repo_root):
            if not self.offline:
                yield
                return
            with offline_environment():
                if self.sagemaker_session is None:
                    self.sagemaker_session = make_offline_session()
                yield

    def load_configs(self) -> dict[str, Any]:
        """The saved configs, validated by the repo's config classes (imported once)."""
        if self._configs is None:
            classes = self.loader.config_classes()
            if self.interface_steps() is not None:  # interface layout: the class each interface names wins
                classes = {**classes, **self.interface_steps().config_classes()}
            self._configs = load_configs(self.config_path, classes)
        return self._configs

    def reload_configs(self) -> None:
        """Forget the loaded configs (not the classes): the next :meth:`load_configs` validates the file again."""
        self._configs = None

    def interface_steps(self) -> Any:
        """The repo's ``.step.yaml`` steps (:class:`cursus_core.templates.InterfaceSteps`), None if it has none."""
        if self._interface_steps is False:
            from cursus_core.templates.source import InterfaceSteps

            self._interface_steps = InterfaceSteps.for_repo(self.loader.importer)
        return self._interface_steps

    def pipeline_parameters(self) -> list[Any]:
        """The caller's parameters, or the four defaults (prefix default: the configs' ``pipeline_s3_loc``)."""
        if self._pipeline_parameters is None:
            locs = [getattr(c, "pipeline_s3_loc", None) for c in self.load_configs().values()]
            self._pipeline_parameters = default_pipeline_parameters(next((x for x in locs if x), None))
        return self._pipeline_parameters

    def _choose_builders(self, dag: PipelineDAG, configs: dict[str, Any]
                         ) -> tuple[dict[str, BuilderChoice], dict[str, Placeholder]]:
        problems: list[AssemblyProblem] = []
        choices: dict[str, BuilderChoice] = {}
        placeholders: dict[str, Placeholder] = {}
        for node in dag.nodes:
            try:
                try:
                    choices[node] = self.loader.builder_for(configs[node], split_step_name(node)[0])
                except BuilderNotFoundError:  # no builder file: the interface's template builds the step
                    template = self.interface_steps() and self.interface_steps().choice_for(
                        configs[node], split_step_name(node)[0])
                    if not template:
                        raise
                    choices[node] = template
            except MissingPackageError as exc:
                job_type = getattr(configs[node], "job_type", None) or split_step_name(node)[1]
                try:
                    spec = self.loader.placeholder_spec(exc.choice.step, job_type)
                except BuilderLoadError:
                    spec = None
                if spec is None:
                    problems.append(AssemblyProblem("builder-exception", f"{exc} (and no specification to stand in "
                                                    "for it)", node, exc.path, exc.line))
                    continue
                choices[node] = exc.choice
                placeholders[node] = Placeholder(exc.package, spec, str(exc))
            except BuilderNotFoundError as exc:
                problems.append(AssemblyProblem("builder-not-found", str(exc), node, exc.path, exc.line))
            except BuilderLoadError as exc:
                problems.append(AssemblyProblem("builder-exception", str(exc), node, exc.path, exc.line))
        if problems:
            raise AssemblyError(problems)
        return choices, placeholders

    def create_assembler(self, dag: PipelineDAG) -> PipelineAssembler:
        """Map nodes to configs and builders; every mapping problem raises one :class:`AssemblyError`."""
        dag.validate()
        configs = self.load_configs()
        mapping = map_nodes_to_configs(dag, configs, self.node_config_map)
        problems = [AssemblyProblem("node-without-config", u.message, u.node) for u in mapping.unmapped_nodes]
        if problems:
            raise AssemblyError(problems)
        choices, placeholders = self._choose_builders(dag, mapping.resolved)
        return PipelineAssembler(dag, mapping.resolved, choices, self.sagemaker_session, self.role,
                                 self.pipeline_parameters(), self.repo_root, self.threshold, placeholders)

    def compile_with_report(self, dag: PipelineDAG, pipeline_name: str | None = None) -> tuple[Any, CompilationReport]:
        """The pipeline and a report of each node's config, builder and wired inputs (with scores)."""
        with self.build_context():
            assembler = self.create_assembler(dag)
            pipeline = assembler.build(pipeline_name)
        recorder = getattr(self.sagemaker_session, "recorder", None)
        report = CompilationReport(pipeline.name, [p.name for p in self.pipeline_parameters()], assembler.plan(),
                                   list(recorder.uploads) if recorder is not None else [])
        return pipeline, report

    def compile(self, dag: PipelineDAG, pipeline_name: str | None = None) -> Any:
        """The sagemaker ``Pipeline`` for ``dag``."""
        return self.compile_with_report(dag, pipeline_name)[0]

    def definition(self, pipeline: Any) -> str:
        """``pipeline.definition()``, offline when this compiler owns the session."""
        with self.build_context():
            return pipeline.definition()

    def default_pipeline_name(self) -> str:
        return pipeline_name_for(self.load_configs())
