"""An exact upper bound of difflib's ``SequenceMatcher.ratio``, shared by the dependency
resolver and the registry's file-name matcher.

Both ask "could these two names be this similar?" far more often than the answer is yes;
building a ``SequenceMatcher`` for every pair was most of their cost. ``ratio()`` is
``2 * M / T`` where its ``M`` matched characters form a common subsequence of the two texts,
so the longest common subsequence bounds it from above and rules most pairs out cheaply.
This module imports nothing of the project so either layer can use it.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["lcs_length", "ratio_bound", "ratio_may_reach"]


def ratio_bound(a: str, b: str) -> float:
    """An upper bound of ``SequenceMatcher(None, a, b).ratio()``, computed with the same float
    arithmetic as difflib (``2.0 * matches / total``), so ``ratio() <= ratio_bound()`` exactly."""
    total = len(a) + len(b)
    if not total:
        return 1.0  # difflib's ratio of two empty sequences
    return 2.0 * lcs_length(a, b) / total


def ratio_may_reach(a: str, b: str, floor: float) -> bool:
    """False only when ``SequenceMatcher(None, a, b).ratio()`` is certainly below ``floor``: its
    bound ``2 * lcs / (len(a) + len(b))`` is computed with the same float arithmetic, and the
    longest common subsequence is at least the number of characters difflib matches."""
    total = len(a) + len(b)
    if not total:
        return floor <= 1.0  # difflib's ratio of two empty sequences
    if 2.0 * min(len(a), len(b)) / total < floor:
        return False
    return 2.0 * lcs_length(a, b) / total >= floor


@lru_cache(maxsize=8192)
def _positions(text: str) -> dict[str, int]:
    """Each character of ``text`` -> a bit mask of where it occurs (bit i: position i)."""
    masks: dict[str, int] = {}
    for i, ch in enumerate(text):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    return masks


def lcs_length(a: str, b: str) -> int:
    """Length of a longest common subsequence of ``a`` and ``b``, one integer operation per
    character of ``a`` (the bit-parallel recurrence over ``b``'s positions: bits still set in
    ``row`` mark positions of ``b`` not yet used by the subsequence)."""
    if len(a) > len(b):
        a, b = b, a  # the same length either way; one step per character of the shorter
    masks = _positions(b)
    width = (1 << len(b)) - 1
    row = width
    for ch in a:
        mask = masks.get(ch)
        if mask:
            hit = row & mask
            row = ((row + hit) | (row - hit)) & width
    return len(b) - bin(row).count("1")
