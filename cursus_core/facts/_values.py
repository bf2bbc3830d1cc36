"""Reading keyword values of declarative calls (contracts, specs) with their locations.

Values may be written inline, through module constants, or spread from constant dicts
(``{**BASE_INPUTS, "extra": ...}``); spans follow the value to where it is written.
"""

from __future__ import annotations

import ast
from collections import Counter
from typing import Any

from cursus_core.literals import NotLiteral, literal_value, module_assignments, module_constants

from ._index import TreeIndex, str_value
from ._unknown import note
from .model import Entry, NamedItem, Span

_MAX_DEREF = 8


class Values:
    """Module-level constant lookup plus located reading of dicts and lists."""

    def __init__(self, idx: TreeIndex, stats: Counter[str], unknown_kind: str):
        self.idx = idx
        self.stats = stats
        self.kind = unknown_kind
        self.assigns = module_assignments(idx.tree)
        self.consts = module_constants(idx.tree)
        self.strs = idx.str_constants()

    def deref(self, node: ast.AST) -> ast.AST:
        """Follow ``NAME`` to the expression a top-level assignment binds it to."""
        for _ in range(_MAX_DEREF):
            if isinstance(node, ast.Name) and node.id in self.assigns:
                node = self.assigns[node.id].value
            else:
                break
        return node

    def unknown(self, non_literal: dict[str, Span], label: str, node: ast.AST) -> None:
        span = non_literal[label] = self.idx.span(node)
        note(self.stats, self.kind, node, span.line, span.column)

    def literal(self, node: ast.AST) -> tuple[bool, Any]:
        try:
            return True, literal_value(node, self.consts)
        except (NotLiteral, TypeError, RecursionError):
            return False, None

    def string(self, node: ast.AST) -> str | None:
        text = str_value(node, self.strs)
        if text is None:
            ok, value = self.literal(node)
            if ok and isinstance(value, str):
                return value
        return text

    def dict_entries(self, node: ast.AST, label: str, non_literal: dict[str, Span],
                     depth: int = 0) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        target = self.deref(node)
        if isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "dict" \
                and not target.args:
            for kw in target.keywords:
                if kw.arg is None:
                    self.unknown(non_literal, f"{label}.**", kw.value)
                    continue
                ok, value = self.literal(kw.value)
                if not ok:
                    self.unknown(non_literal, f"{label}[{kw.arg}]", kw.value)
                out[kw.arg] = Entry(value, self.idx.span(kw), self.idx.span(kw.value))
            return out
        if not isinstance(target, ast.Dict):
            self.unknown(non_literal, label, node)
            return out
        for k, v in zip(target.keys, target.values, strict=True):
            if k is None:
                if depth < _MAX_DEREF and isinstance(self.deref(v), (ast.Dict, ast.Call)):
                    out.update(self.dict_entries(v, label, non_literal, depth + 1))
                else:
                    self.unknown(non_literal, f"{label}.**", v)
                continue
            key = self.string(k)
            if key is None:
                self.unknown(non_literal, f"{label}.key", k)
                continue
            ok, value = self.literal(v)
            if not ok:
                self.unknown(non_literal, f"{label}[{key}]", v)
            out[key] = Entry(value, self.idx.span(k), self.idx.span(v))
        return out

    def list_items(self, node: ast.AST, label: str, non_literal: dict[str, Span],
                   depth: int = 0) -> tuple[NamedItem, ...]:
        target = self.deref(node)
        if isinstance(target, ast.BinOp) and isinstance(target.op, ast.Add) and depth < _MAX_DEREF:
            return (self.list_items(target.left, label, non_literal, depth + 1)
                    + self.list_items(target.right, label, non_literal, depth + 1))
        if not isinstance(target, (ast.List, ast.Tuple, ast.Set)):
            self.unknown(non_literal, label, node)
            return ()
        out: list[NamedItem] = []
        for elt in target.elts:
            if isinstance(elt, ast.Starred) and depth < _MAX_DEREF:
                out.extend(self.list_items(elt.value, label, non_literal, depth + 1))
                continue
            text = self.string(elt)
            if text is None:
                self.unknown(non_literal, f"{label}[]", elt)
                continue
            out.append(NamedItem(text, self.idx.span(elt)))
        return tuple(out)

    def strings(self, node: ast.AST, label: str, non_literal: dict[str, Span]) -> tuple[str, ...]:
        return tuple(item.name for item in self.list_items(node, label, non_literal))


_LITERAL_KINDS: dict[type, str] = {ast.List: "a list", ast.Tuple: "a tuple", ast.Set: "a set", ast.Dict: "a dict",
                                   ast.Lambda: "a lambda", ast.ListComp: "a list", ast.DictComp: "a dict",
                                   ast.SetComp: "a set"}


def wrong_type(node: ast.AST | None, expected: str) -> str | None:
    """What a value written as a literal is when it cannot be the ``expected`` ("str" or "list")
    kind (``"an int"``, ``"a dict"``), or None when it may be right or is simply not knowable
    (a name, a call): a wrong type is a finding, an unknown value is not."""
    if isinstance(node, ast.Constant):
        value = node.value
        if expected == "str" and isinstance(value, str):
            return None
        if value is None:
            return "None"
        if value is Ellipsis:
            return "Ellipsis"
        name = type(value).__name__
        return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
    if isinstance(node, ast.JoinedStr):
        return "a string" if expected == "list" else None
    kind = _LITERAL_KINDS.get(type(node))
    if kind is None or (expected == "list" and kind in ("a list", "a tuple", "a dict")):
        return None
    return kind

