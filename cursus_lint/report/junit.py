"""JUnit XML for CI systems that only understand test reports.

One ``<testsuite>`` per step (findings without a step go to ``(no step)``, listed last), one
failing ``<testcase>`` per finding with ``<failure type=CODE message=...>``. With no findings
the report holds one passing testcase ``cursus-lint`` so it is never empty (some CI systems
treat an empty report as an error). Characters XML 1.0 cannot carry (control characters, lone
surrogates) are written as ``\\xNN`` so the file always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path

from cursus_lint.diagnostic import Diagnostic
from cursus_lint.rule import Rule

from .base import TOOL_NAME, Finding, Summary, elapsed_ms, prepare

NO_STEP = "(no step)"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render(
    diagnostics: Iterable[Diagnostic],
    rules: Iterable[Rule] | Mapping[str, Rule],
    summary: Summary,
    *,
    cwd: Path,
    color: bool = False,
    statistics: bool = False,
) -> str:
    findings = prepare(diagnostics, cwd)
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.step if f.step is not None else NO_STEP, []).append(f)
    order = sorted(groups, key=lambda name: (name == NO_STEP, name))

    root = ET.Element("testsuites", _attrs(
        name=TOOL_NAME, tests=max(1, len(findings)), failures=len(findings), errors=0,
        time=f"{elapsed_ms(summary) / 1000:.3f}",
    ))
    if not findings:
        suite = ET.SubElement(root, "testsuite", _attrs(name=TOOL_NAME, tests=1, failures=0, errors=0, skipped=0))
        ET.SubElement(suite, "testcase", _attrs(classname=TOOL_NAME, name=TOOL_NAME))
    for step in order:
        members = groups[step]
        suite = ET.SubElement(root, "testsuite", _attrs(
            name=step, tests=len(members), failures=len(members), errors=0, skipped=0,
        ))
        for f in members:
            case = ET.SubElement(suite, "testcase", _attrs(
                classname=step, name=f"{f.code} {f.path}:{f.line}:{f.column}", file=f.path, line=f.line,
            ))
            failure = ET.SubElement(case, "failure", _attrs(type=f.code, message=f.message))
            failure.text = xml_safe(_details(f))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _attrs(**values: object) -> dict[str, str]:
    return {key: xml_safe(str(value)) for key, value in values.items()}


def _details(f: Finding) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.name}: {f.message}"]
    lines.extend(f"    note: {r.path}:{r.line}: {r.message}" for r in f.related)
    return "\n".join(lines)
