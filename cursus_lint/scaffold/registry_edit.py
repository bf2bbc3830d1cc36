"""Add a row to a literal ``STEP_NAMES = {...}`` with libcst, keeping every other byte of the file.

libcst locates the dict, its last row and its closing brace; the new row is inserted as text at
those positions, in the indentation and quoting the file already uses, and the result is parsed
again before it is offered."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .model import ScaffoldError


class _Finder(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        self.found: cst.Dict | None = None
        self.computed = False

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(isinstance(t.target, cst.Name) and t.target.value == "STEP_NAMES" for t in node.targets):
            if isinstance(node.value, cst.Dict):
                self.found = node.value
            else:
                self.computed = True


def _offset(lines: list[str], line: int, column: int) -> int:
    return sum(len(x) for x in lines[: line - 1]) + column


def add_registry_row(text: str, name: str, row: dict[str, str], path_label: str) -> str:
    """``text`` with ``name: row`` appended to its literal ``STEP_NAMES``."""
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except cst.ParserSyntaxError as exc:
        raise ScaffoldError(f"cannot parse the registry {path_label}: {exc.message}") from None
    finder = _Finder()
    wrapper.visit(finder)
    if finder.found is None:
        why = "is computed, not a literal dict" if finder.computed else "is not defined"
        raise ScaffoldError(f"STEP_NAMES in {path_label} {why}; add the '{name}' entry by hand")
    positions = wrapper.resolve(PositionProvider)
    node = finder.found
    lines = text.splitlines(keepends=True)
    quote = '"'
    if node.elements:
        last = node.elements[-1]
        start = positions[last].start
        indent = " " * start.column
        key = last.key if isinstance(last, cst.DictElement) else None
        if isinstance(key, cst.SimpleString) and key.value.startswith("'"):
            quote = "'"
    else:
        indent = "    "
    inner = indent + (indent if 0 < len(indent) <= 8 else "    ")  # one level deeper, in the file's own step

    def q(value: str) -> str:
        return quote + value.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote

    entry = [f"{indent}{q(name)}: {{\n", *[f"{inner}{q(k)}: {q(v)},\n" for k, v in row.items()], f"{indent}}},\n"]
    end = positions[node].end  # just past the closing brace
    close = _offset(lines, end.line, end.column) - 1
    if not node.elements:
        new = text[:close] + "\n" + "".join(entry) + text[close:]
    else:
        last = node.elements[-1]
        last_end = positions[last].end
        cut = _offset(lines, last_end.line, last_end.column)
        comma = "" if isinstance(last.comma, cst.Comma) else ","
        line_start = text.rfind("\n", 0, close) + 1
        if text[line_start:close].strip():  # the brace shares a line with the last row
            new = text[:cut] + comma + "\n" + "".join(entry) + text[close:]
        else:
            new = text[:cut] + comma + text[cut:line_start] + "".join(entry) + text[line_start:]
    try:
        cst.parse_module(new)
    except cst.ParserSyntaxError:
        raise ScaffoldError(f"the registry {path_label} has a layout the STEP_NAMES edit cannot follow; "
                            f"add the '{name}' entry by hand") from None
    return new
