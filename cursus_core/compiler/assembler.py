"""Assemble a SageMaker Pipeline from a DAG, one config and one builder class per node.

Planning comes first and collects every problem it can (a builder that cannot be created, a
required input nobody provides, an ambiguous provider) so a user sees them all at once; only a
clean plan is built. Wiring uses :mod:`cursus_core.deps` over the DAG edges only: a dependency
is offered the outputs of the node's direct upstream nodes and nothing else. Built steps are
wired through each output's ``property_path`` on the upstream step objects.

sagemaker is imported only when :meth:`PipelineAssembler.build` runs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cursus_core.base.builder import EXECUTION_PREFIX_PARAM, follow_property_path
from cursus_core.base.specification import spec_type_with_job_type
from cursus_core.compiler.builder_loader import BuilderChoice, user_frame
from cursus_core.compiler.builder_matching import describe_source, pin_dependency_matching
from cursus_core.compiler.node_mapping import split_step_name
from cursus_core.dag import PipelineDAG
from cursus_core.deps import Provider, StepRef, resolve

__all__ = [
    "AssemblyProblem", "AssemblyError", "WiredInput", "UnwiredInput", "NodeReport", "PipelineAssembler", "Placeholder",
    "pipeline_name_for",
]

#: Why a required input of a node without upstream nodes is not a planning problem.
SOURCE_NODE_REASON = "no upstream node provides it: left to the builder, which supplies it from its config"

#: A score below this never wires a dependency (see cursus_core.deps.resolver).
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class AssemblyProblem:
    """One reason the pipeline cannot be built; ``kind`` is a dry-run problem kind."""

    kind: str
    message: str
    node: str | None = None
    path: Path | None = None
    line: int | None = None


class AssemblyError(Exception):
    """Planning or building found problems; all of them are in ``problems``."""

    def __init__(self, problems: list[AssemblyProblem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass(frozen=True)
class WiredInput:
    """A dependency wired to ``provider_node.provider_output`` with its score and why."""

    dependency: str
    required: bool
    provider_node: str
    provider_output: str
    property_path: str
    score: float
    explanation: tuple[str, ...] = ()
    ambiguous: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"dependency": self.dependency, "required": self.required, "provider_node": self.provider_node,
                "provider_output": self.provider_output, "property_path": self.property_path,
                "score": self.score, "explanation": list(self.explanation), "ambiguous": self.ambiguous}


@dataclass(frozen=True)
class UnwiredInput:
    """A dependency left unwired: its reason and the candidates considered (label, score)."""

    dependency: str
    required: bool
    reason: str
    candidates: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"dependency": self.dependency, "required": self.required, "reason": self.reason,
                "candidates": [{"provider": label, "score": score} for label, score in self.candidates]}


@dataclass(frozen=True)
class Placeholder:
    """A node whose builder needs a package that is not installed: its spec stands in for it, and
    each output becomes a pipeline parameter ``<node>_<output>`` so everything downstream builds."""

    package: str
    spec: Any
    reason: str

    def parameter_name(self, node: str, output: str) -> str:
        return re.sub(r"[^A-Za-z0-9_-]", "_", f"{node}_{output}")


class _StandIn:
    """What the planner sees of a placeholder node: its spec and nothing else."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec


@dataclass
class NodeReport:
    """What was chosen for one node: config, builder, spec and every input."""

    node: str
    config_class: str
    step: str | None = None
    job_type: str | None = None
    builder_class: str | None = None
    builder_file: str | None = None
    sagemaker_step_type: str | None = None
    spec_type: str | None = None
    inputs: list[WiredInput] = field(default_factory=list)
    unwired: list[UnwiredInput] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    #: the missing package when the node is a placeholder
    placeholder: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "config_class": self.config_class, "step": self.step, "job_type": self.job_type,
                "placeholder": self.placeholder,
                "builder_class": self.builder_class, "builder_file": self.builder_file,
                "sagemaker_step_type": self.sagemaker_step_type, "spec_type": self.spec_type,
                "inputs": [w.to_dict() for w in self.inputs], "unwired": [u.to_dict() for u in self.unwired],
                "outputs": dict(self.outputs)}


def pipeline_name_for(configs: dict[str, Any]) -> str:
    """The configs' shared ``pipeline_name``, made a valid SageMaker pipeline name."""
    for config in configs.values():
        name = getattr(config, "pipeline_name", None)
        if isinstance(name, str) and name:
            return re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-")[:256] or "dry-run-pipeline"
    return "dry-run-pipeline"


def _rel(path: Path | None, root: Path | None) -> str | None:
    if path is None:
        return None
    if root is not None and path.resolve().is_relative_to(root):
        return path.resolve().relative_to(root).as_posix()
    return str(path)


