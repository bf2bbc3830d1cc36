"""What a rule is: metadata, documentation, runnable examples, a typed check and its fix.

Rules live one per module in ``rules/`` (shipped as ``cursus_lint.rules``); each module
defines a module-level ``RULE = Rule(...)`` and decorates its check with the shape it needs:

- ``@RULE.step``    ``check(step: StepModel, project: ProjectModel)``, once per step;
- ``@RULE.file``    ``check(facts: FileFacts, project: ProjectModel)``, once per parsed file;
- ``@RULE.project`` ``check(project: ProjectModel)``, once per run.

The decorator wraps the function in :class:`StepCheck`, :class:`FileCheck` or
:class:`ProjectCheck`, so the engine dispatches on a type mypy can check, and an editor
navigates from a rule to the facts it reads. A rule reported by another part of cursus-lint
(no check function) says who with ``emitted_by``. A fixable rule decorates its fix provider
with ``@RULE.fixer(safety=..., edits=...)`` in the same file, and its libcst-free twin with
``@RULE.fix_probe`` (is there a fix? for the text output's ``[*]``, without building edits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import msgspec

from .diagnostic import Severity

if TYPE_CHECKING:  # pragma: no cover
    from .diagnostic import Diagnostic, Location, Related
    from .facts import FileFacts
    from .fix.context import Context, Planned
    from .fix.shape import ShapeContext
    from .model import ProjectModel, StepModel

FAMILIES = {
    "0": "step-interface",
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

#: what a check runs over (or, for a rule without a check, who reports it)
Scope = Literal["step", "project", "file", "build", "editor"]
#: a rule without a check function is reported by the engine itself (unparsable files, noqa
#: comments, malformed registry tables), by ``cursus-lint build``, or by the language server
EmittedBy = Literal["engine", "build", "editor"]
Safety = Literal["safe", "unsafe"]

StepCheckFn = Callable[["StepModel", "ProjectModel"], Iterable["Diagnostic"]]
FileCheckFn = Callable[["FileFacts", "ProjectModel"], Iterable["Diagnostic"]]
ProjectCheckFn = Callable[["ProjectModel"], Iterable["Diagnostic"]]
#: from a diagnostic and the fix context to the new text of one file, or None when undetermined
ProviderFn = Callable[["Diagnostic", "Context"], "Planned | None"]
#: whether the provider would give a fix, answered from the facts and the stdlib ast (no libcst)
ProbeFn = Callable[["Diagnostic", "ShapeContext"], bool]


class StepCheck(msgspec.Struct, frozen=True):
    """A check run once per step model."""

    run: StepCheckFn
    scope: ClassVar[Scope] = "step"


class FileCheck(msgspec.Struct, frozen=True):
    """A check run once per file whose facts were extracted (files that failed to parse are skipped)."""

    run: FileCheckFn
    scope: ClassVar[Scope] = "file"


class ProjectCheck(msgspec.Struct, frozen=True):
    """A check run once per run over the whole project model."""

    run: ProjectCheckFn
    scope: ClassVar[Scope] = "project"


Check = StepCheck | FileCheck | ProjectCheck


class FixSpec(msgspec.Struct, frozen=True):
    """Everything about a rule's fix: whether ``--fix`` applies it without ``--unsafe-fixes``,
    what it edits (one line for readers of the rule, beside the ``## Fix safety`` docs), and the
    provider that computes it. The provider imports libcst itself, when called: a check
    without fixes never loads it. The optional ``probe`` answers "would the provider give a
    fix?" without libcst, so the text output can mark fixable findings without building edits;
    tests/test_fix_probe.py holds every probe to its provider's answer."""

    safety: Safety
    edits: str
    provider: ProviderFn
    probe: ProbeFn | None = None


class Example(msgspec.Struct, frozen=True):
    """A tiny step repo: relative path -> file text (``bytes`` for files that are not UTF-8).
    ``expect`` lists (path, line) pairs the rule must report for a bad example; a good example
    must produce nothing for this rule."""

    files: Mapping[str, str | bytes]
    expect: tuple[tuple[str, int], ...] = ()
    config: dict[str, Any] = msgspec.field(default_factory=dict)


class Rule(msgspec.Struct):
    """A rule's metadata, docs and examples; its decorators set ``check`` and ``fix`` once. A
    (mutable) Struct, not a dataclass: a run creates no dataclass and need not import
    ``dataclasses`` (issue 13)."""

    code: str
    name: str
    summary: str
    severity: Severity
    docs: str  # markdown: what / why / example / how to fix (+ fix safety, known limits)
    emitted_by: EmittedBy | None = None
    bad: tuple[Example, ...] = ()
    good: tuple[Example, ...] = ()
    fix: FixSpec | None = None
    #: set by ``@RULE.step`` / ``@RULE.file`` / ``@RULE.project``, never passed to the constructor
    check: Check | None = None

    @property
    def family(self) -> str:
        return FAMILIES.get(self.code[2], "unknown")

    @property
    def scope(self) -> Scope:
        """What the check runs over; for a rule without a check, "build"/"editor" for the
        commands that report it, "file" for the engine's own findings about files."""
        if self.check is not None:
            return self.check.scope
        if self.emitted_by in ("build", "editor"):
            return self.emitted_by
        return "file"

    @property
    def fixable(self) -> Literal["no", "safe", "unsafe"]:
        return self.fix.safety if self.fix is not None else "no"

    # -- decorators ----------------------------------------------------------------------
    def _set(self, check: Check) -> None:
        if self.check is not None or self.emitted_by is not None:
            raise TypeError(f"{self.code}: a rule has one check, or is emitted by another part")
        self.check = check

    def step(self, fn: StepCheckFn) -> StepCheckFn:
        """``@RULE.step``: ``fn(step, project)`` runs once per step."""
        self._set(StepCheck(fn))
        return fn

    def file(self, fn: FileCheckFn) -> FileCheckFn:
        """``@RULE.file``: ``fn(facts, project)`` runs once per parsed file."""
        self._set(FileCheck(fn))
        return fn

    def project(self, fn: ProjectCheckFn) -> ProjectCheckFn:
        """``@RULE.project``: ``fn(project)`` runs once per run."""
        self._set(ProjectCheck(fn))
        return fn

    def fixer(self, *, safety: Safety, edits: str) -> Callable[[ProviderFn], ProviderFn]:
        """``@RULE.fixer(safety=..., edits=...)`` on the provider function of this rule's fix."""

        def register(fn: ProviderFn) -> ProviderFn:
            if self.fix is not None:
                raise TypeError(f"{self.code}: a rule has one fix provider")
            self.fix = FixSpec(safety, edits, fn)
            return fn

        return register

    def fix_probe(self, fn: ProbeFn) -> ProbeFn:
        """``@RULE.fix_probe`` (after ``@RULE.fixer``): the libcst-free answer to "is there a fix?"."""
        if self.fix is None or self.fix.probe is not None:
            raise TypeError(f"{self.code}: a fix probe needs one fix provider and there is one probe")
        self.fix = msgspec.structs.replace(self.fix, probe=fn)
        return fn

    def report(self, path: Path, span: Any, message: str, *, step: str | None = None,
               related: Iterable[Related | tuple[Path, Any, str]] = (), fix: Any = None,
               anchor: str | None = None) -> Diagnostic:
        """Build a Diagnostic carrying this rule's code, name and default severity.

        ``span`` is anything with line/column/end_line/end_column (a facts ``Span``) or None;
        ``related`` holds ``Related`` objects or ``(path, span, message)`` triples.
        """
        from .diagnostic import Diagnostic, Related

        rel = tuple(r if isinstance(r, Related) else Related(make_location(r[0], r[1]), r[2]) for r in related)
        return Diagnostic(self.code, self.name, self.severity, make_location(path, span), message, step, rel, fix,
                          anchor)


def make_location(path: Path, span: Any = None) -> Location:
    """A Location from a path and anything with line/column/end_line/end_column (a facts Span)."""
    from .diagnostic import Location

    if span is None:
        return Location(path)
    return Location(path, span.line, span.column, getattr(span, "end_line", None), getattr(span, "end_column", None))
