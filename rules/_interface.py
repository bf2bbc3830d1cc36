"""Shared by the CL0xx rules: located problems of the step interfaces, by kind, as diagnostics.

The interface layer (``cursus_core.interface``) reads, validates and cross-checks every
``.step.yaml`` once per run and keeps each problem with its kind and span; each CL0xx rule owns
some kinds and only turns them into findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Rule


def report_kinds(rule: Rule, project: ProjectModel, kinds: frozenset[str]) -> Iterator[Diagnostic]:
    """One finding per problem of ``kinds``; a problem marked as a warning stays one."""
    for problem in project.interface_problems:
        if problem.kind not in kinds:
            continue
        related = [(r.path, r.span, r.message) for r in problem.related]
        d = rule.report(problem.path, problem.span, problem.message, related=related)
        if problem.severity == "warning" and rule.severity is Severity.ERROR:
            d.severity = Severity.WARNING
        yield d
