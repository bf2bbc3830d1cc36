"""Autofixes: libcst edits attached to diagnostics, and the ``--fix`` / ``--diff`` / ``--add-noqa`` loop.

:data:`SAFETY` names the fixable codes without importing libcst, so a check run pays for the
providers only when a fixable finding exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from ..diagnostic import Diagnostic
    from ..model import ProjectModel

#: code -> "safe" (applied by --fix) or "unsafe" (needs --unsafe-fixes)
SAFETY: dict[str, str] = {
    "CL103": "safe",
    "CL106": "unsafe",
    "CL107": "unsafe",
    "CL108": "safe",
    "CL203": "safe",
    "CL205": "safe",
}


def attach_fixes(diagnostics: Iterable["Diagnostic"], project: "ProjectModel",
                 overlay: dict[Path, str] | None = None) -> None:
    """Set ``diagnostic.fix`` for every finding whose code has a provider and whose fix is determined."""
    wanted = [d for d in diagnostics if d.fix is None and d.code in SAFETY]
    if not wanted:
        return
    from .attach import attach

    attach(wanted, project, overlay)
