"""``write_plan``: create the planned files, all or nothing, never over an existing file."""

from __future__ import annotations

import os
from pathlib import Path

from .model import ScaffoldError, ScaffoldPlan


def write_plan(root: Path, plan: ScaffoldPlan) -> list[Path]:
    """Write every file of ``plan`` under ``root``; returns the absolute paths written.

    Every check happens before the first write: a new file that already exists, an edited file that
    changed since the plan was made, or a path that escapes ``root`` raise ScaffoldError naming it."""
    base = Path(root).absolute()
    resolved_base = base.resolve()
    for f in plan.files:
        target = base / f.path
        if f.path.is_absolute() or not target.resolve().is_relative_to(resolved_base):
            raise ScaffoldError(f"refusing to write outside {base}: {f.path.as_posix()}")
        if f.is_edit:
            if not target.is_file() or target.read_text(encoding="utf-8") != (f.original or ""):
                raise ScaffoldError(f"{f.path.as_posix()} changed since the plan was made; plan again")
        elif os.path.lexists(target):
            raise ScaffoldError(f"refusing to overwrite existing file {f.path.as_posix()}")
    written: list[Path] = []
    for f in plan.files:
        target = base / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if f.is_edit:
            target.write_text(f.content, encoding="utf-8")
        else:
            with open(target, "x", encoding="utf-8") as handle:  # "x": a file that appeared meanwhile is kept
                handle.write(f.content)
        written.append(target)
    return written
