"""GitHub Actions workflow commands: one annotation per finding, shown inline on the pull request.

``::error file=P,line=L,col=C,endLine=EL,endColumn=EC,title=CODE name::message`` (``warning``
for warnings, ``notice`` for info). Following the runner's rules, ``%``, CR and LF are escaped
in the message and additionally ``:`` and ``,`` in property values, so no finding can end the
command early or forge another one; other control characters (terminal escapes) are shown as
``\\xNN``. Related locations ride along in the message as
``note: path:line: message`` lines. No findings, no output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from cursus_lint.diagnostic import Diagnostic
from cursus_lint.rule import Rule

from .base import Finding, Summary, prepare, printable

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(
    diagnostics: Iterable[Diagnostic],
    rules: Iterable[Rule] | Mapping[str, Rule],
    summary: Summary,
    *,
    cwd: Path,
    color: bool = False,
    statistics: bool = False,
) -> str:
    return "".join(annotation(f) + "\n" for f in prepare(diagnostics, cwd))


def annotation(f: Finding) -> str:
    properties = {
        "file": f.path,
        "line": str(f.line),
        "col": str(f.column),
        "endLine": str(f.end_line),
        "endColumn": str(f.end_column),
        "title": f"{f.code} {f.name}",
    }
    props = ",".join(f"{key}={escape_property(printable(value, keep_newlines=True))}"
                     for key, value in properties.items())
    message = "\n".join([f.message, *(f"note: {r.path}:{r.line}: {r.message}" for r in f.related)])
    return f"::{COMMANDS[f.severity]} {props}::{escape_data(printable(message, keep_newlines=True))}"
