"""``# noqa`` handling: which findings a developer silenced, and which silencers are stale.

Forms (codes are case-insensitive; any ``[A-Za-z]+[0-9]+`` code is kept, so a comment shared
with flake8 such as ``# noqa: CL103, E501`` works, but only ``CL`` codes are ever reported as
unused):

* ``# noqa`` — every finding on the line; ``# noqa: CL103, CL104`` / ``# noqa:CL103 CL104`` —
  those codes. ``# noqa:`` followed by no code counts as a bare ``# noqa``. The directive may
  follow other comment text (``# see docs  # noqa: CL103``).
* ``# cursus-lint: noqa`` on a line of its own — the whole file; ``# cursus-lint: noqa: CL103``
  — that code in the whole file. Written after code on a line it acts as a line-level noqa.

Comments are found with :mod:`tokenize`, so ``"# noqa"`` inside a string is not a directive.
A finding located on a line where no comment can go (inside a multi-line string, or a line
continued with ``\\``) is matched against the first following line that can take a comment,
which is also where :func:`add_noqa_edits` writes. Unused-noqa findings (CL903) can only be
silenced by a file-level directive, since a line directive for them would itself be unused.
"""

from __future__ import annotations

import functools
import io
import re
import tokenize
from pathlib import Path
from typing import NamedTuple
from collections.abc import Callable, Iterable

import msgspec

from .diagnostic import Diagnostic

__all__ = [
    "NoqaDirective",
    "NoqaMap",
    "UnusedNoqa",
    "UNUSED_NOQA_CODE",
    "add_noqa_edits",
    "apply_suppressions",
    "parse_noqa",
]

UNUSED_NOQA_CODE = "CL903"
_OUR_PREFIX = "CL"
_CODE = r"[A-Za-z]+[0-9]+"


class _Patterns(NamedTuple):
    code: re.Pattern[str]
    line_noqa: re.Pattern[str]
    file_noqa: re.Pattern[str]
    lines: re.Pattern[str]


@functools.cache
def _patterns() -> _Patterns:
    """Compiled on first use: a run whose files mention no ``noqa`` never needs them (compiling
    them at import cost ~3 ms of every check)."""
    return _Patterns(
        re.compile(_CODE),
        re.compile(r"#\s*(?:cursus-lint\s*:\s*)?noqa(?![\w-])(?:\s*:\s*(?P<codes>" + _CODE + r"(?:[\s,]+" + _CODE
                   + r")*))?", re.IGNORECASE),
        re.compile(r"#\s*cursus-lint\s*:\s*noqa(?![\w-])(?:\s*:\s*(?P<codes>" + _CODE + r"(?:[\s,]+" + _CODE
                   + r")*))?", re.IGNORECASE),
        re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z"),
    )


class NoqaDirective(msgspec.Struct, frozen=True):
    """One noqa comment. ``codes`` is None for a bare directive (every code).

    Columns are 1-based; ``code_columns[i]`` is where ``codes[i]`` is written, so an unused
    code can be pointed at precisely. ``codes_span`` is the 0-based ``[start, end)`` of the
    written code list within the line (None for a bare directive), used to extend it.
    """

    line: int
    column: int
    codes: tuple[str, ...] | None
    code_columns: tuple[int, ...] = ()
    file_level: bool = False
    codes_span: tuple[int, int] | None = None

    def matches(self, code: str) -> bool:
        return self.codes is None or code in self.codes


class NoqaMap(msgspec.Struct):
    """The directives of one file, by line, plus where a line's comment would have to go."""

    lines: dict[int, NoqaDirective] = msgspec.field(default_factory=dict)
    file_level: tuple[NoqaDirective, ...] = ()
    #: line -> the line that carries its comment, for lines that cannot hold one themselves
    redirects: dict[int, int] = msgspec.field(default_factory=dict)
    #: False when the text could not be tokenized and a plain line scan was used
    tokenized: bool = True

    def comment_line(self, line: int) -> int:
        return self.redirects.get(line, line)

    def line_directive(self, line: int) -> NoqaDirective | None:
        """The directive that governs findings on ``line`` (its own, else its comment line's)."""
        own = self.lines.get(line)
        if own is not None:
            return own
        target = self.redirects.get(line)
        return self.lines.get(target) if target is not None else None

    def suppresses(self, code: str, line: int) -> bool:
        code = code.upper()
        if any(d.matches(code) for d in self.file_level):
            return True
        if code == UNUSED_NOQA_CODE:
            return False
        directive = self.line_directive(line)
        return directive is not None and directive.matches(code)


