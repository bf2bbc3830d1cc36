"""A step and its wiring as plain data, from the step model (both layouts look the same here).

The ``step`` tool shows what the contract and specs declare (ports, env vars, arguments); the
``wiring`` tool ranks every readable spec output of the project against a step's dependencies
with :mod:`cursus_core.deps`, the resolver CL3xx and the DAG compiler share, so the scores an
agent sees are the ones the build will use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cursus_core.deps import Provider, StepRef, rank_providers, resolve

from ..facts import OutputFacts, SpecFacts
from ..model import ProjectModel, StepModel
from .schema import CandidateOut, Components, EnvVars, InputPort, InputWiring, OutputPort, StepOut

Rel = Callable[[Path | str | None], str | None]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _job(job_type: str | None) -> str:
    return job_type or ""


def describe_step(step: StepModel, rel: Rel) -> StepOut:
    """Components, ports, env vars and job arguments of ``step`` (paths through ``rel``)."""
    info = step.info
    interface = info.interface is not None
    components = Components(
        script=rel(info.script), contract=None if interface else rel(info.contract),
        specs={} if interface else {_job(k): rel(v) or "" for k, v in sorted(info.specs.items(),
                                                                              key=lambda kv: kv[0] or "")},
        builder=rel(info.builder), config=rel(info.config), hyperparams=[rel(h) or "" for h in info.hyperparams],
        interface=rel(info.interface))
    contract = step.contract
    inputs: dict[str, InputPort] = {}
    outputs: dict[str, OutputPort] = {}
    if contract is not None:
        for name, entry in contract.inputs.items():
            inputs[name] = InputPort(logical_name=name, container_path=_text(entry.value), dependency_type=None,
                                     required=None, compatible_sources=[], semantic_keywords=[], job_types=[])
        for name, entry in contract.outputs.items():
            outputs[name] = OutputPort(logical_name=name, container_path=_text(entry.value), output_type=None,
                                       property_path=None, aliases=[], job_types=[])
    for variant in step.specs:
        for dep in variant.spec.dependencies:
            if dep.logical_name is None:
                continue
            port = inputs.setdefault(dep.logical_name, InputPort(
                logical_name=dep.logical_name, container_path=None, dependency_type=None, required=None,
                compatible_sources=[], semantic_keywords=[], job_types=[]))
            if not port["job_types"] or port["dependency_type"] is None:  # the first spec that declares it
                port["dependency_type"], port["required"] = dep.dependency_type, dep.required
                port["compatible_sources"] = list(dep.compatible_sources)
                port["semantic_keywords"] = list(dep.semantic_keywords)
            if _job(variant.job_type) not in port["job_types"]:
                port["job_types"].append(_job(variant.job_type))
        for out in variant.spec.outputs:
            if out.logical_name is None:
                continue
            oport = outputs.setdefault(out.logical_name, OutputPort(
                logical_name=out.logical_name, container_path=None, output_type=None, property_path=None,
                aliases=[], job_types=[]))
            if not oport["job_types"] or oport["output_type"] is None:
                oport["output_type"], oport["property_path"] = out.output_type, out.property_path
                oport["aliases"] = list(out.aliases)
            if _job(variant.job_type) not in oport["job_types"]:
                oport["job_types"].append(_job(variant.job_type))
    env = EnvVars(required=[i.name for i in contract.required_env_vars] if contract else [],
                  optional={k: _text(e.value) for k, e in contract.optional_env_vars.items()} if contract else {})
    arguments = {k: _text(e.value) for k, e in contract.expected_arguments.items()} if contract else {}
    registry = step.registry
    return StepOut(
        name=step.name, workspace=step.workspace_id, layout="interface" if interface else "classic",
        sagemaker_step_type=step.sagemaker_step_type,
        config_class=registry.config_class if registry else (step.config.name if step.config else None),
        builder_class=None if interface else (registry.builder_step_name if registry
                                              else (step.builder.name if step.builder else None)),
        components=components, inputs=list(inputs.values()), outputs=list(outputs.values()), env_vars=env,
        job_arguments=arguments)


def _spec_type(step: str, job_type: str | None, spec: SpecFacts) -> str:
    """The spec type as the spec writes it (``RiskTableMapping_Training``), else step + job type."""
    from cursus_core.base.specification import spec_type_with_job_type

    ref = spec.step_type
    if ref is not None and ref.base:
        return spec_type_with_job_type(ref.base, ref.job_type) if ref.job_type else ref.base
    return spec_type_with_job_type(step, job_type) if job_type else step


def _readable(out: OutputFacts) -> bool:
    return out.logical_name is not None and out.output_type is not None and not out.non_literal


def providers(project: ProjectModel, consumer: StepModel, upstream: set[str] | None = None) -> list[Provider]:
    """Every readable output the consumer may be wired to (of the ``upstream`` steps, when given):
    a workspace step sees the core and its own workspace, a core step every step; a spec file
    shared by several views counts once."""
    out: list[Provider] = []
    seen: set[tuple[Path, int, int]] = set()
    for step in project.steps:
        if consumer.workspace_id is not None and step.workspace_id not in (None, consumer.workspace_id):
            continue
        if upstream is not None and step.name not in upstream:
            continue
        for variant in step.specs:
            spec = variant.spec
            ref = StepRef(step.name, _spec_type(step.name, variant.job_type, spec), variant.job_type,
                          step.workspace_id)
            for output in spec.outputs:
                key = (variant.path, output.span.line, output.span.column)  # a workspace view of a core spec
                if _readable(output) and key not in seen:
                    seen.add(key)
                    out.append(Provider(ref, output, (variant.path, output.span.line)))
    return out


def wire_inputs(project: ProjectModel, step: StepModel, threshold: float, tie_margin: float, rel: Rel, *,
                input_name: str | None = None, job_type: str | None = None, limit: int = 5,
                upstream: set[str] | None = None) -> list[InputWiring]:
    """For each dependency of each spec variant of ``step`` (narrowed by name / job type): the
    resolver's decision among the outputs of the ``upstream`` steps (default: all) and its best
    ``limit`` candidates, each output once (job-type variants of one provider step share them)."""
    pool = providers(project, step, upstream)
    out: list[InputWiring] = []
    for variant in step.specs:
        if job_type is not None and _job(variant.job_type) != job_type:
            continue
        consumer = StepRef(step.name, _spec_type(step.name, variant.job_type, variant.spec), variant.job_type,
                           step.workspace_id)
        for dep in variant.spec.dependencies:
            if dep.logical_name is None or dep.dependency_type is None:
                continue
            if input_name is not None and dep.logical_name != input_name:
                continue
            decision = resolve(dep, pool, threshold, tie_margin, consumer=consumer)
            candidates: list[CandidateOut] = []
            shown: set[tuple[str, str | None, str]] = set()
            for c in rank_providers(dep, pool, consumer=consumer):
                output = c.provider.output
                identity = (c.provider.step.name, c.provider.step.workspace_id, output.logical_name)
                if identity in shown:
                    continue
                shown.add(identity)
                path, line = c.provider.ref
                candidates.append(CandidateOut(
                    step=c.provider.step.name, workspace=c.provider.step.workspace_id,
                    spec_type=c.provider.step.label, output=output.logical_name, score=c.total,
                    parts=dict(c.score.parts), explanation=list(c.score.explanation), path=rel(path) or "", line=line))
                if len(candidates) >= limit:
                    break
            out.append(InputWiring(
                input=dep.logical_name, job_type=variant.job_type, dependency_type=dep.dependency_type,
                required=dep.required, best=decision.best.label if decision.best else None,
                ambiguous=decision.ambiguous, reason=decision.reason, candidates=candidates))
    return out
