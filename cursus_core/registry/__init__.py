"""The step registry: core table, static registry-file reader, canonical names and the
workspace-aware manager, plus the classic ``get_*`` helpers over a default manager.

Nothing here imports or executes a registry file; see :mod:`.literal_reader`.
"""

from __future__ import annotations

from typing import Any

from cursus_core.registry.core_table import (
    CORE_STEP_NAMES,
    KNOWN_STEP_KEYS,
    REQUIRED_STEP_KEYS,
    VALID_SAGEMAKER_STEP_TYPES,
)
from cursus_core.registry.hybrid import (
    StepNotFoundError,
    UnifiedRegistryManager,
    UnknownWorkspaceError,
    WorkspaceRegistry,
    clear_workspace_context,
    get_workspace_context,
    set_workspace_context,
    workspace_context,
)
from cursus_core.registry.literal_reader import (
    RegistryFile,
    RegistryTable,
    find_registry_files,
    read_registry_file,
)
from cursus_core.registry.models import (
    RegistryEntry,
    RegistryProblem,
    ResolutionContext,
    Span,
    StepDefinition,
    StepResolutionResult,
)
from cursus_core.registry.names import (
    CanonicalMatch,
    match_canonical_name,
    pascal_to_snake,
    snake_to_pascal,
)
from cursus_core.registry import step_names as _step_names
from cursus_core.registry.step_names import (
    get_all_step_names,
    get_builder_step_name,
    get_canonical_name_from_file_name,
    get_config_class_name,
    get_default_manager,
    get_sagemaker_step_type,
    get_spec_step_type,
    get_spec_step_type_with_job_type,
    get_step_name_from_spec_type,
    get_step_names,
    get_steps_by_sagemaker_type,
    set_default_manager,
    validate_step_name,
)

__all__ = [
    "CORE_STEP_NAMES", "KNOWN_STEP_KEYS", "REQUIRED_STEP_KEYS", "VALID_SAGEMAKER_STEP_TYPES",
    "StepNotFoundError", "UnifiedRegistryManager", "UnknownWorkspaceError", "WorkspaceRegistry",
    "clear_workspace_context", "get_workspace_context", "set_workspace_context", "workspace_context",
    "RegistryFile", "RegistryTable", "find_registry_files", "read_registry_file",
    "RegistryEntry", "RegistryProblem", "ResolutionContext", "Span", "StepDefinition", "StepResolutionResult",
    "CanonicalMatch", "match_canonical_name", "pascal_to_snake", "snake_to_pascal",
    "get_all_step_names", "get_builder_step_name", "get_canonical_name_from_file_name", "get_config_class_name",
    "get_default_manager", "get_sagemaker_step_type", "get_spec_step_type", "get_spec_step_type_with_job_type",
    "get_step_name_from_spec_type", "get_step_names", "get_steps_by_sagemaker_type", "set_default_manager",
    "validate_step_name",
    "STEP_NAMES", "CONFIG_STEP_REGISTRY", "BUILDER_STEP_NAMES", "SPEC_STEP_TYPES",
]


def __getattr__(name: str) -> Any:
    """Derived maps are computed on access so they follow the workspace context."""
    if name in _step_names.DERIVED_MAPS:
        return getattr(_step_names, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