class UnusedNoqa(NamedTuple):
    """A CL code (or a bare directive: ``code`` None) that silenced nothing; becomes CL903."""

    path: Path
    line: int
    column: int
    code: str | None


# ---------------------------------------------------------------------------- parsing


def _split_lines(text: str) -> list[str]:
    """Physical lines with their endings, split the way Python does (only \\r\\n, \\r, \\n)."""
    return _patterns().lines.findall(text)


class _Scan(NamedTuple):
    comments: list[tuple[int, int, str, bool]]  # (line, 0-based col, text, own_line)
    comment_lines: set[int]  # lines where a comment can be written
    tokenized: bool


def _scan(text: str) -> _Scan:
    """Comment tokens and comment-capable lines; a regex line scan when tokenize fails."""
    comments: list[tuple[int, int, str, bool]] = []
    capable: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if tok.type == tokenize.COMMENT:
                row, col = tok.start
                comments.append((row, col, tok.string, not tok.line[:col].strip()))
            elif tok.type in (tokenize.NL, tokenize.NEWLINE):
                capable.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError, ValueError):
        return _regex_scan(text)
    return _Scan(comments, capable, True)


def _regex_scan(text: str) -> _Scan:
    comments: list[tuple[int, int, str, bool]] = []
    lines = _split_lines(text)
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        found = _patterns().file_noqa.search(line) or _patterns().line_noqa.search(line)
        if found:
            col = found.start()
            comments.append((number, col, line[col:], not line[:col].strip()))
    return _Scan(comments, set(range(1, len(lines) + 1)), False)


def _directive(line: int, col: int, comment: str, own_line: bool) -> NoqaDirective | None:
    if own_line:
        found = _patterns().file_noqa.match(comment)
        if found:
            return _build(line, col, found, file_level=True)
    found = _patterns().line_noqa.search(comment)
    return _build(line, col, found, file_level=False) if found else None


def _build(line: int, col: int, found: re.Match[str], file_level: bool) -> NoqaDirective:
    written = found.group("codes")
    if not written:
        return NoqaDirective(line, col + found.start() + 1, None, file_level=file_level)
    start = col + found.start("codes")
    codes: list[str] = []
    columns: list[int] = []
    for code in _patterns().code.finditer(written):
        codes.append(code.group().upper())
        columns.append(start + code.start() + 1)
    return NoqaDirective(line, col + found.start() + 1, tuple(codes), tuple(columns), file_level,
                         (start, col + found.end("codes")))


def _redirects(capable: set[int], last_line: int) -> dict[int, int]:
    redirects: dict[int, int] = {}
    pending: list[int] = []
    for line in range(1, last_line + 1):
        if line in capable:
            for waiting in pending:
                redirects[waiting] = line
            pending.clear()
        else:
            pending.append(line)
    return redirects


def parse_noqa(text: str) -> NoqaMap:
    """All noqa directives in ``text``; never raises (untokenizable text is scanned by regex)."""
    if "noqa" not in text.lower():
        return NoqaMap()
    scan = _scan(text)
    noqa = NoqaMap(tokenized=scan.tokenized)
    file_level: list[NoqaDirective] = []
    for line, col, comment, own_line in scan.comments:
        directive = _directive(line, col, comment, own_line)
        if directive is None:
            continue
        if directive.file_level:
            file_level.append(directive)
        else:
            noqa.lines[line] = directive
    noqa.file_level = tuple(file_level)
    if noqa.lines and scan.tokenized:
        noqa.redirects = _redirects(scan.comment_lines, len(_split_lines(text)))
    return noqa


# ---------------------------------------------------------------------------- applying


