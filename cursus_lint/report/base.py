"""What every reporter shares: the run summary and one normalized, sorted view of the findings.

Reporters never look at :class:`~cursus_lint.diagnostic.Diagnostic` directly: :func:`prepare`
turns them into :class:`Finding` rows with display paths (relative to cwd, forward slashes),
filled-in end positions and a plain severity string, sorted the same way for every format.
That keeps the formats consistent and makes odd input (str paths, unknown severities,
missing end positions) a concern of one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath

import msgspec

from cursus_core.source import MAX_SOURCE_BYTES, decode_source, read_regular_file
from cursus_lint.diagnostic import Diagnostic
from cursus_lint.rule import FAMILIES, Rule

TOOL_NAME = "cursus-lint"
RULE_DOCS_PATH = "docs/rules"  # the generated rule pages, relative to the repository root


def repository_url() -> str | None:
    """The project's repository (``Repository`` in ``[project.urls]``) as installed, or None.

    SARIF links (``informationUri``, each rule's ``helpUri`` to ``docs/rules/CLxxx.md``) are
    written only when it is known: a link must point at something that exists.
    """
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata("cursus-lint").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("repository", "source") and url.strip().startswith("https://"):
            return url.strip().rstrip("/")
    return None


def rule_help_uri(base: str, code: str) -> str:
    return f"{base}/blob/main/{RULE_DOCS_PATH}/{code}.md"
SEVERITIES = ("error", "warning", "info")


class Summary(msgspec.Struct, frozen=True):
    """What was checked, for the closing line and the machine-readable summaries.

    ``unknown`` counts the cases a rule could not decide statically (a path built at run
    time, a base class outside the repo), keyed by kind; reporters show it only when
    statistics are asked for.
    """

    files: int = 0
    steps: int = 0
    elapsed_ms: float = 0
    unknown: Mapping[str, int] = msgspec.field(default_factory=dict)


class RelatedView(msgspec.Struct, frozen=True):
    path: str
    line: int
    message: str


class EditView(msgspec.Struct, frozen=True):
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str


class FixView(msgspec.Struct, frozen=True):
    message: str
    safe: bool
    edits: tuple[EditView, ...]


class Finding(msgspec.Struct, frozen=True):
    """One diagnostic as every reporter sees it (display path, defaults filled in)."""

    diagnostic: Diagnostic
    code: str
    name: str
    severity: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    step: str | None
    message: str
    related: tuple[RelatedView, ...]
    fix: FixView | None
    #: "safe"/"unsafe" when ``--fix`` (with ``--unsafe-fixes``) repairs this finding, whether or
    #: not its edits were built; None when it does not
    fixable: str | None = None

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message, self.step or "",
                self.end_line, self.end_column)


def no_surrogates(text: str) -> str:
    """Replace lone surrogates (undecodable file names) so the output can always be encoded."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
    return text


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """Make a value safe for a terminal or log: control characters (ANSI escapes included)
    become visible ``\\xNN``; newlines become ``\\n`` unless ``keep_newlines``."""
    text = no_surrogates(str(text))
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\n\r" and keep_newlines or ch == "\t":
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)


def display_path(path: object, cwd: Path) -> str:
    """Path relative to ``cwd`` with forward slashes; a path outside ``cwd`` stays absolute."""
    pure = PurePath(str(path)) if not isinstance(path, PurePath) else path
    if not pure.is_absolute():
        return no_surrogates(pure.as_posix())
    try:
        return no_surrogates(pure.relative_to(cwd).as_posix())
    except ValueError:
        pass
    try:  # symlinked checkouts: compare the real locations too
        return no_surrogates(Path(pure).resolve().relative_to(cwd.resolve()).as_posix())
    except (ValueError, OSError, RuntimeError):
        return no_surrogates(pure.as_posix())


def source_path(path: object, cwd: Path) -> Path:
    """Where on disk a diagnostic's path lives (relative paths are relative to ``cwd``)."""
    candidate = Path(str(path))
    return candidate if candidate.is_absolute() else cwd / candidate


def severity_name(value: object) -> str:
    """``Severity`` or a plain string -> one of SEVERITIES (unknown values count as errors)."""
    name = str(getattr(value, "value", value)).lower()
    return name if name in SEVERITIES else "error"


