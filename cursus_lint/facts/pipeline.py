"""The DAG and saved-config readers under their lint name; they live in ``cursus_core.facts.pipeline``."""

from cursus_core.facts.pipeline import (
    ENTRY_POINT_FIELDS, EntryPoint, PipelineConfigEntry, PipelineFacts, PipelineNode, load_pipeline,
    locate_json,
)

__all__ = [
    "ENTRY_POINT_FIELDS", "EntryPoint", "PipelineConfigEntry", "PipelineFacts", "PipelineNode",
    "load_pipeline", "locate_json",
]
