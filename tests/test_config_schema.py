"""The hand-written settings check says what the pydantic model it replaced said (issue 13: `check`
no longer imports pydantic to read ``[tool.cursus-lint]``).

``Reference`` is that model, kept here only as the yardstick: for every table below, both accept
it with the same normalised values, or both reject it at the same key with the same kind and
message, which is what the exit-2 error lines are made of.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cursus_lint import config as ours

Severity = Literal["error", "warning", "info"]
Role = Literal["scripts", "contracts", "specs", "builders", "configs", "hyperparams"]


class ResolverConfig(BaseModel):  # the name the pydantic message shows
    model_config = ConfigDict(extra="forbid", frozen=True)
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    tie_margin: float = Field(default=0.05, ge=0.0, le=1.0, alias="tie-margin")


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list, alias="extend-select")
    ignore: list[str] = Field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores")
    severity: dict[str, Severity] = Field(default_factory=dict)
    fail_on: Severity = Field(default="error", alias="fail-on")
    exclude: list[str] = Field(default_factory=list)
    extend_exclude: list[str] = Field(default_factory=list, alias="extend-exclude")
    workspace_dirs: list[str] = Field(default_factory=list, alias="workspace-dirs")
    interface_dirs: list[str] = Field(default_factory=list, alias="interface-dirs")
    registry: str | None = None
    layout: dict[Role, list[str]] = Field(default_factory=dict)
    resolver: ResolverConfig = Field(default_factory=ResolverConfig)
    cache_dir: str = Field(default=".cursus-lint-cache", alias="cache-dir")
    dag: str | None = None
    pipeline_config: str | None = Field(default=None, alias="pipeline-config")
    source_root: str | None = Field(default=None, alias="source-root")
    framework_env_vars: list[str] = Field(default_factory=list, alias="framework-env-vars")
    compatible_source_placeholders: list[str] = Field(default_factory=list, alias="compatible-source-placeholders")

    @field_validator("select", "extend_select", "ignore", mode="after")
    @classmethod
    def _upper_list(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [code.strip().upper() for code in value]

    @field_validator("per_file_ignores", mode="after")
    @classmethod
    def _upper_pfi(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {glob: [code.strip().upper() for code in codes] for glob, codes in value.items()}

    @field_validator("severity", mode="after")
    @classmethod
    def _upper_keys(cls, value: dict[str, str]) -> dict[str, str]:
        return {code.strip().upper(): level for code, level in value.items()}


TABLES: list[dict[str, Any]] = [
    {}, {"select": None}, {"select": 5}, {"select": "CL1"}, {"select": [1]},
    {"select": ("cl1 ",)}, {"select": {"a": 1}},
    {"ignore": None}, {"ignore": [True]}, {"ignore": [b"cl1"]}, {"ignore": {"CL1"}}, {"extend-select": [" cl10"]},
    {"per-file-ignores": 3}, {"per-file-ignores": {"a": "CL1"}}, {"per-file-ignores": {"a": [1]}},
    {"per-file-ignores": {1: ["CL1"]}}, {"per-file-ignores": {"tests/*": [" cl7"]}},
    {"severity": {"CL1": 3}}, {"severity": []}, {"severity": {"CL1": "Error"}}, {"severity": {" cl1 ": "info"}},
    {"fail-on": 3}, {"fail-on": None}, {"fail-on": "info"}, {"fail-on": "never"},
    {"registry": 3}, {"registry": None}, {"registry": True}, {"registry": "reg.py"}, {"cache-dir": None}, {"dag": []},
    {"layout": {"scriptz": ["a"]}}, {"layout": {"scripts": "a"}}, {"layout": {"scripts": [1]}}, {"layout": 1},
    {"layout": {"scripts": None}}, {"layout": {"scripts": ("a", "b"), "specs": []}},
    {"resolver": 1}, {"resolver": []}, {"resolver": {"threshold": "0.7"}}, {"resolver": {"threshold": True}},
    {"resolver": {"threshold": 1}}, {"resolver": {"threshold": -1}}, {"resolver": {"threshold": float("nan")}},
    {"resolver": {"threshold": float("inf")}}, {"resolver": {"threshold": "x"}}, {"resolver": {"threshold": None}},
    {"resolver": {"tie-margin": 2}}, {"resolver": {"tie_margin": 0.1}}, {"resolver": {"threshold": " 0.5 "}},
    {"resolver": {"threshold": "1e-1"}}, {"resolver": {"threshold": "nan"}}, {"resolver": {"threshold": 10**400}},
    {"resolver": {"threshold": 0, "tie-margin": "0.5"}},
    {"select": 5, "ignore": 5}, {"fail-on": "x", "select": 3}, {"workspace-dirs": "a"}, {"interface-dirs": ["x", 2]},
    {"framework-env-vars": ["SM_*"], "compatible-source-placeholders": ["ProcessingStep"]},
]


def _reference(table: dict[str, Any]) -> tuple[Any, ...]:
    try:
        dumped = Reference.model_validate(table).model_dump(by_alias=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        return ("invalid", first["loc"], first["type"], first["msg"])
    return ("ok", repr(dumped))


def _ours(table: dict[str, Any]) -> tuple[Any, ...]:
    try:
        dumped = ours.LintConfig(**table).as_table()
    except ours._Invalid as exc:
        first = exc.error()
        return ("invalid", first["loc"], first["type"], first["msg"])
    return ("ok", repr(dumped))


@pytest.mark.parametrize("table", TABLES, ids=[repr(t)[:60] for t in TABLES])
def test_same_verdict_as_the_pydantic_model(table: dict[str, Any]) -> None:
    assert _ours(table) == _reference(table)


def test_the_table_covers_both_verdicts() -> None:
    verdicts = [_ours(t)[0] for t in TABLES]
    assert verdicts.count("ok") >= 15 and verdicts.count("invalid") >= 30


def test_settings_are_read_only_and_compare_by_value() -> None:
    config = ours.LintConfig(**{"fail-on": "info", "resolver": {"threshold": "0.25"}})
    with pytest.raises(AttributeError, match="frozen"):
        config.fail_on = "error"  # type: ignore[misc]
    assert config == ours.LintConfig(**{"fail-on": "info", "resolver": {"threshold": 0.25}})
    assert config != ours.LintConfig()
    assert config.resolver == ours.ResolverConfig(threshold=0.25)
    assert (config.resolver.threshold, config.resolver.tie_margin) == (0.25, 0.05)


def test_settings_survive_copy_and_pickle() -> None:
    config = ours.LintConfig(**{"ignore": ["CL1"], "resolver": {"threshold": 0.3, "tie-margin": 0.1}})
    for again in (copy.copy(config), copy.deepcopy(config), pickle.loads(pickle.dumps(config))):
        assert again == config
        assert (again.resolver.threshold, again.resolver.tie_margin, again.ignore) == (0.3, 0.1, ["CL1"])