class PipelineAssembler:
    """Builders per node -> wiring plan -> sagemaker steps -> ``Pipeline``."""

    def __init__(self, dag: PipelineDAG, configs: dict[str, Any], builders: dict[str, BuilderChoice],
                 sagemaker_session: Any, role: str | None, pipeline_parameters: list[Any],
                 repo_root: Path | None = None, threshold: float = DEFAULT_THRESHOLD,
                 placeholders: dict[str, Placeholder] | None = None) -> None:
        self.dag = dag
        self.configs = configs
        self.choices = builders
        self.session = sagemaker_session
        self.role = role
        self.parameters = list(pipeline_parameters)
        self.repo_root = repo_root.resolve() if repo_root is not None else None
        self.threshold = threshold
        self.placeholders = dict(placeholders or {})
        self.order = dag.topological_order()
        self.builders: dict[str, Any] = {}
        self.reports: dict[str, NodeReport] = {}
        self.wiring: dict[str, dict[str, tuple[str, str]]] = {}
        self.problems: list[AssemblyProblem] = []
        self._planned = False
        #: called with one line per node as it is created and built (``cursus-lint build`` progress)
        self.on_progress: Callable[[str], None] | None = None

    def _progress(self, text: str) -> None:
        if self.on_progress is not None:
            self.on_progress(text)

    # -- planning ----------------------------------------------------------------------
    def _builder_problem(self, node: str, what: str, exc: BaseException, choice: BuilderChoice,
                         kind: str = "builder-exception") -> AssemblyProblem:
        path, line = user_frame(exc, self.repo_root) if self.repo_root else (None, None)
        return AssemblyProblem(kind, f"{choice.builder_class.__name__} {what} for node '{node}': "
                                     f"{type(exc).__name__}: {exc}", node, path or choice.builder_file, line)

    def _instantiate(self, node: str) -> None:
        choice, config = self.choices[node], self.configs[node]
        canonical, node_job = split_step_name(node)
        job_type = getattr(config, "job_type", None) or node_job
        report = NodeReport(node, type(config).__name__, choice.step, job_type, choice.builder_class.__name__,
                            _rel(choice.builder_file, self.repo_root), choice.definition.sagemaker_step_type)
        self.reports[node] = report
        if node in self.placeholders:
            stand_in = self.placeholders[node]
            report.builder_class, report.placeholder = None, stand_in.package
            report.spec_type = getattr(stand_in.spec, "step_type", None)
            self.builders[node] = _StandIn(stand_in.spec)
            return
        try:
            builder = choice.builder_class(config=config, sagemaker_session=self.session,
                                           role=self.role or getattr(config, "role", None))
        except Exception as exc:
            self.problems.append(self._builder_problem(node, "could not be created", exc, choice))
            return
        if hasattr(builder, "set_pipeline_parameters"):
            builder.set_pipeline_parameters(self.parameters)
        builder.step_name = node
        spec = getattr(builder, "spec", None)
        report.spec_type = getattr(spec, "step_type", None) or spec_type_with_job_type(choice.step, job_type)
        try:
            builder.validate_configuration()
        except Exception as exc:
            self.problems.append(self._builder_problem(node, "rejected its config", exc, choice, "config-invalid"))
            return
        self.builders[node] = builder

    def _step_ref(self, node: str) -> StepRef:
        spec = getattr(self.builders.get(node), "spec", None)
        return StepRef(node, getattr(spec, "step_type", None), self.reports[node].job_type)

    def _wire(self, node: str) -> None:
        builder, report = self.builders[node], self.reports[node]
        spec = getattr(builder, "spec", None)
        self.wiring[node] = {}
        if spec is None:
            return
        failed = [up for up in self.dag.get_dependencies(node) if up not in self.builders]
        if failed:  # its own problem is reported already; guessing the wiring would only add noise
            reason = f"not resolved: upstream {', '.join(repr(u) for u in failed)} could not be created"
            report.unwired.extend(UnwiredInput(d.logical_name, d.required, reason) for d in spec.dependencies.values())
            return
        providers = [Provider(self._step_ref(up), output, (up, output))
                     for up in self.dag.get_dependencies(node) if up in self.builders
                     for output in getattr(self.builders[up].spec, "outputs", {}).values()]
        consumer = self._step_ref(node)
        for dep in spec.dependencies.values():
            res = resolve(dep, providers, threshold=self.threshold, consumer=consumer)
            listing = tuple((c.label, c.total) for c in res.candidates)
            if res.best is not None and not (res.ambiguous and dep.required):
                up, output = res.best.provider.ref
                self.wiring[node][dep.logical_name] = (up, output.logical_name)
                report.inputs.append(WiredInput(dep.logical_name, dep.required, up, output.logical_name,
                                                output.property_path, res.best.total,
                                                tuple(res.best.score.explanation), res.ambiguous))
                continue
            if dep.required and not self.dag.get_dependencies(node):
                # A DAG source node (data loading) reads its inputs from its config: as in cursus,
                # the builder supplies them or raises in create_step, which is reported there.
                report.unwired.append(UnwiredInput(dep.logical_name, True, SOURCE_NODE_REASON, listing))
                continue
            report.unwired.append(UnwiredInput(dep.logical_name, dep.required, res.reason, listing))
            if not dep.required:
                continue
            upstream = ", ".join(f"'{u}'" for u in self.dag.get_dependencies(node)) or "none"
            if res.ambiguous:
                self.problems.append(AssemblyProblem(
                    "ambiguous-wiring", f"node '{node}': required input '{dep.logical_name}' is ambiguous: "
                                        f"{res.reason.removeprefix('ambiguous, took the first of: ')}", node))
            else:
                scored = ", ".join(f"{label} ({score:.2f})" for label, score in listing) or "no compatible output"
                self.problems.append(AssemblyProblem(
                    "required-input-not-wired",
                    f"node '{node}': required input '{dep.logical_name}' has no provider among its upstream "
                    f"nodes ({upstream}) scoring at least {self.threshold:.2f}; candidates: {scored}", node))

    def plan(self) -> list[NodeReport]:
        """Create every builder and choose every input; problems go to ``self.problems``."""
        if not self._planned:
            for i, node in enumerate(self.order, start=1):
                self._progress(f"[{i}/{len(self.order)}] creating the builder of {node}")
                self._instantiate(node)
            for node in self.order:
                if node in self.builders:
                    self._wire(node)
            self._planned = True
        return [self.reports[n] for n in self.order if n in self.reports]

    # -- building ----------------------------------------------------------------------
    def execution_prefix(self, node: str) -> Any:
        """The ``EXECUTION_S3_PREFIX`` parameter when given, else the node config's ``pipeline_s3_loc``."""
        for parameter in self.parameters:
            if getattr(parameter, "name", None) == EXECUTION_PREFIX_PARAM:
                return parameter
        return self.configs[node].pipeline_s3_loc

    def _drop_match(self, node: str, name: str, value: Any) -> None:
        """Say in the node's report that the builder's own matching picked an input the compiler left unwired."""
        report = self.reports[node]
        note = (f"the builder's own dependency matching picked {describe_source(value)}; not passed, "
                f"only inputs wired here are")
        for i, unwired in enumerate(report.unwired):
            if unwired.dependency == name:
                report.unwired[i] = UnwiredInput(name, unwired.required, f"{unwired.reason}; {note}",
                                                 unwired.candidates)
                return
        report.unwired.append(UnwiredInput(name, False, note))

    def build(self, pipeline_name: str | None = None) -> Any:
        """The sagemaker ``Pipeline``; raises :class:`AssemblyError` with every problem found."""
        self.plan()
        if self.problems:
            raise AssemblyError(self.problems)
        from sagemaker.workflow.functions import Join
        from sagemaker.workflow.parameters import ParameterString
        from sagemaker.workflow.pipeline import Pipeline

        steps: dict[str, Any] = {}
        stand_ins: dict[str, dict[str, Any]] = {}
        for i, node in enumerate(self.order, start=1):
            self._progress(f"[{i}/{len(self.order)}] building step {node}")
            builder, report = self.builders[node], self.reports[node]
            if node in self.placeholders:
                holder, loc = self.placeholders[node], getattr(self.configs[node], "pipeline_s3_loc", None)
                stand_ins[node] = {
                    name: ParameterString(name=holder.parameter_name(node, name),
                                          default_value=f"{loc}/{node}/{name}" if isinstance(loc, str) else "")
                    for name in builder.spec.outputs}
                report.outputs = {name: f"parameter {p.name}" for name, p in stand_ins[node].items()}
                continue
            prefix = self.execution_prefix(node)
            outputs = {name: Join(on="/", values=[prefix, node, name]) for name in builder.spec.outputs}
            report.outputs = {name: f"{{execution prefix}}/{node}/{name}" for name in outputs}
            if hasattr(builder, "output_destinations"):  # template builders: <prefix>/<step>[/<job_type>]/<name>
                outputs = builder.output_destinations(prefix)
                report.outputs = {name: builder.describe_output(name) for name in outputs}
            inputs: dict[str, Any] = {}
            for dep_name, (up, out_name) in self.wiring[node].items():
                if up in stand_ins:
                    inputs[dep_name] = stand_ins[up][out_name]
                    continue
                path = self.builders[up].spec.outputs[out_name].property_path
                try:
                    inputs[dep_name] = follow_property_path(steps[up], path)
                except Exception as exc:
                    choice = self.choices[up]
                    self.problems.append(AssemblyProblem(
                        "builder-exception", f"node '{node}': input '{dep_name}' reads '{path}' on step '{up}', "
                                             f"which the {type(steps[up]).__name__} built by "
                                             f"{choice.builder_class.__name__} does not have ({exc})",
                        up, choice.builder_file, None))
                    raise AssemblyError(self.problems) from exc
            dependencies = [steps[up] for up in self.dag.get_dependencies(node) if up in steps]
            pin_dependency_matching(builder, inputs, functools.partial(self._drop_match, node))
            try:
                steps[node] = builder.create_step(inputs=inputs, outputs=outputs, dependencies=dependencies)
            except Exception as exc:
                self.problems.append(self._builder_problem(node, "raised in create_step", exc, self.choices[node]))
                raise AssemblyError(self.problems) from exc
        name = pipeline_name or pipeline_name_for(self.configs)
        parameters = self.parameters + [p for node in self.order for p in stand_ins.get(node, {}).values()]
        return Pipeline(name=name, parameters=parameters, steps=[steps[n] for n in self.order if n in steps],
                        sagemaker_session=self.session)
