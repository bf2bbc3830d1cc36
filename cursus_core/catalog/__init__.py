"""Find each step's components without importing them (see catalog.py for the matching order)."""

from cursus_core.catalog.catalog import (
    DEFAULT_LAYOUT,
    ROLES,
    StepCatalog,
    StepDir,
    StepInfo,
    UnmatchedFile,
    discover_step_dirs,
)
from cursus_core.catalog.scan import FileSummary, summarize

__all__ = ["DEFAULT_LAYOUT", "ROLES", "StepCatalog", "StepDir", "StepInfo", "UnmatchedFile",
           "discover_step_dirs", "FileSummary", "summarize"]
