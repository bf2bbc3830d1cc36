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

# The dry-run build (compiler, assembler, offline session). None of it imports sagemaker at
# import time; the function ``dry_run`` deliberately shadows its submodule's name here.
from cursus_core.compiler.assembler import (  # noqa: E402
    AssemblyError,
    AssemblyProblem,
    NodeReport,
    PipelineAssembler,
    UnwiredInput,
    WiredInput,
)
from cursus_core.compiler.builder_loader import (  # noqa: E402
    BuilderLoader,
    BuilderLoadError,
    BuilderNotFoundError,
    RepoImporter,
)
from cursus_core.compiler.dag_compiler import (  # noqa: E402
    CompilationReport,
    PipelineDAGCompiler,
    default_pipeline_parameters,
)
from cursus_core.compiler.dry_run import (  # noqa: E402
    PROBLEM_KINDS,
    BuildProblem,
    DryRunResult,
    dry_run,
    normalize_definition,
)
from cursus_core.compiler.offline import (  # noqa: E402
    BUILD_EXTRA_MESSAGE,
    make_offline_session,
    offline_environment,
    require_build_extra,
)

__all__ += [
    "AssemblyError", "AssemblyProblem", "NodeReport", "PipelineAssembler", "UnwiredInput", "WiredInput",
    "BuilderLoader", "BuilderLoadError", "BuilderNotFoundError", "RepoImporter",
    "CompilationReport", "PipelineDAGCompiler", "default_pipeline_parameters",
    "PROBLEM_KINDS", "BuildProblem", "DryRunResult", "dry_run", "normalize_definition",
    "BUILD_EXTRA_MESSAGE", "make_offline_session", "offline_environment", "require_build_extra",
]
