"""Render a RunReport as text (people), JSON (tools) or JUnit XML (CI test tabs)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from .models import RunReport, ScriptResult

__all__ = ["render_report", "result_line"]

_MARK = {"passed": "PASS", "failed": "FAIL", "timeout": "TIME", "blocked": "BLOCK", "unconfigured": "CONF",
         "error": "ERROR", "skipped": "SKIP"}


def result_line(result: ScriptResult) -> str:
    """``PASS  Node (1.23 s)`` / ``FAIL  Node: reason`` / ``SKIP  Node: reason``."""
    head = f"{_MARK[result.status]:<5} {result.node}"
    if result.status in ("passed", "failed", "timeout"):
        head += f" ({result.duration_s:.2f} s)"
    return head + (f": {result.reason}" if result.reason and result.status != "passed" else "")


def _text(report: RunReport) -> str:
    lines: list[str] = []
    for r in report.results:
        lines.append(result_line(r))
        if r.status == "passed":
            for name, files in r.outputs.items():
                lines.append(f"      {name}: {', '.join(files) if files else '(no files)'}")
        if r.error:
            lines.append(f"      {r.error}")
        if r.failing_frame:
            f = r.failing_frame
            lines.append(f"      at {f.path}:{f.line} in {f.function}: {f.code}")
        if r.status in ("failed", "timeout") and r.stderr_tail:
            lines += ["      | " + line for line in r.stderr_tail.splitlines()[-8:]]
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items())
    where = ("temporary workspace removed; --workspace DIR keeps the files" if report.workspace_removed
             else f"workspace {report.workspace}")
    lines.append(f"{'OK' if report.ok else 'FAILED'}: {counts} in {report.duration_s:.2f} s ({where})")
    return "\n".join(lines) + "\n"


def _junit(report: RunReport) -> str:
    counts = report.counts()
    suite = ET.Element("testsuite", {
        "name": "cursus-lint test-scripts", "tests": str(len(report.results)),
        "failures": str(counts.get("failed", 0) + counts.get("timeout", 0)),
        "errors": str(counts.get("blocked", 0) + counts.get("unconfigured", 0) + counts.get("error", 0)),
        "skipped": str(counts.get("skipped", 0)), "time": f"{report.duration_s:.3f}"})
    for r in report.results:
        case = ET.SubElement(suite, "testcase", {"classname": "runtime", "name": r.node, "time": f"{r.duration_s:.3f}"})
        if r.status == "skipped":
            ET.SubElement(case, "skipped", {"message": r.reason or ""})
        elif r.status in ("failed", "timeout"):
            failure = ET.SubElement(case, "failure", {"message": r.error or r.reason or r.status, "type": r.status})
            failure.text = r.stderr_tail
        elif r.status != "passed":
            ET.SubElement(case, "error", {"message": r.reason or r.status, "type": r.status})
        if r.stdout_tail:
            ET.SubElement(case, "system-out").text = r.stdout_tail
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


def render_report(report: RunReport, fmt: str = "text") -> str:
    if fmt == "json":
        data = {"tool": "cursus-lint test-scripts", "ok": report.ok, "counts": report.counts(),
                **report.model_dump()}
        return json.dumps(data, indent=2) + "\n"
    if fmt == "junit":
        return _junit(report)
    return _text(report)
