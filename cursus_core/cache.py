"""A content-addressed on-disk cache for derived facts (never for results of rules).

Entries are keyed by the digest of a file's content plus a fingerprint of the code that derived
them, so an edit anywhere invalidates exactly what it must and a tool upgrade invalidates all.
Writes are atomic (temp file + ``os.replace``), so two runs at once never see half an entry.

The cache directory is untrusted (it may be committed, or restored from a shared CI cache), so
entries are data only: JSON rebuilt through :class:`cursus_core.datacodec.Codec` from the
declared types, never pickle. Every entry carries a header (format, fingerprint, the key and
type it was stored under, a checksum of its body) that is checked on read; anything that does
not match, does not decode, or is not a regular file is a miss, and the fresh value then
overwrites it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from cursus_core.datacodec import Codec
from cursus_core.source import read_regular_file

T = TypeVar("T")

#: bumped whenever the entry layout changes
FORMAT = 1
#: entries larger than this are neither written nor read
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}")
_IGNORE_ALL = b"# created by cursus-lint\n*\n"

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by cursus-lint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def code_fingerprint(*modules: Any, extra: str = "") -> str:
    """Digest of the source files of ``modules`` (packages: every .py inside) and ``extra``."""
    h = hashlib.blake2b(extra.encode(), digest_size=12)
    for module in modules:
        files: list[Path] = []
        path = Path(module.__file__)
        if path.name == "__init__.py":
            files.extend(sorted(path.parent.glob("*.py")))
        else:
            files.append(path)
        for f in files:
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


class DiskCache:
    """``get``/``put`` of typed values under ``root/<namespace>-<fingerprint>/``.

    ``CACHEDIR.TAG`` and a ``.gitignore`` of ``*`` are written only into directories this class
    created itself: a ``cache-dir`` that already existed (``"."``, a source folder) never gets
    a file that would hide the user's own files from git or from backups.
    """

    def __init__(self, root: Path, namespace: str, fingerprint: str) -> None:
        self.root = Path(root)
        self.namespace = namespace
        self.fingerprint = fingerprint
        self.dir = self.root / f"{namespace}-{fingerprint}"
        self.hits = 0
        self.misses = 0
        #: entries that existed but were rejected (corrupt, foreign, swapped, not a regular file)
        self.invalid = 0
        self._ready: bool | None = None
        self._codecs: dict[Any, Codec] = {}

    def _codec(self, cls: Any) -> Codec:
        codec = self._codecs.get(cls)
        if codec is None:
            codec = self._codecs[cls] = Codec(cls)
        return codec

    def _prepare(self) -> bool:
        if self._ready is not None:
            return self._ready
        self._ready = False
        try:
            for directory in (self.root, self.dir):
                created = _make_dir(directory)
                if directory.is_symlink() or not directory.is_dir():
                    return False  # a planted symlink would send our writes elsewhere
                if created:
                    self._write_atomic(directory / "CACHEDIR.TAG", CACHEDIR_TAG.encode())
                    self._write_atomic(directory / ".gitignore", _IGNORE_ALL)
        except OSError:
            return False  # read-only checkout: run without a cache
        self._ready = True
        return True

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def _checksum(self, key: str, type_name: str, body: bytes) -> str:
        h = hashlib.blake2b(digest_size=16)
        for part in (str(FORMAT), self.namespace, self.fingerprint, key, type_name):
            h.update(part.encode() + b"\0")
        h.update(body)
        return h.hexdigest()

    def get(self, key: str, cls: type[T]) -> T | None:
        """The value stored under ``key`` if it is a valid entry of type ``cls``, else None (a miss)."""
        if not _KEY.fullmatch(key):
            self.misses += 1
            return None
        try:
            data, _ = read_regular_file(self._path(key), MAX_ENTRY_BYTES, follow_symlinks=False)
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError:
            data = b""  # a FIFO, a symlink, a directory: not ours
        value = self._decode(key, cls, data)
        if value is None:
            self.misses += 1
            self.invalid += 1
            return None
        self.hits += 1
        return value

    def _decode(self, key: str, cls: Any, data: bytes) -> Any | None:
        if not data or len(data) > MAX_ENTRY_BYTES:
            return None
        head, sep, body = data.partition(b"\n")
        if not sep:
            return None
        try:
            header = json.loads(head)
            type_name = cls.__qualname__
            if not (type(header) is dict and header.get("format") == FORMAT
                    and header.get("fingerprint") == self.fingerprint and header.get("key") == key
                    and header.get("type") == type_name
                    and header.get("checksum") == self._checksum(key, type_name, body)):
                return None
            return self._codec(cls).decode(json.loads(body))
        except Exception:  # noqa: BLE001 - any malformed entry (bad JSON, wrong shape, absurd nesting) is a miss
            return None

    def put(self, key: str, value: Any, cls: Any) -> None:
        """Store ``value`` (of type ``cls``); values the codec cannot represent are not cached."""
        if not _KEY.fullmatch(key) or not self._prepare():
            return
        try:
            body = json.dumps(self._codec(cls).encode(value), ensure_ascii=False, separators=(",", ":")).encode()
        except (ValueError, TypeError, RecursionError):  # CodecError is a ValueError
            return
        type_name = cls.__qualname__
        header = json.dumps({"format": FORMAT, "fingerprint": self.fingerprint, "key": key, "type": type_name,
                             "checksum": self._checksum(key, type_name, body)}).encode()
        data = header + b"\n" + body
        if len(data) > MAX_ENTRY_BYTES:
            return
        path = self._path(key)
        try:
            _make_dir(path.parent)
            if path.parent.is_symlink():
                return
            self._write_atomic(path, data)
        except OSError:
            return

    @staticmethod
    def _write_atomic(path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


def _make_dir(path: Path) -> bool:
    """Create ``path`` (and missing parents); True only if this call created ``path`` itself."""
    try:
        path.mkdir(parents=True)
    except FileExistsError:
        return False
    return True
