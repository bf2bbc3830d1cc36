"""The step domain: contracts, specifications, configs, hyperparameters and the builder base.

Importing this package pulls in pydantic only; never sagemaker or boto3.
"""

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
    spec_type_with_job_type,
)

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
