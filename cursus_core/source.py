"""Reading and parsing Python source without ever executing it.

Every static consumer (registry reader, catalog, lint facts) goes through
:func:`load_source`, so a file is read and parsed once per process and bad input
(unreadable, non-UTF-8, syntax errors, huge files) becomes a located
:class:`SourceProblem` instead of an exception.
"""

from __future__ import annotations

import ast
import codecs
import errno
import os
import re
import stat
import threading
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import TypeVar

import msgspec

from cursus_core.digest import blake2b

#: Files larger than this are not parsed (generated code, data dumped into .py files).
MAX_SOURCE_BYTES = 5 * 1024 * 1024


class SourceProblem(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Why a file could not be used; ``kind`` is stable and maps to a CL9xx code."""

    path: Path
    kind: str  # "unreadable" | "not-regular" | "not-utf8" | "bad-encoding" | "syntax-error" | "too-large"
    message: str
    line: int = 1
    column: int = 1


class SourceFile(msgspec.Struct):
    path: Path
    text: str | None
    tree: ast.Module | None
    digest: str
    problem: SourceProblem | None = None
    lines: list[str] = msgspec.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.tree is not None


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: PEP 263: a comment on line 1 or 2 naming the encoding
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:#.*)?$")


def split_lines(text: str) -> list[str]:
    """Lines as Python's tokenizer counts them: broken at ``\n``, ``\r\n`` and ``\r`` only.

    ``str.splitlines`` also breaks at ``\x0c``, ``\x1c``-``\x1e``, ``\x85``, ``\u2028`` and
    ``\u2029``, which the parser treats as ordinary characters: line numbers from ``ast`` would
    then point at the wrong line. Like ``splitlines``, a final line break opens no extra line.
    """
    if not text:
        return []
    # without a carriage return the three breaks are just "\n", and str.split is ~5x faster than the
    # regular expression (this runs once per file read, ~6.5 MB on the Jun 2026 tree)
    lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def _normal_encoding(name: str) -> str:
    """The codec CPython's tokenizer uses for a declared name (``utf-8-unix`` -> ``utf-8``)."""
    low = name.lower().replace("_", "-")
    if low == "utf-8" or low.startswith("utf-8-"):
        return "utf-8"
    if low in ("latin-1", "iso-8859-1", "iso-latin-1") or low.startswith(("latin-1-", "iso-8859-1-", "iso-latin-1-")):
        return "iso-8859-1"
    return name


def declared_encoding(data: bytes) -> tuple[str, str | None, int]:
    """(codec to decode ``data`` with, the name written in a coding declaration or None, its line).

    Follows PEP 263 as CPython does: a UTF-8 BOM, else a ``coding[:=]`` comment on line 1, or on
    line 2 when line 1 is blank or a comment; default UTF-8.
    """
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[3:] if bom else data
    first, _, rest = body.partition(b"\n")
    candidates = [(first, 1)]
    if _BLANK_OR_COMMENT.match(first.rstrip(b"\r")):
        candidates.append((rest.partition(b"\n")[0], 2))
    for raw, line in candidates:
        found = _CODING.match(raw.rstrip(b"\r"))
        if found:
            name = found.group(1).decode("ascii", "replace")
            return ("utf-8-sig" if bom else _normal_encoding(name)), name, line
    return ("utf-8-sig" if bom else "utf-8"), None, 1


def _encoding_problem(path: Path, data: bytes) -> tuple[str, SourceProblem | None]:
    """The codec for ``data``, or why its coding declaration is unusable (as CPython rejects it)."""
    codec, name, line = declared_encoding(data)
    if name is None:
        return codec, None
    try:
        info = codecs.lookup(_normal_encoding(name))
    except LookupError:
        return codec, SourceProblem(path, "bad-encoding", f"unknown encoding {name!r} in the coding declaration", line)
    if codec == "utf-8-sig" and info.name != "utf-8":
        return codec, SourceProblem(path, "bad-encoding",
                                    f"coding declaration {name!r} contradicts the file's UTF-8 byte order mark", line)
    return codec, None


def _parse(path: Path, source: str | bytes) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not our business
        return ast.parse(source, filename=str(path))


def parse_text(path: Path, data: bytes) -> SourceFile:
    """Parse already-read bytes: decoded as PEP 263 says, accepted where CPython accepts them."""
    digest = digest_of(data)
    if len(data) > MAX_SOURCE_BYTES:
        return SourceFile(path, None, None, digest, SourceProblem(
            path, "too-large",
            f"file is {len(data)} bytes, larger than the {MAX_SOURCE_BYTES} byte limit; not analysed"))
    codec, problem = _encoding_problem(path, data)
    if problem is not None:
        return SourceFile(path, None, None, digest, problem)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        # CPython tolerates undecodable bytes in comments after line 2: so do we (the text
        # keeps U+FFFD there, which no fact reads); anything else is not valid source
        try:
            tree = _parse(path, data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            start = exc.start + (3 if codec == "utf-8-sig" else 0)
            line = data[:start].count(b"\n") + 1
            label = "UTF-8" if codec in ("utf-8", "utf-8-sig") else codec
            return SourceFile(path, None, None, digest, SourceProblem(
                path, "not-utf8", f"file is not valid {label} (byte 0x{data[start]:02x} at offset {start})", line, 1))
        text = data.decode(codec, errors="replace")
        return SourceFile(path, text, tree, digest, None, split_lines(text))
    return parse_decoded(path, text, digest)


def parse_decoded(path: Path, text: str, digest: str | None = None) -> SourceFile:
    """Parse text that is already decoded (an editor buffer): its coding declaration is moot."""
    if digest is None:
        digest = digest_of(text.encode("utf-8", errors="surrogatepass"))
    lines = split_lines(text)
    try:
        tree = _parse(path, text)
    except SyntaxError as exc:
        msg = exc.msg or "invalid syntax"
        return SourceFile(path, text, None, digest, SourceProblem(
            path, "syntax-error", f"cannot parse: {msg}", exc.lineno or 1, max(exc.offset or 1, 1)), lines)
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        reason = str(exc) or "too deeply nested for the parser"
        if isinstance(exc, (RecursionError, MemoryError)):
            reason = f"too deeply nested for the parser ({type(exc).__name__})"
        return SourceFile(path, text, None, digest, SourceProblem(path, "syntax-error", f"cannot parse: {reason}"),
                          lines)
    return SourceFile(path, text, tree, digest, None, lines)


_K = TypeVar("_K")
_V = TypeVar("_V")


class LruMemo(OrderedDict[_K, _V]):
    """A dict that keeps only its ``maxsize`` most recently used entries.

    The parse memos live as long as the process: in a language server every edit of a file gives
    it a new (mtime, size) key, so an unbounded memo would grow for the whole session. Callers
    hold their own lock.
    """

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def lookup(self, key: _K) -> _V | None:
        """The entry for ``key`` (now the most recently used), or None."""
        if key not in self:
            return None
        self.move_to_end(key)
        value: _V = self[key]
        return value

    def put(self, key: _K, value: _V) -> None:
        """Store ``value`` as the most recently used entry, dropping the least recently used beyond ``maxsize``."""
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)


#: parsed files and read bytes, per (path, mtime, size): room for a large repo and its workspaces
MEMO_SIZE = 4096
_memo: LruMemo[tuple[str, int, int], SourceFile] = LruMemo(MEMO_SIZE)
_bytes_memo: LruMemo[tuple[str, int, int], tuple[bytes, str]] = LruMemo(MEMO_SIZE)
_memo_lock = threading.Lock()


def digest_of(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"))


class NotRegularFile(OSError):
    """The path names a FIFO, socket or device: reading it could block or never end."""


def file_kind(mode: int) -> str:
    return next((label for test, label in _FILE_KINDS if test(mode)), "not a regular file")


def read_regular_file(path: str | os.PathLike[str], limit: int, *,
                      follow_symlinks: bool = True) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, never more than ``limit + 1`` of them.

    Opening with ``O_NONBLOCK`` and checking ``fstat`` *after* opening means a FIFO, a socket or
    a symlink to ``/dev/zero`` can neither block nor stream forever, and a file swapped between a
    ``stat`` and the ``open`` is still checked. Raises :class:`NotRegularFile` or ``OSError``;
    a result longer than ``limit`` means the file is larger than the limit.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(0, f"not a regular file ({file_kind(st.st_mode)})")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks), st
    finally:
        os.close(fd)


def _read_problem(p: Path, exc: OSError) -> SourceProblem:
    if isinstance(exc, NotRegularFile):
        return SourceProblem(p, "not-regular", f"{exc.strerror}; not read")
    return SourceProblem(p, "unreadable", f"cannot read file: {exc.strerror or exc}")


def read_source(path: str | os.PathLike[str],
                overlay: dict[Path, str] | None = None) -> tuple[bytes | None, str, SourceProblem | None]:
    """The file's bytes and content digest without parsing (what content-keyed caches need).

    Only regular files are read, and at most ``MAX_SOURCE_BYTES + 1`` bytes of them (enough
    to tell that a file is too large). Memoised per (path, mtime, size), the ``MEMO_SIZE`` most
    recently used; ``overlay`` text wins.
    """
    p = path if isinstance(path, Path) else Path(path)  # asked twice per file per run: no copy
    if overlay and p in overlay:
        data = overlay[p].encode("utf-8")
        return data, digest_of(data), None
    try:
        st = p.stat()
        key = (str(p), st.st_mtime_ns, st.st_size)
        with _memo_lock:
            hit = _bytes_memo.lookup(key)
        if hit is not None:
            return hit[0], hit[1], None
        data, st = read_regular_file(p, MAX_SOURCE_BYTES)
    except OSError as exc:
        return None, "", _read_problem(p, exc)
    if len(data) > MAX_SOURCE_BYTES:
        # the digest of what was read would be wrong for a cache key: a file this large is never cached
        problem = SourceProblem(p, "too-large", f"file is {max(st.st_size, len(data))} bytes, larger than the "
                                                f"{MAX_SOURCE_BYTES} byte limit; not analysed")
        return None, "", problem
    digest = digest_of(data)
    with _memo_lock:
        _bytes_memo.put(key, (data, digest))
    return data, digest, None


def load_source(path: str | os.PathLike[str], overlay: dict[Path, str] | None = None) -> SourceFile:
    """Read and parse ``path``; memoised per (path, mtime, size) within the process (the
    ``MEMO_SIZE`` most recently used).

    ``overlay`` maps paths to unsaved editor text that takes precedence over the disk.
    """
    p = Path(path)
    if overlay and p in overlay:
        return parse_decoded(p, overlay[p])
    try:
        st = p.stat()
    except OSError as exc:
        return SourceFile(p, None, None, "", _read_problem(p, exc))
    key = (str(p), st.st_mtime_ns, st.st_size)
    with _memo_lock:
        hit = _memo.lookup(key)
    if hit is not None:
        return hit
    data, _, problem = read_source(p)
    if data is None:
        return SourceFile(p, None, None, "", problem)
    sf = parse_text(p, data)
    with _memo_lock:
        _memo.put(key, sf)
    return sf


def forget(path: str | os.PathLike[str]) -> None:
    """Drop the parsed tree(s) of ``path`` from the memo (its bytes stay): a cold run that has
    taken a file's summary and facts no longer needs its tree, and keeping every tree of a repo
    alive is most of the run's peak memory. A later ``load_source`` simply parses again."""
    name = str(Path(path))
    with _memo_lock:
        for key in [k for k in _memo if k[0] == name]:
            del _memo[key]


def decode_source(data: bytes) -> str:
    """Text of source bytes as the parser sees it (coding declaration honoured), never raising."""
    codec, name, _ = declared_encoding(data)
    try:
        return data.decode(codec, errors="replace")
    except LookupError:
        return data.decode("utf-8-sig", errors="replace")
