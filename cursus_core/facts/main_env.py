"""Which keys the ``__main__`` block puts into the ``environ_vars`` dict it hands to ``main()``.

A script's testable ``main(input_paths, output_paths, environ_vars, job_args)`` reads env values
from that dict, never from ``os.environ``: a key the ``__main__`` block forgets to copy is lost even
though the builder set the variable. The dict is followed from the ``main(...)`` call back to its
construction inside the block: a dict literal, item assignments, ``update``/``setdefault``, a loop
over a literal list (or a module constant holding one) and a dict comprehension over such a list.
``os.environ`` copied whole (``dict(os.environ)``, ``{**os.environ}``) passes every key. Any other
shape (a helper call, a loop over ``os.environ.items()`` with a filter) makes the result incomplete.
"""

from __future__ import annotations

import ast
from typing import Any

from cursus_core.literals import dotted_name

from ._index import TreeIndex, str_value
from .model import MainEnvDict, NamedItem

_ENVIRON = {"os.environ", "environ"}
_PARAM = "environ_vars"


def _is_environ(node: ast.AST) -> bool:
    """``os.environ`` itself, ``dict(os.environ)`` or ``os.environ.copy()``."""
    if dotted_name(node) in _ENVIRON:
        return True
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "dict" and len(node.args) == 1 and not node.keywords:
            return _is_environ(node.args[0])
        if isinstance(func, ast.Attribute) and func.attr == "copy" and not node.args:
            return dotted_name(func.value) in _ENVIRON
    return False


class _Follow:
    def __init__(self, idx: TreeIndex, block: ast.stmt, consts: dict[str, Any]) -> None:
        self.idx = idx
        self.strs = idx.str_constants()
        self.consts = consts
        self.nodes = [n for n in ast.walk(block) if isinstance(n, (ast.stmt, ast.expr))]
        self.keys: list[NamedItem] = []
        self.complete = True
        self.everything = False
        self.seen: set[str] = set()
        self.loop_keys = self._loop_keys()

    def _names_of(self, node: ast.AST) -> list[str] | None:
        """The strings of a literal list/tuple/set, or of a module constant holding one."""
        value: Any = None
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = [str_value(e, self.strs) for e in node.elts]
            return None if any(i is None for i in items) else [i for i in items if i is not None]
        if isinstance(node, ast.Name):
            value = self.consts.get(node.id)
        if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
            return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        return None

    def _loop_keys(self) -> dict[int, list[str]]:
        """Item assignments ``d[name] = ...`` inside ``for name in <literal list>``: the names."""
        out: dict[int, list[str]] = {}
        for loop in (n for n in self.nodes if isinstance(n, ast.For)):
            if not isinstance(loop.target, ast.Name):
                continue
            names = self._names_of(loop.iter)
            if names is None:
                continue
            for n in ast.walk(loop):
                if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Name) and n.slice.id == loop.target.id:
                    out[id(n)] = names
        return out

    def add(self, key: ast.AST | None, at: ast.AST | None = None) -> None:
        if key is not None and id(key) in self.loop_keys:
            self.keys.extend(NamedItem(k, self.idx.span(key)) for k in self.loop_keys[id(key)])
            return
        name = str_value(key, self.strs) if key is not None and not isinstance(key, ast.Subscript) else None
        if isinstance(at, ast.Subscript) and id(at) in self.loop_keys:
            self.keys.extend(NamedItem(k, self.idx.span(at)) for k in self.loop_keys[id(at)])
        elif name is None:
            self.complete = False
        else:
            assert key is not None
            self.keys.append(NamedItem(name, self.idx.span(key)))

    def value(self, node: ast.AST) -> None:
        if _is_environ(node):
            self.everything = True
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if k is None:
                    self.value(v)
                else:
                    self.add(k)
        elif isinstance(node, ast.DictComp):
            names = self._names_of(node.generators[0].iter) if len(node.generators) == 1 else None
            gen = node.generators[0] if node.generators else None
            if (names is not None and gen is not None and isinstance(gen.target, ast.Name)
                    and isinstance(node.key, ast.Name) and node.key.id == gen.target.id and not gen.ifs):
                self.keys.extend(NamedItem(k, self.idx.span(node)) for k in names)
            else:
                self.complete = False
        elif isinstance(node, ast.Name):
            self.variable(node.id)
        else:
            self.complete = False

    def variable(self, name: str) -> None:
        if name in self.seen:
            return
        self.seen.add(name)
        assigned = False
        for n in self.nodes:
            if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None:
                for t in n.targets if isinstance(n, ast.Assign) else [n.target]:
                    if isinstance(t, ast.Name) and t.id == name:
                        assigned = True
                        self.value(n.value)
                    elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name:
                        self.add(t.slice, t)
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                    and isinstance(n.func.value, ast.Name) and n.func.value.id == name:
                if n.func.attr == "update":
                    for arg in n.args:
                        self.value(arg)
                    for kw in n.keywords:
                        if kw.arg is None:
                            self.value(kw.value)
                        else:
                            self.keys.append(NamedItem(kw.arg, self.idx.span(kw)))
                elif n.func.attr == "setdefault" and n.args:
                    self.add(n.args[0])
        if not assigned:
            self.complete = False  # a parameter or global: built elsewhere


def main_env_dict(idx: TreeIndex, guard: ast.If, main: ast.FunctionDef | ast.AsyncFunctionDef | None,
                  consts: dict[str, Any]) -> MainEnvDict | None:
    """The ``environ_vars`` the first ``main(...)`` call of the ``__main__`` block passes, or None
    when main takes no such parameter or no call passes it."""
    params = [a.arg for a in (main.args.posonlyargs + main.args.args)] if main is not None else []
    if _PARAM not in params:
        return None
    position = params.index(_PARAM)
    calls = [n for n in ast.walk(guard) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
             and n.func.id == "main"]
    for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
        passed = next((k.value for k in call.keywords if k.arg == _PARAM), None)
        if passed is None and position < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args):
            passed = call.args[position]
        if passed is None:
            continue
        f = _Follow(idx, guard, consts)
        f.value(passed)
        unique: dict[str, NamedItem] = {}
        for item in sorted(f.keys, key=lambda k: (k.span.line, k.span.column)):  # source order
            unique.setdefault(item.name, item)
        return MainEnvDict(tuple(unique.values()), idx.span(passed), f.complete, f.everything,
                           guard.lineno, guard.end_lineno or guard.lineno)
    return None
