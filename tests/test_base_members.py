"""The stored member table of the shipped config bases (CL401's knowledge of ``config.X``) is what
introspecting the classes gives, and is used without importing pydantic (issue 13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cursus_core.base import members
from cursus_lint.model import known_base_members, known_base_methods

TABLE = Path(members.__file__).with_name("_member_table.py")


def _table_fits() -> bool:
    from cursus_core.base import _member_table as table

    return (members.python_version(), members.pydantic_version()) == (table.PYTHON, table.PYDANTIC)


@pytest.mark.skipif(not _table_fits(), reason="the stored table is for another Python or pydantic")
def test_stored_table_is_what_introspection_gives() -> None:
    # when this fails after a change to cursus_core/base: python -m cursus_core.base.members
    assert TABLE.read_text(encoding="utf-8") == members.render()


def test_pydantic_version_is_read_without_importing_pydantic() -> None:
    code = ("import sys\nfrom cursus_core.base.members import pydantic_version\n"
            "print(pydantic_version(), 'pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import pydantic

    assert out.stdout.split() == [pydantic.VERSION, "False"]


def test_other_versions_fall_back_to_introspection(monkeypatch: pytest.MonkeyPatch) -> None:
    members.base_members.cache_clear()
    monkeypatch.setattr(members, "pydantic_version", lambda: "0.0-other")
    try:
        found = members.base_members("ProcessingStepConfigBase")
        assert found == members.introspect("ProcessingStepConfigBase")
        assert found is not None and {"processing_entry_point", "model_dump"} <= found[0]
        assert "model_dump" in found[1] and "processing_entry_point" not in found[1]
    finally:
        members.base_members.cache_clear()


def test_the_linter_sees_the_same_members() -> None:
    config = known_base_members("BasePipelineConfig")
    assert config is not None and {"region", "pipeline_name", "model_dump", "model_fields"} <= config
    assert "model_validate" in known_base_methods("BaseModel") and "region" not in known_base_methods(
        "BasePipelineConfig")
    assert known_base_members("SomeUserBase") is None and known_base_methods("SomeUserBase") == frozenset()
