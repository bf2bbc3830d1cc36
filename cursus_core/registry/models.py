"""Typed values the registry hands out.

All are plain ``msgspec.Struct`` classes (no validation on construction; a Struct class is
~10x cheaper to create at import than a dataclass): definitions are built only from values the
readers have already checked (strings where strings belong), and every `check` builds one per
registry row, so neither a validation library's import nor its per-row model construction is
worth paying before the first file is linted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

from cursus_core.literal_value import LiteralValue

RegistryType = Literal["core", "workspace", "override"]
ResolutionMode = Literal["automatic", "interactive", "strict"]


class RegistryProblem(msgspec.Struct, frozen=True):
    """A located reason why (part of) a registry could not be read.

    ``kind`` is stable (lint maps it to CL607 / CL9xx): ``non-literal``, ``duplicate-key``,
    ``missing-key``, ``wrong-type``, ``bad-shape``, ``mutation``, ``syntax-error``,
    ``not-utf8``, ``bad-encoding``, ``unreadable``, ``not-regular``, ``too-large``, ``duplicate-step``.
    ``path`` is None for tables given in memory. ``related_line`` points at the other half
    of a pair (the first occurrence of a duplicate key).
    """

    path: Path | None
    line: int
    column: int
    message: str
    kind: str = "bad-shape"
    step: str | None = None
    key: str | None = None
    related_line: int | None = None
    related_column: int | None = None


class StepDefinition(msgspec.Struct, frozen=True):
    """One step as the registry knows it, with where it was defined."""

    name: str
    config_class: str
    builder_step_name: str
    spec_type: str
    sagemaker_step_type: str
    description: str = ""
    registry_type: RegistryType = "core"
    workspace_id: str | None = None
    source_path: Path | None = None
    line: int | None = None
    column: int | None = None

    def to_legacy_dict(self) -> dict[str, str]:
        """The ``STEP_NAMES`` value shape existing code expects."""
        return {
            "config_class": self.config_class,
            "builder_step_name": self.builder_step_name,
            "spec_type": self.spec_type,
            "sagemaker_step_type": self.sagemaker_step_type,
            "description": self.description,
        }


class ResolutionContext(msgspec.Struct, frozen=True):
    """What the caller knows when a step name could mean several definitions."""

    workspace_id: str | None = None
    preferred_framework: str | None = None
    environment_tags: list[str] = msgspec.field(default_factory=list)
    resolution_mode: ResolutionMode = "automatic"


class StepResolutionResult(msgspec.Struct, frozen=True):
    """Outcome of :meth:`UnifiedRegistryManager.resolve_step`; ``reason`` is for humans."""

    step_name: str
    resolved: bool
    selected_definition: StepDefinition | None = None
    source_registry: RegistryType | None = None
    workspace_id: str | None = None
    reason: str = ""
    conflicts: list[StepDefinition] = msgspec.field(default_factory=list)


class Span(msgspec.Struct, frozen=True):
    """1-based range of a node; columns count characters, not bytes, and ``end_column``
    points one past the last character (as SARIF and LSP ranges do)."""

    line: int
    column: int
    end_line: int
    end_column: int


class RegistryEntry(msgspec.Struct):
    """One step entry of a registry table as read from the syntax tree.

    ``fields`` holds only the keys whose values were literal; ``non_literal_keys`` the ones
    that were not (so a rule neither trusts nor flags them as missing). ``opaque`` is True
    when the entry's whole value could not be read.
    """

    name: str
    key_span: Span
    fields: dict[str, LiteralValue] = msgspec.field(default_factory=dict)  # exact in the facts cache
    field_spans: dict[str, Span] = msgspec.field(default_factory=dict)
    non_literal_keys: set[str] = msgspec.field(default_factory=set)
    opaque: bool = False

    @property
    def line(self) -> int:
        return self.key_span.line

    @property
    def column(self) -> int:
        return self.key_span.column
