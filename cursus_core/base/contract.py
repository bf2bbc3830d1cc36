"""Script contracts: what a step's script reads and writes inside its container.

A contract is the single statement of a script's interface (container paths, env vars, CLI
arguments). Processing and training containers mount data at different roots, so each contract
class carries its own path rules; a wrong root is a run-time failure hours into a job, which is
why construction rejects it with a message naming the field and the offending value.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["ValidationResult", "ScriptContract", "TrainingScriptContract"]

ENV_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9_]*$")
ARGUMENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class ValidationResult(BaseModel):
    """Outcome of a consistency check: errors make it invalid, warnings never do."""

    model_config = ConfigDict(extra="forbid")

    is_valid: bool = True
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _errors_mean_invalid(self) -> ValidationResult:
        if self.errors and self.is_valid:
            raise ValueError(f"is_valid=True contradicts errors {self.errors!r}")
        return self

    @classmethod
    def success(cls, warnings: list[str] | None = None) -> ValidationResult:
        return cls(is_valid=True, warnings=list(warnings or []))

    @classmethod
    def error(cls, errors: str | list[str], warnings: list[str] | None = None) -> ValidationResult:
        items = [errors] if isinstance(errors, str) else list(errors)
        return cls(is_valid=False, errors=items, warnings=list(warnings or []))

    def merge(self, *others: ValidationResult) -> ValidationResult:
        """Combine results: invalid if any part is invalid; messages keep their order."""
        parts = (self, *others)
        return ValidationResult(
            is_valid=all(p.is_valid for p in parts),
            errors=[e for p in parts for e in p.errors],
            warnings=[w for p in parts for w in p.warnings],
        )


def _under(path: str, root: str, strict: bool = False) -> bool:
    """True when ``path`` is below ``root`` (or is ``root`` itself unless ``strict``)."""
    trimmed = path.rstrip("/") or "/"
    return (trimmed == root and not strict) or trimmed.startswith(root + "/")


def _check_container_path(
    field: str, name: str, path: object, roots: tuple[str, ...], kind: str, strict: bool
) -> None:
    where = f"{field}[{name!r}]"
    if not isinstance(name, str) or not name or any(c.isspace() for c in name):
        raise ValueError(f"{field}: logical name {name!r} must be a non-empty string without whitespace")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"{where}: {path!r} is not an absolute container path")
    if ".." in path.split("/") or "//" in path:
        raise ValueError(f"{where}: {path!r} is not a normalized path (no '..' or '//')")
    if not any(_under(path, root, strict) for root in roots):
        allowed = ", ".join(r + "/" for r in roots)
        raise ValueError(f"{where}: {path!r} is not under the {kind} container roots ({allowed})")


class ScriptContract(BaseModel):
    """Contract of a processing script: container paths live under ``/opt/ml/processing/``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    CONTAINER_KIND: ClassVar[str] = "processing"
    INPUT_ROOTS: ClassVar[tuple[str, ...]] = ("/opt/ml/processing",)
    OUTPUT_ROOTS: ClassVar[tuple[str, ...]] = ("/opt/ml/processing",)
    #: True when a path must lie strictly below a root (the processing root is not a mount).
    STRICT_ROOTS: ClassVar[bool] = True
    #: Conventional sub-roots; straying from them is a warning, not an error.
    INPUT_CONVENTION: ClassVar[tuple[str, ...]] = ("/opt/ml/processing/input",)
    OUTPUT_CONVENTION: ClassVar[tuple[str, ...]] = ("/opt/ml/processing/output",)

    entry_point: str
    expected_input_paths: dict[str, str]
    expected_output_paths: dict[str, str]
    expected_arguments: dict[str, str] = Field(default_factory=dict)
    required_env_vars: list[str] = Field(default_factory=list)
    optional_env_vars: dict[str, str] = Field(default_factory=dict)
    framework_requirements: dict[str, str] = Field(default_factory=dict)
    description: str = ""

    @field_validator("entry_point")
    @classmethod
    def _entry_point_is_python(cls, value: str) -> str:
        if not value.endswith(".py") or value == ".py" or value.startswith("/"):
            raise ValueError(f"entry_point: {value!r} must be a relative Python file name ending in '.py'")
        return value

    @field_validator("expected_input_paths")
    @classmethod
    def _inputs_under_roots(cls, value: dict[str, str]) -> dict[str, str]:
        for name, path in value.items():
            _check_container_path(
                "expected_input_paths", name, path, cls.INPUT_ROOTS, cls.CONTAINER_KIND, cls.STRICT_ROOTS
            )
        return value

    @field_validator("expected_output_paths")
    @classmethod
    def _outputs_under_roots(cls, value: dict[str, str]) -> dict[str, str]:
        for name, path in value.items():
            _check_container_path(
                "expected_output_paths", name, path, cls.OUTPUT_ROOTS, cls.CONTAINER_KIND, cls.STRICT_ROOTS
            )
        return value

    @field_validator("expected_arguments")
    @classmethod
    def _argument_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.startswith("-"):
                raise ValueError(
                    f"expected_arguments: argument name {name!r} must not start with '-'; write {name.lstrip('-')!r}"
                )
            if not ARGUMENT_NAME.match(name):
                raise ValueError(f"expected_arguments: {name!r} is not a valid argument name")
        return value

    @field_validator("required_env_vars")
    @classmethod
    def _required_env_names(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in value:
            if not ENV_VAR_NAME.match(name):
                raise ValueError(f"required_env_vars: {name!r} is not a valid environment variable name")
            if name in seen:
                raise ValueError(f"required_env_vars: {name!r} is listed more than once")
            seen.add(name)
        return value

    @field_validator("optional_env_vars")
    @classmethod
    def _optional_env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not ENV_VAR_NAME.match(name):
                raise ValueError(f"optional_env_vars: {name!r} is not a valid environment variable name")
        return value

    @model_validator(mode="after")
    def _cross_field_rules(self) -> ScriptContract:
        both_env = [n for n in self.required_env_vars if n in self.optional_env_vars]
        if both_env:
            raise ValueError(f"env var {both_env[0]!r} is in both required_env_vars and optional_env_vars")
        outputs = {path.rstrip("/"): name for name, path in self.expected_output_paths.items()}
        for name, path in self.expected_input_paths.items():
            if path.rstrip("/") in outputs:
                raise ValueError(
                    f"path {path!r} is both expected_input_paths[{name!r}] "
                    f"and expected_output_paths[{outputs[path.rstrip('/')]!r}]"
                )
        return self

    @property
    def input_names(self) -> list[str]:
        return list(self.expected_input_paths)

    @property
    def output_names(self) -> list[str]:
        return list(self.expected_output_paths)

    @property
    def all_env_vars(self) -> list[str]:
        """Required then optional env var names, each once."""
        return [*self.required_env_vars, *self.optional_env_vars]

    def validate_conventions(self) -> ValidationResult:
        """Warnings for legal but unconventional choices (lower-case env vars, odd sub-roots)."""
        warnings = [
            f"env var {name!r} is not UPPER_SNAKE_CASE" for name in self.all_env_vars if not UPPER_SNAKE.match(name)
        ]
        for field, paths, roots in (
            ("expected_input_paths", self.expected_input_paths, self.INPUT_CONVENTION),
            ("expected_output_paths", self.expected_output_paths, self.OUTPUT_CONVENTION),
        ):
            for name, path in paths.items():
                if not any(_under(path, root) for root in roots):
                    hint = " or ".join(r + "/" for r in roots)
                    warnings.append(f"{field}[{name!r}]: {path!r} is conventionally under {hint}")
        return ValidationResult.success(warnings)


class TrainingScriptContract(ScriptContract):
    """Contract of a training script: SageMaker training channels, model and output dirs."""

    CONTAINER_KIND: ClassVar[str] = "training"
    INPUT_ROOTS: ClassVar[tuple[str, ...]] = ("/opt/ml/input/data", "/opt/ml/input/config", "/opt/ml/code")
    OUTPUT_ROOTS: ClassVar[tuple[str, ...]] = ("/opt/ml/model", "/opt/ml/output/data", "/opt/ml/checkpoints")
    STRICT_ROOTS: ClassVar[bool] = False
    INPUT_CONVENTION: ClassVar[tuple[str, ...]] = INPUT_ROOTS
    OUTPUT_CONVENTION: ClassVar[tuple[str, ...]] = OUTPUT_ROOTS
