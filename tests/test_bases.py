"""Config base classes outside the step directories are read from their source, never assumed."""

from __future__ import annotations

from pathlib import Path

import pytest

import cursus_lint
from cursus_core.source import SourceFile
from cursus_lint import bases
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules import _examples
from cursus_lint.rules_index import all_rules

from .repo_helpers import write_repo

CORE_BASE = '''\
from pydantic import BaseModel


class BasePipelineConfig(BaseModel):
    author: str = "me"

    @property
    def effective_source_dir(self):
        return "src"
'''

CONFIG = '''\
from ...core.base.config_base import BasePipelineConfig


class CleanConfig(BasePipelineConfig):
    label_name: str
    job_type: str = "training"
    separator: str = ","
    processing_entry_point: str = "clean.py"
    processing_framework_version: str = "1.2-1"
    effective_instance_type: str = "ml.m5.xlarge"
    processing_instance_count: int = 1
    script_path: str = "clean.py"
'''


write = write_repo


def layout(tmp_path: Path, builder: str) -> Path:
    """``pkg/core/base/config_base.py`` beside ``pkg/steps/...``: a cursus-style package."""
    pkg = tmp_path / "pkg"
    files = {k: v for k, v in _examples.repo(config=CONFIG, builder=builder).items()}
    write(pkg, files)
    write(pkg, {"core/__init__.py": "", "core/base/__init__.py": "", "core/base/config_base.py": CORE_BASE})
    return pkg


def cl401(root: Path) -> list[tuple[str, int, str]]:
    return [(d.location.path.name, d.location.line, d.message) for d in cursus_lint.check([root], select=["CL401"])]


def test_members_of_a_base_in_the_repos_core_package_are_read_from_its_source(tmp_path: Path) -> None:
    builder = _examples.edit("builder", "            env=self._get_environment_variables(),\n",
                             "            env=self._get_environment_variables(),\n"
                             "            source_dir=self.config.effective_source_dir,\n")
    assert cl401(layout(tmp_path, builder)) == []


def test_a_missing_attribute_is_still_found_through_that_base(tmp_path: Path) -> None:
    builder = _examples.edit("builder", "            env=self._get_environment_variables(),\n",
                             "            env=self._get_environment_variables(),\n"
                             "            source_dir=self.config.resolved_source_dir,\n")
    [(name, line, message)] = cl401(layout(tmp_path, builder))
    assert (name, line) == ("builder_clean_step.py", _examples.line_of(builder, "resolved_source_dir"))
    assert message.startswith("builder reads 'self.config.resolved_source_dir' but CleanConfig")


def test_a_base_whose_source_cannot_be_found_is_opaque(tmp_path: Path) -> None:
    config = CONFIG.replace("from ...core.base.config_base import", "from somewhere_not_installed.base import")
    builder = _examples.edit("builder", "            env=self._get_environment_variables(),\n",
                             "            env=self._get_environment_variables(),\n"
                             "            source_dir=self.config.anything_at_all,\n")
    pkg = tmp_path / "pkg"
    write(pkg, _examples.repo(config=config, builder=builder))
    assert cl401(pkg) == []


def test_a_warm_run_reads_bases_from_the_cache_and_an_edit_of_the_base_is_seen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builder = _examples.edit("builder", "            env=self._get_environment_variables(),\n",
                             "            env=self._get_environment_variables(),\n"
                             "            source_dir=self.config.resolved_source_dir,\n")
    pkg = layout(tmp_path, builder)
    base_file = pkg / "core/base/config_base.py"
    loaded: list[Path] = []
    real_load = bases.load_source

    def counting_load(path: Path, overlay: dict[Path, str] | None = None) -> SourceFile:
        loaded.append(Path(path))
        return real_load(path, overlay)

    monkeypatch.setattr(bases, "load_source", counting_load)

    def cached_cl401() -> list[int]:
        settings = load_config(pkg, set(all_rules()), overrides={"cache-dir": str(tmp_path / "cache")})
        result = Engine(settings, use_cache=True).run([pkg])
        return [d.location.line for d in result.diagnostics if d.code == "CL401"]

    line = _examples.line_of(builder, "resolved_source_dir")
    assert cached_cl401() == [line] and base_file in loaded
    loaded.clear()
    assert cached_cl401() == [line] and loaded == []  # warm: no base file parsed again
    base_file.write_text(CORE_BASE + "\n    resolved_source_dir: str = 'src'\n")
    assert cached_cl401() == [] and loaded == [base_file]  # new content, new entry
