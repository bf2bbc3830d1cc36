"""Positions and problems of the interface layer: plain, frozen and cheap.

Every value read from a ``.step.yaml`` carries a :class:`Span` so that a later rule can point at
the exact key or value in the YAML. Lines and columns are 1-based, columns count characters and
``end_column`` points one past the last character, as in the rest of the house (LSP, SARIF).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

from cursus_core.facts.model import Span  # one span type for Python facts and YAML values

__all__ = ["Problem", "Related", "Severity", "Span"]

Severity = Literal["error", "warning"]


class Related(msgspec.Struct, frozen=True):
    """The other side of a file-set problem (the first file declaring a step, say)."""

    path: Path
    span: Span
    message: str


class Problem(msgspec.Struct, frozen=True):
    """A located problem of an interface file; a later pass maps ``kind`` to a rule code.

    ``key_path`` names where in the document it is (``("contract", "inputs", "DATA",
    "requried")``) so rules and tests need not re-derive it from the span; ``suggestion`` holds a
    did-you-mean replacement when there is one (a fixer can use it).
    """

    kind: str
    message: str
    path: Path
    span: Span
    severity: Severity = "error"
    key_path: tuple[str, ...] = ()
    suggestion: str | None = None
    related: tuple[Related, ...] = msgspec.field(default=())
