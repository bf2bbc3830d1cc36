"""What a config's env-var collector emits: the literal names of the dict it returns.

In the interface layout the config, not a builder, supplies the container env: the template
builder calls the config's own ``get_environment_variables`` (or reads its
``environment_variables`` property), else resolves each declared name by convention with
``_env_overrides`` first. To check that against the interface, we need the names such a member
emits. Only the dict the member *returns* counts (other dicts it builds, e.g. a JSON payload, are
values, not env names): the returned expression is followed through local variables and
``self._cache`` attributes to dict displays, item assignments, ``update`` and ``setdefault``.
Anything we cannot follow (a computed key, a dict from a helper) makes the result incomplete.
"""

from __future__ import annotations

import ast
from ._index import TreeIndex, str_value
from .model import EnvCollector, EnvSet

#: members through which a config supplies the env (method, property, per-name overrides)
COLLECTOR_MEMBERS = ("get_environment_variables", "environment_variables", "_env_overrides")

_Target = tuple[str, str]  # ("name", id) or ("self", attr)


def _target(node: ast.AST) -> _Target | None:
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return ("self", node.attr)
    return None


def _super_call(node: ast.AST) -> str | None:
    """``"names"``/``"bare"`` for ``super().<collector>(...)`` (or the property), else None."""
    call = node if isinstance(node, ast.Call) else None
    attr = call.func if call is not None else node
    if not (isinstance(attr, ast.Attribute) and attr.attr in COLLECTOR_MEMBERS
            and isinstance(attr.value, ast.Call) and isinstance(attr.value.func, ast.Name)
            and attr.value.func.id == "super"):
        return None
    return "names" if call is not None and (call.args or call.keywords) else "bare"


class _Collector:
    def __init__(self, idx: TreeIndex, fn: ast.FunctionDef | ast.AsyncFunctionDef,
                 members: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]) -> None:
        self.idx = idx
        self.members = members  # the class's own functions and properties, to follow ``self.<prop>``
        self.followed: set[str] = {fn.name}
        self.strs = idx.str_constants()
        self.names: list[EnvSet] = []
        self.complete = True
        self.super_call: str | None = None
        self.seen: set[_Target] = set()
        self.statements = [n for n in ast.walk(fn) if isinstance(n, ast.stmt)]

    def add(self, key: ast.AST | None, how: str) -> None:
        name = str_value(key, self.strs) if key is not None else None
        if name is None:
            self.complete = False
        else:
            assert key is not None
            self.names.append(EnvSet(name, self.idx.span(key), how))

    def value(self, node: ast.AST | None) -> None:
        """Record the names the expression ``node`` (a dict the member returns) holds."""
        if node is None or (isinstance(node, ast.Constant) and node.value is None):
            return
        sup = _super_call(node)
        if sup is not None:
            self.super_call = "names" if sup == "names" or self.super_call == "names" else "bare"
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if k is None:
                    self.value(v)  # {**base, ...}
                else:
                    self.add(k, "dict")
        elif isinstance(node, ast.IfExp):
            self.value(node.body)
            self.value(node.orelse)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            self.mapping_args(node, "dict")
        elif (t := _target(node)) is not None:
            self.variable(t)
        else:
            self.complete = False

    def variable(self, target: _Target) -> None:
        if target in self.seen:
            return
        self.seen.add(target)
        assigned = False
        for stmt in self.statements:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    if _target(t) == target:
                        assigned = True
                        self.value(stmt.value)
                    elif isinstance(t, ast.Subscript) and _target(t.value) == target:
                        self.add(t.slice, "item")
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                self.method_call(stmt.value, target)
        if assigned or target[0] == "name":
            return  # a local never assigned is a parameter or a global: nothing to add
        member = self.members.get(target[1])
        if member is None or member.name in self.followed:
            self.complete = False  # an attribute set elsewhere (``__init__``, a validator)
            return
        self.followed.add(member.name)  # ``return self.bedrock_env``: follow the property
        outer = self.statements
        self.statements = [n for n in ast.walk(member) if isinstance(n, ast.stmt)]
        for ret in [n for n in self.statements if isinstance(n, ast.Return)]:
            self.value(ret.value)
        self.statements = outer

    def mapping_args(self, call: ast.Call, how: str) -> None:
        """``dict(...)`` / ``.update(...)``: mappings passed in, and keyword names as keys."""
        for arg in call.args:
            self.value(arg)
        for kw in call.keywords:
            if kw.arg is None:
                self.value(kw.value)
            else:
                self.names.append(EnvSet(kw.arg, self.idx.span(kw), how))

    def method_call(self, call: ast.Call, target: _Target) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and _target(func.value) == target):
            return
        if func.attr == "update":
            self.mapping_args(call, "update")
        elif func.attr == "setdefault" and call.args:
            self.add(call.args[0], "item")
        elif func.attr in ("pop", "clear"):
            self.complete = False  # removes what we counted


def _takes_names(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    params = fn.args.posonlyargs + fn.args.args
    return len(params) > 1 or fn.args.vararg is not None


def env_collector(idx: TreeIndex, fn: ast.FunctionDef | ast.AsyncFunctionDef,
                  members: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] | None = None) -> EnvCollector:
    """The names the collector member ``fn`` returns (``members``: the class's functions by name)."""
    c = _Collector(idx, fn, members or {})
    found = [n for n in c.statements if isinstance(n, ast.Return)]
    for ret in found:
        c.value(ret.value)
    unique: dict[str, EnvSet] = {}
    for item in sorted(c.names, key=lambda e: (e.span.line, e.span.column)):
        unique.setdefault(item.name, item)
    return EnvCollector(fn.name, idx.name_span(fn), tuple(unique.values()), c.complete and bool(found),
                        c.super_call, _takes_names(fn))
