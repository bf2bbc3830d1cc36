"""Step specifications: what a step consumes and produces, by logical name.

Specifications are how steps are wired together: a dependency of one step is satisfied by an
output of another, matched by type, compatible source and semantic keywords. The rules here are
the ones a pipeline needs to be wireable at all (unique names, node shapes, property paths).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .contract import ScriptContract, TrainingScriptContract, ValidationResult
from .naming import spec_type_with_job_type

__all__ = [
    "DependencyType",
    "NodeType",
    "DependencySpec",
    "OutputSpec",
    "StepSpecification",
    "spec_type_with_job_type",
]


class DependencyType(str, Enum):
    """Kind of artifact passed between steps."""

    MODEL_ARTIFACTS = "model_artifacts"
    PROCESSING_OUTPUT = "processing_output"
    TRAINING_DATA = "training_data"
    HYPERPARAMETERS = "hyperparameters"
    PAYLOAD_SAMPLES = "payload_samples"
    CUSTOM_PROPERTY = "custom_property"


class NodeType(str, Enum):
    """Position of a step in the DAG, which fixes whether it has dependencies and outputs."""

    SOURCE = "source"
    INTERNAL = "internal"
    SINK = "sink"
    SINGULAR = "singular"


def _enum_member(enum: type[Enum], field: str, value: Any) -> Any:
    """Accept a member, its value or its name in any case; anything else gets a clear error."""
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        for member in enum:
            if value.lower() in (member.value, member.name.lower()):
                return member
    choices = ", ".join(m.value for m in enum)
    raise ValueError(f"{field}: {value!r} is not a {enum.__name__}; expected one of {choices}")


def _non_empty(field: str, value: str) -> str:
    if not value.strip():
        raise ValueError(f"{field}: must be a non-empty string, got {value!r}")
    return value


class DependencySpec(BaseModel):
    """An input a step needs, described so the resolver can find a provider for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    logical_name: str
    dependency_type: DependencyType
    required: bool = True
    compatible_sources: list[str] = Field(default_factory=list)
    semantic_keywords: list[str] = Field(default_factory=list)
    data_type: str = "S3Uri"
    description: str = ""

    @field_validator("logical_name", "data_type")
    @classmethod
    def _not_empty(cls, value: str, info: Any) -> str:
        return _non_empty(info.field_name, value)

    @field_validator("dependency_type", mode="before")
    @classmethod
    def _dependency_type(cls, value: Any) -> Any:
        return _enum_member(DependencyType, "dependency_type", value)


