"""Writing fixed files: all or nothing, only inside the project, only over the text the fixes saw.

Fixes are computed on a snapshot of each file. Before anything is written every target is
checked: its real path lies inside a project root (a symlink out of the repo is refused), it is
a regular file whose mode bits allow writing (root ignores permissions, so ``os.access`` alone
would let a read-only file be rewritten), and its bytes on disk are still the snapshot (another
``--fix`` or an editor may have written meanwhile; applying our edits to their text would
duplicate entries). Then every new text goes to a temporary file next to its target and the
targets are swapped in with ``os.replace``; if one swap fails, the files already swapped get
their old bytes back, and the error names the file that failed.
"""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable, Mapping


class FixWriteError(Exception):
    """No file was changed; ``path`` is the file that stopped the write and ``reason`` why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class _Planned:
    path: Path  # as the engine named it
    real: Path  # symlinks resolved: what is actually replaced
    old: bytes
    new: bytes
    mode: int


def decode(data: bytes) -> str:
    """A file's text as the fixer sees it: in its PEP 263 encoding (a UTF-8 BOM is not part of the text)."""
    from cursus_core.source import declared_encoding

    codec, _, _ = declared_encoding(data)
    try:
        return data.decode(codec)
    except LookupError:  # an unknown declaration: the file was reported (CL902), never fixed
        raise UnicodeDecodeError(codec, data, 0, 1, "unknown encoding") from None


def encode_like(old: bytes, text: str) -> bytes:
    """``text`` in the encoding the old bytes were written in (their coding declaration, else UTF-8,
    with a BOM when they had one), so a fix never re-encodes a file."""
    from cursus_core.source import declared_encoding

    codec, _, _ = declared_encoding(old)
    if codec in ("utf-8-sig", "utf-8", "utf8"):
        data = text.encode("utf-8", errors="surrogatepass")
        return codecs.BOM_UTF8 + data if old.startswith(codecs.BOM_UTF8) else data
    return text.encode(codec)


def inside(real: Path, roots: Iterable[Path]) -> bool:
    """``real`` (already resolved) lies in one of ``roots`` (resolved here)."""
    for root in roots:
        r = Path(os.path.realpath(root))
        if real == r or r in real.parents:
            return True
    return False


def writable_mode(mode: int) -> bool:
    """Someone may write it by its mode bits (what a root process must respect by choice)."""
    return bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _plan(path: Path, original: str, new: str, roots: list[Path]) -> _Planned:
    real = Path(os.path.realpath(path))
    if not inside(real, roots):
        where = f" (a symlink to {real})" if real != Path(os.path.abspath(path)) else ""
        raise FixWriteError(path, f"lies outside the project root{where}; not fixing files outside it")
    try:
        st = os.lstat(real)
    except OSError as exc:
        raise FixWriteError(path, f"cannot stat: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise FixWriteError(path, "is not a regular file")
    if not writable_mode(st.st_mode) or not os.access(real, os.W_OK):
        raise FixWriteError(path, "is read-only; make it writable to apply fixes")
    try:
        with open(real, "rb") as fh:
            old = fh.read()
    except OSError as exc:
        raise FixWriteError(path, f"cannot read: {exc.strerror or exc}") from None
    if _changed(old, original):
        raise FixWriteError(path, "changed on disk since it was linted; run cursus-lint again")
    try:
        data = encode_like(old, new)
    except UnicodeEncodeError as exc:
        raise FixWriteError(path, f"the fixed text cannot be written in the file's declared encoding "
                                  f"({exc.encoding}); not fixing it") from None
    return _Planned(path, real, old, data, stat.S_IMODE(st.st_mode))


def _changed(data: bytes, original: str) -> bool:
    try:
        return decode(data) != original
    except UnicodeDecodeError:
        return True


def _temp_for(p: _Planned) -> Path:
    """The new bytes in a temporary file beside the target, with the target's mode."""
    fd, name = tempfile.mkstemp(prefix=f".{p.real.name}.", suffix=".cursus-fix", dir=p.real.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(p.new)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(name, p.mode)
    except BaseException:
        _unlink(Path(name))
        raise
    return Path(name)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def write_fixed(changes: Mapping[Path, tuple[str, str]], roots: Iterable[Path]) -> list[Path]:
    """Write ``{path: (text the fixes were computed on, new text)}``; all of them or none.

    Raises :class:`FixWriteError` (and leaves every file as it was) when one cannot be written.
    """
    roots = list(roots)
    planned = [_plan(path, old, new, roots) for path, (old, new) in sorted(changes.items(), key=lambda kv: str(kv[0]))]
    temps: dict[Path, Path] = {}
    try:
        for p in planned:
            try:
                temps[p.real] = _temp_for(p)
            except OSError as exc:
                raise FixWriteError(p.path, f"cannot write: {exc.strerror or exc}") from None
        done: list[_Planned] = []
        for p in planned:
            try:
                with open(p.real, "rb") as fh:  # the last look: still the text the fixes saw?
                    if fh.read() != p.old:
                        raise FixWriteError(p.path, "changed on disk since it was linted; run cursus-lint again")
                os.replace(temps[p.real], p.real)
                del temps[p.real]
            except OSError as exc:
                _restore(done)
                raise FixWriteError(p.path, f"cannot write: {exc.strerror or exc}") from None
            except FixWriteError:
                _restore(done)
                raise
            done.append(p)
    finally:
        for t in temps.values():
            _unlink(t)
    return [p.path for p in planned]


def _restore(done: list[_Planned]) -> None:
    """Put the old bytes back into files already replaced (best effort, atomically each)."""
    for p in reversed(done):
        try:
            fd, name = tempfile.mkstemp(prefix=f".{p.real.name}.", suffix=".cursus-undo", dir=p.real.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(p.old)
            os.chmod(name, p.mode)
            os.replace(name, p.real)
        except OSError:
            continue
