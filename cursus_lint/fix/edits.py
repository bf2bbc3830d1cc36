"""Text edits: from an old and a new file text to one minimal :class:`Edit`, and back.

Positions are 1-based lines and columns (characters, end exclusive), the convention of
``Diagnostic`` locations, so the same edits serve JSON, SARIF, the language server and ``--fix``.
Lines are split only at ``\\r\\n``, ``\\r`` and ``\\n`` (what Python and editors agree on).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from collections.abc import Iterable, Sequence

from ..diagnostic import Edit

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """Physical lines with their endings."""
    return _LINES.findall(text)


def line_starts(text: str) -> list[int]:
    """Offset of the first character of every line (plus one past the end for a final newline)."""
    starts = [0]
    for line in _LINES.findall(text):
        starts.append(starts[-1] + len(line))
    return starts


def position(starts: list[int], offset: int) -> tuple[int, int]:
    """(line, column), both 1-based, of a character offset."""
    lo, hi = 0, len(starts) - 1
    while lo < hi:  # last start <= offset
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1, offset - starts[lo] + 1


def offset(starts: list[int], line: int, column: int) -> int:
    if line < 1 or line > len(starts):
        raise ValueError(f"line {line} is outside the text")
    return starts[line - 1] + column - 1


def minimal_edit(path: Path, old: str, new: str) -> Edit | None:
    """One replacement turning ``old`` into ``new``: the span between their common prefix and
    suffix (None when they are equal)."""
    if old == new:
        return None
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    # never split a \r\n pair: an edit boundary between them would confuse line numbering
    if 0 < head < len(old) and old[head - 1] == "\r" and old[head] == "\n":
        head -= 1
    starts = line_starts(old)
    line, column = position(starts, head)
    end_line, end_column = position(starts, len(old) - tail)
    return Edit(path, line, column, end_line, end_column, new[head:len(new) - tail])


def parses(path: Path, text: str) -> bool:
    """``text`` still reads as what ``path`` is: Python, or for a ``.step.yaml`` one YAML mapping
    the reader has nothing to say about (the reader, and with it the YAML library, is imported
    only for such a file)."""
    if path.name.endswith(".step.yaml"):
        from cursus_core.interface.reader import read_interface_text

        result = read_interface_text(text, path)
        return result.root is not None and not result.problems
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _span(starts: list[int], e: Edit) -> tuple[int, int]:
    return offset(starts, e.line, e.column), offset(starts, e.end_line, e.end_column)


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with every edit applied (edits must not overlap; all refer to the original text)."""
    starts = line_starts(text)
    spans = sorted((_span(starts, e), e.new_text) for e in edits)
    out: list[str] = []
    cursor = 0
    for (start, end), new_text in spans:
        if start < cursor:
            raise ValueError("overlapping edits")
        out.append(text[cursor:start])
        out.append(new_text)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def non_overlapping(text: str, groups: Iterable[Sequence[Edit]]) -> tuple[list[int], list[int]]:
    """Split edit groups (one per fix) into those that can be applied together, first come first
    served, and those that clash with an earlier one (they are retried on the next pass)."""
    starts = line_starts(text)
    taken: list[tuple[int, int]] = []
    ok: list[int] = []
    clash: list[int] = []
    for i, group in enumerate(groups):
        spans = [_span(starts, e) for e in group]
        if any(_touches(s, t) for s in spans for t in taken):
            clash.append(i)
            continue
        taken.extend(spans)
        ok.append(i)
    return ok, clash


def _touches(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two ranges overlap, or are two insertions at the same point (their order would be arbitrary)."""
    if a[0] == a[1] == b[0] == b[1]:
        return True
    return a[0] < b[1] and b[0] < a[1]
