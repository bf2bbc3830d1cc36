"""Autofixes: libcst edits attached to diagnostics, and the ``--fix`` / ``--diff`` / ``--add-noqa`` loop.

Each fixable rule names its fix in its own file (``@RULE.fixer(safety=..., edits=...)``); this
package holds the shared machinery (the provider context, libcst helpers, minimal edits). A
run pays for libcst only when its output carries edits (JSON, SARIF, ``--fix``/``--diff``, the
editor's quick fixes) and a finding of a fixable rule exists; the text output asks each rule's
``@RULE.fix_probe`` (``shape.py``: facts and the stdlib ast) whether a fix exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

#: what a run attaches: the edits (``--fix``, JSON, SARIF, the editor), only whether a fix exists
#: (text output: its ``[*]`` marker and hint, answered by probes without libcst), or nothing
FixMode = Literal["edits", "marks", "none"]

if TYPE_CHECKING:  # pragma: no cover
    from ..diagnostic import Diagnostic
    from ..model import ProjectModel
    from ..rule import Rule


def attach_fixes(diagnostics: Iterable[Diagnostic], rules: Mapping[str, Rule], project: ProjectModel,
                 overlay: dict[Path, str] | None = None, mode: FixMode = "edits") -> None:
    """Set ``diagnostic.fix`` for every finding whose rule has a fix that is determined here
    (``mode="marks"``: set ``diagnostic.fixable`` instead where the rule has a probe)."""
    if mode == "none":
        return
    wanted = [d for d in diagnostics if d.fix is None and (r := rules.get(d.code)) is not None and r.fix is not None]
    if mode == "marks":
        wanted = _mark(wanted, rules, project, overlay)
    if not wanted:
        return
    from .attach import attach

    attach(wanted, rules, project, overlay)


def _mark(wanted: list[Diagnostic], rules: Mapping[str, Rule], project: ProjectModel,
          overlay: dict[Path, str] | None) -> list[Diagnostic]:
    """Mark the findings whose rule has a probe; return the others (their edits are built)."""
    probed = [d for d in wanted if rules[d.code].fix.probe is not None]  # type: ignore[union-attr]
    if not probed:
        return wanted
    from .shape import ShapeContext

    ctx = ShapeContext(project, overlay)
    for d in probed:
        spec = rules[d.code].fix
        assert spec is not None and spec.probe is not None
        try:
            fixable = spec.probe(d, ctx)
        except Exception:  # like a provider, a probe bug must not break the check
            if os.environ.get("CURSUS_LINT_DEBUG"):
                raise
            fixable = False
        d.fixable = spec.safety if fixable else None
    return [d for d in wanted if rules[d.code].fix.probe is None]  # type: ignore[union-attr]
