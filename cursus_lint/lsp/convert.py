"""Between cursus-lint's 1-based, code-point ranges and LSP's 0-based, client-unit positions.

Pure functions (no server state) so the mapping can be tested without a client. Columns in a
:class:`~cursus_lint.diagnostic.Location` count Unicode code points; LSP counts UTF-16 units by
default, so every conversion goes through the line's text when it is known.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable, Mapping

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from cursus_core.source import MAX_SOURCE_BYTES, decode_source, read_regular_file

from ..diagnostic import Diagnostic, Edit, Fix, Severity

SOURCE = "cursus-lint"
SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines without their endings, broken where LSP breaks them (``\\r\\n``, ``\\r``, ``\\n``)."""
    return _LINE_BREAK.split(text)


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in the client's position units."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", errors="surrogatepass"))  # a lone surrogate in a buffer
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def code_points(line: str, character: int, encoding: str) -> int:
    """The code-point index of a client ``character`` offset on ``line`` (clamped to the line)."""
    count = 0
    for index, char in enumerate(line):
        if count >= character:
            return index
        count += units(char, encoding)
    return len(line)


def path_of(uri: str) -> Path | None:
    """Absolute file-system path of a ``file:`` URI; None for other schemes (``untitled:``)."""
    fs = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(os.path.abspath(fs)) if fs else None


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


class TextIndex:
    """Line texts per file, for position conversion: open documents first, then the disk."""

    def __init__(self, open_texts: Mapping[Path, str], encoding: str = types.PositionEncodingKind.Utf16,
                 read: Callable[[Path], str | None] | None = None) -> None:
        self._open = open_texts
        self.encoding = encoding
        self._read = read or _read_disk
        self._lines: dict[Path, list[str] | None] = {}

    def lines(self, path: Path) -> list[str] | None:
        if path not in self._lines:
            text = self._open.get(path)
            if text is None:
                text = self._read(path)
            self._lines[path] = None if text is None else split_lines(text)
        return self._lines[path]

    def position(self, path: Path, line: int, column: int) -> types.Position:
        """1-based line, 1-based code-point column -> LSP position (clamped into the text)."""
        row, col = max(line - 1, 0), max(column - 1, 0)
        lines = self.lines(path)
        if lines is None:
            return types.Position(row, col)
        if row >= len(lines):
            return types.Position(len(lines) - 1, units(lines[-1], self.encoding))
        text = lines[row]
        return types.Position(row, units(text[:col], self.encoding))

    def line_end(self, path: Path, line: int, column: int) -> types.Position:
        lines = self.lines(path)
        if lines is None or not 1 <= line <= len(lines):
            return self.position(path, line, column)
        return self.position(path, line, max(len(lines[line - 1]) + 1, column))

    def range(self, path: Path, line: int, column: int, end_line: int | None, end_column: int | None) -> types.Range:
        """An LSP range; an unknown end runs to the end of the start line so it stays visible."""
        start = self.position(path, line, column)
        if end_column is None:
            end = self.line_end(path, end_line or line, column if (end_line or line) == line else 1)
        else:
            end = self.position(path, end_line or line, end_column)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return types.Range(start, end)

    def offset_of(self, path: Path, position: types.Position) -> tuple[int, int]:
        """LSP position -> (1-based line, 1-based code-point column)."""
        lines = self.lines(path) or []
        text = lines[position.line] if position.line < len(lines) else ""
        return position.line + 1, code_points(text, position.character, self.encoding) + 1


def _read_disk(path: Path) -> str | None:
    try:
        data, _ = read_regular_file(path, MAX_SOURCE_BYTES)  # never block on a FIFO
    except OSError:
        return None
    return decode_source(data)


# ------------------------------------------------------------------------------- diagnostics


def fix_to_data(fix: Fix) -> dict[str, Any]:
    return {"message": fix.message, "safe": fix.safe,
            "edits": [{"path": str(e.path), "line": e.line, "column": e.column, "end_line": e.end_line,
                       "end_column": e.end_column, "new_text": e.new_text} for e in fix.edits]}


def fix_from_data(data: Any) -> Fix | None:
    """The Fix a client echoed back in ``Diagnostic.data``; None when absent or malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("fix"), dict):
        return None
    raw = data["fix"]
    try:
        edits = tuple(Edit(Path(e["path"]), int(e["line"]), int(e["column"]), int(e["end_line"]),
                           int(e["end_column"]), str(e["new_text"])) for e in raw["edits"])
        return Fix(str(raw["message"]), edits, bool(raw.get("safe", True)))
    except (KeyError, TypeError, ValueError):
        return None


def to_lsp(diagnostic: Diagnostic, index: TextIndex) -> types.Diagnostic:
    """One engine finding as an LSP diagnostic; the fix (if any) travels in ``data``."""
    loc = diagnostic.location
    related = [types.DiagnosticRelatedInformation(
        types.Location(uri_of(r.location.path), index.range(r.location.path, r.location.line, r.location.column,
                                                            r.location.end_line, r.location.end_column)),
        r.message) for r in diagnostic.related]
    data = {"code": diagnostic.code, "name": diagnostic.name, "step": diagnostic.step,
            "fix": fix_to_data(diagnostic.fix) if diagnostic.fix is not None else None}
    return types.Diagnostic(
        range=index.range(loc.path, loc.line, loc.column, loc.end_line, loc.end_column),
        message=diagnostic.message,
        severity=SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Warning),
        code=diagnostic.code,
        source=SOURCE,
        related_information=related or None,
        data=data,
    )


def workspace_edit(edits: Iterable[Edit], index: TextIndex,
                   uri_for: Callable[[Path], str] = uri_of) -> types.WorkspaceEdit | None:
    """Group edits by file; an edit overlapping an earlier one in the same file is dropped."""
    by_path: dict[Path, list[Edit]] = {}
    for e in edits:
        by_path.setdefault(Path(e.path), []).append(e)
    changes: dict[str, list[types.TextEdit]] = {}
    for path, group in sorted(by_path.items()):
        kept: list[Edit] = []
        for e in sorted(group, key=lambda e: (e.line, e.column, e.end_line, e.end_column)):
            if kept and (e.line, e.column) < (kept[-1].end_line, kept[-1].end_column):
                continue
            kept.append(e)
        changes[uri_for(path)] = [types.TextEdit(index.range(path, e.line, e.column, e.end_line, e.end_column),
                                                 e.new_text) for e in kept]
    return types.WorkspaceEdit(changes=changes) if changes else None


def line_edits(old: str, new: str, index_encoding: str = types.PositionEncodingKind.Utf16) -> list[types.TextEdit]:
    """Minimal per-line edits turning ``old`` into ``new`` when only line contents changed."""
    before, after = split_lines(old), split_lines(new)
    if len(before) != len(after):
        end = types.Position(len(before) - 1, units(before[-1], index_encoding))
        return [types.TextEdit(types.Range(types.Position(0, 0), end), new)]
    return [types.TextEdit(types.Range(types.Position(i, 0), types.Position(i, units(a, index_encoding))), b)
            for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b]
