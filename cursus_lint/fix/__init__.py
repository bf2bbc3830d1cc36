"""Autofixes: libcst edits attached to diagnostics, and the ``--fix`` / ``--diff`` / ``--add-noqa`` loop.

Each fixable rule names its fix in its own file (``@RULE.fixer(safety=..., edits=...)``); this
package holds the shared machinery (the provider context, libcst helpers, minimal edits). A
check run pays for libcst only when a finding of a fixable rule exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..diagnostic import Diagnostic
    from ..model import ProjectModel
    from ..rule import Rule


def attach_fixes(diagnostics: Iterable[Diagnostic], rules: Mapping[str, Rule], project: ProjectModel,
                 overlay: dict[Path, str] | None = None) -> None:
    """Set ``diagnostic.fix`` for every finding whose rule has a fix that is determined here."""
    wanted = [d for d in diagnostics if d.fix is None and (r := rules.get(d.code)) is not None and r.fix is not None]
    if not wanted:
        return
    from .attach import attach

    attach(wanted, rules, project, overlay)