def apply_suppressions(
    diagnostics: Iterable[Diagnostic],
    noqa_by_path: dict[Path, NoqaMap],
    enabled: Callable[[str, Path], bool] | None = None,
) -> tuple[list[Diagnostic], list[Diagnostic], list[UnusedNoqa]]:
    """Split findings into kept and suppressed, and list the noqa codes that silenced nothing.

    ``enabled(code, path)`` (optional) says whether a rule could have reported in that file;
    a noqa code for a rule that is switched off is not called unused. Every directive that
    matches a finding counts as used, so a line noqa under a file-level one is not flagged.
    Unused entries a file-level ``noqa: CL903`` (or bare file-level noqa) covers are dropped.
    """
    kept: list[Diagnostic] = []
    suppressed: list[Diagnostic] = []
    used: set[tuple[Path, int, str | None]] = set()  # (path, directive line, code or None)
    for diag in diagnostics:
        noqa = noqa_by_path.get(diag.location.path)
        if noqa is None:
            kept.append(diag)
            continue
        code = diag.code.upper()
        hit = False
        for directive in noqa.file_level:
            if directive.matches(code):
                used.add(_use_key(diag.location.path, directive, code))
                hit = True
        if code != UNUSED_NOQA_CODE:
            on_line = noqa.line_directive(diag.location.line)
            if on_line is not None and on_line.matches(code):
                used.add(_use_key(diag.location.path, on_line, code))
                hit = True
        (suppressed if hit else kept).append(diag)

    unused: list[UnusedNoqa] = []
    for path, noqa in noqa_by_path.items():
        candidates: list[UnusedNoqa] = []
        for directive in (*noqa.file_level, *noqa.lines.values()):
            if directive.codes is None:
                # a bare line noqa comment is shared with flake8/ruff/pycodestyle: it may well be there
                # for them, so only our own bare `# cursus-lint: noqa` can be called unused
                if directive.file_level and (path, directive.line, None) not in used:
                    candidates.append(UnusedNoqa(path, directive.line, directive.column, None))
                continue
            for code, column in zip(directive.codes, directive.code_columns, strict=False):
                if not code.startswith(_OUR_PREFIX) or (path, directive.line, code) in used:
                    continue
                if enabled is not None and not enabled(code, path):
                    continue
                candidates.append(UnusedNoqa(path, directive.line, column, code))
        # A file-level directive covering CL903 silences every unused entry of its file
        # (each would become a CL903 finding); its own CL903 is never called unused.
        if not any(d.matches(UNUSED_NOQA_CODE) for d in noqa.file_level):
            unused.extend(candidates)
    unused.sort(key=lambda u: (str(u.path), u.line, u.column, u.code or ""))
    return kept, suppressed, unused


def _use_key(path: Path, directive: NoqaDirective, code: str) -> tuple[Path, int, str | None]:
    return (path, directive.line, None if directive.codes is None else code)


# ---------------------------------------------------------------------------- --add-noqa


def add_noqa_edits(text: str, lines_to_codes: dict[int, set[str]]) -> str:
    """Return ``text`` with ``# noqa: CODE`` added on the given 1-based lines.

    An existing ``# noqa: ...`` list is extended in place (a bare ``# noqa`` already covers
    everything and is left alone); otherwise the directive is appended after any existing
    comment. A line inside a multi-line string or ending in ``\\`` gets its directive on the
    first following line that can hold a comment. Everything else is kept byte for byte,
    including ``\\r\\n`` line endings. CL903 is never added (a line noqa cannot silence it).
    """
    lines = _split_lines(text)
    if not lines:
        return text
    scan = _scan(text)
    redirects = _redirects(scan.comment_lines, len(lines)) if scan.tokenized else {}
    existing: dict[int, NoqaDirective] = {}
    for line, col, comment, own_line in scan.comments:
        directive = _directive(line, col, comment, own_line)
        if directive is not None and not directive.file_level:
            existing[line] = directive

    wanted: dict[int, set[str]] = {}
    for line, codes in lines_to_codes.items():
        codes = {c.upper() for c in codes} - {UNUSED_NOQA_CODE}
        if codes and 1 <= line <= len(lines):
            wanted.setdefault(redirects.get(line, line), set()).update(codes)

    for line, codes in wanted.items():
        raw = lines[line - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body):]
        directive = existing.get(line)
        if directive is not None:
            if directive.codes is None or directive.codes_span is None:
                continue
            missing = sorted(codes - set(directive.codes))
            if not missing:
                continue
            start, end = directive.codes_span
            listed = body[start:end]
            separator = ", " if "," in listed or " " not in listed else " "
            body = body[:end] + separator + separator.join(missing) + body[end:]
        else:
            trailing = len(body) - len(body.rstrip(" \t"))
            pad = "" if not body.strip() else " " * max(0, 2 - trailing)
            body = f"{body}{pad}# noqa: {', '.join(sorted(codes))}"
        lines[line - 1] = body + ending
    return "".join(lines)
