"""The step domain: contracts, specifications, configs, hyperparameters and the builder base.

Importing this package pulls in pydantic only; never sagemaker or boto3. Names load on first
use (PEP 562), so a linter module that needs only the builder method table
(``cursus_core.base.builder``) does not build the pydantic models.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .builder import COMMON_BUILDER_METHODS, REQUIRED_BUILDER_METHODS, StepBuilderBase
    from .config import BasePipelineConfig, ProcessingStepConfigBase
    from .contract import ScriptContract, TrainingScriptContract, ValidationResult
    from .hyperparameters import ModelHyperparameters
    from .specification import (
        DependencySpec,
        DependencyType,
        NodeType,
        OutputSpec,
        StepSpecification,
    )
    from .naming import spec_type_with_job_type

_WHERE = {
    "COMMON_BUILDER_METHODS": "builder", "REQUIRED_BUILDER_METHODS": "builder", "StepBuilderBase": "builder",
    "BasePipelineConfig": "config", "ProcessingStepConfigBase": "config",
    "ScriptContract": "contract", "TrainingScriptContract": "contract", "ValidationResult": "contract",
    "ModelHyperparameters": "hyperparameters",
    "DependencySpec": "specification", "DependencyType": "specification", "NodeType": "specification",
    "OutputSpec": "specification", "StepSpecification": "specification", "spec_type_with_job_type": "naming",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    "ScriptContract",
    "TrainingScriptContract",
    "ValidationResult",
    "DependencyType",
    "NodeType",
    "DependencySpec",
    "OutputSpec",
    "StepSpecification",
    "spec_type_with_job_type",
    "BasePipelineConfig",
    "ProcessingStepConfigBase",
    "ModelHyperparameters",
    "StepBuilderBase",
    "REQUIRED_BUILDER_METHODS",
    "COMMON_BUILDER_METHODS",
]
