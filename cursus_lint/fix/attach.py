"""The engine hook: ask each provider for its fix and attach it as one minimal Edit."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Iterable

from ..diagnostic import Diagnostic, Fix
from ..model import ProjectModel
from .edits import minimal_edit
from .providers import PROVIDERS, Context


def attach(diagnostics: Iterable[Diagnostic], project: ProjectModel, overlay: dict[Path, str] | None) -> None:
    ctx = Context(project, overlay)
    for d in diagnostics:
        entry = PROVIDERS.get(d.code)
        if entry is None:
            continue
        safety, provide = entry
        try:
            planned = provide(d, ctx)
        except Exception:  # a fix is an extra: a provider bug must not break the check
            if os.environ.get("CURSUS_LINT_DEBUG"):
                raise
            continue
        if planned is None:
            continue
        old = ctx.text(planned.path)
        if old is None or not _parses(planned.new_text):
            continue
        edit = minimal_edit(planned.path, old, planned.new_text)
        if edit is not None:
            d.fix = Fix(planned.message, (edit,), safety == "safe")


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True
