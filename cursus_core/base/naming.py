"""Step type names: plain string helpers with no pydantic, so the linter can use them without
building the domain models."""

from __future__ import annotations


def spec_type_with_job_type(base: str, job_type: str | None) -> str:
    """``("TabularPreprocessing", "training")`` -> ``"TabularPreprocessing_Training"``."""
    if not job_type:
        return base
    suffix = job_type if job_type[0].isupper() else job_type.capitalize()
    return f"{base}_{suffix}"
