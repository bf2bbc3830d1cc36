"""Step builder base: turns a config, a specification and its contract into a SageMaker step.

This module never imports sagemaker: subclasses import it inside the methods that build SDK
objects, so the static path (linting, catalogs) stays fast and free of AWS dependencies.
"""

from __future__ import annotations

import functools
import json
import re
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .contract import ScriptContract
    from .specification import DependencySpec, OutputSpec, StepSpecification

__all__ = [
    "StepBuilderBase", "REQUIRED_BUILDER_METHODS", "COMMON_BUILDER_METHODS", "follow_property_path",
    "EXECUTION_PREFIX_PARAM", "KMS_KEY_PARAM", "SECURITY_GROUP_PARAM", "SUBNET_PARAM", "DEFAULT_PARAMETER_NAMES",
]

#: Names of the pipeline parameters every layer understands (the compiler's defaults).
EXECUTION_PREFIX_PARAM = "EXECUTION_S3_PREFIX"
KMS_KEY_PARAM = "KMS_ENCRYPTION_KEY_PARAM"
SECURITY_GROUP_PARAM = "SECURITY_GROUP_ID"
SUBNET_PARAM = "VPC_SUBNET"
DEFAULT_PARAMETER_NAMES: tuple[str, ...] = (EXECUTION_PREFIX_PARAM, KMS_KEY_PARAM, SECURITY_GROUP_PARAM, SUBNET_PARAM)

#: Methods every builder needs; each tuple lists accepted alternative names for one duty.
COMMON_BUILDER_METHODS: list[tuple[str, ...]] = [
    ("validate_configuration",),
    ("_get_inputs",),
    ("_get_outputs",),
    ("create_step",),
]


def _with_factory(*factory: str) -> list[tuple[str, ...]]:
    return [COMMON_BUILDER_METHODS[0], factory, *COMMON_BUILDER_METHODS[1:]]


#: Required methods per SageMaker step type (registry ``sagemaker_step_type``), used by CL405.
REQUIRED_BUILDER_METHODS: dict[str, list[tuple[str, ...]]] = {
    "Processing": _with_factory("_create_processor", "_get_processor"),
    "Training": _with_factory("_create_estimator", "_get_estimator"),
    "CreateModel": _with_factory("_create_model", "_get_model"),
    "Transform": _with_factory("_create_transformer", "_get_transformer"),
}


def _env_value(value: Any) -> str:
    """Container env vars are strings; structured values travel as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, list, dict, tuple)):
        return json.dumps(value)
    return str(value)


@functools.cache
def _path_token() -> re.Pattern[str]:
    """Compiled on first use: `check` imports this module for CL405's method table only."""
    return re.compile(r"""\.?([A-Za-z_][A-Za-z0-9_]*)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]""")


def follow_property_path(obj: Any, path: str) -> Any:
    """Walk ``properties.A.B['key'][0]`` on ``obj`` by attribute and item access (no eval)."""
    value, pos = obj, 0
    while pos < len(path):
        match = _path_token().match(path, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"property path {path!r} cannot be parsed at offset {pos}")
        attr, single, double, index = match.groups()
        if attr is not None:
            value = getattr(value, attr)
        elif index is not None:
            value = value[int(index)]
        else:
            value = value[single if single is not None else double]
        pos = match.end()
    return value


