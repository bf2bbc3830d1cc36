"""Human output: one ``path:line:col: CODE message`` per finding, or grouped and coloured on a terminal.

Plain mode (``color=False``) is what pipes, editors and grep get: no ANSI at all, one finding
per line, related locations indented below as ``    note: path:line: message``. Colour mode
groups findings under a file header and is rendered by ``rich`` into a string, so the CLI
decides where it goes. Both end with a one-line summary; ``statistics=True`` puts a table of
counts per code (and the statically-unknowable counter) just above that line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from io import StringIO
from itertools import groupby
from pathlib import Path


from cursus_lint.diagnostic import Diagnostic
from cursus_lint.rule import Rule

from .base import (
    Finding,
    Summary,
    counts_by_severity,
    plural,
    prepare,
    printable,
    rule_map,
    unknown_counts,
)

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
Line = list[tuple[str, str]]  # (text, rich style) segments; style "" means plain


def render(
    diagnostics: Iterable[Diagnostic],
    rules: Iterable[Rule] | Mapping[str, Rule],
    summary: Summary,
    *,
    cwd: Path,
    color: bool = False,
    statistics: bool = False,
    width: int = 100,
) -> str:
    findings = prepare(diagnostics, cwd)
    lines: list[Line] = _grouped(findings) if color else _plain(findings)
    if statistics:
        table = _statistics(findings, rule_map(rules), summary)
        if table:
            if lines:
                lines.append([])
            lines.extend(table)
    if lines:
        lines.append([])
    lines.append(_summary_line(findings, summary))
    lines.extend(_fixable_lines(findings))
    return _to_ansi(lines, width) if color else "".join(
        "".join(text for text, _ in line) + "\n" for line in lines
    )


def _plain(findings: list[Finding]) -> list[Line]:
    lines: list[Line] = []
    for f in findings:
        lines.append([(f"{printable(f.path)}:{f.line}:{f.column}: {printable(f.code)}{_mark(f)} "
                       f"{printable(f.message)}", "")])
        lines.extend(_notes(f))
    return lines


def _grouped(findings: list[Finding]) -> list[Line]:
    lines: list[Line] = []
    for path, group in groupby(findings, key=lambda f: f.path):
        if lines:
            lines.append([])
        lines.append([(printable(path), "bold underline")])
        for f in group:
            style = SEVERITY_STYLE[f.severity]
            lines.append([
                # path:line:col, so a terminal (VS Code, iTerm) makes the position clickable
                (f"  {printable(path)}:{f.line}:{f.column}  ", "dim"),
                (printable(f.code) + _mark(f), style),
                ("  ", ""),
                (f.severity, style),
                ("  ", ""),
                (printable(f.message), ""),
            ])
            lines.extend(_notes(f))
    return lines


def _mark(f: Finding) -> str:
    """`` [*]`` after the code of a finding ``--fix`` repairs (as ruff marks them)."""
    return " [*]" if f.fixable == "safe" else ""


def _fixable_lines(findings: list[Finding]) -> list[Line]:
    """The hint under the summary: how many findings ``--fix`` (and ``--unsafe-fixes``) repair."""
    safe = sum(1 for f in findings if _mark(f))
    unsafe = sum(1 for f in findings if f.fixable == "unsafe")
    lines: list[Line] = []
    if safe:
        lines.append([(f"[*] {safe} fixable with `--fix`.", "")])
    if unsafe:
        more = f"{unsafe} more fix{'' if unsafe == 1 else 'es'} available with `--fix --unsafe-fixes`."
        lines.append([(more, "dim")])
    return lines


def _notes(f: Finding) -> list[Line]:
    return [
        [("    note: ", "dim"), (f"{printable(r.path)}:{r.line}: {printable(r.message)}", "")]
        for r in f.related
    ]


def _statistics(findings: list[Finding], rules: dict[str, Rule], summary: Summary) -> list[Line]:
    """Counts per code, most frequent first (ties by code), then the unknowable counter."""
    counted = Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    rows = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    digits = max((len(str(n)) for _, n in rows), default=1)
    code_width = max((len(printable(code)) for code, _ in rows), default=5)
    lines: list[Line] = []
    for code, count in rows:
        name = rules[code].name if code in rules else names[code]
        lines.append([
            (f"{count:>{digits}}  ", "bold"),
            (f"{printable(code):<{code_width}}", "bold"),
            (f"  {printable(name)}", ""),
        ])
    unknown = unknown_counts(summary)
    if unknown:
        detail = ", ".join(f"{printable(kind)}: {n}" for kind, n in unknown.items())
        lines.append([(f"Not statically knowable: {sum(unknown.values())} ({detail})", "dim")])
    return lines


def _summary_line(findings: list[Finding], summary: Summary) -> Line:
    if not findings:
        text = f"All checks passed: {plural(summary.steps, 'step')}, {plural(summary.files, 'file')}."
        return [(text, "bold green")]
    by_severity = counts_by_severity(findings)
    parts = ", ".join(plural(n, name) for name, n in by_severity.items() if n)
    where = f" in {plural(summary.steps, 'step')}" if summary.steps else ""  # never "in 0 steps"
    text = f"Found {plural(len(findings), 'problem')} ({parts}){where}."
    worst = next(name for name, n in by_severity.items() if n)
    return [(text, SEVERITY_STYLE[worst])]


def _to_ansi(lines: list[Line], width: int) -> str:
    """Render through rich with a fixed environment so the result does not depend on the shell."""
    from rich.console import Console  # imported only for a terminal: plain output never needs rich
    from rich.text import Text

    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        force_jupyter=False,
        force_interactive=False,
        color_system="standard",
        width=max(20, width),
        no_color=False,
        soft_wrap=True,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
        _environ={},
    )
    for line in lines:
        console.print(Text.assemble(*((text, style) if style else text for text, style in line)))
    return buffer.getvalue()
