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

#: The dry-run build (compiler, assembler, offline session), loaded on first use so the static
#: path that only needs configs and node mapping does not pay for it. None of it imports
#: sagemaker at import time either.
_BUILD_EXPORTS: dict[str, str] = {
    "PipelineDAGCompiler": "dag_compiler", "CompilationReport": "dag_compiler",
    "default_pipeline_parameters": "dag_compiler",
    "PipelineAssembler": "assembler", "AssemblyError": "assembler", "AssemblyProblem": "assembler",
    "NodeReport": "assembler", "WiredInput": "assembler", "UnwiredInput": "assembler",
    "BuilderLoader": "builder_loader", "BuilderLoadError": "builder_loader", "BuilderNotFoundError": "builder_loader",
    "RepoImporter": "builder_loader",
    "BUILD_EXTRA_MESSAGE": "offline", "offline_environment": "offline", "make_offline_session": "offline",
    "require_build_extra": "offline",
    "PROBLEM_KINDS": "dry_run", "BuildProblem": "dry_run", "DryRunResult": "dry_run", "dry_run": "dry_run",
    "normalize_definition": "dry_run",
}
__all__ += list(_BUILD_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _BUILD_EXPORTS:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_BUILD_EXPORTS[name]}"), name)
        globals()[name] = value  # the function dry_run wins over the submodule of that name
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
