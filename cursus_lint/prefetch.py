"""Parallel parsing for large repos: each uncached component file is parsed once in a worker
process, which returns both its catalog summary and its facts.

Only worth it past a threshold (starting a spawned worker costs a few hundred milliseconds), so
small repos and warm runs stay in one process. The result is the same as the serial path: the
workers run the same pure functions on the same bytes, and the engine checks each result's
content digest and roles before using it (a file edited meanwhile is simply recomputed).
Results come back in submission order, so nothing depends on which worker finished first.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import msgspec

from cursus_core.catalog.scan import FileSummary, summarize
from cursus_core.facts import extract_all
from cursus_core.facts.model import FileFacts
from cursus_core.source import forget, load_source

#: fewer uncached files than this are parsed in-process: a spawned worker costs ~0.5 s of CPU to
#: start and its results must be pickled back, so on 2 cores the Oct 2025 (139 files) and Jun 2026
#: (257 files) trees were slower in parallel (measured under load); only larger repos gain
PARALLEL_MIN_FILES = 400
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
    """Top-level (spawn-safe): summary and facts of one file from one parse."""
    path, roles = Path(item[0]), frozenset(item[1])
    source = load_source(path)
    try:
        facts = extract_all(source, roles)
    except RecursionError:  # as the engine does: a limit of this tool, counted, not a finding
        facts = FileFacts(source.path, source.digest, roles, unknown=Counter({"too-deeply-nested": 1}))
    summary: FileSummary | None
    try:
        summary = summarize(source)
    except RecursionError:
        summary = None
    return Parsed(path, source.digest, summary, facts)


def parse_serial(items: Iterable[tuple[Path, frozenset[str]]]) -> list[Parsed]:
    """:func:`parse_one` over ``items`` in this process, forgetting each file's tree as soon as
    its summary and facts are taken: the same results as the workers', without holding every
    tree of the repo at once (on the Jun 2026 tree, 257 files, peak RSS 186 MB -> 71 MB)."""
    out: list[Parsed] = []
    for path, roles in items:
        out.append(parse_one((str(path), tuple(sorted(roles)))))
        forget(path)
    return out


def workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def parse_parallel(items: Iterable[tuple[Path, frozenset[str]]], min_files: int = PARALLEL_MIN_FILES) -> list[Parsed]:
    """Parse ``items`` (path, roles) over worker processes; [] when there are too few or one core."""
    todo = [(str(p), tuple(sorted(r))) for p, r in items]
    n = min(workers(), max(1, len(todo) // CHUNK))
    if len(todo) < min_files or n < 2:
        return []
    from concurrent.futures import ProcessPoolExecutor  # only a large cold run pays for these imports
    from multiprocessing import get_context

    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn")) as pool:
            return list(pool.map(parse_one, todo, chunksize=CHUNK))
    except (BrokenProcessPool, OSError):  # no processes here (limits, sandbox): parse in this one
        return []