class StepBuilderBase(ABC):
    """Base of every ``<Step>StepBuilder``; subclasses supply inputs, outputs and the step."""

    def __init__(
        self,
        config: Any,
        spec: StepSpecification | None = None,
        sagemaker_session: Any = None,
        role: str | None = None,
        registry_manager: Any = None,
        dependency_resolver: Any = None,
    ) -> None:
        self.config = config
        self.spec = spec
        self.session = sagemaker_session
        self.role = role
        self.registry_manager = registry_manager
        self.dependency_resolver = dependency_resolver
        self.execution_prefix: Any = None
        self.pipeline_parameters: dict[str, Any] = {}
        self.step_name: str | None = None
        self.contract: ScriptContract | None = self._find_contract()

    def _find_contract(self) -> ScriptContract | None:
        """The spec's contract, else the one the config names."""
        contract = getattr(self.spec, "script_contract", None)
        if contract is None:
            getter = getattr(self.config, "get_script_contract", None)
            contract = getter() if callable(getter) else None
        return contract

    @abstractmethod
    def validate_configuration(self) -> None:
        """Raise ValueError when the config cannot build this step."""

    @abstractmethod
    def _get_inputs(self, inputs: dict[str, Any]) -> Any:
        """Map resolved dependency values to the SDK's input objects."""

    @abstractmethod
    def _get_outputs(self, outputs: dict[str, Any]) -> Any:
        """Map spec outputs to the SDK's output objects or output path."""

    @abstractmethod
    def create_step(self, **kwargs: Any) -> Any:
        """Build the SageMaker step."""

    def _get_environment_variables(self) -> dict[str, str]:
        """Contract env vars with values from same-named (lower-case) config attributes.

        Required vars the config lacks are logged and left out; optional vars fall back to
        the contract's default.
        """
        env: dict[str, str] = {}
        if self.contract is None:
            return env
        for name in self.contract.required_env_vars:
            value = getattr(self.config, name.lower(), None)
            if value is None:
                import logging  # only here: `check` imports this module for CL405's method table

                logging.getLogger(__name__).warning("required env var %s has no config attribute %s", name,
                                                    name.lower())
                continue
            env[name] = _env_value(value)
        for name, default in self.contract.optional_env_vars.items():
            value = getattr(self.config, name.lower(), None)
            env[name] = default if value is None else _env_value(value)
        return env

    def _get_job_arguments(self) -> list[str] | None:
        """``--name value`` pairs for the contract's arguments; a config attribute of the same
        name (dashes read as underscores) overrides the contract's value. None when there are none."""
        if self.contract is None or not self.contract.expected_arguments:
            return None
        args: list[str] = []
        for name, default in self.contract.expected_arguments.items():
            value = getattr(self.config, name.replace("-", "_"), None)
            args += [f"--{name}", default if value is None else _env_value(value)]
        return args

    def _require_spec(self) -> StepSpecification:
        if self.spec is None:
            raise ValueError(f"{type(self).__name__} has no specification to read dependencies from")
        return self.spec

    def get_required_dependencies(self) -> list[str]:
        return [d.logical_name for d in self._require_spec().list_required_dependencies()]

    def get_optional_dependencies(self) -> list[str]:
        return [d.logical_name for d in self._require_spec().list_optional_dependencies()]

    def get_dependencies(self) -> dict[str, DependencySpec]:
        return dict(self._require_spec().dependencies)

    def get_outputs(self) -> dict[str, OutputSpec]:
        return dict(self._require_spec().outputs)

    def set_execution_prefix(self, prefix: Any) -> None:
        """Root for default output destinations, usually a pipeline parameter or ``Join``."""
        self.execution_prefix = prefix

    def set_pipeline_parameters(self, parameters: Any) -> None:
        """Pipeline parameters (objects with a ``name``, or a name -> value mapping) by name.

        An ``EXECUTION_S3_PREFIX`` parameter becomes the execution prefix, so every default
        output destination of this builder hangs off it.
        """
        items = parameters.items() if isinstance(parameters, dict) else ((p.name, p) for p in parameters)
        self.pipeline_parameters = dict(items)
        if EXECUTION_PREFIX_PARAM in self.pipeline_parameters:
            self.set_execution_prefix(self.pipeline_parameters[EXECUTION_PREFIX_PARAM])

    def get_pipeline_parameter(self, name: str) -> Any:
        """The pipeline parameter called ``name``, or None."""
        return self.pipeline_parameters.get(name)

    def _get_kms_key(self) -> Any:
        """KMS key for job outputs and volumes: the ``KMS_ENCRYPTION_KEY_PARAM`` parameter, if any."""
        return self.get_pipeline_parameter(KMS_KEY_PARAM)

    def _get_vpc_settings(self) -> dict[str, list[Any]]:
        """``subnets`` / ``security_group_ids`` from the pipeline parameters; empty when either is absent."""
        group, subnet = self.get_pipeline_parameter(SECURITY_GROUP_PARAM), self.get_pipeline_parameter(SUBNET_PARAM)
        if group is None or subnet is None:
            return {}
        return {"subnets": [subnet], "security_group_ids": [group]}

    def _get_network_config(self) -> Any:
        """A sagemaker ``NetworkConfig`` for processors from the VPC parameters, else None."""
        vpc = self._get_vpc_settings()
        if not vpc:
            return None
        from sagemaker.network import NetworkConfig

        return NetworkConfig(security_group_ids=vpc["security_group_ids"], subnets=vpc["subnets"],
                             encrypt_inter_container_traffic=True)

    def _resolve_inputs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Inputs for ``create_step``: the caller's ``inputs`` when given (the compiler passes the
        ones its resolver chose, and nothing else may be wired), else ones matched on ``dependencies``."""
        if kwargs.get("inputs") is not None:
            return dict(kwargs["inputs"])
        dependencies = kwargs.get("dependencies") or []
        return self.extract_inputs_from_dependencies(dependencies) if dependencies else {}

    def _get_base_output_path(self) -> Any:
        """Execution prefix when set, else the config's ``pipeline_s3_loc``."""
        if self.execution_prefix is not None:
            return self.execution_prefix
        return self.config.pipeline_s3_loc

    def _get_cache_config(self, enable_caching: bool = True) -> Any:
        from sagemaker.workflow.steps import CacheConfig

        return CacheConfig(enable_caching=enable_caching, expire_after="P30D")

    def _generate_job_name(self, step_type: str | None = None) -> str:
        """Deterministic base job name: SageMaker appends its own timestamp."""
        name = step_type or self._get_step_name()
        name = re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-")
        return re.sub(r"-{2,}", "-", name)[:63].rstrip("-")

    def extract_inputs_from_dependencies(self, dependency_steps: list[Any]) -> dict[str, Any]:
        """Wire this step's dependencies to outputs of upstream steps carrying a ``_spec``.

        An output whose logical name or alias equals the dependency's name wins; otherwise the
        first output of the dependency's type from a compatible source is taken.
        """
        spec = self._require_spec()
        resolved: dict[str, Any] = {}
        for dep in spec.dependencies.values():
            match = self._find_provider(dep, dependency_steps)
            if match is not None:
                step, output = match
                resolved[dep.logical_name] = follow_property_path(step, output.property_path)
        return resolved

    @staticmethod
    def _find_provider(dep: DependencySpec, steps: list[Any]) -> tuple[Any, OutputSpec] | None:
        by_type = None
        for step in steps:
            provider = getattr(step, "_spec", None)
            if provider is None:
                continue
            named = provider.get_output_by_name_or_alias(dep.logical_name)
            if named is not None:
                return step, named
            if by_type is None and provider.step_type.split("_")[0] in dep.compatible_sources:
                typed = provider.list_outputs_by_type(dep.dependency_type)
                if typed:
                    by_type = (step, typed[0])
        return by_type

    def _get_step_name(self, include_job_type: bool = True) -> str:
        """``step_name`` when the compiler set one (the DAG node name); otherwise the class name
        without ``StepBuilder``, plus ``-<JobType>`` when the config has one."""
        if self.step_name:
            return self.step_name
        name = type(self).__name__
        for suffix in ("StepBuilder", "Builder"):
            if name.endswith(suffix) and name != suffix:
                name = name[: -len(suffix)]
                break
        job_type = getattr(self.config, "job_type", None)
        if include_job_type and isinstance(job_type, str) and job_type:
            name = f"{name}-{job_type.capitalize()}"
        return name
