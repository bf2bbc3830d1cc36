"""Baselines, for adopting the linter on a legacy repo: record today's findings, report only new ones.

Entries are keyed by code, path, step and a fingerprint of the offending source text (never the
line number), so a baseline survives edits elsewhere in the file. Entries whose finding is gone are
*stale* and reported, so the baseline can shrink.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ._version import __version__
from .diagnostic import Diagnostic
from .report.base import prepare
from .report.sarif import finding_fingerprints

FORMAT_VERSION = 1


class BaselineError(Exception):
    """An unreadable or malformed baseline file (exit 2)."""


@dataclass(frozen=True)
class BaselineEntry:
    code: str
    path: str
    step: str | None
    fingerprint: str  # without the occurrence suffix
    message: str

    @property
    def key(self) -> tuple[str, str, str | None, str]:
        return (self.code, self.path, self.step, self.fingerprint)


def entries_for(diagnostics: list[Diagnostic], cwd: Path) -> list[tuple[BaselineEntry, Diagnostic]]:
    findings = prepare(diagnostics, cwd)
    fps = finding_fingerprints(findings, cwd)
    return [(BaselineEntry(f.code, f.path, f.step, fp.rsplit(":", 1)[0], f.message), f.diagnostic)
            for f, fp in zip(findings, fps, strict=True)]


def write_baseline(path: Path, diagnostics: list[Diagnostic], cwd: Path) -> int:
    entries = [e for e, _ in entries_for(diagnostics, cwd)]
    doc = {
        "tool": "cursus-lint", "tool_version": __version__, "format": FORMAT_VERSION,
        "findings": [{"code": e.code, "path": e.path, "step": e.step, "fingerprint": e.fingerprint,
                      "message": e.message} for e in entries],
    }
    path.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: Path) -> list[BaselineEntry]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_VERSION or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"baseline {path} is not a cursus-lint baseline (format {FORMAT_VERSION}); "
                            "write one with --write-baseline")
    out = []
    for i, item in enumerate(doc["findings"]):
        try:
            out.append(BaselineEntry(str(item["code"]), str(item["path"]), item.get("step"),
                                     str(item["fingerprint"]), str(item.get("message", ""))))
        except (KeyError, TypeError):
            raise BaselineError(f"baseline {path}: entry {i} lacks code, path or fingerprint") from None
    return out


def apply_baseline(diagnostics: list[Diagnostic], baseline: list[BaselineEntry],
                   cwd: Path) -> tuple[list[Diagnostic], list[BaselineEntry]]:
    """(new diagnostics, stale baseline entries). Identical findings are matched by count."""
    budget = Counter(e.key for e in baseline)
    new: list[Diagnostic] = []
    for entry, diagnostic in entries_for(diagnostics, cwd):
        if budget[entry.key] > 0:
            budget[entry.key] -= 1
        else:
            new.append(diagnostic)
    stale: list[BaselineEntry] = []
    for e in baseline:
        if budget[e.key] > 0:
            budget[e.key] -= 1
            stale.append(e)
    return new, stale
