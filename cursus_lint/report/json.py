"""The JSON output contract of DESIGN.md: CI gates parse this, so keys, order and types are fixed.

Shape (keys in this order)::

    {"tool": {"name", "version"},
     "diagnostics": [{"code", "name", "severity", "path", "line", "column", "end_line",
                      "end_column", "step", "message", "related": [{"path", "line", "message"}],
                      "fix": null | {"message", "safe", "edits": [{"path", "line", "column",
                                                                   "end_line", "end_column",
                                                                   "new_text"}]}}],
     "summary": {"files", "steps", "diagnostics", "by_code", "elapsed_ms"[, "unknown"]}}

Diagnostics are sorted by path, line, column, code; ``by_code`` by code. With
``statistics=True`` the summary gains ``"unknown": {kind: count}`` — how many cases rules could
not decide statically, by kind in name order (``{}`` when there were none); without it the key
is absent, so the default document is exactly the contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cursus_lint._version import __version__
from cursus_lint.diagnostic import Diagnostic
from cursus_lint.rule import Rule

from .base import TOOL_NAME, Finding, Summary, counts_by_code, elapsed_ms, prepare, unknown_counts


def render(
    diagnostics: Iterable[Diagnostic],
    rules: Iterable[Rule] | Mapping[str, Rule],
    summary: Summary,
    *,
    cwd: Path,
    color: bool = False,
    statistics: bool = False,
) -> str:
    return json.dumps(document(diagnostics, summary, cwd=cwd, statistics=statistics),
                      indent=2, ensure_ascii=False) + "\n"


def document(
    diagnostics: Iterable[Diagnostic], summary: Summary, *, cwd: Path, statistics: bool = False
) -> dict[str, Any]:
    """The contract as plain data (for callers that embed it rather than print it)."""
    findings = prepare(diagnostics, cwd)
    totals: dict[str, Any] = {
        "files": summary.files,
        "steps": summary.steps,
        "diagnostics": len(findings),
        "by_code": counts_by_code(findings),
        "elapsed_ms": elapsed_ms(summary),
    }
    if statistics:
        totals["unknown"] = unknown_counts(summary)
    return {
        "tool": {"name": TOOL_NAME, "version": __version__},
        "diagnostics": [_diagnostic(f) for f in findings],
        "summary": totals,
    }


def _diagnostic(f: Finding) -> dict[str, Any]:
    fix = None
    if f.fix is not None:
        fix = {
            "message": f.fix.message,
            "safe": f.fix.safe,
            "edits": [
                {"path": e.path, "line": e.line, "column": e.column, "end_line": e.end_line,
                 "end_column": e.end_column, "new_text": e.new_text}
                for e in f.fix.edits
            ],
        }
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "step": f.step,
        "message": f.message,
        "related": [{"path": r.path, "line": r.line, "message": r.message} for r in f.related],
        "fix": fix,
    }
