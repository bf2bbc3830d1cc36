"""The request, the plan and its parts: plain data, so previews and writes share them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

SAGEMAKER_TYPES: tuple[str, ...] = ("Processing", "Training", "CreateModel", "Transform")
LAYOUTS: tuple[str, ...] = ("classic", "interface")


class ScaffoldError(Exception):
    """A request that cannot be planned or written; the message is one line for the user."""


@dataclass(frozen=True)
class NewStepRequest:
    """What ``new-step`` was asked for. ``env`` entries are ``NAME`` (required) or ``NAME=default``
    (optional); ``layout`` None means: the layout the repo already uses."""

    name: str
    sagemaker_type: str
    after: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    job_types: tuple[str, ...] = ()
    layout: str | None = None


@dataclass(frozen=True)
class PlannedFile:
    """One file to create (``is_edit`` False) or the new full text of an existing one (the registry)."""

    path: Path
    content: str
    is_edit: bool = False
    #: the current text of an edited file (the diff's left side); None for a new file
    original: str | None = None


@dataclass(frozen=True)
class WiringProposal:
    """How the shared resolver wires one dependency of the new step (its own pick, its own score)."""

    dependency: str
    upstream_step: str | None
    upstream_output: str | None
    score: float
    explanation: str


@dataclass
class ScaffoldPlan:
    """Every file of the new step, relative to the repo root, and the proposed wiring."""

    step_name: str
    layout: str
    files: list[PlannedFile] = field(default_factory=list)
    wiring: list[WiringProposal] = field(default_factory=list)

    def diff(self) -> str:
        """A unified diff of the whole plan: new files against /dev/null, edits against their text."""
        chunks: list[str] = []
        for f in self.files:
            new = f.content.splitlines(keepends=True)
            if f.is_edit:
                old = (f.original or "").splitlines(keepends=True)
                a, b = f"a/{f.path.as_posix()}", f"b/{f.path.as_posix()}"
            else:
                old, a, b = [], "/dev/null", f"b/{f.path.as_posix()}"
            chunks.append("".join(difflib.unified_diff(old, new, a, b)))
        return "".join(chunks)

    def wiring_report(self) -> str:
        """One line per dependency: what the resolver picks and the score, then why."""
        if not self.wiring:
            return f"{self.step_name}: no dependencies to wire\n"
        lines = []
        for w in self.wiring:
            if w.upstream_step is None:
                lines.append(f"{self.step_name}.{w.dependency}: no provider ({w.explanation})")
            else:
                lines.append(f"{self.step_name}.{w.dependency} <- {w.upstream_step}.{w.upstream_output} "
                             f"(score {w.score:.2f}): {w.explanation}")
        return "\n".join(lines) + "\n"
