"""What one ``check`` run found: the engine's answer and, on a result-cache hit, the stored one.

A module of its own so a hit (``result_cache``) builds the very same object the engine returns
without importing the engine, the facts layer or the rules.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from .diagnostic import Diagnostic, Severity

if TYPE_CHECKING:
    from cursus_core.facts.model import UnknownCase

    from .rule import Rule


class CheckResult(msgspec.Struct):
    diagnostics: list[Diagnostic]
    rules: dict[str, Rule]
    files: int
    steps: int
    elapsed_ms: float
    unknown: Counter[str] = msgspec.field(default_factory=Counter)
    suppressed: int = 0
    #: where each counted unknown case is, per file (``--verbose``)
    unknown_at: dict[Path, tuple[UnknownCase, ...]] = msgspec.field(default_factory=dict)
    #: directory arguments with no step repo under them (a wrong path in CI must not pass)
    empty_dirs: list[Path] = msgspec.field(default_factory=list)

    def failed(self, fail_on: str = "error") -> bool:
        threshold = Severity(fail_on).rank
        return any(d.severity.rank >= threshold for d in self.diagnostics)
