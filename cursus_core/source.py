"""Reading and parsing Python source without ever executing it.

Every static consumer (registry reader, catalog, lint facts) goes through
:func:`load_source`, so a file is read and parsed once per process and bad input
(unreadable, non-UTF-8, syntax errors, huge files) becomes a located
:class:`SourceProblem` instead of an exception.
"""

from __future__ import annotations

import ast
import hashlib
import os
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

#: Files larger than this are not parsed (generated code, data dumped into .py files).
MAX_SOURCE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class SourceProblem:
    """Why a file could not be used; ``kind`` is stable and maps to a CL9xx code."""

    path: Path
    kind: str  # "unreadable" | "not-utf8" | "syntax-error" | "too-large"
    message: str
    line: int = 1
    column: int = 1


@dataclass
class SourceFile:
    path: Path
    text: str | None
    tree: ast.Module | None
    digest: str
    problem: SourceProblem | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.tree is not None


def parse_text(path: Path, data: bytes) -> SourceFile:
    """Parse already-read bytes (the language server passes in-memory buffers here)."""
    digest = digest_of(data)
    if len(data) > MAX_SOURCE_BYTES:
        return SourceFile(path, None, None, digest, SourceProblem(
            path, "too-large",
            f"file is {len(data)} bytes, larger than the {MAX_SOURCE_BYTES} byte limit; not analysed"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return SourceFile(path, None, None, digest, SourceProblem(
            path, "not-utf8", f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            line, 1))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not our business
            tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        msg = exc.msg or "invalid syntax"
        return SourceFile(path, text, None, digest, SourceProblem(
            path, "syntax-error", f"cannot parse: {msg}", exc.lineno or 1, max(exc.offset or 1, 1)),
            text.splitlines())
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return SourceFile(path, text, None, digest, SourceProblem(
            path, "syntax-error", f"cannot parse: {exc}"), text.splitlines())
    return SourceFile(path, text, tree, digest, None, text.splitlines())


_memo: dict[tuple[str, int, int], SourceFile] = {}
_bytes_memo: dict[tuple[str, int, int], tuple[bytes, str]] = {}
_memo_lock = threading.Lock()


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_source(path: str | os.PathLike[str],
                overlay: dict[Path, str] | None = None) -> tuple[bytes | None, str, SourceProblem | None]:
    """The file's bytes and content digest without parsing (what content-keyed caches need).

    Memoised per (path, mtime, size); ``overlay`` text wins over the disk.
    """
    p = Path(path)
    if overlay and p in overlay:
        data = overlay[p].encode("utf-8")
        return data, digest_of(data), None
    try:
        st = p.stat()
        key = (str(p), st.st_mtime_ns, st.st_size)
        with _memo_lock:
            hit = _bytes_memo.get(key)
        if hit is not None:
            return hit[0], hit[1], None
        data = p.read_bytes()
    except OSError as exc:
        return None, "", SourceProblem(p, "unreadable", f"cannot read file: {exc.strerror or exc}")
    digest = digest_of(data)
    with _memo_lock:
        _bytes_memo[key] = (data, digest)
    return data, digest, None


def load_source(path: str | os.PathLike[str], overlay: dict[Path, str] | None = None) -> SourceFile:
    """Read and parse ``path``; memoised per (path, mtime, size) within the process.

    ``overlay`` maps paths to unsaved editor text that takes precedence over the disk.
    """
    p = Path(path)
    if overlay and p in overlay:
        return parse_text(p, overlay[p].encode("utf-8"))
    try:
        st = p.stat()
    except OSError as exc:
        return SourceFile(p, None, None, "", SourceProblem(p, "unreadable", f"cannot read file: {exc.strerror or exc}"))
    key = (str(p), st.st_mtime_ns, st.st_size)
    with _memo_lock:
        hit = _memo.get(key)
    if hit is not None:
        return hit
    data, _, problem = read_source(p)
    if data is None:
        return SourceFile(p, None, None, "", problem)
    sf = parse_text(p, data)
    with _memo_lock:
        _memo[key] = sf
    return sf
