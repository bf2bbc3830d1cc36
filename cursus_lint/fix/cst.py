"""libcst helpers that edit one list, dict or call in place, in the style of its neighbours.

Everything a fix does not touch comes back byte for byte (libcst round-trips source exactly).
A new item copies the separator, indentation and trailing-comma habit of the existing ones; a
comment on the formerly last line stays on that line. Nodes are found by the facts' spans
(1-based columns, end exclusive), so a fix edits exactly what the rule reported.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass
from typing import Any
from collections.abc import Sequence

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider

from .edits import line_starts, split_lines

Container = cst.List | cst.Dict | cst.Call
Item = cst.Element | cst.DictElement | cst.Arg

_BLANKS = re.compile(r"[ \t]*")
_OWN_LINE_TAIL = re.compile(r"[ \t]*,?[ \t]*(#[^\r\n]*)?(\r\n|\r|\n|\Z)")


@dataclass
class Parsed:
    """One file's text, its concrete syntax tree and the position and parent of every node."""

    text: str
    module: cst.Module
    positions: Any
    parents: Any
    #: what libcst's round trip loses at the end (the final ``\r`` of a CR-only file)
    lost_tail: str = ""

    @classmethod
    def of(cls, text: str) -> Parsed | None:
        """The parsed file, or None when it does not parse or libcst would not give back every
        byte of it (a fix must keep every byte outside its edit)."""
        try:
            wrapper = MetadataWrapper(cst.parse_module(text))
        except (cst.ParserSyntaxError, RecursionError, MemoryError):
            return None
        code = wrapper.module.code
        if not text.startswith(code) or text[len(code):].strip(" \t\r\n\x0c"):
            return None
        return cls(text, wrapper.module, wrapper.resolve(PositionProvider), wrapper.resolve(ParentNodeProvider),
                   text[len(code):])

    def at(self, span: Any, kind: type | tuple[type, ...]) -> Any:
        """The node of ``kind`` exactly covering a facts ``Span`` (None if there is none)."""
        for node, r in self.positions.items():
            if isinstance(node, kind) and _same(r, span):
                return node
        return None

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def replace(self, old: cst.CSTNode, new: cst.CSTNode) -> str:
        """The file text with ``old`` (found by identity) swapped for ``new``."""
        replaced = self.module.deep_replace(old, new)
        assert isinstance(replaced, cst.Module)  # replacing a node below the module keeps a module
        return replaced.code + self.lost_tail


def _same(r: CodeRange, span: Any) -> bool:
    return (r.start.line, r.start.column + 1, r.end.line, r.end.column + 1) == \
        (span.line, span.column, span.end_line, span.end_column)


# ----------------------------------------------------------------------------- literals


def quote_of(node: cst.CSTNode | None, default: str = '"') -> str:
    """The quote character the first plain string literal under ``node`` uses."""
    if node is None:
        return default
    found: list[str] = []

    class _Find(cst.CSTVisitor):
        def visit_SimpleString(self, s: cst.SimpleString) -> bool:
            if not found and s.prefix == "" and s.quote in ('"', "'"):
                found.append(s.quote)
            return False

    node.visit(_Find())
    return found[0] if found else default


def string(value: str, quote: str = '"') -> cst.SimpleString:
    """A string literal in the given quote style (``repr`` when the value needs escapes)."""
    plain = all(c.isprintable() for c in value) and "\\" not in value and quote not in value
    return cst.SimpleString(f"{quote}{value}{quote}" if plain else repr(value))


# ----------------------------------------------------------------------------- containers


def _items(node: Container) -> Sequence[cst.Arg | cst.BaseElement | cst.BaseDictElement]:
    return node.args if isinstance(node, cst.Call) else node.elements


def _opening(node: Container) -> cst.BaseParenthesizableWhitespace:
    if isinstance(node, cst.Call):
        return node.whitespace_before_args
    return node.lbracket.whitespace_after if isinstance(node, cst.List) else node.lbrace.whitespace_after


def _closing(node: Container) -> cst.BaseParenthesizableWhitespace:
    """Whitespace before the closing bracket (for a call it hangs off the last argument)."""
    if isinstance(node, cst.Call):
        last = node.args[-1]
        return last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else last.whitespace_after_arg
    return node.rbracket.whitespace_before if isinstance(node, cst.List) else node.rbrace.whitespace_before


