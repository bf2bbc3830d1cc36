"""``cursus-lint migrate``: classic step repos (contract + specs + registry row + builder) to the
interface layout (one ``<pkg>/steps/interfaces/<snake(step_type)>.step.yaml`` per step).

Everything is read from syntax trees through the facts layer; nothing is imported. An existing
``.step.yaml`` is never overwritten (reported instead), and source files are deleted only when asked.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cursus_core.catalog.catalog import StepCatalog

from .convert import Converted, Note, convert_step
from .emit import to_yaml

__all__ = ["MigrationError", "MigrationReport", "Note", "StepOutcome", "migrate"]


class MigrationError(Exception):
    """Bad input (no steps, unknown step name): one line for the user, exit 2."""


@dataclass
class StepOutcome:
    """``status``: written | would-write | exists | skipped."""

    step: str
    status: str
    target: Path
    text: str | None
    notes: list[Note]
    variants: list[str]
    deleted: list[Path] = field(default_factory=list)


@dataclass
class MigrationReport:
    root: Path
    outcomes: list[StepOutcome] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every step written (or writable) with nothing left unconverted."""
        return all(o.status in ("written", "would-write") and all(n.kind == "info" for n in o.notes)
                   for o in self.outcomes) and not self.notes


def migrate(root: str | os.PathLike[str], steps: list[str] | None = None, out_dir: Path | None = None,
            write: bool = True, delete_sources: bool = False) -> MigrationReport:
    """Convert the core steps under ``root``; ``write=False`` computes everything and writes nothing."""
    root = Path(root).resolve()
    if not root.exists():
        raise MigrationError(f"'{root}' does not exist")
    catalog = StepCatalog(root)
    report = MigrationReport(root)
    infos = [i for i in catalog.iter_steps() if i.workspace_id is None and not i.interface
             and (i.contract or i.specs or i.builder)]
    skipped_ws = sorted({i.name for i in catalog.iter_steps() if i.workspace_id is not None})
    if skipped_ws:
        report.notes.append(Note("-", "skipped", f"workspace steps are not migrated (step packs replace "
                                 f"workspaces): {', '.join(skipped_ws)}"))
    if steps:
        known = {i.name for i in infos}
        unknown = [s for s in steps if s not in known]
        if unknown:
            raise MigrationError(f"no classic step named {', '.join(repr(u) for u in unknown)} under '{root}' "
                                 f"(known: {', '.join(sorted(known)) or 'none'})")
        infos = [i for i in infos if i.name in steps]
    if not infos:
        raise MigrationError(f"no classic steps (contract, spec or builder files) under '{root}'")
    # convert everything before writing or deleting anything: steps may share a contract or spec file
    converted = [convert_step(info) for info in sorted(infos, key=lambda i: i.name)]
    for conv in converted:
        report.outcomes.append(_one(conv, out_dir, write))
    if delete_sources:
        _delete_sources(converted, report)
    return report


def _delete_sources(converted: list[Converted], report: MigrationReport) -> None:
    """Delete each source file whose every step was written (a file shared with a kept step stays)."""
    written = {o.step for o in report.outcomes if o.status == "written"}
    claims: dict[Path, set[str]] = {}
    for conv in converted:
        for src in conv.sources:
            claims.setdefault(src, set()).add(conv.step)
    by_step = {o.step: o for o in report.outcomes}
    for src, steps in sorted(claims.items()):
        if steps <= written:
            src.unlink(missing_ok=True)
            by_step[min(steps)].deleted.append(src)


def _one(conv: Converted, out_dir: Path | None, write: bool) -> StepOutcome:
    target = (out_dir / conv.target.name) if out_dir is not None else conv.target
    if conv.document is None:
        return StepOutcome(conv.step, "skipped", target, None, conv.notes, conv.variants)
    text = to_yaml(conv.document)
    if target.exists():
        conv.notes.append(Note(conv.step, "exists", f"{target.name} already exists; not overwritten", target))
        return StepOutcome(conv.step, "exists", target, text, conv.notes, conv.variants)
    if not write:
        return StepOutcome(conv.step, "would-write", target, text, conv.notes, conv.variants)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as fh:  # "x": never replace a file created meanwhile
        fh.write(text)
    return StepOutcome(conv.step, "written", target, text, conv.notes, conv.variants)


def diff_text(outcome: StepOutcome, relative_to: Path) -> str:
    """A unified diff creating ``outcome``'s file (empty when there is nothing to write)."""
    if outcome.text is None or outcome.status not in ("would-write", "written"):
        return ""
    try:
        name = outcome.target.relative_to(relative_to).as_posix()
    except ValueError:
        name = outcome.target.as_posix()
    return "".join(difflib.unified_diff([], outcome.text.splitlines(keepends=True), "/dev/null", f"b/{name}"))
