"""One parse per uncached component file, giving both its catalog summary and its facts, over
all cores for a cold run of a repo of some size.

Where the process may fork, forked children parse shares of the files (balanced by bytes)
while the parent parses its own, so a child costs milliseconds to start rather than the
hundreds a spawned worker spends importing everything again; elsewhere spawned workers take
over only for large repos. Small repos and warm runs stay in one process. The result is the
same as the serial path: the same pure functions on the same bytes, each result checked by
the engine against its content digest and roles before use (a file edited meanwhile is simply
recomputed), and results come back in submission order, so nothing depends on which process
finished first.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec

from cursus_core.catalog.scan import FileSummary, summarize
from cursus_core.facts import TreeIndex, extract_all
from cursus_core.facts.model import FileFacts
from cursus_core.source import SourceFile, parse_text, read_source

#: fewer uncached files than this are parsed in-process: a forked child starts in milliseconds but
#: its results must be pickled back (about a tenth of the parse's own CPU)
PARALLEL_MIN_FILES = 64
#: without fork, a spawned worker costs ~0.5 s of CPU to start (it imports everything again), so
#: on 2 cores the Oct 2025 (139 files) and Jun 2026 (257 files) trees were slower that way
SPAWN_MIN_FILES = 400
#: files per task sent to a worker
CHUNK = 16


class Parsed(msgspec.Struct, frozen=True):
    """What one worker learnt from one file."""

    path: Path
    digest: str
    #: None when the summary could not be made here (the catalog then makes it, as without workers)
    summary: FileSummary | None
    facts: FileFacts


def parse_one(item: tuple[str, tuple[str, ...]]) -> Parsed:
    """Top-level (spawn-safe): summary and facts of one file from one parse.

    The tree is parsed outside the process-wide parse memo (the bytes are memoised, the tree is
    not): each file is parsed exactly once here, and dropping the tree needs no memo search."""
    path, roles = Path(item[0]), frozenset(item[1])
    data, _, problem = read_source(path)
    source = parse_text(path, data) if data is not None else SourceFile(path, None, None, "", problem)
    index = TreeIndex(source) if source.ok else None  # one walk, shared by the facts and the summary
    try:
        facts = extract_all(source, roles, index)
    except RecursionError:  # as the engine does: a limit of this tool, counted, not a finding
        facts = FileFacts(source.path, source.digest, roles, unknown=Counter({"too-deeply-nested": 1}))
    summary: FileSummary | None
    try:
        summary = summarize(source, index)
    except RecursionError:
        summary = None
    return Parsed(path, source.digest, summary, facts)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic collector paused while files are parsed: a parse allocates hundreds of
    thousands of tracked nodes, which set off collections that traverse every live object
    again and again, yet trees and facts hold no reference cycles (reference counting frees
    them). About a tenth of a cold run's CPU on the Jun 2026 tree."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def parse_serial(items: Iterable[tuple[Path, frozenset[str]]]) -> list[Parsed]:
    """:func:`parse_one` over ``items`` in this process, each tree dropped as soon as its summary
    and facts are taken: the same results as the workers', without holding every tree of the
    repo at once (on the Jun 2026 tree, 257 files, peak RSS 186 MB -> 71 MB)."""
    with _no_cyclic_gc():
        return [parse_one((str(path), tuple(sorted(roles)))) for path, roles in items]


def workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def parse_parallel(items: Iterable[tuple[Path, frozenset[str]]], min_files: int = PARALLEL_MIN_FILES) -> list[Parsed]:
    """Parse ``items`` (path, roles) over all cores; [] when there are too few files or one core.

    Where this process may fork (POSIX, no other thread running), forked children parse shares
    of the files while this process parses its own: a child starts in milliseconds with every
    module already imported and the bytes already read, and sends its results back pickled in
    one message. Elsewhere spawned workers do it, but only from :data:`SPAWN_MIN_FILES` files."""
    todo = [(p, frozenset(r)) for p, r in items]
    n = min(workers(), max(1, len(todo) // CHUNK))
    if len(todo) < min_files or n < 2:
        return []
    if _can_fork():
        return _parse_forked(todo, n)
    if len(todo) < max(min_files, SPAWN_MIN_FILES):
        return []
    return _parse_spawned(todo, n)


def _can_fork() -> bool:
    """Forking is safe only while this is the one thread (a lock held by another thread would
    stay locked forever in the child)."""
    import threading

    return hasattr(os, "fork") and threading.active_count() == 1


def shares(items: list[tuple[Path, frozenset[str]]], n: int) -> list[list[int]]:
    """Indices of ``items`` split into ``n`` shares of about equal bytes (largest files first,
    each to the lightest share), each share in submission order."""
    sizes = []
    for path, _ in items:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
    load = [0] * n
    out: list[list[int]] = [[] for _ in range(n)]
    for i in sorted(range(len(items)), key=lambda i: (-sizes[i], i)):
        k = load.index(min(load))
        out[k].append(i)
        load[k] += sizes[i] + 1
    return [sorted(share) for share in out]


def _parse_forked(todo: list[tuple[Path, frozenset[str]]], n: int) -> list[Parsed]:
    """Shares 1..n-1 in forked children, share 0 here; a child that fails (killed, out of
    memory, no fork allowed) leaves its share to this process, so the result is always whole."""
    import pickle  # only a run that forks pays for it (imported before the fork: the children share it)

    parts = shares(todo, n)
    children: list[tuple[int, int, list[int]]] = []
    for share in parts[1:]:
        try:
            read_end, write_end = os.pipe()
            pid = os.fork()
        except OSError:
            parts[0].extend(share)
            continue
        if pid == 0:  # the child: parse, send, leave without running any of the parent's exit code
            code = 1
            try:
                os.close(read_end)
                blob = pickle.dumps(parse_serial(todo[i] for i in share), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(blob)
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        children.append((pid, read_end, share))
    results: dict[int, Parsed] = dict(zip(parts[0], parse_serial(todo[i] for i in parts[0]), strict=True))
    for pid, read_end, share in children:
        with os.fdopen(read_end, "rb") as pipe:
            blob = pipe.read()
        _, status = os.waitpid(pid, 0)
        got: list[Parsed] | None = None
        if status == 0 and blob:
            got = pickle.loads(blob)  # noqa: S301 - written by our own fork of this process
        if got is None or len(got) != len(share):
            got = parse_serial(todo[i] for i in share)
        results.update(zip(share, got, strict=True))
    return [results[i] for i in range(len(todo))]


def _parse_spawned(todo: list[tuple[Path, frozenset[str]]], n: int) -> list[Parsed]:
    from concurrent.futures import ProcessPoolExecutor  # only a large cold run pays for these imports
    from multiprocessing import get_context

    from concurrent.futures.process import BrokenProcessPool

    jobs = [(str(p), tuple(sorted(r))) for p, r in todo]
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn")) as pool:
            return list(pool.map(parse_one, jobs, chunksize=CHUNK))
    except (BrokenProcessPool, OSError):  # no processes here (limits, sandbox): parse in this one
        return []
