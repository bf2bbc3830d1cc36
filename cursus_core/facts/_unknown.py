"""Cases a fact reader could not know statically: counted per kind (``--statistics``) and, when the
reader's counter is an :class:`Unknowns`, located (``--verbose`` lists each with its source)."""

from __future__ import annotations

import ast
from collections import Counter

from ._index import TreeIndex
from .model import UnknownCase

__all__ = ["Unknowns", "note", "at_node", "KIND_TEXT"]

#: what each kind means, for people
KIND_TEXT: dict[str, str] = {
    "incomplete-path": "container path built from parts that are not literals",
    "dynamic-main-dict-key": "main() paths dict key that is not a literal",
    "dynamic-argument": "argparse argument whose name is not a literal",
    "dynamic-arg-read": "job argument read by a name that is not a literal",
    "dynamic-logical-name": "logical name (input/output key) that is not a literal",
    "dynamic-env-name": "env var name built at run time",
    "dynamic-base-class": "base class that is not a plain name",
    "dynamic-config-attr": "config attribute read by a name that is not a literal",
    "dynamic-builder-env-name": "builder env var name that is not a literal",
    "dynamic-job-argument": "job argument built with an f-string",
    "dynamic-spec-import": "specification imported at run time",
    "non-literal-field-default": "config field default that is not a literal",
    "ambiguous-path-constant": "path constant assigned different paths",
    "non-literal-contract-field": "contract value that is not a literal",
    "non-literal-spec-field": "specification value that is not a literal",
}
_CODE_CHARS = 60


class Unknowns(Counter[str]):
    """A counter of kinds that also keeps where each case is (``+unknowns`` is a plain Counter)."""

    def __init__(self) -> None:
        super().__init__()
        self.cases: list[UnknownCase] = []


def note(stats: Counter[str], kind: str, node: ast.AST | None, line: int | None = None,
         column: int | None = None, code: str | None = None) -> None:
    """Count one case of ``kind``; with an :class:`Unknowns`, also record where it is (``line`` and
    ``column``, 1-based characters, default to the node's) and its source text (or ``code``)."""
    stats[kind] += 1
    cases = getattr(stats, "cases", None)
    if cases is None or (node is None and line is None):
        return
    if code is None:
        try:
            code = ast.unparse(node) if node is not None else ""
        except Exception:  # an odd tree: the location alone still helps
            code = ""
    code = " ".join(code.split())
    if len(code) > _CODE_CHARS:
        code = code[:_CODE_CHARS - 3] + "..."
    at_line: int = line or getattr(node, "lineno", None) or 1
    at_column: int = column or (getattr(node, "col_offset", None) or 0) + 1
    cases.append(UnknownCase(kind, at_line, at_column, code))


def at_node(idx: TreeIndex | None, node: ast.AST | None) -> tuple[int | None, int | None]:
    """The node's line and character column through the file's index (None without one)."""
    if idx is None or node is None:
        return None, None
    span = idx.span(node)
    return span.line, span.column
