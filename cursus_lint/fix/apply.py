"""The ``--fix`` / ``--diff`` / ``--add-noqa`` loop over a repo.

Each pass runs the engine on the current texts (kept as an overlay, so ``--diff`` never writes),
applies every non-overlapping fix per file, and keeps a file's new text only if it still parses.
A fix is applied only to the text it was computed on: a file is first read into the overlay
(its snapshot) and the engine run again, so a file rewritten on disk between the run and the
read (a second ``--fix`` at the same time) never gets edits meant for another text. Fixes that
clash with an earlier one in the same pass are retried on the next pass (seven env vars declared
at one spot go in one per pass). A pass that leaves fewer fixable findings than any pass before it
is progress and does not count against ``max_passes``, so one ``--fix`` applies them all; since that
number cannot fall forever, the loop still ends, and a loop that makes no such progress (fixes that
keep producing fixable findings) stops after ``max_passes`` passes. When nothing changes, or at the
limit, the last run's findings are what remains.
Files are written at the end, only when asked to, all or none (:mod:`.write`).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from cursus_core.source import load_source

from ..diagnostic import Diagnostic
from ..suppress import UNUSED_NOQA_CODE, add_noqa_edits
from .edits import apply_edits, non_overlapping, parses
from .write import write_fixed

MAX_PASSES = 5


class LintRun(Protocol):
    """What the fix loop reads of one engine run (``engine.CheckResult``; fix/ does not import the engine)."""

    @property
    def diagnostics(self) -> list[Diagnostic]: ...


@dataclass(frozen=True)
class AppliedFix:
    """A fix that went in: the file it changed, and the finding (path, line, code) it fixed."""

    target: Path
    path: Path
    code: str
    line: int
    message: str


@dataclass(frozen=True)
class SkippedFix:
    path: Path
    code: str
    message: str
    reason: str


@dataclass
class FixOutcome:
    """What a fix run did: the final check result, the new texts and what was applied or skipped."""

    result: LintRun  # engine.CheckResult of the last run
    original: dict[Path, str] = field(default_factory=dict)
    current: dict[Path, str] = field(default_factory=dict)
    applied: list[AppliedFix] = field(default_factory=list)
    skipped: list[SkippedFix] = field(default_factory=list)
    noqa_added: int = 0

    @property
    def changed(self) -> dict[Path, str]:
        return {p: t for p, t in self.current.items() if t != self.original.get(p)}

    def unsafe_available(self) -> int:
        return sum(1 for d in self.result.diagnostics if d.fix is not None and not d.fix.safe)

    def diff(self, cwd: Path | None = None) -> str:
        """A unified diff of every changed file (paths relative to ``cwd``)."""
        out: list[str] = []
        for path in sorted(self.changed, key=str):
            name = _display(path, cwd)
            out.extend(difflib.unified_diff(self.original[path].splitlines(keepends=True),
                                            self.current[path].splitlines(keepends=True),
                                            f"a/{name}", f"b/{name}"))
            if out and not out[-1].endswith(("\n", "\r")):
                out[-1] += "\n\\ No newline at end of file\n"
        return "".join(out)

    def write(self, roots: Iterable[Path]) -> list[Path]:
        """Write the changed files, all or none, only inside ``roots`` and only over the text the
        fixes were computed on (keeping a UTF-8 BOM and the line endings as they were).

        Raises :class:`~cursus_lint.fix.write.FixWriteError` naming the file that stopped it.
        """
        return write_fixed({p: (self.original[p], t) for p, t in self.changed.items()}, roots)


def _display(path: Path, cwd: Path | None) -> str:
    try:
        return Path(os.path.relpath(path, cwd or Path.cwd())).as_posix()
    except ValueError:
        return path.as_posix()


def run_fixes(run: Callable[[dict[Path, str]], LintRun], *, unsafe: bool = False, fix: bool = True,
              add_noqa: bool = False, max_passes: int = MAX_PASSES) -> FixOutcome:
    """Fix (and/or add noqa) until nothing fixable changes; ``run(overlay)`` is one engine run."""
    outcome = FixOutcome(result=run({}))
    linted: set[Path] = set()  # files whose text in the last run was our snapshot (the overlay)
    skipped_keys: set[tuple[str, str, str]] = set()
    counted, fewest = 0, None  # passes counted against the limit; fewest fixable findings seen so far
    while fix:
        wanted = [d for d in outcome.result.diagnostics
                  if d.fix is not None and d.fix.edits and (d.fix.safe or unsafe)
                  and len({e.path for e in d.fix.edits}) == 1]
        if fewest is not None and len(wanted) < fewest:
            fewest = len(wanted)  # progress (fewer fixable findings than ever before): a free pass
        else:
            fewest = len(wanted) if fewest is None else fewest
            counted += 1
            if counted > max_passes + 1:
                break
        fresh = _snapshot(outcome, {_fix_path(d) for d in wanted} - linted)
        changed = _apply_pass(outcome, [d for d in wanted if _fix_path(d) in linted], skipped_keys)
        if not changed and not fresh:
            break
        outcome.result = run(dict(outcome.current))
        linted = set(outcome.current)
    if add_noqa:
        if _snapshot(outcome, {d.location.path for d in outcome.result.diagnostics} - linted):
            outcome.result = run(dict(outcome.current))
        if _add_noqa(outcome, outcome.result.diagnostics):
            outcome.result = run(dict(outcome.current))
    return outcome


def _fix_path(d: Diagnostic) -> Path:
    """The one file a wanted fix edits (``run_fixes`` keeps only fixes with edits in one file)."""
    assert d.fix is not None and d.fix.edits
    return d.fix.edits[0].path


def _snapshot(outcome: FixOutcome, paths: set[Path]) -> bool:
    """Read ``paths`` into the overlay (the next run lints exactly these texts); True if any was new."""
    return any([_text(outcome, p) is not None for p in sorted(paths, key=str) if p not in outcome.current])


def _text(outcome: FixOutcome, path: Path) -> str | None:
    if path in outcome.current:
        return outcome.current[path]
    text = load_source(path).text
    if text is not None:
        outcome.original[path] = text
        outcome.current[path] = text
    return text


def _apply_pass(outcome: FixOutcome, fixes: Sequence[Diagnostic], skipped_keys: set) -> bool:
    by_path: dict[Path, list[Diagnostic]] = {}
    for d in fixes:
        by_path.setdefault(_fix_path(d), []).append(d)
    changed = False
    for path, found in sorted(by_path.items(), key=lambda kv: str(kv[0])):
        text = _text(outcome, path)
        if text is None:
            continue
        fixes_here = [(d, d.fix) for d in found if d.fix is not None]
        ok, _clash = non_overlapping(text, [fix.edits for _, fix in fixes_here])  # clashes: next pass
        accepted: list = []
        for i in ok:
            d, fix = fixes_here[i]
            candidate = apply_edits(text, accepted + list(fix.edits))
            if not parses(path, candidate):
                key = (str(path), d.code, fix.message)
                if key not in skipped_keys:
                    skipped_keys.add(key)
                    outcome.skipped.append(SkippedFix(path, d.code, fix.message,
                                                      "the fixed file would not parse"))
                continue
            accepted.extend(fix.edits)
            outcome.applied.append(AppliedFix(path, d.location.path, d.code, d.location.line, fix.message))
        if accepted:
            new = apply_edits(text, accepted)
            if new != text:
                outcome.current[path] = new
                changed = True
    return changed


def _add_noqa(outcome: FixOutcome, diagnostics: Sequence[Diagnostic]) -> bool:
    """``# noqa: CODE`` on the line of every remaining finding (never CL903)."""
    wanted: dict[Path, dict[int, set[str]]] = {}
    for d in diagnostics:
        if d.code == UNUSED_NOQA_CODE:
            continue
        wanted.setdefault(d.location.path, {}).setdefault(d.location.line, set()).add(d.code)
    changed = False
    for path, lines in sorted(wanted.items(), key=lambda kv: str(kv[0])):
        text = _text(outcome, path)
        if text is None:
            continue
        new = add_noqa_edits(text, lines)
        if new != text and parses(path, new) == parses(path, text):
            outcome.current[path] = new
            outcome.noqa_added += sum(len(c) for c in lines.values())
            changed = True
    return changed
