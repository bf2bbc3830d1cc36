"""A content-addressed on-disk cache for derived facts (never for results of rules).

Entries are keyed by the digest of a file's content plus a fingerprint of the code that derived
them, so an edit anywhere invalidates exactly what it must and a tool upgrade invalidates all.

All entries of one fingerprint live in one **pack** file (``<namespace>-<fingerprint>/pack.json``),
so a warm run reads the cache in one read instead of one file per source file. The pack is read
once, its entries are decoded only when asked for (a one-file run decodes a few), and it is
rewritten once at the end of a run that added or rejected entries (temp file + ``os.replace``,
so two runs at once never see half a pack; the last writer wins and both packs are valid).

The cache directory is untrusted (it may be committed, or restored from a shared CI cache), so
the pack is data only, never pickle, read with a size bound and without following symlinks.
Each entry's body is JSON rebuilt from the declared type by msgspec's compiled typed decoder
(:class:`cursus_core.structcodec.StructCodec`: exact round trips, data of another shape is an
error; a warm run decodes every file's facts). Every entry carries its type and a checksum over
(format, namespace, fingerprint, key, type, body), checked when it is read; an entry that does
not match or does not decode is a miss (and is dropped from the next pack), and a pack that is not a
regular file or not a JSON object of entries is ignored as a whole.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from cursus_core.digest import blake2b
from cursus_core.source import read_regular_file
from cursus_core.structcodec import StructCodec

T = TypeVar("T")

#: bumped whenever the entry layout changes
FORMAT = 4
PACK_NAME = "pack.json"
#: a single entry larger than this is not cached
MAX_ENTRY_BYTES = 16 * 1024 * 1024
#: a pack larger than this is neither read nor written; past half of it a rewrite keeps only
#: the entries the run used (older contents of edited files are dropped)
MAX_PACK_BYTES = 256 * 1024 * 1024
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}")
_IGNORE_ALL = b"# created by cursus-lint\n*\n"

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by cursus-lint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def code_fingerprint(*modules: Any, extra: str = "") -> str:
    """Digest of the source files of ``modules`` (packages: every .py inside) and ``extra``."""
    h = blake2b(extra.encode(), digest_size=12)
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
    """``get``/``put`` of typed values in ``root/<namespace>-<fingerprint>/pack.json``; ``flush``
    writes what a run added.

    ``CACHEDIR.TAG`` and a ``.gitignore`` of ``*`` are written only into directories this class
    created itself: a ``cache-dir`` that already existed (``"."``, a source folder) never gets
    a file that would hide the user's own files from git or from backups.
    """

    def __init__(self, root: Path, namespace: str, fingerprint: str) -> None:
        self.root = Path(root)
        self.namespace = namespace
        self.fingerprint = fingerprint
        self.dir = self.root / f"{namespace}-{fingerprint}"
        self.pack_path = self.dir / PACK_NAME
        self.hits = 0
        self.misses = 0
        #: entries that existed but were rejected (corrupt, foreign, swapped, or the whole pack unusable)
        self.invalid = 0
        #: file reads of the cache in this run (one pack, read once)
        self.reads = 0
        self._ready: bool | None = None
        self._codecs: dict[Any, StructCodec] = {}
        #: key -> [type name, checksum, body JSON] as read (checked only when used), or None before loading
        self._pack: dict[str, Any] | None = None
        self._pack_bad = False
        self._new: dict[str, list[str]] = {}
        self._used: set[str] = set()
        self._rejected: set[str] = set()

    def _codec(self, cls: Any) -> StructCodec:
        """The entry codec of ``cls``, made once per cache (a typed decoder costs to build)."""
        codec = self._codecs.get(cls)
        if codec is None:
            codec = self._codecs[cls] = StructCodec(cls)
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

    def _checksum(self, key: str, type_name: str, body: bytes) -> str:
        h = blake2b(digest_size=16)
        for part in (str(FORMAT), self.namespace, self.fingerprint, key, type_name):
            h.update(part.encode() + b"\0")
        h.update(body)
        return h.hexdigest()

    # -- the pack ----------------------------------------------------------------------------
    def _entries(self) -> dict[str, Any]:
        """The pack's raw entries, read on first use; an unusable pack is empty (and rewritten)."""
        if self._pack is None:
            self._pack = self._read_pack()
        return self._pack

    def _read_pack(self) -> dict[str, Any]:
        self.reads += 1
        try:
            data, _ = read_regular_file(self.pack_path, MAX_PACK_BYTES, follow_symlinks=False)
        except FileNotFoundError:
            return {}
        except OSError:  # a FIFO, a symlink, a directory: not ours
            self._pack_bad = True
            return {}
        head, sep, body = data.partition(b"\n")
        try:
            if len(data) > MAX_PACK_BYTES or not sep:
                raise ValueError("not a pack")
            header = json.loads(head)
            if not (type(header) is dict and header.get("format") == FORMAT
                    and header.get("namespace") == self.namespace and header.get("fingerprint") == self.fingerprint):
                raise ValueError("a pack of another format or code version")
            entries = _load(body)
            if type(entries) is not dict:
                raise ValueError("not a JSON object of entries")
        except (ValueError, RecursionError, MemoryError):  # JSONDecodeError is a ValueError
            self._pack_bad = True
            return {}
        return entries

    def has(self, key: str) -> bool:
        """Whether an entry is stored under ``key`` (unchecked: :meth:`get` may still reject it)."""
        return key in self._new or (bool(_KEY.fullmatch(key)) and key in self._entries())

    def get(self, key: str, cls: type[T]) -> T | None:
        """The value stored under ``key`` if it is a valid entry of type ``cls``, else None (a miss)."""
        raw = self._new.get(key)
        if raw is None and _KEY.fullmatch(key):
            raw = self._entries().get(key)
        if raw is None:
            self.misses += 1
            if self._pack_bad:
                self.invalid += 1  # it may have been in the unusable pack
            return None
        value = self._decode(key, cls, raw)
        if value is None:
            self.misses += 1
            self.invalid += 1
            self._rejected.add(key)
            return None
        self.hits += 1
        self._used.add(key)
        return value

    def _decode(self, key: str, cls: Any, raw: Any) -> Any | None:
        if not (type(raw) is list and len(raw) == 3 and all(type(x) is str for x in raw)):
            return None
        type_name, checksum, body = raw
        if len(body) > MAX_ENTRY_BYTES or type_name != cls.__qualname__:
            return None
        try:
            if checksum != self._checksum(key, type_name, body.encode("utf-8", "surrogatepass")):
                return None
            return self._codec(cls).decode(body)
        except Exception:  # noqa: BLE001 - any malformed entry (bad JSON, wrong shape, absurd nesting) is a miss
            return None

    def put(self, key: str, value: Any, cls: Any) -> None:
        """Store ``value`` (of type ``cls``) for :meth:`flush`; values the codec cannot represent are not cached."""
        if not _KEY.fullmatch(key):
            return
        try:
            body = self._codec(cls).encode(value).decode("utf-8")
        except (ValueError, TypeError, RecursionError, UnicodeError):  # CodecError is a ValueError
            return
        if len(body) > MAX_ENTRY_BYTES:
            return
        type_name = cls.__qualname__
        self._new[key] = [type_name, self._checksum(key, type_name, body.encode("utf-8", "surrogatepass")), body]
        self._rejected.discard(key)

    def flush(self) -> bool:
        """Write the pack if this run added or rejected entries; True if it was written."""
        if not (self._new or self._rejected or self._pack_bad) or not self._prepare():
            return False
        old = {k: v for k, v in self._entries().items() if k not in self._rejected and _KEY.fullmatch(k)}
        merged = {**old, **self._new}
        body = _dump(merged)
        if len(body) > MAX_PACK_BYTES // 2:  # keep what this run used: the current contents
            merged = {k: v for k, v in merged.items() if k in self._used or k in self._new}
            body = _dump(merged)
            if len(body) > MAX_PACK_BYTES // 2:
                return False
        header = json.dumps({"format": FORMAT, "namespace": self.namespace, "fingerprint": self.fingerprint,
                             "entries": len(merged)})
        try:
            if self.dir.is_symlink():
                return False
            self._write_atomic(self.pack_path, header.encode("utf-8") + b"\n" + body)
        except OSError:
            return False
        self._pack = merged
        self._new.clear()
        self._rejected.clear()
        self._pack_bad = False
        return True

    @staticmethod
    def _write_atomic(path: Path, data: bytes) -> None:
        fd, tmp = _create_private(path.parent, path.suffix)
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


