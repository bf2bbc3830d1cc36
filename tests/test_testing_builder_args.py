"""Runtime testing passes the arguments a builder's ``_get_job_arguments`` gives from the config,
declared in the contract or not: real builders read ``self.config.job_type`` (also through a local)."""

from __future__ import annotations

from pathlib import Path

from cursus_core.testing.plan import builder_job_args

BUILDER = '''
class TabularPreprocessingStepBuilder:
    def _get_job_arguments(self):
        job_type = self.config.job_type
        self.log_info("job_type: %s", job_type)
        return ["--job_type", job_type, "--mode", self.config.mode, "--verbose", "--fixed", "x"]
'''


def test_flags_paired_with_config_reads_directly_and_through_a_local(tmp_path: Path) -> None:
    builder = tmp_path / "builder_tabular_preprocessing_step.py"
    builder.write_text(BUILDER, encoding="utf-8")
    # a bare flag or a literal value is not a config read: left to the contract
    assert builder_job_args(builder) == [("--job_type", "job_type"), ("--mode", "mode")]


def test_no_builder_or_no_method_gives_nothing(tmp_path: Path) -> None:
    other = tmp_path / "builder.py"
    other.write_text("class B:\n    def create_step(self):\n        return None\n", encoding="utf-8")
    assert builder_job_args(None) == [] and builder_job_args(other) == []
