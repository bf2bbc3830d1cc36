"""What a rule is: metadata, documentation, runnable examples and a pure check function.

Rules live one per module in ``rules/`` (shipped as ``cursus_lint.rules``); each module
defines a module-level ``RULE = Rule(...)``. Checks receive typed facts (never paths to
parse) and yield :class:`~cursus_lint.diagnostic.Diagnostic` objects via ``ctx.report``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal

from .diagnostic import Severity

if TYPE_CHECKING:  # pragma: no cover
    from .diagnostic import Diagnostic

FAMILIES = {
    "1": "script-contract",
    "2": "contract-specification",
    "3": "specification-dependencies",
    "4": "builder-configuration",
    "5": "naming",
    "6": "registry-workspace",
    "7": "portability",
    "8": "pipeline",
    "9": "tool",
}


@dataclass(frozen=True)
class Example:
    """A tiny step repo: relative path -> file text (``bytes`` for files that are not UTF-8).
    ``expect`` lists (path, line) pairs the rule must report for a bad example; a good example
    must produce nothing for this rule."""

    files: dict[str, str | bytes]
    expect: tuple[tuple[str, int], ...] = ()
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rule:
    code: str
    name: str
    summary: str
    severity: Severity
    docs: str  # markdown: what / why / how to fix
    #: "build": emitted by `cursus-lint build` only; "editor": by the language server only
    scope: Literal["step", "project", "file", "build", "editor"] = "step"
    fixable: Literal["no", "safe", "unsafe"] = "no"
    bad: tuple[Example, ...] = ()
    good: tuple[Example, ...] = ()
    check: Callable[..., Iterable["Diagnostic"]] | None = None

    @property
    def family(self) -> str:
        return FAMILIES.get(self.code[2], "unknown")

    def __call__(self, fn: Callable[..., Iterable["Diagnostic"]]) -> Callable[..., Iterable["Diagnostic"]]:
        """Use ``@RULE`` as a decorator on the check function."""
        self.check = fn
        return fn

    def report(self, path, span, message: str, *, step: str | None = None, related=(), fix=None,
               anchor: str | None = None) -> "Diagnostic":
        """Build a Diagnostic carrying this rule's code, name and default severity.

        ``span`` is anything with line/column/end_line/end_column (a facts ``Span``) or None;
        ``related`` holds ``Related`` objects or ``(path, span, message)`` triples.
        """
        from .diagnostic import Diagnostic, Related

        rel = tuple(r if isinstance(r, Related) else Related(make_location(r[0], r[1]), r[2]) for r in related)
        return Diagnostic(self.code, self.name, self.severity, make_location(path, span), message, step, rel, fix,
                          anchor)


def make_location(path, span=None) -> "Location":
    """A Location from a path and anything with line/column/end_line/end_column (a facts Span)."""
    from .diagnostic import Location

    if span is None:
        return Location(path)
    return Location(path, span.line, span.column, getattr(span, "end_line", None), getattr(span, "end_column", None))
