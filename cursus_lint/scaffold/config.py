"""The config class (three tiers: essential fields, defaulted system fields, derived properties)
and, for training steps, the hyperparameters class."""

from __future__ import annotations

import json
from pathlib import Path

from ..model import known_base_members
from .design import StepDesign

_OWN_TRAINING_FIELDS = [
    '    training_instance_type: str = Field(default="ml.m5.xlarge", description="Training instance type.")',
    '    training_instance_count: int = Field(default=1, ge=1, description="Number of training instances.")',
    '    training_volume_size: int = Field(default=30, ge=1, description="EBS volume per instance in GB.")',
    '    training_max_run_seconds: int = Field(default=86400, ge=60, description="Hard stop for the training job.")',
    '    training_source_dir: Optional[str] = Field(default=None, description="Source dir of the training script.")',
]


def _tuple(items: list[str]) -> str:
    return "(" + ", ".join(f'"{i}"' for i in items) + ("," if len(items) == 1 else "") + ")"


def env_field(step: StepDesign, env: str) -> str:
    """The config field carrying env var ``env``: its lower-case name unless a base class has that name."""
    taken = (known_base_members("BasePipelineConfig") or frozenset()) | (
        known_base_members("ProcessingStepConfigBase") or frozenset())
    name = env.lower()
    return f"{name}_value" if name in taken or name == "job_type" else name


def hyperparameters_class(step: StepDesign) -> str:
    return f"{step.name}Hyperparameters"


def hyperparameters_module(step: StepDesign) -> str:
    return f"hyperparameters_{step.snake}"


def render_hyperparameters(step: StepDesign) -> str:
    return "\n".join([
        f'"""Hyperparameters of the {step.name} step, passed to the estimator and serialized to strings."""',
        "",
        "from pydantic import Field",
        "",
        "from cursus_core.base import ModelHyperparameters",
        "",
        "",
        f"class {hyperparameters_class(step)}(ModelHyperparameters):",
        '    """Training settings on top of the shared field lists (full/cat/tab fields, label, classes)."""',
        "",
        "    # ===== Tier 2: system inputs with defaults =====",
        f'    model_class: str = "{step.snake}"',
        '    epochs: int = Field(default=10, ge=1, description="Passes over the training data.")',
        '    learning_rate: float = Field(default=0.1, gt=0.0, description="Step size of each update.")',
        "",
    ])


def _base(step: StepDesign, training_base: Path | None, configs_dir: Path) -> tuple[str, list[str]]:
    """(base class, import lines)."""
    if step.sagemaker_type == "Processing":
        return "ProcessingStepConfigBase", ["from cursus_core.base import ProcessingStepConfigBase"]
    if step.sagemaker_type == "Training" and training_base is not None and training_base.parent == configs_dir:
        return "TrainingStepConfigBase", [f"from .{training_base.stem} import TrainingStepConfigBase"]
    return "BasePipelineConfig", ["from cursus_core.base import BasePipelineConfig"]


