"""The offline compiler side of cursus_core: saved configs and DAG node -> config mapping.

Nothing here imports sagemaker; the dry-run build adds that on top.
"""

from cursus_core.compiler.config_io import (
    AmbiguousConfigClassError,
    ConfigFileError,
    ConfigLoadError,
    ConfigSaveError,
    ConfigValidationError,
    DerivedValueError,
    DerivedValueMismatchError,
    UnknownConfigClassError,
    config_step_name,
    configs_to_document,
    load_configs,
    save_configs,
)
from cursus_core.compiler.node_mapping import (
    NodeConfigError,
    NodeMapping,
    UnmappedNode,
    UnusedConfigError,
    map_nodes_to_configs,
    split_step_name,
)

__all__ = [
    "AmbiguousConfigClassError",
    "ConfigFileError",
    "ConfigLoadError",
    "ConfigSaveError",
    "ConfigValidationError",
    "DerivedValueError",
    "DerivedValueMismatchError",
    "UnknownConfigClassError",
    "config_step_name",
    "configs_to_document",
    "load_configs",
    "save_configs",
    "NodeConfigError",
    "NodeMapping",
    "UnmappedNode",
    "UnusedConfigError",
    "map_nodes_to_configs",
    "split_step_name",
]