def _bare(ws: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """The same line break and indentation, without a comment or blank lines."""
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return ws


def _separator(node: Container) -> tuple[cst.BaseParenthesizableWhitespace, cst.BaseParenthesizableWhitespace]:
    """(before comma, after comma) between two items, as the existing items are separated."""
    items = _items(node)
    if len(items) >= 2 and isinstance(items[-2].comma, cst.Comma):
        comma = items[-2].comma
        return comma.whitespace_before, _bare(comma.whitespace_after)
    opening = _opening(node)
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return cst.SimpleWhitespace(""), _bare(opening)
    return cst.SimpleWhitespace(""), cst.SimpleWhitespace(" ")


def append(node: Container, item: Item) -> Container:
    """``node`` with ``item`` added last, separated and indented like the other items."""
    items = list(_items(node))
    if not items:
        empty = cst.SimpleWhitespace("")
        item = item.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        if isinstance(node, cst.Call):
            return node.with_changes(args=[item.with_changes(whitespace_after_arg=empty)])
        return node.with_changes(elements=[item])
    before, after = _separator(node)
    closing = _closing(node)
    new_closing = closing
    if isinstance(closing, cst.ParenthesizedWhitespace) and isinstance(after, cst.ParenthesizedWhitespace):
        # a comment after the old last item stays on its line
        after = after.with_changes(first_line=closing.first_line)
        new_closing = closing.with_changes(first_line=cst.TrailingWhitespace())
    last = items[-1]
    trailing = last.comma if isinstance(last.comma, cst.Comma) else None
    if isinstance(node, cst.Call):
        items[-1] = last.with_changes(comma=cst.Comma(trailing.whitespace_before if trailing else before, after),
                                      whitespace_after_arg=cst.SimpleWhitespace(""))
        if trailing is not None:
            items.append(item.with_changes(comma=trailing.with_changes(whitespace_after=new_closing),
                                           whitespace_after_arg=cst.SimpleWhitespace("")))
        else:
            items.append(item.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=new_closing))
        return node.with_changes(args=items)
    items[-1] = last.with_changes(comma=cst.Comma(trailing.whitespace_before if trailing else before, after))
    items.append(item.with_changes(comma=trailing if trailing is not None else cst.MaybeSentinel.DEFAULT))
    if isinstance(node, cst.List):
        return node.with_changes(elements=items, rbracket=node.rbracket.with_changes(whitespace_before=new_closing))
    return node.with_changes(elements=items, rbrace=node.rbrace.with_changes(whitespace_before=new_closing))


def remove_item(parsed: Parsed, container: cst.List | cst.Dict, item: cst.Element | cst.DictElement) -> str:
    """The file text without ``item``. An item on lines of its own loses those whole lines (its
    comment too); an inline one is cut with its comma, keeping the neighbours' spacing. Any
    other comment in the container survives: when rebuilding the container would drop one,
    only the item's own text (and its comma) is cut instead."""
    items = list(container.elements)
    if len(items) > 1:
        whole = _own_lines(parsed, item)
        if whole is not None:
            lines = split_lines(parsed.text)
            first, last = whole
            return "".join(lines[:first - 1] + lines[last:])
    new = _rebuilt_without(parsed, container, item)
    if _comments(new) == _comments(parsed.text):
        return new
    return _cut_item_text(parsed, item)


def _comments(text: str) -> Counter[str] | None:
    """Every comment of a module (None when it does not tokenize)."""
    try:
        return Counter(t.string for t in tokenize.generate_tokens(io.StringIO(text).readline)
                       if t.type == tokenize.COMMENT)
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None


def _cut_item_text(parsed: Parsed, item: cst.Element | cst.DictElement) -> str:
    """The text with the item's own characters, its comma and the blanks after it on the same
    line removed; every comment and line break around it stays where it was."""
    start_node = item.key if isinstance(item, cst.DictElement) else item.value
    starts = line_starts(parsed.text)
    begin = parsed.positions[start_node].start
    end = parsed.positions[item.value].end
    a = starts[begin.line - 1] + begin.column
    b = starts[end.line - 1] + end.column
    text = parsed.text
    b = _BLANKS.match(text, b).end()  # type: ignore[union-attr]
    if text[b:b + 1] == ",":
        after = _BLANKS.match(text, b + 1).end()  # type: ignore[union-attr]
        b = after if text[after:after + 1] not in ("#", "\r", "\n", "") else b + 1
    return text[:a] + text[b:]


def _rebuilt_without(parsed: Parsed, container: cst.List | cst.Dict, item: cst.Element | cst.DictElement) -> str:
    items = list(container.elements)
    index = next(i for i, it in enumerate(items) if it is item)
    if len(items) == 1:
        empty = cst.SimpleWhitespace("")
        new: cst.List | cst.Dict
        if isinstance(container, cst.List):
            new = container.with_changes(elements=[], lbracket=cst.LeftSquareBracket(empty),
                                         rbracket=cst.RightSquareBracket(empty))
        else:
            new = container.with_changes(elements=[], lbrace=cst.LeftCurlyBrace(empty),
                                         rbrace=cst.RightCurlyBrace(empty))
        return parsed.replace(container, new)
    if index == len(items) - 1:
        removed_comma = item.comma
        items[-2] = items[-2].with_changes(
            comma=removed_comma if isinstance(removed_comma, cst.Comma) else cst.MaybeSentinel.DEFAULT)
    del items[index]
    return parsed.replace(container, container.with_changes(elements=items))


def _own_lines(parsed: Parsed, item: cst.Element | cst.DictElement) -> tuple[int, int] | None:
    """(first, last) line of an item that shares its lines with nothing but its comma and a comment."""
    start_node = item.key if isinstance(item, cst.DictElement) else item.value
    start = parsed.positions[start_node].start
    end = parsed.positions[item.value].end
    lines = split_lines(parsed.text)
    if start.line > len(lines) or end.line > len(lines):
        return None
    if lines[start.line - 1][:start.column].strip():
        return None
    if not _OWN_LINE_TAIL.fullmatch(lines[end.line - 1][end.column:]):
        return None
    return start.line, end.line


def keyword_arg(call: cst.Call, name: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def new_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Arg:
    """``name=value`` spaced around ``=`` like the call's other keyword arguments."""
    model = next((a for a in call.args if a.keyword is not None), None)
    equal = model.equal if model is not None else cst.AssignEqual(cst.SimpleWhitespace(""),
                                                                   cst.SimpleWhitespace(""))
    return cst.Arg(value=value, keyword=cst.Name(name), equal=equal)