def render_config(step: StepDesign, training_base: Path | None, configs_dir: Path) -> str:
    base, base_imports = _base(step, training_base, configs_dir)
    kind = step.sagemaker_type
    tier1: list[str] = []
    tier2: list[str] = []
    typing = {"Dict", "List", "Optional"}
    if step.job_types:
        tier1.append(f'    job_type: str = Field(description="One of {", ".join(step.job_types)}; selects the spec.")')
    for env in step.env_required:
        tier1.append(f'    {env_field(step, env)}: str = Field(description="Value of the {env} env var.")')
    if kind == "Processing":
        tier2.append(f'    processing_entry_point: str = "{step.snake}.py"')
    elif kind == "Training":
        if base != "TrainingStepConfigBase":
            tier2 += _OWN_TRAINING_FIELDS
        tier1.append(f'    hyperparameters: {hyperparameters_class(step)} = Field(description="Settings passed to the '
                     'training script.")')
        # own names: from_base_config would carry the base's framework_version/py_version over defaults
        tier2 += [f'    training_entry_point: str = "{step.snake}.py"',
                  '    training_framework_version: str = Field(default="1.2-1", description="SKLearn framework '
                  'version of the training image.")',
                  '    training_py_version: str = Field(default="py3", description="Python version of the training '
                  'image.")']
    elif kind == "CreateModel":
        tier1.append('    inference_instance_type: str = Field(description="Instance type the model is created for.")')
        tier2 += ['    inference_framework: str = Field(default="sklearn", description="Framework of the serving '
                  'image.")',
                  '    inference_framework_version: str = Field(default="1.2-1", description="Version of the '
                  'serving image.")',
                  '    inference_py_version: str = Field(default="py3", description="Python version of the '
                  'serving image.")']
    else:
        tier1.append('    transform_instance_type: str = Field(description="Transform instance type.")')
        tier2 += ['    transform_instance_count: int = Field(default=1, ge=1, description="Transform instances.")',
                  '    content_type: str = Field(default="text/csv", description="MIME type of the input records.")',
                  '    accept: str = Field(default="text/csv", description="MIME type of the predictions.")',
                  '    split_type: str = Field(default="Line", description="How input files are split into records.")']
    for env, default in step.env_optional.items():
        tier2.append(f"    {env_field(step, env)}: str = Field(default={json.dumps(default)}, "
                     f'description="Value of the {env} env var.")')
    body: list[str] = []
    if tier1:
        body += ["    # ===== Tier 1: essential user inputs =====", *tier1, ""]
    body += ["    # ===== Tier 2: system inputs with defaults =====", *tier2, ""]
    body += ["    # ===== Tier 3: derived, exposed read-only =====",
             "    _output_segments: Optional[List[str]] = PrivateAttr(default=None)"]
    if kind == "Training" and base != "TrainingStepConfigBase":
        body.append("    _effective_training_source_dir: Optional[str] = PrivateAttr(default=None)")
    if step.job_types:
        body += ["", '    @field_validator("job_type")', "    @classmethod",
                 "    def _known_job_type(cls, value: str) -> str:",
                 f"        if value not in {_tuple(list(step.job_types))}:",
                 f'            raise ValueError(f"job_type must be one of {", ".join(step.job_types)}, '
                 'got {value!r}")',
                 "        return value"]
    segments = f'["{step.snake}", self.job_type]' if step.job_types else f'["{step.snake}"]'
    body += ["", "    @property", "    def output_segments(self) -> List[str]:",
             '        """Folders of this step below the execution prefix (where its outputs go by default)."""',
             "        if self._output_segments is None:",
             f"            self._output_segments = {segments}",
             "        return self._output_segments"]
    if kind == "Training" and base != "TrainingStepConfigBase":
        body += ["", "    @property", "    def effective_training_source_dir(self) -> Optional[str]:",
                 '        """training_source_dir when set, else the pipeline-wide source_dir."""',
                 "        if self._effective_training_source_dir is None:",
                 "            self._effective_training_source_dir = self.training_source_dir or self.source_dir",
                 "        return self._effective_training_source_dir"]
    env_names = [*step.env_required, *step.env_optional]
    if env_names:
        values = ", ".join(f'"{env}": self.{env_field(step, env)}' for env in env_names)
        body += ["", "    def get_environment_variables(self, names: List[str]) -> Dict[str, str]:",
                 '        """Values of the env vars the contract declares, by name."""',
                 f"        values = {{{values}}}",
                 "        return {name: values[name] for name in names if name in values}"]
    pydantic = ["Field", "PrivateAttr"] + (["field_validator"] if step.job_types else [])
    imports = [f"from typing import {', '.join(sorted(typing))}", "",
               f"from pydantic import {', '.join(pydantic)}", ""]
    local = list(base_imports)
    if kind == "Training":
        local.insert(0, f"from ..hyperparams.{hyperparameters_module(step)} import {hyperparameters_class(step)}")
    core = [line for line in local if line.startswith("from cursus_core")]
    rel = [line for line in local if not line.startswith("from cursus_core")]
    imports += core + ([""] if core and rel else []) + rel
    header = [f'"""Configuration of the {step.name} step ({kind})."""', "", *imports, "", "",
              f"class {step.name}Config({base}):", f'    """Settings of the {step.name} step."""', ""]
    text = "\n".join(header + body) + "\n"
    if "Dict[" not in text.split("class ", 1)[1]:
        text = text.replace("from typing import Dict, List, Optional", "from typing import List, Optional")
    return text
