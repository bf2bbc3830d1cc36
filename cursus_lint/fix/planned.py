"""A fix provider's answer, kept free of libcst so the .step.yaml fixes and the probes share it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Planned:
    """A provider's answer: the whole new text of ``path``; the caller turns it into an Edit."""

    message: str
    path: Path
    new_text: str
