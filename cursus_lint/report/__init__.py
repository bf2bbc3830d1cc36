"""Reporters: turn diagnostics into text, JSON, SARIF, GitHub annotations or JUnit XML.

Every format is a pure function of its input (same input, same string) and never raises on odd
input: missing files, undecodable names and control characters are written safely instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from pathlib import Path

from cursus_lint.diagnostic import Diagnostic
from cursus_lint.rule import Rule

from .base import Summary

__all__ = ["FORMATS", "Summary", "render"]

Renderer = Callable[..., str]
#: format -> the module of this package whose ``render`` writes it (imported when used: a run
#: pays only for the format it prints)
FORMATS: dict[str, str] = {"text": "text", "json": "json", "sarif": "sarif", "github": "github", "junit": "junit"}


def renderer_of(format: str) -> Renderer:
    render: Renderer = import_module(f".{FORMATS[format]}", __name__).render
    return render


def render(
    format: str,
    diagnostics: Iterable[Diagnostic],
    rules: Iterable[Rule] | Mapping[str, Rule],
    summary: Summary,
    *,
    color: bool,
    statistics: bool,
    cwd: Path | str | None = None,
    width: int = 100,
) -> str:
    """Render in ``format``; paths are shown relative to ``cwd`` (default: the process cwd).

    ``color`` and ``width`` only matter to ``text``; ``statistics`` to ``text`` and ``json``.
    Raises ``ValueError`` for an unknown format (the CLI reports it as a usage error).
    """
    try:
        renderer = renderer_of(format)
    except KeyError:
        raise ValueError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}") from None
    base = Path(cwd) if cwd is not None else Path.cwd()
    options: dict[str, object] = {"cwd": base.absolute(), "color": color, "statistics": statistics}
    if format == "text":
        options["width"] = width
    return renderer(list(diagnostics), rules, summary, **options)
