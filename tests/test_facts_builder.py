"""Builder facts: guarded config reads, env vars set, job arguments, references, destinations."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

from cursus_core.source import parse_text
from cursus_lint.facts import EnvSet, JobArg, Span, extract_builders

BUILDER = """\
import importlib
from sagemaker.workflow.functions import Join
from ..configs.config_tabular_preprocessing_step import TabularPreprocessingConfig
from ...core.base.builder_base import StepBuilderBase
from ..specs.tabular_preprocessing_training_spec import TABULAR_PREPROCESSING_TRAINING_SPEC


@register_builder()
class TabularPreprocessingStepBuilder(StepBuilderBase):
    def __init__(self, config: TabularPreprocessingConfig, sagemaker_session=None):
        if not hasattr(config, "job_type"):
            raise ValueError("job_type")
        job_type = config.job_type.lower()
        spec = TABULAR_PREPROCESSING_TRAINING_SPEC
        super().__init__(config=config, spec=spec)

    def validate_configuration(self):
        if not hasattr(self.config, "label_name"):
            raise ValueError("label_name")
        name = self.config.label_name
        size = getattr(self.config, "volume_size", 30)
        bad = getattr(self.config, "instance")
        ok = hasattr(self.config, "ratio") and self.config.ratio > 0
        return self.config.get_script_path()

    def _get_environment_variables(self):
        env_vars = super()._get_environment_variables()
        if hasattr(self.config, "label_name"):
            env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars.update({"TRAIN_RATIO": str(self.config.train_ratio)})
        for column in ["a"]:
            env_vars[column.upper()] = "x"
        return {**env_vars, "OUTPUT_FORMAT": "csv"}

    def _get_job_arguments(self):
        config = self.config
        return ["--job-type", config.job_type, "--mode", "batch"]

    def _get_outputs(self, outputs):
        for name in outputs:
            destination = Join(on="/", values=[self._get_base_output_path(), "tp", name])
            fallback = outputs[name]
            ProcessingOutput(output_name=name, source="/opt/ml/processing/output", destination="s3://bucket/fixed")
        return []

    def create_step(self, **kwargs):
        module = importlib.import_module(f"..specs.x_{self.config.job_type}_spec")
        uri = f"s3://{self.config.bucket}/code"
"""


def builders(src: str, stats: Counter | None = None):
    return extract_builders(parse_text(Path("b.py"), textwrap.dedent(src).encode()), stats)


def test_class_shape_and_methods():
    (b,) = builders(BUILDER)
    assert (b.name, b.bases, b.decorators) == ("TabularPreprocessingStepBuilder", ("StepBuilderBase",),
                                               ("register_builder",))
    assert b.name_span == Span(9, 7, 9, 38)
    assert list(b.methods) == ["__init__", "validate_configuration", "_get_environment_variables",
                               "_get_job_arguments", "_get_outputs", "create_step"]
    assert b.methods["_get_outputs"] == Span(39, 9, 39, 21)


def test_config_reads_guarded_and_unguarded():
    stats: Counter = Counter()
    (b,) = builders(BUILDER, stats)
    got = [(r.attr, r.guarded, r.how, r.span.line) for r in b.config_reads]
    assert got == [
        ("job_type", True, "attr", 13),
        ("label_name", True, "attr", 20),
        ("volume_size", True, "getattr", 21),
        ("instance", False, "getattr", 22),
        ("ratio", True, "attr", 23),
        ("get_script_path", False, "call", 24),
        ("label_name", True, "attr", 29),
        ("train_ratio", False, "attr", 30),
        ("job_type", False, "attr", 37),
        ("job_type", False, "attr", 47),
        ("bucket", False, "attr", 48),
    ]
    assert b.config_reads[0].span == Span(13, 20, 13, 35)
    assert b.config_reads[0].method == "__init__"


def test_env_vars_job_args_and_super():
    stats: Counter = Counter()
    (b,) = builders(BUILDER, stats)
    assert b.has_env_method and b.calls_super_env
    assert b.env_vars_set == (
        EnvSet("LABEL_FIELD", Span(29, 13, 29, 36), "item"),
        EnvSet("TRAIN_RATIO", Span(30, 26, 30, 39), "update"),
        EnvSet("OUTPUT_FORMAT", Span(33, 29, 33, 44), "dict"),
    )
    assert stats["dynamic-builder-env-name"] == 1
    assert b.has_job_args_method
    assert b.job_arguments == (JobArg("job_type", "--job-type", Span(37, 17, 37, 29)),
                               JobArg("mode", "--mode", Span(37, 48, 37, 56)))


def test_references_config_class_s3_and_destinations():
    stats: Counter = Counter()
    (b,) = builders(BUILDER, stats)
    assert [(r.name, r.import_module, r.import_level, r.span.line) for r in b.spec_refs] == [
        ("TABULAR_PREPROCESSING_TRAINING_SPEC", "specs.tabular_preprocessing_training_spec", 2, 14)]
    assert b.contract_refs == ()
    assert b.dynamic_spec_import and stats["dynamic-spec-import"] == 1
    assert (b.config_class, b.config_class_source, b.config_class_import) == (
        "TabularPreprocessingConfig", "annotation", "..configs.config_tabular_preprocessing_step")
    assert [(s.value, s.span.line) for s in b.s3_literals] == [("s3://bucket/fixed", 43)]
    assert [(s.kind, s.text) for s in b.s3_builds] == [("fstring", "s3://{self.config.bucket}/code")]
    assert [(d.kind, d.uses_base, d.span.line) for d in b.output_destinations] == [
        ("base", True, 41), ("literal", False, 43)]


def test_config_class_from_isinstance_and_import_fallback():
    a, b = builders("""\
        from ..configs.config_x_step import XConfig
        class AStepBuilder(StepBuilderBase):
            def __init__(self, config):
                if not isinstance(config, YConfig):
                    raise TypeError
        class BStepBuilder(base.StepBuilderBase):
            pass
        """)
    assert (a.config_class, a.config_class_source) == ("YConfig", "isinstance")
    assert (b.config_class, b.config_class_source, b.config_class_import) == ("XConfig", "import",
                                                                              "..configs.config_x_step")
    assert b.bases == ("base.StepBuilderBase",) and not b.has_env_method and b.output_destinations == ()