class OutputSpec(BaseModel):
    """An output a step produces and the runtime property path that locates it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    logical_name: str
    output_type: DependencyType
    property_path: str
    aliases: list[str] = Field(default_factory=list)
    data_type: str = "S3Uri"
    description: str = ""

    @field_validator("logical_name", "data_type")
    @classmethod
    def _not_empty(cls, value: str, info: Any) -> str:
        return _non_empty(info.field_name, value)

    @field_validator("output_type", mode="before")
    @classmethod
    def _output_type(cls, value: Any) -> Any:
        return _enum_member(DependencyType, "output_type", value)

    @field_validator("property_path")
    @classmethod
    def _property_path(cls, value: str) -> str:
        if not value.startswith("properties.") or value == "properties.":
            raise ValueError(f"property_path: {value!r} must start with 'properties.'")
        return value

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: list[str]) -> list[str]:
        for alias in value:
            _non_empty("aliases", alias)
        return value

    @property
    def names(self) -> list[str]:
        """The logical name followed by every alias."""
        return [self.logical_name, *self.aliases]


def _keyed(field: str, value: Any, model: type[BaseModel]) -> Any:
    """Normalize a list or dict of specs to a dict keyed by logical name, rejecting duplicates."""
    if value is None:
        return {}
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            spec: Any = item if isinstance(item, model) else model.model_validate(item)
            if key != spec.logical_name:
                raise ValueError(f"{field}: key {key!r} does not match logical_name {spec.logical_name!r}")
            items.append(spec)
    elif isinstance(value, (list, tuple)):
        items = [item if isinstance(item, model) else model.model_validate(item) for item in value]
    else:
        return value
    keyed: dict[str, Any] = {}
    for spec in items:
        if spec.logical_name in keyed:
            raise ValueError(f"{field}: duplicate logical_name {spec.logical_name!r}")
        keyed[spec.logical_name] = spec
    return keyed


class StepSpecification(BaseModel):
    """Declarative interface of one step type (or one job-type variant of it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step_type: str
    node_type: NodeType
    script_contract: TrainingScriptContract | ScriptContract | None = None
    dependencies: dict[str, DependencySpec] = Field(default_factory=dict)
    outputs: dict[str, OutputSpec] = Field(default_factory=dict)

    @field_validator("step_type")
    @classmethod
    def _step_type(cls, value: str) -> str:
        return _non_empty("step_type", value)

    @field_validator("node_type", mode="before")
    @classmethod
    def _node_type(cls, value: Any) -> Any:
        return _enum_member(NodeType, "node_type", value)

    @field_validator("dependencies", mode="before")
    @classmethod
    def _dependencies(cls, value: Any) -> Any:
        return _keyed("dependencies", value, DependencySpec)

    @field_validator("outputs", mode="before")
    @classmethod
    def _outputs(cls, value: Any) -> Any:
        return _keyed("outputs", value, OutputSpec)

    @model_validator(mode="after")
    def _node_shape(self) -> StepSpecification:
        deps, outs = list(self.dependencies), list(self.outputs)
        where = f"{self.node_type.value} step {self.step_type!r}"
        if self.node_type in (NodeType.SOURCE, NodeType.SINGULAR) and deps:
            raise ValueError(f"node_type: {where} must have no dependencies, got {deps}")
        if self.node_type in (NodeType.SINK, NodeType.SINGULAR) and outs:
            raise ValueError(f"node_type: {where} must have no outputs, got {outs}")
        if self.node_type in (NodeType.SINK, NodeType.INTERNAL) and not deps:
            raise ValueError(f"node_type: {where} must have at least one dependency")
        if self.node_type in (NodeType.SOURCE, NodeType.INTERNAL) and not outs:
            raise ValueError(f"node_type: {where} must have at least one output")
        return self

    @model_validator(mode="after")
    def _aliases_unique(self) -> StepSpecification:
        owner: dict[str, str] = {}
        for output in self.outputs.values():
            for alias in output.aliases:
                if alias in self.outputs:
                    raise ValueError(
                        f"outputs: alias {alias!r} of output {output.logical_name!r} "
                        "collides with an output logical_name"
                    )
                if alias in owner:
                    raise ValueError(
                        f"outputs: alias {alias!r} is used by both {owner[alias]!r} and {output.logical_name!r}"
                    )
                owner[alias] = output.logical_name
        return self

    def get_dependency(self, logical_name: str) -> DependencySpec | None:
        return self.dependencies.get(logical_name)

    def get_output(self, logical_name: str) -> OutputSpec | None:
        return self.outputs.get(logical_name)

    def get_output_by_name_or_alias(self, name: str) -> OutputSpec | None:
        """Logical names win over aliases (they cannot collide, but the order is explicit)."""
        if name in self.outputs:
            return self.outputs[name]
        return next((o for o in self.outputs.values() if name in o.aliases), None)

    def list_required_dependencies(self) -> list[DependencySpec]:
        return [d for d in self.dependencies.values() if d.required]

    def list_optional_dependencies(self) -> list[DependencySpec]:
        return [d for d in self.dependencies.values() if not d.required]

    def list_dependencies_by_type(self, dependency_type: DependencyType | str) -> list[DependencySpec]:
        wanted = _enum_member(DependencyType, "dependency_type", dependency_type)
        return [d for d in self.dependencies.values() if d.dependency_type is wanted]

    def list_outputs_by_type(self, output_type: DependencyType | str) -> list[OutputSpec]:
        wanted = _enum_member(DependencyType, "output_type", output_type)
        return [o for o in self.outputs.values() if o.output_type is wanted]

    def validate_contract_alignment(self) -> ValidationResult:
        """Contract inputs/outputs against dependencies/outputs, by logical name.

        An optional dependency the script does not read is only a warning: builders may
        route it elsewhere (for example as a hyperparameters channel).
        """
        contract = self.script_contract
        if contract is None:
            return ValidationResult.success([f"step {self.step_type!r} has no script_contract to align with"])
        errors: list[str] = []
        warnings: list[str] = []
        for name in contract.expected_input_paths:
            if name not in self.dependencies:
                errors.append(f"contract input {name!r} has no matching dependency in {self.step_type!r}")
        for dep in self.dependencies.values():
            if dep.logical_name not in contract.expected_input_paths:
                message = f"dependency {dep.logical_name!r} has no matching contract input"
                (errors if dep.required else warnings).append(message)
        for name in contract.expected_output_paths:
            if name not in self.outputs:
                errors.append(f"contract output {name!r} has no matching output in {self.step_type!r}")
        for name in self.outputs:
            if name not in contract.expected_output_paths:
                errors.append(f"output {name!r} has no matching contract output")
        return ValidationResult(is_valid=not errors, errors=errors, warnings=warnings)
