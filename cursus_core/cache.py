"""A content-addressed on-disk cache for derived facts (never for results of rules).

Entries are keyed by the digest of a file's content plus a fingerprint of the code that derived
them, so an edit anywhere invalidates exactly what it must and a tool upgrade invalidates all.
Writes are atomic (temp file + ``os.replace``), so two runs at once never see half an entry;
an unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

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
    """``get``/``put`` of picklable values under ``root/<namespace>-<fingerprint>/``."""

    def __init__(self, root: Path, namespace: str, fingerprint: str) -> None:
        self.root = Path(root)
        self.dir = self.root / f"{namespace}-{fingerprint}"
        self.hits = 0
        self.misses = 0
        self._ready = False

    def _prepare(self) -> bool:
        if self._ready:
            return True
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            tag = self.root / "CACHEDIR.TAG"
            if not tag.exists():
                self._write_atomic(tag, CACHEDIR_TAG.encode())
            ignore = self.root / ".gitignore"
            if not ignore.exists():
                self._write_atomic(ignore, b"# created by cursus-lint\n*\n")
        except OSError:
            return False  # read-only checkout: run without a cache
        self._ready = True
        return True

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Any | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
            value = pickle.loads(data)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # corrupt or from an incompatible interpreter: a miss
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        if not self._prepare():
            return
        path = self._path(key)
        try:
            path.parent.mkdir(exist_ok=True)
            self._write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
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
