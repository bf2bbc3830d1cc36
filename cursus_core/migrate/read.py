"""The classic components of one step, read as facts (never imported).

The facts layer gives contracts and specs with positions and tells what is not literal; the few
values it does not keep (``framework_requirements``, ``description``, and the dependency and output
descriptions) are read here from the same call, by position, with the literal folder.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cursus_core.facts import ContractFacts, SpecFacts, Span, extract_contracts, extract_specs
from cursus_core.literals import NotLiteral, literal_value, module_constants
from cursus_core.source import load_source

NOT_LITERAL = object()


@dataclass
class ReadSpec:
    path: Path
    facts: SpecFacts
    #: (kind, logical name) -> literal keywords of the DependencySpec/OutputSpec call not in the facts
    extras: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@dataclass
class ReadContract:
    path: Path
    facts: ContractFacts
    extras: dict[str, Any] = field(default_factory=dict)


def _calls_at(path: Path) -> tuple[dict[tuple[int, int], ast.Call], dict[str, Any]]:
    sf = load_source(path)
    if not sf.ok or sf.tree is None:
        return {}, {}
    calls = {(n.lineno, n.col_offset): n for n in ast.walk(sf.tree) if isinstance(n, ast.Call)}
    return calls, module_constants(sf.tree)


def _keywords(call: ast.Call | None, names: tuple[str, ...], consts: dict[str, Any]) -> dict[str, Any]:
    """Literal values of the ``names`` keywords of ``call`` (``NOT_LITERAL`` when not literal)."""
    out: dict[str, Any] = {}
    if call is None:
        return out
    for kw in call.keywords:
        if kw.arg in names:
            try:
                out[kw.arg] = literal_value(kw.value, consts)
            except NotLiteral:
                out[kw.arg] = NOT_LITERAL
    return out


def _call(calls: dict[tuple[int, int], ast.Call], span: Span) -> ast.Call | None:
    """The call a fact's span starts at (columns: 1-based characters vs ast's 0-based bytes)."""
    exact = calls.get((span.line, span.column - 1))
    if exact is not None:
        return exact
    same_line = sorted((col, call) for (line, col), call in calls.items() if line == span.line)
    return same_line[0][1] if same_line else None


def read_contracts(path: Path) -> list[ReadContract]:
    sf = load_source(path)
    if not sf.ok:
        return []
    calls, consts = _calls_at(path)
    return [ReadContract(path, c, _keywords(_call(calls, c.span), ("framework_requirements", "description"), consts))
            for c in extract_contracts(sf)]


def read_specs(path: Path) -> list[ReadSpec]:
    sf = load_source(path)
    if not sf.ok:
        return []
    calls, consts = _calls_at(path)
    out = []
    for spec in extract_specs(sf):
        extras: dict[tuple[str, str], dict[str, Any]] = {}
        for dep in spec.dependencies:
            if dep.logical_name:
                extras[("dep", dep.logical_name)] = _keywords(_call(calls, dep.span), ("description",), consts)
        for o in spec.outputs:
            if o.logical_name:
                extras[("out", o.logical_name)] = _keywords(_call(calls, o.span), ("description",), consts)
        out.append(ReadSpec(path, spec, extras))
    return out


def problem_of(path: Path) -> str | None:
    """Why ``path`` cannot be read, or None."""
    sf = load_source(path)
    return None if sf.ok else (sf.problem.message if sf.problem else "cannot be read")
