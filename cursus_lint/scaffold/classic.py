"""The classic layout's contract, spec(s) and builder of a new step (the fixtures' shapes)."""

from __future__ import annotations

import json

from .design import Dependency, Output, StepDesign

_ENUM = {"processing_output": "PROCESSING_OUTPUT", "training_data": "TRAINING_DATA",
         "model_artifacts": "MODEL_ARTIFACTS", "custom_property": "CUSTOM_PROPERTY",
         "hyperparameters": "HYPERPARAMETERS", "payload_samples": "PAYLOAD_SAMPLES"}


def _q(text: str) -> str:
    return json.dumps(text)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def contract_variable(step: StepDesign) -> str:
    return f"{step.const}_CONTRACT"


def spec_variable(step: StepDesign, job_type: str | None) -> str:
    return f"{step.const}_{job_type.upper()}_SPEC" if job_type else f"{step.const}_SPEC"


def spec_module(step: StepDesign, job_type: str | None) -> str:
    return f"{step.snake}_{job_type}_spec" if job_type else f"{step.snake}_spec"


def render_contract(step: StepDesign) -> str:
    cls = "TrainingScriptContract" if step.sagemaker_type == "Training" else "ScriptContract"

    def mapping(items: list[tuple[str, str]]) -> list[str]:
        if not items:
            return ["{},"]
        return ["{", *[f"        {_q(k)}: {_q(v)}," for k, v in items], "    },"]

    ins = mapping([(d.name, d.path) for d in step.dependencies if d.path])
    outs = mapping([(o.name, o.path) for o in step.outputs if o.path])
    args = {"job_type": step.job_types[0]} if step.job_types else {}
    optional = "{" + ", ".join(f"{_q(k)}: {_q(v)}" for k, v in step.env_optional.items()) + "}"
    lines = [f'"""Script contract for {step.snake}.py."""', "", f"from cursus_core.base import {cls}", "",
             f"{contract_variable(step)} = {cls}(", f"    entry_point={_q(step.snake + '.py')},",
             f"    expected_input_paths={ins[0]}", *ins[1:], f"    expected_output_paths={outs[0]}", *outs[1:],
             f"    expected_arguments={json.dumps(args)},",
             f"    required_env_vars={_list(step.env_required)},",
             f"    optional_env_vars={optional},",
             f"    description={_q(step.description)},", ")", ""]
    return "\n".join(lines)


def _dependency(dep: Dependency, job_type: str | None) -> list[str]:
    keywords = ([job_type] if job_type and job_type not in dep.keywords else []) + dep.keywords
    return ["        DependencySpec(",
            f"            logical_name={_q(dep.name)},",
            f"            dependency_type=DependencyType.{_ENUM[dep.dependency_type]},",
            f"            required={dep.required},",
            f"            compatible_sources={_list(dep.compatible_sources)},",
            f"            semantic_keywords={_list(keywords)},",
            f"            data_type={_q(dep.data_type)},",
            f"            description={_q(dep.description)},",
            "        ),"]


def _output(out: Output) -> list[str]:
    return ["        OutputSpec(",
            f"            logical_name={_q(out.name)},",
            f"            output_type=DependencyType.{_ENUM[out.output_type]},",
            f"            property_path={_q(out.property_path)},",
            f"            data_type={_q(out.data_type)},",
            f"            description={_q(out.description)},",
            "        ),"]


def render_spec(step: StepDesign, job_type: str | None) -> str:
    names = ["DependencySpec", "DependencyType", "NodeType", "OutputSpec", "StepSpecification"]
    if job_type:
        names.append("spec_type_with_job_type")
    if not step.dependencies:
        names.remove("DependencySpec")
    if not step.outputs:
        names.remove("OutputSpec")
    step_type = f"spec_type_with_job_type({_q(step.name)}, {_q(job_type)})" if job_type else _q(step.name)
    what = f" for the {job_type} job type" if job_type else ""
    lines = [f'"""{step.name} specification{what}."""', "",
             "from cursus_core.base import (", *[f"    {n}," for n in names], ")", ""]
    if step.has_script:
        lines += [f"from ..contracts.{step.snake}_contract import {contract_variable(step)}", ""]
    lines += [f"{spec_variable(step, job_type)} = StepSpecification(", f"    step_type={step_type},",
              f"    node_type=NodeType.{step.node_type.upper()},"]
    if step.has_script:
        lines.append(f"    script_contract={contract_variable(step)},")
    lines.append("    dependencies=[")
    for dep in step.dependencies:
        lines += _dependency(dep, job_type)
    lines += ["    ],", "    outputs=["]
    for out in step.outputs:
        lines += _output(out)
    lines += ["    ],", ")", ""]
    return "\n".join(lines)
