"""Facts every file has: imports, ``sys.path`` edits, S3 strings, top-level definitions.

Noqa comments are not facts: the linter's suppression parser reads them, once, for its engine.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

from cursus_core.literals import dotted_name
from cursus_core.source import SourceFile

from ._index import TreeIndex, index_for, last_name
from .model import ImportFact, ModuleFacts, S3Build, S3Literal, Span, SysPathEdit

_PATH_EDIT_METHODS = {"append", "insert", "extend", "remove"}
_PIPELINE_VAR_WORDS = ("s3", "bucket", "prefix", "base_output")
_LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
_MESSAGE_SUFFIXES = ("Error", "Exception", "Warning")


def extract_module(sf: SourceFile, stats: Counter[str] | None = None,
                   index: TreeIndex | None = None) -> ModuleFacts:
    """Module-level facts; a file that did not parse has none."""
    if not sf.ok:
        return ModuleFacts()
    idx = index or index_for(sf)
    literals, builds = find_s3(idx)
    return ModuleFacts(
        imports=_imports(idx),
        sys_path_edits=_sys_path_edits(idx),
        s3_literals=literals,
        s3_builds=builds,
        definitions=_definitions(idx),
    )


def _imports(idx: TreeIndex) -> tuple[ImportFact, ...]:
    out: list[ImportFact] = []
    for node in idx.nodes(ast.Import):
        for alias in node.names:
            out.append(ImportFact(alias.name, (), 0, idx.span(node), False, (alias.asname,)))
    for node in idx.nodes(ast.ImportFrom):
        out.append(ImportFact(node.module or "", tuple(a.name for a in node.names), node.level or 0,
                              idx.span(node), True, tuple(a.asname for a in node.names)))
    out.sort(key=lambda f: (f.span.line, f.span.column))
    return tuple(out)


def _sys_path_edits(idx: TreeIndex) -> tuple[SysPathEdit, ...]:
    out: list[SysPathEdit] = []
    for call in idx.nodes(ast.Call):
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in _PATH_EDIT_METHODS and dotted_name(func.value) == "sys.path":
                out.append(SysPathEdit(func.attr, idx.span(call)))
            elif func.attr == "addsitedir" and dotted_name(func.value) == "site":
                out.append(SysPathEdit("addsitedir", idx.span(call)))
    for node in idx.nodes(ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                continue
            if dotted_name(target) == "sys.path":
                out.append(SysPathEdit("assign", idx.span(node)))
            elif isinstance(target, ast.Subscript) and dotted_name(target.value) == "sys.path":
                out.append(SysPathEdit("item-assign", idx.span(node)))
    for node in idx.nodes(ast.AugAssign):
        if dotted_name(node.target) == "sys.path":
            out.append(SysPathEdit("augassign", idx.span(node)))
    out.sort(key=lambda f: (f.span.line, f.span.column))
    return tuple(out)


def _definitions(idx: TreeIndex) -> dict[str, Span]:
    out: dict[str, Span] = {}
    for stmt in idx.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out[stmt.name] = idx.name_span(stmt)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = idx.span(target)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            out[stmt.target.id] = idx.span(stmt.target)
    return out


# ----------------------------------------------------------------------------- S3


def is_pipeline_var(node: ast.AST) -> bool:
    """A Name/Attribute whose name mentions s3, bucket, prefix or base_output
    (``pipeline_s3_loc``...), or a call of such a function (``self._get_base_output_path()``)."""
    if isinstance(node, ast.Call):
        node = node.func
    name = last_name(node)
    if name is None:
        return False
    low = name.lower()
    return any(word in low for word in _PIPELINE_VAR_WORDS)


def _var_name(node: ast.AST) -> str | None:
    """``a.b`` for a name, ``a.b()`` for a call of one, else None."""
    if isinstance(node, ast.Call):
        func = dotted_name(node.func)
        return f"{func}()" if func else None
    return dotted_name(node)


def _piece_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    name = _var_name(node)
    return "{" + (name or "...") + "}"


def _leading_text(pieces: Sequence[ast.AST]) -> str:
    """The string literals a concatenation starts with, joined: the only part of its text that
    can make it start with ``s3://`` (any other piece's text starts with ``{``)."""
    out = []
    for p in pieces:
        if not (isinstance(p, ast.Constant) and isinstance(p.value, str)):
            break
        out.append(p.value)
    return "".join(out)


def _add_chain(node: ast.BinOp) -> list[ast.AST]:
    pieces: list[ast.AST] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        pieces.append(node.right)
        node = node.left  # type: ignore[assignment]
    pieces.append(node)
    pieces.reverse()
    return pieces


