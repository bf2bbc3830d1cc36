"""Turning syntax into values without evaluating it.

``ast.literal_eval`` is all-or-nothing; these helpers keep going and report *where* a value
stopped being literal, which is what a located problem report needs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any


class NotLiteral(Exception):
    """Raised with the offending node when a value cannot be read statically."""

    def __init__(self, node: ast.AST, reason: str = "not a literal"):
        super().__init__(reason)
        self.node = node
        self.reason = reason


def literal_value(node: ast.AST, names: dict[str, Any] | None = None) -> Any:
    """Value of a literal expression; ``names`` resolves bare module constants.

    Supports str/bytes/number/bool/None, tuples, lists, sets, dicts (with ``**`` of
    known names), implicit and ``+`` string concatenation, unary minus.
    """
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [literal_value(e, names) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else (set(items) if isinstance(node, ast.Set) else items)
    if isinstance(node, ast.Dict):
        out: dict[Any, Any] = {}
        for k, v in zip(node.keys, node.values, strict=True):
            if k is None:  # **spread
                spread = literal_value(v, names)
                if not isinstance(spread, dict):
                    raise NotLiteral(v, "'**' of a non-dict")
                out.update(spread)
            else:
                out[literal_value(k, names)] = literal_value(v, names)
        return out
    if isinstance(node, ast.Name) and names is not None and node.id in names:
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        val = literal_value(node.operand, names)
        if isinstance(val, (int, float)):
            return -val
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal_value(node.left, names), literal_value(node.right, names)
        if type(left) is type(right) and isinstance(left, (str, list, tuple)):
            return left + right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:
        return {kw.arg: literal_value(kw.value, names) for kw in node.keywords if kw.arg is not None}
    raise NotLiteral(node, f"{type(node).__name__} is not a literal")


@dataclass(frozen=True)
class ModuleAssignment:
    """A top-level ``NAME = value`` (or annotated) assignment."""

    name: str
    value: ast.expr
    line: int
    column: int


def module_assignments(tree: ast.Module) -> dict[str, ModuleAssignment]:
    """Top-level single-target assignments by name (the last one wins, as at run time)."""
    found: dict[str, ModuleAssignment] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = ModuleAssignment(target.id, stmt.value, stmt.lineno, stmt.col_offset + 1)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            found[stmt.target.id] = ModuleAssignment(stmt.target.id, stmt.value, stmt.lineno, stmt.col_offset + 1)
    return found


def module_constants(tree: ast.Module) -> dict[str, Any]:
    """Top-level names bound to literal values (strings, numbers, containers), resolved in order."""
    consts: dict[str, Any] = {}
    for name, assign in module_assignments(tree).items():
        try:
            consts[name] = literal_value(assign.value, consts)
        except (NotLiteral, TypeError, RecursionError):
            continue
    return consts


def call_name(node: ast.AST) -> str | None:
    """Last dotted component of a call's callee: ``a.b.ScriptContract(...)`` -> ``ScriptContract``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for Name/Attribute chains, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None
