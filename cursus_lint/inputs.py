"""Recording every file a check run reads and every directory it lists or probes, and telling
later whether any of it changed (the whole-run result cache's validation, ``result_cache.py``).

Nothing is guessed: while a :class:`Recorder` is active, a process-wide audit hook
(``sys.addaudithook``) sees every ``open`` for reading (``open``, ``os.open``, ``io.open_code``)
and every ``os.listdir``/``os.scandir`` of the process, wherever in the code they happen, and
``os.stat``/``os.lstat`` (which ``Path.exists/is_file/is_dir`` and ``os.path.*`` call, and which
raise no audit event) are wrapped for the duration. So an existence probe (the upward search for
a repo root, a role directory that is not there, a config base looked up on ``sys.path``) is an
input as much as a file read.

What is kept, taken when the run touches the path (before it reads it, so a later edit shows):

- a file read: its stat signature (size, mtime, ctime, inode) and the digest of its content;
- a directory listed: a digest of its sorted entries with their kinds (file, dir, other);
- a path probed: its kind (file, dir, other, missing);
- a file announced by the ``cursus.input`` audit event (the registry walk's verdict kept by stat
  signature, given without reading the file): as a file read.

:meth:`Inputs.unchanged` re-stats each file and re-hashes it only when the signature differs,
or always when it was modified within :data:`RACY_NS` of the recording (a filesystem's
timestamp may not tell two writes that close apart); re-lists each directory; re-probes each path.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import threading
import time
from typing import Any

import msgspec

from cursus_core.digest import blake2b
from cursus_core.file_stamp import INPUT_EVENT, RACY_NS, settled, stamp

__all__ = ["Inputs", "Recorder", "RACY_NS"]

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_SKIP_PREFIXES = ("/proc/", "/dev/", "/sys/")

_real_stat = os.stat
_real_lstat = os.lstat
_active: Recorder | None = None
_hook_installed = False
_local = threading.local()


class FileStamp(msgspec.Struct, frozen=True, array_like=True):
    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    digest: str


class DirStamp(msgspec.Struct, frozen=True, array_like=True):
    path: str
    listing: str  # digest of the sorted (name, kind) entries; "" when it could not be listed


class Probe(msgspec.Struct, frozen=True, array_like=True):
    path: str
    follow: bool
    kind: str


class Inputs(msgspec.Struct, frozen=True):
    """What one run read, listed and probed, and when it was recorded."""

    recorded_ns: int
    files: list[FileStamp]
    dirs: list[DirStamp]
    probes: list[Probe]

    def unchanged(self, skip: str) -> bool:
        """Whether every recorded file, listing and probe is as it was (``skip``: the cache dir,
        whose entry a listing leaves out)."""
        for p in self.probes:
            if _kind(p.path, p.follow) != p.kind:
                return False
        for f in self.files:
            try:
                st = _real_stat(f.path)
            except OSError:
                return False
            same = stamp(st) == (f.size, f.mtime_ns, f.ctime_ns, f.ino)
            racy = not settled(f.mtime_ns, f.ctime_ns, self.recorded_ns)
            if (not same or racy) and _digest(f.path) != f.digest:
                return False
        return all(_listing(d.path, skip) == d.listing for d in self.dirs)


def _kind(path: str, follow: bool) -> str:
    try:
        mode = (_real_stat if follow else _real_lstat)(path).st_mode
    except FileNotFoundError:
        return "missing"
    except NotADirectoryError:
        return "missing"
    except OSError as exc:
        return f"error:{exc.errno}"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "link"
    return "other"


def _digest(path: str) -> str:
    """Content digest (also of a large file, streamed); "" when it cannot be read."""
    h = blake2b(digest_size=16)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
    except OSError:
        return ""
    finally:
        os.close(fd)
    return h.hexdigest()


#: what the cache writes into its directory: never an input of a run
OWN = re.compile(r"(facts|result)-[0-9a-f]+|CACHEDIR\.TAG|\.gitignore|\.tmp-.*")


def _listing(path: str, skip: str) -> str:
    """Digest of a directory's entries and their kinds, leaving out the cache directory ``skip``
    in its parent and the cache's own entries in it; "" if unlistable."""
    parent, skip_name = os.path.split(skip)
    if parent != path:
        skip_name = ""
    in_cache = bool(skip) and path == skip
    try:
        with os.scandir(path) as it:
            entries = []
            for e in it:
                if e.name == skip_name or (in_cache and OWN.fullmatch(e.name)):
                    continue
                try:
                    kind = "d" if e.is_dir() else "f" if e.is_file() else "o"
                except OSError:
                    kind = "o"
                entries.append(f"{e.name}\0{kind}")
    except OSError:
        return ""
    entries.sort()
    return blake2b("\n".join(entries).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _abspath(path: Any) -> str | None:
    if isinstance(path, int) or path is None:
        return None if path is not None else os.getcwd()
    try:
        text = os.fsdecode(path)
    except (TypeError, ValueError):
        return None
    return os.path.abspath(text)


class Recorder:
    """Records the run's inputs between :meth:`start` and :meth:`stop`; :meth:`inputs` checks that
    nothing changed since and gives the stamps (None when something did: do not store)."""

    def __init__(self, skip: str, code_dirs: tuple[str, ...] = ()) -> None:
        #: the cache directory (absolute): the run's own bookkeeping, never an input
        self.skip = os.path.abspath(skip)
        #: the tool's own packages: their files are in the cache key already (their content)
        self.code_dirs = tuple(os.path.join(os.path.abspath(d), "") for d in code_dirs)
        self.files: dict[str, tuple[tuple[int, int, int, int], str]] = {}
        self.dirs: dict[str, str] = {}
        self.probes: dict[tuple[str, bool], str] = {}

    def _skipped(self, path: str) -> bool:
        """The cache's own files and directories (not a project the cache directory may hold)."""
        if path.startswith(_SKIP_PREFIXES):
            return True
        prefix = os.path.join(self.skip, "")
        return path.startswith(prefix) and bool(OWN.fullmatch(path[len(prefix):].split(os.sep, 1)[0]))

    def start(self) -> None:
        global _active, _hook_installed
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True
        _active = self
        for entry in sys.path:  # where an installed config base is looked up: a new one there matters
            where = _abspath(entry or ".")
            if where is not None:
                _guarded(self._probed, where, True)
        os.stat = _recording_stat
        os.lstat = _recording_lstat

    def stop(self) -> None:
        global _active
        _active = None
        os.stat = _real_stat
        os.lstat = _real_lstat

    # -- events (called with the guard set) ------------------------------------------------
    def _opened(self, path: str) -> None:
        if path in self.files or self._skipped(path) or (path.startswith(self.code_dirs)
                                                          and path.endswith((".py", ".pyc"))):
            return
        try:
            st = _real_stat(path)
        except OSError:
            self.probes.setdefault((path, True), _kind(path, True))
            return
        if not stat.S_ISREG(st.st_mode):
            self.probes.setdefault((path, True), _kind(path, True))
            return
        self.files[path] = (stamp(st), _digest(path))

    def _listed(self, path: str) -> None:
        if path not in self.dirs and not self._skipped(path):
            self.dirs[path] = _listing(path, self.skip)

    def _probed(self, path: str, follow: bool) -> None:
        if (path, follow) not in self.probes and path != self.skip and not self._skipped(path):
            self.probes[(path, follow)] = _kind(path, follow)

    # -- the result ------------------------------------------------------------------------
    def inputs(self) -> Inputs | None:
        """The stamps, if every input is still as the run saw it; None if one changed meanwhile."""
        now = time.time_ns()
        files = []
        for path, (sig, digest) in sorted(self.files.items()):
            try:
                st = _real_stat(path)
            except OSError:
                return None
            if stamp(st) != sig or not digest:
                return None
            files.append(FileStamp(path, *sig, digest))
        dirs = []
        for path, listing in sorted(self.dirs.items()):
            if _listing(path, self.skip) != listing:
                return None
            dirs.append(DirStamp(path, listing))
        probes = []
        for (path, follow), kind in sorted(self.probes.items()):
            if _kind(path, follow) != kind:
                return None
            probes.append(Probe(path, follow, kind))
        return Inputs(now, files, dirs, probes)


def _guarded(fn: Any, *args: Any) -> None:
    if getattr(_local, "busy", False):
        return  # our own stat/list/read while recording an event
    _local.busy = True
    try:
        fn(*args)
    finally:
        _local.busy = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    rec = _active
    if rec is None:
        return
    if event == "open":
        path, mode, flags = args
        if isinstance(mode, str) and any(c in mode for c in "wax+"):
            return
        if isinstance(flags, int) and flags & _WRITE_FLAGS:
            return
        where = _abspath(path)
        if where is not None:
            _guarded(rec._opened, where)
    elif event in ("os.listdir", "os.scandir"):
        where = _abspath(args[0])
        if where is not None:
            _guarded(rec._listed, where)
    elif event == INPUT_EVENT:  # a file the run judged by its stat signature: its content is an input
        where = _abspath(args[0])
        if where is not None:
            _guarded(rec._opened, where)


def _recording_stat(path: Any, *args: Any, dir_fd: Any = None, follow_symlinks: bool = True) -> os.stat_result:
    _note(path, dir_fd, follow_symlinks)
    return _real_stat(path, *args, dir_fd=dir_fd, follow_symlinks=follow_symlinks)


def _recording_lstat(path: Any, *args: Any, dir_fd: Any = None) -> os.stat_result:
    _note(path, dir_fd, False)
    return _real_lstat(path, *args, dir_fd=dir_fd)


def _note(path: Any, dir_fd: Any, follow: bool) -> None:
    rec = _active
    if rec is None or dir_fd is not None:
        return
    where = _abspath(path)
    if where is not None:
        _guarded(rec._probed, where, follow)
