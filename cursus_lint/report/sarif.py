"""SARIF 2.1.0 for GitHub code scanning (one run; rules, results, fixes, fingerprints).

Paths are repo-relative URIs against ``%SRCROOT%`` (the cwd); a path outside the cwd becomes
an absolute ``file:`` URI without a base. Code scanning tracks an alert across commits by
``partialFingerprints``, so ours hash what the finding is about — code, path, step and the
diagnostic's anchor or the stripped text of its source line — never the line number: inserting
lines above a finding keeps its fingerprint. Identical hashes in one file are told apart by an
occurrence suffix (``:1``, ``:2``) in output order, as GitHub does for its own line hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cursus_lint._version import __version__
from cursus_lint.diagnostic import Diagnostic
from cursus_lint.rule import Rule

from .base import (
    TOOL_NAME,
    EditView,
    Finding,
    SourceLines,
    Summary,
    family_of,
    repository_url,
    rule_help_uri,
    prepare,
    rule_map,
    severity_name,
)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "cursusLint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(
    diagnostics: Iterable[Diagnostic],
    rules: Iterable[Rule] | Mapping[str, Rule],
    summary: Summary,
    *,
    cwd: Path,
    color: bool = False,
    statistics: bool = False,
) -> str:
    return json.dumps(document(diagnostics, rules, cwd=cwd), indent=2, ensure_ascii=False) + "\n"


def document(
    diagnostics: Iterable[Diagnostic], rules: Iterable[Rule] | Mapping[str, Rule], *, cwd: Path
) -> dict[str, Any]:
    findings = prepare(diagnostics, cwd)
    base_url = repository_url()
    descriptors = _descriptors(rule_map(rules), findings)
    if base_url is not None:  # links only to pages that exist: the generated docs/rules/CLxxx.md
        for d, rule in zip(descriptors, rule_map(rules).values(), strict=False):
            d["helpUri"] = rule_help_uri(base_url, rule.code)
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    fingerprints = _fingerprints(findings, cwd)
    results = [_result(f, index[f.code], fp) for f, fp in zip(findings, fingerprints, strict=True)]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": __version__,
                        **({"informationUri": base_url} if base_url else {}),
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(cwd)}},
                "results": results,
            }
        ],
    }


def fingerprint(code: str, path: str, step: str | None, anchor_text: str) -> str:
    """The line-independent identity of a finding (without the occurrence suffix)."""
    payload = "\x1f".join((code, path, step or "", anchor_text)).encode("utf-8", "replace")
    return hashlib.sha256(payload).hexdigest()[:32]


def finding_fingerprints(findings: list[Finding], cwd: Path) -> list[str]:
    """``<hash of code, path, step, source text>:<occurrence>`` per finding; no line numbers, so
    they survive edits elsewhere in the file (SARIF partialFingerprints and the baseline)."""
    return _fingerprints(findings, cwd)


def _fingerprints(findings: list[Finding], cwd: Path) -> list[str]:
    sources = SourceLines(cwd)
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        anchor = f.diagnostic.anchor
        if anchor is None:
            anchor = sources.line(f.diagnostic.location.path, f.line)
        text = anchor.strip() if anchor is not None else f.message
        base = fingerprint(f.code, f.path, f.step, text)
        seen[base] = seen.get(base, 0) + 1
        out.append(f"{base}:{seen[base]}")
    return out


def _descriptors(rules: dict[str, Rule], findings: list[Finding]) -> list[dict[str, Any]]:
    """Every rule that ran, in code order, plus a minimal entry for any code found without one."""
    out = [_descriptor(r) for r in rules.values()]
    known = set(rules)
    for f in findings:
        if f.code not in known:
            known.add(f.code)
            out.append(_minimal_descriptor(f))
    return out


def _descriptor(rule: Rule) -> dict[str, Any]:
    summary = str(rule.summary).strip() or str(rule.name) or str(rule.code)
    docs = str(rule.docs).strip()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": _first_paragraph(docs) or summary},
        "help": {"text": docs or summary, "markdown": docs or summary},
        "defaultConfiguration": {"level": LEVELS[severity_name(rule.severity)]},
        "properties": {"tags": [rule.family]},
    }


def _minimal_descriptor(f: Finding) -> dict[str, Any]:
    text = f.name or f.code
    return {
        "id": f.code,
        "name": f.name,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": LEVELS[f.severity]},
        "properties": {"tags": [family_of(f.code)]},
    }


def _first_paragraph(markdown: str) -> str:
    """The first prose paragraph of a rule's docs (headings skipped)."""
    for block in markdown.split("\n\n"):
        lines = [ln.strip() for ln in block.strip().splitlines() if not ln.lstrip().startswith("#")]
        text = " ".join(ln for ln in lines if ln)
        if text:
            return text
    return ""


def _result(f: Finding, rule_index: int, fingerprint_value: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message or f.name or f.code},
        "locations": [
            {"physicalLocation": _physical(f.path, f.line, f.column, f.end_line, f.end_column)}
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint_value},
    }
    if f.related:
        result["relatedLocations"] = [
            {
                "id": i,
                "physicalLocation": {
                    "artifactLocation": _artifact(r.path),
                    "region": {"startLine": max(1, r.line)},
                },
                "message": {"text": r.message or "related location"},
            }
            for i, r in enumerate(f.related, start=1)
        ]
    if f.fix is not None and f.fix.edits:
        result["fixes"] = [
            {
                "description": {"text": f.fix.message or "apply fix"},
                "artifactChanges": _artifact_changes(f.fix.edits),
                "properties": {"safe": f.fix.safe},
            }
        ]
    if f.step is not None:
        result["properties"] = {"step": f.step}
    return result


def _artifact_changes(edits: tuple[EditView, ...]) -> list[dict[str, Any]]:
    by_path: dict[str, list[EditView]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    return [
        {
            "artifactLocation": _artifact(path),
            "replacements": [
                {
                    "deletedRegion": _region(e.line, e.column, e.end_line, e.end_column),
                    "insertedContent": {"text": e.new_text},
                }
                for e in sorted(group, key=lambda e: (e.line, e.column, e.end_line, e.end_column))
            ],
        }
        for path, group in sorted(by_path.items())
    ]


def _physical(path: str, line: int, column: int, end_line: int, end_column: int) -> dict[str, Any]:
    return {"artifactLocation": _artifact(path), "region": _region(line, column, end_line, end_column)}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    """A valid SARIF region: 1-based, and never ending before it starts."""
    line, column = max(1, line), max(1, column)
    end_line = max(line, end_line)
    end_column = max(1, end_column)
    if end_line == line:
        end_column = max(column, end_column)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _artifact(path: str) -> dict[str, str]:
    native = Path(path)
    if native.is_absolute():
        return {"uri": native.as_uri()}
    return {"uri": _quote(path), "uriBaseId": SRCROOT}


def _directory_uri(cwd: Path) -> str:
    uri = cwd.absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _quote(path: str) -> str:
    return quote(path, safe="/:@!$&'()*+,;=~-._")
