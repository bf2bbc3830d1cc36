"""Facts every file has: imports, ``sys.path`` edits, S3 strings, noqa comments."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter

from cursus_core.literals import dotted_name
from cursus_core.source import SourceFile

from ._index import TreeIndex, index_for, last_name
from .model import ImportFact, ModuleFacts, NoqaComment, S3Build, S3Literal, Span, SysPathEdit

_CODES = r"[A-Za-z]{1,5}[0-9]{1,5}(?:[\s,]+[A-Za-z]{1,5}[0-9]{1,5})*"
_FILE_NOQA = re.compile(r"#\s*cursus-lint\s*:\s*noqa(?:\s*:\s*(?P<codes>" + _CODES + "))?", re.I)
_NOQA = re.compile(r"#\s*noqa(?:\s*:\s*(?P<codes>" + _CODES + "))?", re.I)
_CODE = re.compile(r"[A-Za-z]{1,5}[0-9]{1,5}")
_PATH_EDIT_METHODS = {"append", "insert", "extend", "remove"}
_PIPELINE_VAR_WORDS = ("s3", "bucket", "prefix", "base_output")
_LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
_MESSAGE_SUFFIXES = ("Error", "Exception", "Warning")


def extract_module(sf: SourceFile, stats: Counter[str] | None = None,
                   index: TreeIndex | None = None) -> ModuleFacts:
    """Module-level facts; for a file that did not parse only the noqa comments are known."""
    if not sf.ok:
        noqa, file_noqa = _line_noqa(sf, None)
        return ModuleFacts(noqa=noqa, file_noqa=file_noqa)
    idx = index or index_for(sf)
    noqa, file_noqa = _line_noqa(sf, idx)
    literals, builds = find_s3(idx)
    return ModuleFacts(
        imports=_imports(idx),
        sys_path_edits=_sys_path_edits(idx),
        s3_literals=literals,
        s3_builds=builds,
        noqa=noqa,
        file_noqa=file_noqa,
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


def _add_chain(node: ast.BinOp) -> list[ast.AST]:
    pieces: list[ast.AST] = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        pieces.append(node.right)
        node = node.left  # type: ignore[assignment]
    pieces.append(node)
    pieces.reverse()
    return pieces


def _classify(pieces: list[ast.AST], fmt: str | None = None,
              args: list[ast.AST] = ()) -> tuple[str, str, tuple[str, ...]] | None:  # type: ignore[assignment]
    """(reason, text, variables) when ``pieces`` (or a format string and its args) build an S3 path."""
    if fmt is not None:
        text = fmt
        variables = tuple(n for n in (_var_name(a) for a in args if is_pipeline_var(a)) if n)
        slash = "/" in fmt
    else:
        text = "".join(_piece_text(p) for p in pieces)
        variables = tuple(n for n in (_var_name(p) for p in pieces if is_pipeline_var(p)) if n)
        slash = any(isinstance(p, ast.Constant) and isinstance(p.value, str) and "/" in p.value
                    for p in pieces)
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
        pieces = [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
        hit = _classify(pieces)
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


# ----------------------------------------------------------------------------- noqa


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(c.upper() for c in _CODE.findall(text)) if text else ()


def _line_noqa(sf: SourceFile, idx: TreeIndex | None) -> tuple[dict[int, NoqaComment], tuple[NoqaComment, ...]]:
    """Noqa comments; a ``#`` inside a string literal is not a comment.

    A regex finds candidates; the syntax tree's string spans reject those inside strings.
    Only a candidate inside a multi-line string falls back to ``tokenize`` (rare and slow).
    """
    text = sf.text
    if not text or ("noqa" not in text and "NOQA" not in text and not re.search("(?i)noqa", text)):
        return {}, ()
    lines = sf.lines
    candidates = [i + 1 for i, line in enumerate(lines) if "#" in line and "noqa" in line.lower()]
    if not candidates:
        return {}, ()
    strings = _string_spans(idx, set(candidates)) if idx is not None else {}
    comments: dict[int, int] | None = None
    per_line: dict[int, NoqaComment] = {}
    file_level: list[NoqaComment] = []
    for lineno in candidates:
        line = lines[lineno - 1]
        for match in re.finditer("#", line):
            col = match.start() + 1
            where = _inside_string(strings.get(lineno, ()), lineno, col)
            if where == "single":
                continue
            if where == "multi" or idx is None:
                if comments is None:
                    comments = _comment_columns(text)
                if comments.get(lineno) != col:
                    continue
            comment = line[match.start():]
            file_match = _FILE_NOQA.match(comment)
            if file_match:
                file_level.append(NoqaComment(lineno, _codes(file_match.group("codes")),
                                              Span(lineno, col, lineno, len(line) + 1)))
                break
            noqa = _NOQA.search(comment)
            if noqa:
                per_line[lineno] = NoqaComment(lineno, _codes(noqa.group("codes")),
                                               Span(lineno, col + noqa.start(), lineno, len(line) + 1))
            break  # the first real '#' starts the comment
    return per_line, tuple(file_level)


def _string_spans(idx: TreeIndex, lines: set[int]) -> dict[int, list[tuple[Span, bool]]]:
    out: dict[int, list[tuple[Span, bool]]] = {}
    low, high = min(lines), max(lines)
    for nodes in (idx.nodes(ast.Constant), idx.nodes(ast.JoinedStr)):
        for node in nodes:
            if isinstance(node, ast.Constant) and not isinstance(node.value, (str, bytes)):
                continue
            start, end = node.lineno, node.end_lineno or node.lineno
            if end < low or start > high:
                continue
            hit = [ln for ln in lines if start <= ln <= end]
            if hit:
                span = idx.span(node)
                for ln in hit:
                    out.setdefault(ln, []).append((span, start != end))
    return out


def _inside_string(spans: tuple | list, line: int, col: int) -> str | None:
    for span, multi in spans:
        after_start = (line, col) >= (span.line, span.column)
        before_end = (line, col) < (span.end_line, span.end_column)
        if after_start and before_end:
            return "multi" if multi else "single"
    return None


def _comment_columns(text: str) -> dict[int, int]:
    out: dict[int, int] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.start[1] + 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return out