def _classify(pieces: Sequence[ast.AST], fmt: str | None = None,
              args: Sequence[ast.AST] = ()) -> tuple[str, str, tuple[str, ...]] | None:
    """(reason, text, variables) when ``pieces`` (or a format string and its args) build an S3 path."""
    if fmt is not None:
        text = fmt
        variables = tuple(n for n in (_var_name(a) for a in args if is_pipeline_var(a)) if n)
        slash = "/" in fmt
    else:
        slash = any(isinstance(p, ast.Constant) and isinstance(p.value, str) and "/" in p.value
                    for p in pieces)
        if not _leading_text(pieces).startswith("s3://") and not (slash and any(is_pipeline_var(p) for p in pieces)):
            return None  # neither verdict can hold: the text is not worth assembling (most f-strings)
        text = "".join(_piece_text(p) for p in pieces)
        variables = tuple(n for n in (_var_name(p) for p in pieces if is_pipeline_var(p)) if n)
    if text.startswith("s3://"):
        return "s3-prefix", text, variables
    if variables and slash:
        return "pipeline-var", text, variables
    return None


def find_s3(idx: TreeIndex) -> tuple[tuple[S3Literal, ...], tuple[S3Build, ...]]:
    """Hard-coded ``s3://`` literals and S3 paths assembled from strings, in source order."""
    hit = idx.memo.get("s3")
    if hit is None:
        hit = idx.memo["s3"] = _find_s3(idx)
    return hit


def _is_message(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Whether ``node`` is an argument of a log call, ``print``/``warn`` or an exception:
    text for people, not a location the pipeline uses."""
    parent = parents.get(id(node))
    if isinstance(parent, ast.keyword):
        parent = parents.get(id(parent))
    if not isinstance(parent, ast.Call):
        return False
    name = dotted_name(parent.func) or ""
    last = name.rsplit(".", 1)[-1]
    if last in ("print", "warn") or last.startswith("log_") or last.endswith(_MESSAGE_SUFFIXES):
        return True
    receiver = name.rsplit(".", 2)[-2].lower() if "." in name else ""
    return last in _LOG_METHODS and (receiver in ("log", "logging") or receiver.endswith("logger"))


def _find_s3(idx: TreeIndex) -> tuple[tuple[S3Literal, ...], tuple[S3Build, ...]]:
    builds: list[tuple[ast.AST, S3Build]] = []
    parents = idx.parents
    for node in idx.nodes(ast.JoinedStr):
        if isinstance(parents.get(id(node)), ast.FormattedValue):
            continue  # a nested format spec
        hit = _classify([v.value if isinstance(v, ast.FormattedValue) else v for v in node.values])
        if hit:
            builds.append((node, S3Build("fstring", hit[0], hit[1], idx.span(node), hit[2])))
    for node in idx.nodes(ast.BinOp):
        if isinstance(node.op, ast.Add):
            parent = parents.get(id(node))
            if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add) and parent.left is node:
                continue  # inner link of a longer chain
            hit = _classify(_add_chain(node))
            if hit:
                builds.append((node, S3Build("concat", hit[0], hit[1], idx.span(node), hit[2])))
        elif (isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant)
              and isinstance(node.left.value, str)):
            args = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
            hit = _classify([], node.left.value, args)
            if hit:
                builds.append((node, S3Build("percent", hit[0], hit[1], idx.span(node), hit[2])))
    for call in idx.nodes(ast.Call):
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        if (func.attr == "format" and isinstance(func.value, ast.Constant)
                and isinstance(func.value.value, str)):
            hit = _classify([], func.value.value, list(call.args) + [k.value for k in call.keywords])
            if hit:
                builds.append((call, S3Build("format", hit[0], hit[1], idx.span(call), hit[2])))
        elif func.attr == "join":
            pieces: list[ast.AST] | None = None
            if dotted_name(func.value) in ("os.path", "path", "posixpath") and call.args:
                pieces = list(call.args)
            elif (isinstance(func.value, ast.Constant) and func.value.value == "/" and call.args
                  and isinstance(call.args[0], (ast.List, ast.Tuple))):
                pieces = list(call.args[0].elts)
            if pieces:
                first = pieces[0]
                reason = None
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.startswith("s3://"):
                    reason = "s3-prefix"
                elif is_pipeline_var(first):
                    reason = "pipeline-var"
                if reason:
                    text = "/".join(_piece_text(p) for p in pieces)
                    variables = tuple(n for n in (_var_name(p) for p in pieces if is_pipeline_var(p)) if n)
                    builds.append((call, S3Build("join", reason, text, idx.span(call), variables)))
    inside: set[int] = set()
    for node, _ in builds:
        for sub in ast.walk(node):
            if sub is not node:
                inside.add(id(sub))
    build_facts = sorted((b for n, b in builds if id(n) not in inside and not _is_message(n, parents)),
                         key=lambda b: (b.span.line, b.span.column))
    literals: list[S3Literal] = []
    for const in idx.nodes(ast.Constant):
        value = const.value
        # A bare string statement (a docstring) is documentation, not a value the code uses.
        if (isinstance(value, str) and value.startswith("s3://") and id(const) not in inside
                and not isinstance(parents.get(id(const)), (ast.JoinedStr, ast.Expr))
                and not _is_message(const, parents)):
            literals.append(S3Literal(value, idx.span(const)))
    literals.sort(key=lambda f: (f.span.line, f.span.column))
    return tuple(literals), tuple(build_facts)
