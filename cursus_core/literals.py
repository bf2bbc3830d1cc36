"""Turning syntax into values without evaluating it.

``ast.literal_eval`` is all-or-nothing; these helpers keep going and report *where* a value
stopped being literal, which is what a located problem report needs.

Folding is bounded: ``A1 = A0 + A0`` repeated 34 times in a 628-byte file would otherwise ask for
a 256 GiB string, and ``L1 = [L0, L0]`` chains grow exponentially once serialised. A string
longer than :data:`MAX_FOLDED_CHARS`, a value of more than :data:`MAX_FOLDED_WEIGHT` units
(elements, plus one per 64 characters) or nested deeper than :data:`MAX_FOLDED_DEPTH` is
"not statically knowable" (:class:`NotLiteral`), checked before it is built.
"""

from __future__ import annotations

import ast
from typing import Any

import msgspec


MAX_FOLDED_CHARS = 64 * 1024
MAX_FOLDED_WEIGHT = 10_000
MAX_FOLDED_DEPTH = 64
_CONTAINERS = (list, tuple, set, frozenset, dict)
#: id -> (value, weight, depth) of containers already measured; holding the value keeps its id unique
_measured: dict[int, tuple[Any, int, int]] = {}


def _measure(value: Any) -> tuple[int, int]:
    """(weight, depth) of a folded value, counting shared sub-values once per occurrence."""
    if isinstance(value, (str, bytes)):
        return 1 + len(value) // 64, 0
    if not isinstance(value, _CONTAINERS):
        return 1, 0
    hit = _measured.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1], hit[2]
    weight, depth = 1, 0
    items = (x for kv in value.items() for x in kv) if isinstance(value, dict) else value
    for item in items:
        w, d = _measure(item)
        weight, depth = weight + w, max(depth, d + 1)
        if weight > MAX_FOLDED_WEIGHT:
            break
    if len(_measured) > 50_000:
        _measured.clear()
    _measured[id(value)] = (value, weight, depth)
    return weight, depth


def _bounded(value: Any, node: ast.AST) -> Any:
    weight, depth = _measure(value)
    if weight > MAX_FOLDED_WEIGHT or depth > MAX_FOLDED_DEPTH:
        raise NotLiteral(node, "value too large to evaluate statically")
    return value


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
        if isinstance(node.value, str) and len(node.value) > MAX_FOLDED_CHARS:
            raise NotLiteral(node, "string too long to evaluate statically")
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        if len(node.elts) > MAX_FOLDED_WEIGHT:
            raise NotLiteral(node, "value too large to evaluate statically")
        items = [literal_value(e, names) for e in node.elts]
        return _bounded(tuple(items) if isinstance(node, ast.Tuple)
                        else (set(items) if isinstance(node, ast.Set) else items), node)
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
        return _bounded(out, node)
    if isinstance(node, ast.Name) and names is not None and node.id in names:
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        val = literal_value(node.operand, names)
        if isinstance(val, (int, float)):
            return -val
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal_value(node.left, names), literal_value(node.right, names)
        if type(left) is type(right) and isinstance(left, (str, list, tuple)):
            if isinstance(left, str) and len(left) + len(right) > MAX_FOLDED_CHARS:
                raise NotLiteral(node, "string too long to evaluate statically")
            if not isinstance(left, str) and len(left) + len(right) > MAX_FOLDED_WEIGHT:
                raise NotLiteral(node, "value too large to evaluate statically")
            return _bounded(left + right, node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:
        return _bounded({kw.arg: literal_value(kw.value, names) for kw in node.keywords if kw.arg is not None}, node)
    raise NotLiteral(node, f"{type(node).__name__} is not a literal")


class ModuleAssignment(msgspec.Struct, frozen=True):
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
