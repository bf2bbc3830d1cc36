"""One walk over a syntax tree, shared by every extractor.

``ast.walk`` costs about a microsecond per node; walking once and bucketing the nodes the
extractors care about (with a parent map for climbing) keeps a full extraction within a
few milliseconds per thousand lines.
"""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from operator import attrgetter
from typing import Any

from cursus_core.literals import MAX_FOLDED_CHARS
from cursus_core.source import SourceFile

from .model import Span

#: fields never worth a ``getattr`` in the walk: ``ctx`` leaves and type comments, and fields the
#: Python grammar types as identifier, int or string (never a node), which skips ~a fifth of the
#: walk's work on real step repos
_SKIP_FIELDS = {"ctx", "type_comment", "type_ignores",
                "id", "attr", "arg", "asname", "module", "level", "kind", "conversion", "name", "is_async"}
#: per class, the other fields that never hold a node (constants, identifier lists, flags): with
#: these left out, every remaining field holds a node, None or a list of nodes (and None), so the
#: walk needs no ``isinstance`` per child. ``Constant.value`` alone is a third of the fields of a
#: real file. (A field a newer Python adds with a non-node value is walked as a leaf: harmless.)
_NOT_NODES: dict[str, frozenset[str]] = {
    "Constant": frozenset({"value"}), "MatchSingleton": frozenset({"value"}), "AnnAssign": frozenset({"simple"}),
    "Global": frozenset({"names"}), "Nonlocal": frozenset({"names"}), "MatchClass": frozenset({"kwd_attrs"}),
    "MatchMapping": frozenset({"rest"}), "Interpolation": frozenset({"str"}),
}
_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of an ast node class that can hold child nodes (``ctx`` markers, the plain
    string/number fields and constants left out): what a hand-written walk visits, cached per
    class; none for anything that is not a node class."""
    fields = _FIELDS.get(cls)
    if fields is None:
        never = _NOT_NODES.get(cls.__name__, frozenset()) if issubclass(cls, ast.AST) else frozenset()
        fields = _FIELDS[cls] = tuple(f for f in getattr(cls, "_fields", ())
                                      if f not in _SKIP_FIELDS and f not in never)
    return fields

_BUCKETED = (
    ast.Call, ast.Constant, ast.Name, ast.Attribute, ast.Subscript, ast.Compare, ast.JoinedStr,
    ast.BinOp, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Import, ast.ImportFrom,
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Dict, ast.Return,
)


class TreeIndex:
    """Nodes by type, parent links and position helpers for one parsed file."""

    def __init__(self, sf: SourceFile):
        self.sf = sf
        self.tree: ast.Module = sf.tree if sf.tree is not None else ast.Module(body=[], type_ignores=[])
        self.lines: list[str] = sf.lines
        self.parents: dict[int, ast.AST] = {}
        self.by_type: dict[type, list[Any]] = {cls: [] for cls in _BUCKETED}
        self._walk()
        self._str_consts: dict[str, str | None] | None = None
        self._imports: dict[str, tuple[str, int, str | None]] | None = None
        self._sorted: dict[type, list[Any]] = {}
        #: memo for derived results shared by several extractors (e.g. S3 findings)
        self.memo: dict[str, Any] = {}

    def nodes(self, cls: type) -> list[Any]:
        return self.by_type[cls]

    def in_lines(self, cls: type, node: ast.stmt | ast.expr) -> list[Any]:
        """Nodes of type ``cls`` starting on the lines ``node`` spans (a cheap subtree query
        for statements such as classes and functions, which own their whole lines)."""
        ordered = self._sorted.get(cls)
        if ordered is None:
            ordered = self._sorted[cls] = sorted(self.by_type[cls], key=_BY_LINE)
        first, last = node.lineno, node.end_lineno or node.lineno
        return ordered[bisect_left(ordered, first, key=_LINE):bisect_right(ordered, last, key=_LINE)]

    def _walk(self) -> None:
        parents = self.parents
        buckets = self.by_type
        stack: list[ast.AST] = [self.tree]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            cls = node.__class__
            bucket = buckets.get(cls)
            if bucket is not None:
                bucket.append(node)
            fields = _FIELDS.get(cls)  # inline cache hit: this loop runs once per node of every file
            for name in fields if fields is not None else child_fields(cls):
                value = getattr(node, name, None)
                if value is None:
                    continue
                if value.__class__ is list:  # nodes, and None for a ``**`` entry of a dict display
                    for child in value:
                        if child is not None:
                            parents[id(child)] = node
                            push(child)
                else:
                    parents[id(value)] = node
                    push(value)
        # the LIFO walk is a mirrored pre-order; reversed, it is a post-order in source
        # order (siblings in order, children before their parent)
        for bucket in buckets.values():
            bucket.reverse()

    def depth(self, node: ast.AST) -> int:
        """How many ancestors ``node`` has (the module's body statements have one)."""
        n = 0
        p = self.parents.get(id(node))
        while p is not None:
            n += 1
            p = self.parents.get(id(p))
        return n

    def in_walk_order(self, nodes: list[Any]) -> list[Any]:
        """``nodes``, a sublist of one bucket (so in source post-order), reordered as ``ast.walk``
        (breadth first) meets them: by depth, then left to right, which post-order already is
        among nodes of one depth (none is an ancestor of another). For the few nodes whose order
        a consumer keeps, without a second walk of the tree."""
        keyed = sorted((self.depth(node), i) for i, node in enumerate(nodes))
        return [nodes[i] for _, i in keyed]

    # ------------------------------------------------------------------ positions

    def _col(self, line: int, byte_col: int) -> int:
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            if not text.isascii():
                return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore")) + 1
        return byte_col + 1

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        col = getattr(node, "col_offset", 0)
        return Span(line, self._col(line, col), end_line,
                    self._col(end_line, end_col if end_col is not None else col))

    def name_span(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> Span:
        """Span of the name after ``class``/``def`` (the node itself starts at the keyword)."""
        line = node.lineno
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            start = text.find(node.name, self._col(line, node.col_offset) - 1)
            if start >= 0:
                return Span(line, start + 1, line, start + 1 + len(node.name))
        return self.span(node)

    # ------------------------------------------------------------------ structure

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        p = self.parents.get(id(node))
        while p is not None:
            if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return p
            p = self.parents.get(id(p))
        return None

    def str_constants(self) -> dict[str, str | None]:
        """Names bound to one string literal anywhere in the file (None: several values)."""
        if self._str_consts is None:
            found: dict[str, str | None] = {}
            for node in self.by_type[ast.Assign]:
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            _bind(found, target.id, node.value.value)
            for node in self.by_type[ast.AnnAssign]:
                if (isinstance(node.target, ast.Name) and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str)):
                    _bind(found, node.target.id, node.value.value)
            self._str_consts = found
        return self._str_consts

    def import_map(self) -> dict[str, tuple[str, int, str | None]]:
        """Bound name -> (module, level, original name or None for ``import x``), module-level
        imports including those inside top-level ``try``/``if`` blocks."""
        if self._imports is None:
            found: dict[str, tuple[str, int, str | None]] = {}
            for node in self.by_type[ast.ImportFrom]:
                if self.enclosing_function(node) is not None:
                    continue
                for alias in node.names:
                    found[alias.asname or alias.name] = (node.module or "", node.level or 0, alias.name)
            for node in self.by_type[ast.Import]:
                if self.enclosing_function(node) is not None:
                    continue
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    found[bound] = (alias.name if alias.asname else bound, 0, None)
            self._imports = found
        return self._imports


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """Direct children, like ``ast.iter_child_nodes`` but without ``ctx`` and generator cost."""
    cls = node.__class__
    fields = _FIELDS.get(cls)
    out: list[ast.AST] = []
    for name in fields if fields is not None else child_fields(cls):
        value = getattr(node, name, None)
        if value.__class__ is list:
            out.extend(c for c in value if isinstance(c, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


def _bind(found: dict[str, str | None], name: str, value: str) -> None:
    if name in found and found[name] != value:
        found[name] = None
    else:
        found[name] = value


_BY_LINE = attrgetter("lineno", "col_offset")
_LINE = attrgetter("lineno")
_last: tuple[ast.AST | None, TreeIndex | None] = (None, None)


def index_for(sf: SourceFile) -> TreeIndex:
    """The index for ``sf``; the most recent one is reused so calling several extractors on
    the same file walks it once."""
    global _last
    tree, idx = _last
    if idx is not None and tree is sf.tree and sf.tree is not None and idx.sf is sf:
        return idx
    idx = TreeIndex(sf)
    _last = (sf.tree, idx)
    return idx


def str_value(node: ast.AST | None, consts: dict[str, str | None] | None = None) -> str | None:
    """A string literal, a name bound to one, or a ``+``/implicit concatenation of those."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name) and consts is not None:
        return consts.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = str_value(node.left, consts)
        if left is None:
            return None
        right = str_value(node.right, consts)
        if right is None or len(left) + len(right) > MAX_FOLDED_CHARS:  # bounded, like literal folding
            return None
        return left + right
    return None


def normalize_arg(raw: str) -> str:
    """``--job-type`` -> ``job_type``: argparse treats dashes and underscores alike in dest."""
    return raw.lstrip("-").replace("-", "_")


def last_name(node: ast.AST) -> str | None:
    """The identifier a variable-ish expression ends with: ``a.b.c`` -> ``c``, ``x`` -> ``x``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
