"""Dependency resolution between step specifications, shared by the linter and the DAG compiler."""

from cursus_core.deps.resolver import (
    TYPE_COMPATIBILITY,
    WEIGHTS,
    Candidate,
    DependencyLike,
    DependencyView,
    MatchScore,
    OutputLike,
    OutputView,
    Provider,
    Resolution,
    StepRef,
    as_dependency,
    as_output,
    as_step,
    name_similarity,
    rank_providers,
    resolve,
    score_match,
    source_matches,
    split_words,
    strip_job_suffix,
    type_compatibility,
)

__all__ = [
    "TYPE_COMPATIBILITY", "WEIGHTS", "Candidate", "DependencyLike", "DependencyView", "MatchScore", "OutputLike",
    "OutputView", "Provider", "Resolution", "StepRef", "as_dependency", "as_output", "as_step", "name_similarity",
    "rank_providers", "resolve", "score_match", "source_matches", "split_words", "strip_job_suffix",
    "type_compatibility",
]
