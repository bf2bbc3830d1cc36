"""Container paths indexed for "at, below or above" questions without scanning every path.

CL102 asks, for each path a script uses, whether any declared path is an ancestor, a
descendant or (for a use with a run-time tail) an extension of it. A scan per use is
quadratic (32k uses took 71 s); a set of the paths answers the ancestor question by looking
up the use's own prefixes, and a sorted list answers the other two with one binary search.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from ._script_contract import norm


def ancestors_or_self(path: str) -> Iterable[str]:
    """``/a/b/c`` -> ``""``, ``/a``, ``/a/b``, ``/a/b/c``: every ``r`` with ``path == r`` or
    ``path.startswith(r + "/")``."""
    start = 0
    while (i := path.find("/", start)) != -1:
        yield path[:i]
        start = i + 1
    yield path


class PathIndex:
    """Normalised paths (``norm``) with O(len(path) + log n) relation queries."""

    def __init__(self, paths: Iterable[str] = ()) -> None:
        self._set = {norm(p) for p in paths}
        self._sorted: list[str] | None = None

    def add(self, path: str) -> None:
        self._set.add(norm(path))
        self._sorted = None  # sorted again on the next prefix query, not per add

    def has_ancestor_or_self(self, path: str) -> bool:
        """Some indexed path is ``path`` or a directory above it."""
        return any(r in self._set for r in ancestors_or_self(norm(path)))

    def _first_with_prefix(self, prefix: str) -> bool:
        if self._sorted is None:
            self._sorted = sorted(self._set)
        i = bisect_left(self._sorted, prefix)
        return i < len(self._sorted) and self._sorted[i].startswith(prefix)

    def related(self, used: str, complete: bool) -> bool:
        """``related_paths(used, complete, d)`` for some indexed ``d``: one is at or below the
        other, or (an incomplete use) ``d`` starts with ``used``."""
        used = norm(used)
        if self.has_ancestor_or_self(used) or self._first_with_prefix(used + "/"):
            return True
        return not complete and self._first_with_prefix(used)
