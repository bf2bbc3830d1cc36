"""Find each step's components without importing them (see catalog.py for the matching order)."""

from cursus_core.catalog.catalog import (
    CatalogProblem,
    StepCatalog,
    StepInfo,
    UnmatchedFile,
)
from cursus_core.catalog.layout import (
    DEFAULT_LAYOUT,
    ROLES,
    StepDir,
    discover_step_dirs,
    find_repo_root,
    workspace_id_from_path,
)
from cursus_core.catalog.scan import FileSummary, summarize, summarize_path

__all__ = ["CatalogProblem", "StepCatalog", "StepInfo", "UnmatchedFile",
           "DEFAULT_LAYOUT", "ROLES", "StepDir", "discover_step_dirs", "find_repo_root", "workspace_id_from_path",
           "FileSummary", "summarize", "summarize_path"]
