"""The helper functions step code has always called, over a default registry.

The default manager is created lazily from :data:`CORE_STEP_NAMES`; every helper also takes
``registry=`` (another manager) and ``workspace_id=`` so callers such as the catalog and lint
rules never depend on module state. The derived maps (``STEP_NAMES``,
``CONFIG_STEP_REGISTRY``, ``BUILDER_STEP_NAMES``, ``SPEC_STEP_TYPES``) are computed on
access, for the workspace in the current context.
"""

from __future__ import annotations

import threading
from typing import Any

from cursus_core.registry.hybrid import StepNotFoundError, UnifiedRegistryManager, closest_names
from cursus_core.registry import names as _names

_default: UnifiedRegistryManager | None = None
_default_lock = threading.Lock()


def get_default_manager() -> UnifiedRegistryManager:
    """The process-wide manager over the built-in core table (created on first use)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = UnifiedRegistryManager()
    return _default


def set_default_manager(manager: UnifiedRegistryManager | None) -> None:
    """Replace the default manager (None: go back to the built-in core table on next use)."""
    global _default
    with _default_lock:
        _default = manager


def _manager(registry: UnifiedRegistryManager | None) -> UnifiedRegistryManager:
    return registry if registry is not None else get_default_manager()


def get_step_names(workspace_id: str | None = None,
                   registry: UnifiedRegistryManager | None = None) -> dict[str, dict[str, str]]:
    """Effective steps in the ``STEP_NAMES`` shape."""
    return _manager(registry).create_legacy_step_names_dict(workspace_id)


def get_config_class_name(step_name: str, workspace_id: str | None = None,
                          registry: UnifiedRegistryManager | None = None) -> str:
    return _manager(registry).get_step_definition(step_name, workspace_id).config_class


def get_builder_step_name(step_name: str, workspace_id: str | None = None,
                          registry: UnifiedRegistryManager | None = None) -> str:
    return _manager(registry).get_step_definition(step_name, workspace_id).builder_step_name


def get_spec_step_type(step_name: str, workspace_id: str | None = None,
                       registry: UnifiedRegistryManager | None = None) -> str:
    return _manager(registry).get_step_definition(step_name, workspace_id).spec_type


def get_spec_step_type_with_job_type(step_name: str, job_type: str | None = None, workspace_id: str | None = None,
                                     registry: UnifiedRegistryManager | None = None) -> str:
    """``("TabularPreprocessing", "training")`` -> ``"TabularPreprocessing_Training"``."""
    base = get_spec_step_type(step_name, workspace_id, registry)
    return f"{base}_{job_type.capitalize()}" if job_type else base


def get_step_name_from_spec_type(spec_type: str, workspace_id: str | None = None,
                                 registry: UnifiedRegistryManager | None = None) -> str:
    """``"TabularPreprocessing_Training"`` -> ``"TabularPreprocessing"``; StepNotFoundError if unknown."""
    manager = _manager(registry)
    steps = manager.get_all_step_definitions(workspace_id)
    by_spec = {d.spec_type: name for name, d in sorted(steps.items())}
    if spec_type in by_spec:
        return by_spec[spec_type]
    base = spec_type.rsplit("_", 1)[0] if "_" in spec_type else spec_type
    if base in by_spec:
        return by_spec[base]
    raise StepNotFoundError(base, workspace_id, closest_names(base, list(by_spec)))


def get_canonical_name_from_file_name(file_name: str, workspace_id: str | None = None,
                                      registry: UnifiedRegistryManager | None = None) -> str:
    """Registry key for a step file name, over the steps in scope (see :mod:`.names`)."""
    return _names.get_canonical_name_from_file_name(file_name, get_step_names(workspace_id, registry))


def get_sagemaker_step_type(step_name: str, workspace_id: str | None = None,
                            registry: UnifiedRegistryManager | None = None) -> str:
    return _manager(registry).get_step_definition(step_name, workspace_id).sagemaker_step_type


def get_steps_by_sagemaker_type(sagemaker_type: str, workspace_id: str | None = None,
                                registry: UnifiedRegistryManager | None = None) -> list[str]:
    steps = _manager(registry).get_all_step_definitions(workspace_id)
    return sorted(name for name, d in steps.items() if d.sagemaker_step_type == sagemaker_type)


def get_all_step_names(workspace_id: str | None = None, registry: UnifiedRegistryManager | None = None) -> list[str]:
    return _manager(registry).list_steps(workspace_id)


def validate_step_name(step_name: str, workspace_id: str | None = None,
                       registry: UnifiedRegistryManager | None = None) -> bool:
    return _manager(registry).has_step(step_name, workspace_id)


def _derived(kind: str) -> dict[str, str]:
    steps = get_default_manager().get_all_step_definitions()
    ordered = sorted(steps.items())
    if kind == "CONFIG_STEP_REGISTRY":
        return {d.config_class: name for name, d in ordered}
    if kind == "BUILDER_STEP_NAMES":
        return {name: d.builder_step_name for name, d in ordered}
    return {name: d.spec_type for name, d in ordered}


DERIVED_MAPS = ("STEP_NAMES", "CONFIG_STEP_REGISTRY", "BUILDER_STEP_NAMES", "SPEC_STEP_TYPES")


def __getattr__(name: str) -> Any:
    if name == "STEP_NAMES":
        return get_step_names()
    if name in DERIVED_MAPS:
        return _derived(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
