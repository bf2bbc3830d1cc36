"""What fix probes read: the project and the stdlib syntax tree of a file, never libcst.

A probe (``@RULE.fix_probe``) answers "would this rule's provider give a fix?" so that a plain
``check`` can print the ``[*]`` marker and the "fixable with --fix" hint without importing
libcst or building edits. It makes the provider's decisions from the facts and checks the
shape of the code the provider would edit (a literal dict or list, a plain string) with
``ast``, whose nodes map one to one onto the libcst nodes the providers look for.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cursus_core.facts._index import TreeIndex
from cursus_core.source import load_source

from ..diagnostic import Diagnostic, Location
from ..facts import FileFacts
from ..model import ProjectModel, StepModel

if TYPE_CHECKING:  # pragma: no cover
    from .yamltext import YamlText


INTERFACE_SUFFIX = ".step.yaml"


def is_interface(path: Path | None) -> bool:
    return path is not None and path.name.endswith(INTERFACE_SUFFIX)


def interface_path(step: StepModel) -> Path | None:
    """The step's ``.step.yaml`` when it is an interface-layout step (here, not in fix/interface.py,
    so a probe asking it of a classic step does not load the YAML reader)."""
    path = step.contract_file.path if step.contract_file is not None else None
    return path if is_interface(path) else None


def at(loc: Location, span: Any) -> bool:
    """``loc`` is exactly ``span`` (a facts Span): how fixes find what the rule reported."""
    return span is not None and (loc.line, loc.column, loc.end_line, loc.end_column) == \
        (span.line, span.column, span.end_line, span.end_column)


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def step_of(project: ProjectModel, d: Diagnostic) -> StepModel | None:
    """The step a diagnostic belongs to (the one holding its file when names repeat)."""
    named = [s for s in project.steps if s.name == d.step]
    holding = [s for s in named if d.location.path in s.files]
    return next(iter(holding or named), None)


class ShapeContext:
    """The project plus the ast of files (editor overlay first), each indexed at most once."""

    def __init__(self, project: ProjectModel, overlay: dict[Path, str] | None = None) -> None:
        self.project = project
        self.overlay = overlay or {}
        self._indexes: dict[Path, TreeIndex | None] = {}
        self._yaml: dict[Path, YamlText | None] = {}
        self._line_starts: dict[Path, tuple[str, list[int]]] = {}

    def step(self, d: Diagnostic) -> StepModel | None:
        return step_of(self.project, d)

    def text(self, path: Path) -> str | None:
        return load_source(path, self.overlay).text

    def yaml(self, path: Path) -> YamlText | None:
        """A ``.step.yaml`` with its located tree: the .step.yaml fixes are text splices that need
        no libcst, so probes and providers both use it."""
        if path not in self._yaml:
            from .yamltext import YamlText

            text = self.text(path)
            self._yaml[path] = YamlText.of(path, text) if text is not None else None
        return self._yaml[path]

    def index(self, path: Path) -> TreeIndex | None:
        if path not in self._indexes:
            sf = load_source(path, self.overlay)
            self._indexes[path] = TreeIndex(sf) if sf.tree is not None else None
        return self._indexes[path]

    def node_at(self, path: Path, span: Any, kind: type) -> Any:
        """The node of ``kind`` exactly covering ``span`` in ``path`` (None if there is none)."""
        index = self.index(path)
        if index is None or span is None:
            return None
        candidates: Iterable[Any] = index.by_type[kind] if kind in index.by_type else ast.walk(index.tree)
        for node in candidates:
            if isinstance(node, kind) and getattr(node, "lineno", None) == span.line and at_node(index, node, span):
                return node
        return None

    def parent(self, path: Path, node: ast.AST) -> ast.AST | None:
        index = self.index(path)
        return index.parent(node) if index is not None else None

    def segment(self, path: Path, text: str, node: Any) -> str | None:
        """``ast.get_source_segment(text, node)`` (unpadded), without splitting the whole file into
        lines on every call as it does (a pure-Python loop over each character of the file)."""
        starts = self._line_starts.get(path)
        if starts is None or starts[0] is not text:
            starts = (text, line_starts(text))
            self._line_starts[path] = starts
        return source_segment(text, starts[1], node)

    def plain_string(self, path: Path, node: Any) -> bool:
        """``node`` is one string literal (libcst's SimpleString): not an f-string, not an
        implicit concatenation of several literals."""
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            return False
        index = self.index(path)
        text = index.sf.text if index is not None else None
        segment = self.segment(path, text, node) if text is not None else None
        if segment is None:
            return False
        try:
            tokens = [t for t in tokenize.generate_tokens(io.StringIO(segment).readline)
                      if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                                        tokenize.DEDENT, tokenize.COMMENT)]
        except (tokenize.TokenError, SyntaxError):
            return False
        return len(tokens) == 1 and tokens[0].type == tokenize.STRING


#: the line breaks the parser counts (``\f``, ``\v`` and the Unicode separators are not among them)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """The offset in ``text`` where each line starts, lines broken as the parser breaks them."""
    return [0, *(m.end() for m in _LINE_BREAK.finditer(text))]


def source_segment(text: str, starts: list[int], node: Any) -> str | None:
    """The text of ``node`` (``ast.get_source_segment``'s answer, from precomputed line starts):
    its columns are UTF-8 byte offsets into its first and last lines."""
    try:
        first, last = node.lineno - 1, node.end_lineno - 1
        col, end_col = node.col_offset, node.end_col_offset
    except AttributeError:
        return None
    if None in (first, last, col, end_col) or not 0 <= first <= last < len(starts):
        return None

    def offset(line: int, byte_col: int) -> int:
        end = starts[line + 1] if line + 1 < len(starts) else len(text)
        return starts[line] + len(text[starts[line]:end].encode()[:byte_col].decode())

    return text[offset(first, col):offset(last, end_col)]


def at_node(index: TreeIndex, node: Any, span: Any) -> bool:
    s = index.span(node)
    return (s.line, s.column, s.end_line, s.end_column) == (span.line, span.column, span.end_line, span.end_column)


def keyword_value(call: ast.Call | None, name: str) -> ast.expr | None:
    if call is None:
        return None
    return next((k.value for k in call.keywords if k.arg == name), None)


def contract_accepts(step: StepModel, ctx: ShapeContext, keyword: str, kind: type) -> bool:
    """What ``add_to_contract`` needs: the contract call is there and its ``keyword`` is absent
    (it is added) or a literal of ``kind`` (ast.Dict / ast.List) to append to."""
    if step.contract is None or step.contract_file is None:
        return False
    call = ctx.node_at(step.contract_file.path, step.contract.span, ast.Call)
    if call is None:
        return False
    present = [k for k in call.keywords if k.arg == keyword]
    return not present or isinstance(present[0].value, kind)


def env_var_entry(d: Diagnostic, step: StepModel | None, field: str) -> str | None:
    """The env var ``d`` points at in the contract's ``required_env_vars`` / ``optional_env_vars``."""
    contract = step.contract if step is not None else None
    if step is None or contract is None or step.contract_file is None or d.location.path != step.contract_file.path:
        return None
    if field == "required_env_vars":
        names = [i.name for i in contract.required_env_vars if at(d.location, i.span)]
    else:
        names = [n for n, e in contract.optional_env_vars.items() if at(d.location, e.key_span)]
    return names[0] if names else None


def can_remove_env_var(d: Diagnostic, ctx: ShapeContext, field: str) -> bool:
    """What ``remove_env_var`` needs: the name is one plain string, an item of a literal list
    (``required_env_vars``) or a key of a literal dict (``optional_env_vars``)."""
    name = env_var_entry(d, ctx.step(d), field)
    path = d.location.path
    node = ctx.node_at(path, d.location, ast.Constant) if name is not None else None
    if node is None or node.value != name or not ctx.plain_string(path, node):
        return False
    container = ctx.parent(path, node)
    if field == "required_env_vars":
        return isinstance(container, ast.List)
    return isinstance(container, ast.Dict) and any(k is node for k in container.keys)


def bound_names(facts: FileFacts) -> set[str]:
    """Names a module binds at top level (imports and definitions): what new code may refer to."""
    names: set[str] = set()
    if facts.module is None:
        return names
    for imp in facts.module.imports:
        aliases = imp.aliases or (None,) * len(imp.names)
        names.update(a or n for n, a in zip(imp.names, aliases, strict=False))
    names.update(facts.module.definitions)
    return names