def _int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


def to_finding(diagnostic: Diagnostic, cwd: Path) -> Finding:
    loc = diagnostic.location
    line = _int(loc.line, 1)
    column = _int(loc.column, 1)
    end_line = _int(loc.end_line, line) if loc.end_line is not None else line
    end_column = _int(loc.end_column, column) if loc.end_column is not None else column
    related = tuple(
        RelatedView(display_path(r.location.path, cwd), _int(r.location.line, 1), no_surrogates(str(r.message)))
        for r in diagnostic.related
    )
    fix = None
    if diagnostic.fix is not None:
        edits = tuple(
            EditView(display_path(e.path, cwd), _int(e.line, 1), _int(e.column, 1),
                     _int(e.end_line, 1), _int(e.end_column, 1), no_surrogates(str(e.new_text)))
            for e in diagnostic.fix.edits
        )
        fix = FixView(no_surrogates(str(diagnostic.fix.message)), bool(diagnostic.fix.safe), edits)
    return Finding(
        diagnostic=diagnostic,
        code=no_surrogates(str(diagnostic.code)),
        name=no_surrogates(str(diagnostic.name)),
        severity=severity_name(diagnostic.severity),
        path=display_path(loc.path, cwd),
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        step=no_surrogates(str(diagnostic.step)) if diagnostic.step is not None else None,
        message=no_surrogates(str(diagnostic.message)),
        related=related,
        fix=fix,
        fixable=("safe" if fix.safe else "unsafe") if fix is not None and fix.edits else diagnostic.fixable,
    )


def prepare(diagnostics: Iterable[Diagnostic], cwd: Path) -> list[Finding]:
    """Normalize and sort: path, line, column, code (then message, step) — for every format."""
    return sorted((to_finding(d, cwd) for d in diagnostics), key=Finding.sort_key)


def rule_map(rules: Iterable[Rule] | Mapping[str, Rule]) -> dict[str, Rule]:
    """Rules by code, in code order (the first of duplicate codes wins)."""
    items = rules.values() if isinstance(rules, Mapping) else rules
    by_code: dict[str, Rule] = {}
    for rule in items:
        by_code.setdefault(rule.code, rule)
    return dict(sorted(by_code.items()))


def family_of(code: str) -> str:
    return FAMILIES.get(code[2:3], "unknown") if code.startswith("CL") else "unknown"


def counts_by_code(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per code, in code order."""
    return dict(sorted(Counter(f.code for f in findings).items()))


def counts_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counted = Counter(f.severity for f in findings)
    return {name: counted[name] for name in SEVERITIES}


def plural(count: int, word: str) -> str:
    """``1 step``, ``2 steps``; ``info`` is uncountable."""
    if count == 1 or word == "info":
        return f"{count} {word}"
    return f"{count} {word}s"


def elapsed_ms(summary: Summary) -> int:
    try:
        return max(0, int(round(float(summary.elapsed_ms))))
    except (TypeError, ValueError, OverflowError):
        return 0


def unknown_counts(summary: Summary) -> dict[str, int]:
    """The statically-unknowable counter, by kind in name order, zero kinds dropped."""
    counts: dict[str, int] = {}
    for kind, count in (summary.unknown or {}).items():
        number = _int(count, 0)
        if number:
            counts[no_surrogates(str(kind))] = number
    return dict(sorted(counts.items()))


class SourceLines:
    """Reads source lines on demand, once per file; a missing or unreadable file has none."""

    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._cache: dict[str, list[str] | None] = {}

    def line(self, path: object, line: int) -> str | None:
        key = str(path)
        if key not in self._cache:
            self._cache[key] = self._read(source_path(path, self._cwd))
        lines = self._cache[key]
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    @staticmethod
    def _read(path: Path) -> list[str] | None:
        try:
            data, _ = read_regular_file(path, MAX_SOURCE_BYTES)  # a FIFO named in a CL902 must not block
        except (OSError, ValueError):
            return None
        # Python's own line breaks (what the parser counts), not str.splitlines' wider set.
        text = decode_source(data)
        return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
