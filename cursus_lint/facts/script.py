"""The script reader under its lint name; it lives in ``cursus_core.facts.script``."""

from cursus_core.facts.script import (
    CONTAINER_PREFIX, TESTABLE_PARAMS, extract_script, is_container_path,
)

__all__ = [
    "CONTAINER_PREFIX", "TESTABLE_PARAMS", "extract_script", "is_container_path",
]
