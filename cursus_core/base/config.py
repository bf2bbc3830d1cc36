"""Step configuration base classes with three tiers of fields.

Tier 1 (essential) fields have no default and must be given; tier 2 (system) fields have
defaults; tier 3 (derived) values are private attributes exposed as read-only properties and
computed lazily, so they can never drift from the fields they derive from. Unknown keys are
rejected (with a "did you mean" hint) because a typo in a config silently falls back to a
default otherwise.
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

if TYPE_CHECKING:  # pragma: no cover
    from .contract import ScriptContract

__all__ = ["TieredModel", "BasePipelineConfig", "ProcessingStepConfigBase", "REGION_MAPPING"]

#: Short region codes used by pipeline configs, mapped to AWS regions.
REGION_MAPPING: dict[str, str] = {"NA": "us-east-1", "EU": "eu-west-1", "FE": "us-west-2"}


class TieredModel(BaseModel):
    """Shared tier machinery for configs and hyperparameters."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, protected_namespaces=())

    @classmethod
    def derived_property_names(cls) -> list[str]:
        """Public properties defined by this class and its bases (base classes first)."""
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            if not issubclass(klass, TieredModel) or klass is TieredModel:
                continue
            for name, value in vars(klass).items():
                if isinstance(value, property) and not name.startswith("_") and name not in names:
                    names.append(name)
        return names

    @classmethod
    def categorize_fields(cls) -> dict[str, list[str]]:
        """Field names by tier: essential (required), system (defaulted), derived (properties)."""
        essential = [n for n, f in cls.model_fields.items() if f.is_required()]
        system = [n for n, f in cls.model_fields.items() if not f.is_required()]
        return {"essential": essential, "system": system, "derived": cls.derived_property_names()}

    def get_public_init_fields(self) -> dict[str, Any]:
        """Essential and non-None system values: enough to build a child config from this one."""
        tiers = self.categorize_fields()
        values = {name: getattr(self, name) for name in tiers["essential"]}
        for name in tiers["system"]:
            value = getattr(self, name)
            if value is not None:
                values[name] = value
        return values

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        derived = set(cls.derived_property_names())
        known = set(cls.model_fields) | {f.alias for f in cls.model_fields.values() if f.alias}
        for key in data:
            if key in known:
                continue
            if key in derived:
                raise ValueError(f"{key!r} is derived by {cls.__name__} and cannot be set; "
                                 "set the fields it derives from")
            close = difflib.get_close_matches(str(key), list(cls.model_fields), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown field {key!r} for {cls.__name__}{hint}")
        return data

    @model_validator(mode="after")
    def _reset_derived(self) -> TieredModel:
        """Forget cached derived values; runs after construction and after every assignment."""
        private = self.__pydantic_private__ or {}
        for name in self.derived_property_names():
            if f"_{name}" in private:
                private[f"_{name}"] = None
        return self


class BasePipelineConfig(TieredModel):
    """Settings shared by every step of a pipeline."""

    REGION_MAPPING: ClassVar[dict[str, str]] = REGION_MAPPING

    # Tier 1: essential user inputs
    author: str = Field(description="Author or owner of the pipeline.")
    bucket: str = Field(description="S3 bucket for pipeline artifacts.")
    role: str = Field(description="IAM role the pipeline runs as.")
    region: str = Field(description="Short region code: NA, EU or FE.")
    service_name: str = Field(description="Service the pipeline belongs to.")
    pipeline_version: str = Field(description="Version string of the pipeline.")

    # Tier 2: system inputs with defaults
    model_class: str = Field(default="xgboost", description="Model family, e.g. xgboost or pytorch.")
    current_date: str = Field(
        default_factory=lambda: date.today().isoformat(), description="Date used in names and paths."
    )
    framework_version: str = Field(default="2.1.0", description="Default framework version.")
    py_version: str = Field(default="py310", description="Default Python version.")
    source_dir: str | None = Field(default=None, description="Default source directory of step scripts.")

    # Tier 3: derived, read through properties
    _aws_region: str | None = PrivateAttr(default=None)
    _pipeline_name: str | None = PrivateAttr(default=None)
    _pipeline_description: str | None = PrivateAttr(default=None)
    _pipeline_s3_loc: str | None = PrivateAttr(default=None)

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in cls.REGION_MAPPING:
            raise ValueError(f"region: {value!r} is not a region code; expected one of {', '.join(cls.REGION_MAPPING)}")
        return value

    @field_validator("author", "bucket", "role", "service_name", "pipeline_version")
    @classmethod
    def _not_blank(cls, value: str, info: Any) -> str:
        if not value.strip():
            raise ValueError(f"{info.field_name}: must not be empty")
        return value

    @property
    def aws_region(self) -> str:
        if self._aws_region is None:
            self._aws_region = self.REGION_MAPPING[self.region]
        return self._aws_region

    @property
    def pipeline_name(self) -> str:
        if self._pipeline_name is None:
            self._pipeline_name = f"{self.author}-{self.service_name}-{self.model_class}-{self.region}"
        return self._pipeline_name

    @property
    def pipeline_description(self) -> str:
        if self._pipeline_description is None:
            self._pipeline_description = f"{self.service_name} {self.model_class} Model {self.region}"
        return self._pipeline_description

    @property
    def pipeline_s3_loc(self) -> str:
        if self._pipeline_s3_loc is None:
            self._pipeline_s3_loc = f"s3://{self.bucket}/MODS/{self.pipeline_name}_{self.pipeline_version}"
        return self._pipeline_s3_loc

    def get_script_contract(self) -> ScriptContract | None:
        """The contract of this step's script; steps with a script override this."""
        return None

    def get_script_path(self, default_path: str | None = None) -> str | None:
        """Path of the contract's entry point (inside ``source_dir`` when one is set)."""
        contract = self.get_script_contract()
        if contract is None:
            return default_path
        return _join(self.source_dir, contract.entry_point)

    @classmethod
    def from_base_config(cls, base_config: BasePipelineConfig, **kwargs: Any) -> BasePipelineConfig:
        """Build a step config that inherits the shared values of ``base_config``."""
        return cls(**{**base_config.get_public_init_fields(), **kwargs})


def _join(directory: str | None, name: str) -> str:
    """Join with '/' for both local and s3:// directories."""
    return f"{directory.rstrip('/')}/{name}" if directory else name


class ProcessingStepConfigBase(BasePipelineConfig):
    """Settings shared by processing steps: instances, volume, script location."""

    processing_instance_count: int = Field(default=1, ge=1, le=100, description="Processing instances.")
    processing_volume_size: int = Field(default=500, ge=10, le=16384, description="EBS volume size in GB.")
    processing_instance_type_large: str = Field(default="ml.m5.4xlarge", description="Large instance type.")
    processing_instance_type_small: str = Field(default="ml.m5.2xlarge", description="Small instance type.")
    use_large_processing_instance: bool = Field(default=False, description="Use the large instance type.")
    processing_source_dir: str | None = Field(default=None, description="Source directory of processing scripts.")
    processing_entry_point: str | None = Field(default=None, description="Script file, relative to the source dir.")
    processing_script_arguments: list[str] | None = Field(default=None, description="Extra script arguments.")
    processing_framework_version: str = Field(default="1.2-1", description="SKLearn processor framework version.")

    _effective_source_dir: str | None = PrivateAttr(default=None)
    _effective_instance_type: str | None = PrivateAttr(default=None)
    _script_path: str | None = PrivateAttr(default=None)

    @field_validator("processing_instance_type_large", "processing_instance_type_small")
    @classmethod
    def _instance_type(cls, value: str, info: Any) -> str:
        if not value.startswith("ml."):
            raise ValueError(f"{info.field_name}: {value!r} is not a SageMaker instance type (must start with 'ml.')")
        return value

    @field_validator("processing_entry_point")
    @classmethod
    def _entry_point(cls, value: str | None) -> str | None:
        if value is not None and (not value.endswith(".py") or value.startswith("/")):
            raise ValueError(
                f"processing_entry_point: {value!r} must be a Python file relative to the source dir"
            )
        return value

    @property
    def effective_source_dir(self) -> str | None:
        """``processing_source_dir`` when set, else the pipeline-wide ``source_dir``."""
        if self._effective_source_dir is None:
            self._effective_source_dir = self.processing_source_dir or self.source_dir
        return self._effective_source_dir

    @property
    def effective_instance_type(self) -> str:
        if self._effective_instance_type is None:
            self._effective_instance_type = (
                self.processing_instance_type_large
                if self.use_large_processing_instance
                else self.processing_instance_type_small
            )
        return self._effective_instance_type

    @property
    def script_path(self) -> str | None:
        """Entry point inside the effective source dir; None when no entry point is set."""
        if self._script_path is None and self.processing_entry_point:
            self._script_path = _join(self.effective_source_dir, self.processing_entry_point)
        return self._script_path

    def get_script_path(self, default_path: str | None = None) -> str | None:
        """The configured entry point wins; otherwise the contract's, in the effective source dir."""
        if self.script_path is not None:
            return self.script_path
        contract = self.get_script_contract()
        if contract is None:
            return default_path
        return _join(self.effective_source_dir, contract.entry_point)
