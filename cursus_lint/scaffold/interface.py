"""The interface layout's ``<snake>.step.yaml``: contract, spec, registry row and job-type variants
in one file (keys as :mod:`cursus_core.interface.schema` defines them)."""

from __future__ import annotations

import json
import re
from typing import Any

from .design import StepDesign

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

_COMPUTE: dict[str, dict[str, Any]] = {
    "Processing": {"kind": "sklearn", "framework_version_field": "processing_framework_version"},
    "Training": {"kind": "estimator", "sdk_class": "SKLearn",
                 "framework_version_field": "training_framework_version", "py_version_field": "training_py_version"},
    "CreateModel": {"kind": "model", "framework_name": "sklearn",
                    "framework_version_field": "inference_framework_version",
                    "py_version_field": "inference_py_version"},
    "Transform": {"kind": "transformer"},
}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) and key not in ("null", "true", "false", "yes", "no") else json.dumps(key)


def to_yaml(data: dict[str, Any], indent: int = 0) -> list[str]:
    """Block mappings, flow lists of scalars, block lists of mappings; every string double-quoted."""
    pad = " " * indent
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            if value:
                lines.append(f"{pad}{_key(key)}:")
                lines += to_yaml(value, indent + 2)
            else:
                lines.append(f"{pad}{_key(key)}: {{}}")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{pad}{_key(key)}:")
            for item in value:
                inner = to_yaml(item, indent + 4)
                lines.append(f"{pad}  - {inner[0].lstrip()}")
                lines += inner[1:]
        elif isinstance(value, list):
            lines.append(f"{pad}{_key(key)}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{pad}{_key(key)}: {_scalar(value)}")
    return lines


def interface_data(step: StepDesign) -> dict[str, Any]:
    contract: dict[str, Any] = {"entry_point": f"{step.snake}.py" if step.has_script else None}
    contract["inputs"] = {d.name: {"path": d.path, "required": d.required} for d in step.dependencies}
    contract["outputs"] = {o.name: {"path": o.path} for o in step.outputs}
    if step.job_types and step.has_script:
        contract["job_arguments"] = [{"flag": "--job_type", "source": "job_type"}]
    if step.has_script:
        contract["env_vars"] = {"required": list(step.env_required), "optional": dict(step.env_optional)}
    contract["description"] = step.description
    deps = {d.name: {"type": d.dependency_type, "required": d.required, "compatible_sources": d.compatible_sources,
                     "semantic_keywords": d.keywords, "data_type": d.data_type, "description": d.description}
            for d in step.dependencies}
    outs = {o.name: {"type": o.output_type, "property_path": o.property_path, "data_type": o.data_type,
                     "description": o.description} for o in step.outputs}
    data: dict[str, Any] = {
        "step_type": step.name,
        "node_type": step.node_type,
        "registry": {"sagemaker_step_type": step.sagemaker_type, "description": step.description},
        "compute": dict(_COMPUTE[step.sagemaker_type]),
        "contract": contract,
        "spec": {"dependencies": deps, "outputs": outs},
    }
    if step.job_types:
        variants: dict[str, Any] = {}
        for jt in step.job_types:
            if step.dependencies:
                keywords = {d.name: {"semantic_keywords": [jt, *[k for k in d.keywords if k != jt]]}
                            for d in step.dependencies}
                variants[jt] = {"spec": {"dependencies": keywords}}
            else:
                variants[jt] = {"spec": {"outputs": {o.name: {"description": f"{o.description} ({jt})"}
                                                     for o in step.outputs}}}
        data["variants"] = variants
    return data


def render_interface(step: StepDesign) -> str:
    header = [f"# {step.name}: contract, specification and registry entry of the step (interface layout)."]
    return "\n".join(header + to_yaml(interface_data(step))) + "\n"