_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)


def _create_private(directory: Path, suffix: str) -> tuple[int, str]:
    """A new file only this user can read, under a random name in ``directory``: what
    ``tempfile.mkstemp`` makes, without importing tempfile (with shutil, random, bz2 and lzma,
    ~5 ms of every run that writes the pack, which a run after an edit always does)."""
    for _ in range(100):
        name = os.path.join(directory, f".tmp-{os.urandom(8).hex()}{suffix}")
        try:
            return os.open(name, _CREATE_FLAGS, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


def _load(body: bytes) -> Any:
    """The pack's entries: msgspec's strict decoder (~2x the json module's), and for anything it
    refuses (NaN, a lone surrogate escape, another UTF) the json module, whose answer (or error)
    the pack always had, so an odd pack reads as it did."""
    try:
        return msgspec.json.decode(body)
    except (ValueError, RecursionError):  # msgspec.DecodeError is a ValueError
        return json.loads(body)


def _dump(entries: dict[str, Any]) -> bytes:
    """The pack's body as compact JSON: msgspec's encoder, ~6x quicker than the json module's on a
    600 KB pack (a run after an edit writes the whole pack). Entries kept from the old pack are
    unchecked data and may hold a lone surrogate escape, which only the json module passes through."""
    try:
        return msgspec.json.encode(entries)
    except (ValueError, TypeError):  # UnicodeEncodeError is a ValueError
        return json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def _make_dir(path: Path) -> bool:
    """Create ``path`` (and missing parents); True only if this call created ``path`` itself."""
    try:
        path.mkdir(parents=True)
    except FileExistsError:
        return False
    return True
