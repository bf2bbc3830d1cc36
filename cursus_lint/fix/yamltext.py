"""Minimal text edits to a ``.step.yaml``, placed by the interface reader's positions.

A fix to an interface must leave every byte it does not mean to change alone: comments, key
order, quoting, blank lines, flow or block style. Re-dumping the document (even ruamel's round
trip) re-flows some of that, so these helpers never dump: they read the file once with the
located reader (:mod:`cursus_core.interface.reader`, which imports the YAML library itself,
lazily) and splice a few characters into the text where the spans say: a new key under a
mapping, a new item in a list, a new value for one scalar. New text copies the indentation and
list style of its neighbours. Every result is read back and checked by the caller
(:meth:`YamlText.reads_as`), so a splice that would mean something else is never offered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from cursus_core.interface.nodes import YEntry, YMap, YNode, YScalar, YSeq
from cursus_core.interface.reader import read_interface_text
from cursus_core.interface.span import Span

from .edits import line_starts, offset

#: a key or value that YAML reads back as this very string without quotes
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: plain words YAML 1.1 (what upstream's ``safe_load`` speaks) reads as booleans or null
_SPECIAL = {w for word in ("y", "yes", "n", "no", "true", "false", "on", "off", "null")
            for w in (word, word.capitalize(), word.upper())} | {"~"}


def scalar(value: str, like: str | None = None, plain: bool | None = None) -> str:
    """``value`` as YAML text read back as that string, in the style of ``like`` (a neighbour's
    raw text): its quote character when it is quoted (double quotes by default), plain when the
    value is a simple word and ``plain`` allows it (by default: when ``like`` is plain or absent)."""
    quote = like[:1] if like is not None and like[:1] in ("'", '"') else '"'
    if plain is None:
        plain = like is None or like[:1] not in ("'", '"')
    if plain and _PLAIN.fullmatch(value) and value not in _SPECIAL:
        return value
    if quote == "'" and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar


@dataclass
class YamlText:
    """One interface's text, its located tree and its line starts."""

    path: Path
    text: str
    root: YMap
    starts: list[int]

    @classmethod
    def of(cls, path: Path, text: str) -> YamlText | None:
        """None unless the text reads cleanly as one mapping: no syntax error, duplicate key,
        foreign tag or anything else the reader reports (a fix never edits a broken file)."""
        result = read_interface_text(text, path)
        if result.root is None or result.problems:
            return None
        return cls(path, text, result.root, line_starts(text))

    # -- reading ----------------------------------------------------------------------------
    def entry(self, *keys: str) -> YEntry | None:
        """The entry at ``keys`` (``"contract", "env_vars"``) when every step is a mapping."""
        node: YNode = self.root
        found: YEntry | None = None
        for key in keys:
            if not isinstance(node, YMap):
                return None
            found = node.get(key)
            if found is None:
                return None
            node = found.value
        return found

    def raw(self, span: Span) -> str:
        return self.text[self._at(span.line, span.column):self._at(span.end_line, span.end_column)]

    def reads_as(self, new_text: str, keys: tuple[str, ...], want: object) -> bool:
        """``new_text`` reads cleanly and holds ``want`` at ``keys`` (the check every fix makes)."""
        again = YamlText.of(self.path, new_text)
        entry = again.entry(*keys) if again is not None else None
        return entry is not None and entry.value.to_python() == want

    def scalar_at(self, line: int, column: int) -> object:
        """The value of the scalar written at (line, column); None when there is none."""
        todo: list[YNode] = [self.root]
        while todo:
            node = todo.pop()
            if isinstance(node, YScalar):
                if (node.span.line, node.span.column) == (line, column):
                    return node.value
            elif isinstance(node, YSeq):
                todo.extend(node.items)
            else:
                todo.extend(e.value for e in node.entries)
        return None

    # -- edits ------------------------------------------------------------------------------
    def replace(self, span: Span, new: str) -> str:
        start, end = self._at(span.line, span.column), self._at(span.end_line, span.end_column)
        return self.text[:start] + new + self.text[end:]

    def add_item(self, entry: YEntry, item: str) -> str | None:
        """Append ``item`` (YAML text of a scalar) to the list under ``entry``."""
        seq = entry.value
        if not isinstance(seq, YSeq):
            return None
        if self._flow(seq.span):
            if not seq.items:
                open_at = self._at(seq.span.line, seq.span.column)
                return self.text[:open_at + 1] + item + self.text[open_at + 1:]
            last = seq.items[-1].span
            at = self._at(last.end_line, last.end_column)
            return self.text[:at] + ", " + item + self.text[at:]
        if not seq.items:
            return None
        first = seq.items[0].span
        prefix = self._line(first.line)[:first.column - 1]
        if not re.fullmatch(r"[ \t]*-[ \t]+", prefix):
            return None  # a nested or inline block list: not one we can extend by a line
        return self._after(self._last_line(seq, entry.key_span.line), prefix + item)

    def add_key(self, entry: YEntry | None, lines: list[str]) -> str | None:
        """Add ``lines`` (``KEY: VALUE``, and any deeper lines indented by one step each level,
        two spaces in ``lines``) as the last key of the mapping under ``entry`` (None: the top)."""
        mapping = self.root if entry is None else entry.value
        if not isinstance(mapping, YMap):
            return None
        if self._flow(mapping.span):
            if not mapping.entries and entry is not None:
                block = self._unflow_empty(entry, lines)
                if block is not None:
                    return block
            if len(lines) != 1:
                return None
            if not mapping.entries:
                open_at = self._at(mapping.span.line, mapping.span.column)
                return self.text[:open_at + 1] + lines[0] + self.text[open_at + 1:]
            last = mapping.entries[-1].value.span
            at = self._at(last.end_line, last.end_column)
            return self.text[:at] + ", " + lines[0] + self.text[at:]
        if not mapping.entries:
            return None
        key = mapping.entries[0].key_span
        indent = self._line(key.line)[:key.column - 1]
        if indent.strip():
            return None  # keys after a list dash or on the parent's line: not a plain block map
        after = self._last_line(mapping, entry.key_span.line if entry is not None else 1)
        return self._after(after, *self._indented(indent, lines))

    def _unflow_empty(self, entry: YEntry, lines: list[str]) -> str | None:
        """``key: {}`` on a block key's line becomes ``key:`` with ``lines`` below it, one
        indentation step deeper (the file's block style, not a growing one-line mapping)."""
        indent = self._line(entry.key_span.line)[:entry.key_span.column - 1]
        span = entry.value.span
        start, end = self._at(span.line, span.column), self._at(span.end_line, span.end_column)
        if indent.strip() or span.line != entry.key_span.line or self.text[start:end] != "{}":
            return None
        while self.text[start - 1] in " \t":
            start -= 1
        line_end = self.starts[span.line - 1] + len(self._line(span.line))  # after a comment, if any
        nl = self._newline()
        body = "".join(nl + line for line in self._indented(indent + self.indent_step(), lines))
        return self.text[:start] + self.text[end:line_end] + body + self.text[line_end:]

    def _indented(self, indent: str, lines: list[str]) -> list[str]:
        """``lines`` (nested by two spaces a level) at ``indent``, in this file's indentation step."""
        step = self.indent_step()
        return [indent + line.replace("  ", step, (len(line) - len(line.lstrip(" "))) // 2) for line in lines]

    def remove_at(self, entry: YEntry, line: int, column: int) -> str | None:
        """Remove the list item, or the mapping key with its value, written at (line, column)
        under ``entry``. A block item goes with its whole line (and its comment); the last item
        of a block collection is left alone, since what remains would read as null."""
        node = entry.value
        if isinstance(node, YSeq):
            spans = [(i.span, i.span) for i in node.items]
        elif isinstance(node, YMap):
            spans = [(e.key_span, e.value.span) for e in node.entries]
        else:
            return None
        index = next((i for i, (start, _) in enumerate(spans) if (start.line, start.column) == (line, column)), None)
        if index is None:
            return None
        start, end = spans[index]
        if self._flow(node.span):
            a, b = self._at(start.line, start.column), self._at(end.end_line, end.end_column)
            if index + 1 < len(spans):
                b = self._at(spans[index + 1][0].line, spans[index + 1][0].column)
            elif index > 0:
                a = self._at(spans[index - 1][1].end_line, spans[index - 1][1].end_column)
            return self.text[:a] + self.text[b:]
        item = node.items[index] if isinstance(node, YSeq) else node.entries[index].value
        last = self._last_line(item, start.line)
        own = self._line(start.line)[:start.column - 1]
        if len(spans) < 2 or last != start.line or not re.fullmatch(r"[ \t]*(?:-[ \t]+)?", own):
            return None
        a = self.starts[start.line - 1]
        b = self.starts[last] if last < len(self.starts) else len(self.text)
        return self.text[:a] + self.text[b:]

    def indent_step(self) -> str:
        """How far this file indents a nested mapping (two spaces when it has none)."""
        for e in self.root.entries:
            if isinstance(e.value, YMap) and e.value.entries and not self._flow(e.value.span):
                width = e.value.entries[0].key_span.column - e.key_span.column
                if width > 0:
                    return " " * width
        return "  "

    # -- positions --------------------------------------------------------------------------
    def _at(self, line: int, column: int) -> int:
        return min(offset(self.starts, line, column), len(self.text))

    def _line(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def _flow(self, span: Span) -> bool:
        """A flow collection; the span of a non-empty flow mapping starts at its first key, so
        the bracket may also be the last character written before it."""
        start = self._at(span.line, span.column)
        return self.text[start:start + 1] in ("[", "{") or self.text[:start].rstrip()[-1:] == "{"

    def _newline(self) -> str:
        found = re.search(r"\r\n|\r|\n", self.text)
        return found.group() if found else "\n"

    def _last_line(self, node: YNode, fallback: int) -> int:
        """The line on which ``node`` ends (its last written value), for a block collection."""
        if isinstance(node, YMap) and node.entries and not self._flow(node.span):
            last = node.entries[-1]
            return self._last_line(last.value, last.key_span.line)
        if isinstance(node, YSeq) and node.items and not self._flow(node.span):
            return self._last_line(node.items[-1], node.items[-1].span.line)
        if isinstance(node, YScalar) and (node.tag == "null" and node.span.line == node.span.end_line
                                          and node.span.column == node.span.end_column):
            return fallback  # ``key:`` with nothing after it
        end_line = node.span.end_line
        if node.span.end_column == 1 and end_line > node.span.line:
            end_line -= 1  # a block scalar ends at the start of the next line
        return max(end_line, fallback)

    def _after(self, line: int, *new_lines: str) -> str:
        """The text with ``new_lines`` inserted after ``line`` (its comment stays on it)."""
        end = self.starts[line - 1] + len(self._line(line))
        nl = self._newline()
        return self.text[:end] + "".join(nl + n for n in new_lines) + self.text[end:]
