"""The engine hook: ask each rule's fix provider for its fix and attach it as one minimal Edit."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..diagnostic import Diagnostic, Fix
from ..model import ProjectModel
from ..rule import Rule
from .context import Context
from .edits import minimal_edit, parses


def attach(diagnostics: Iterable[Diagnostic], rules: Mapping[str, Rule], project: ProjectModel,
           overlay: dict[Path, str] | None) -> None:
    ctx = Context(project, overlay)
    for d in diagnostics:
        rule = rules.get(d.code)
        spec = rule.fix if rule is not None else None
        if spec is None:
            continue
        try:
            planned = spec.provider(d, ctx)
        except Exception:  # a fix is an extra: a provider bug must not break the check
            if os.environ.get("CURSUS_LINT_DEBUG"):
                raise
            continue
        if planned is None:
            continue
        old = ctx.text(planned.path)
        if old is None or not parses(planned.path, planned.new_text):
            continue
        edit = minimal_edit(planned.path, old, planned.new_text)
        if edit is not None:
            d.fix = Fix(planned.message, (edit,), spec.safety == "safe")

