"""The one shape every finding takes, from rule to reporter (see DESIGN.md, output contract)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import msgspec


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Location(msgspec.Struct, frozen=True):
    """A 1-based source range. ``end_*`` default to the start when unknown."""

    path: Path
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None


class Related(msgspec.Struct, frozen=True):
    """The other side of a misalignment (a contract entry, a spec output, ...)."""

    location: Location
    message: str


class Edit(msgspec.Struct, frozen=True):
    """A text replacement by 1-based line/column range: what LSP and SARIF both understand."""

    path: Path
    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str


class Fix(msgspec.Struct, frozen=True):
    message: str
    edits: tuple[Edit, ...]
    safe: bool = True


class Diagnostic(msgspec.Struct):
    code: str
    name: str
    severity: Severity
    location: Location
    message: str
    step: str | None = None
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    #: source text the finding is about; used for baseline and SARIF fingerprints
    #: (stable across line shifts). Defaults to the text of the location's line.
    anchor: str | None = None
    extra: dict[str, Any] = msgspec.field(default_factory=dict)
    #: "safe"/"unsafe" when a fix is known to exist but its edits were not built (a check
    #: whose output only marks fixable findings); ``fix`` holds the edits when they are built
    fixable: str | None = None

    def sort_key(self) -> tuple:
        loc = self.location
        return (str(loc.path), loc.line, loc.column, self.code, self.message)
