"""The catalog's file-name matching answers, kept in the facts cache from one run to the next.

When no exact spelling of a file or class name fits a registered step, matching falls back to
fuzzy scoring (``difflib`` over every registered name). A warm run asked the same questions as
the run before and spent a large part of its indexing on them (8 ms of CPU on the Oct 2025 tree,
19 ms on the Jun 2026 one, in a ~300 ms one-file check). An answer depends only on the question
and the list of registered names (and the matching code, which the cache's fingerprint covers),
so the answers for one list of names are one cache entry, keyed by a digest of that list: read
once per run, written back only when a run asked something new (then holding exactly what that
run asked, so answers to questions nobody asks any more drop out).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import msgspec

from cursus_core.digest import blake2b
from cursus_core.registry.names import match_canonical_name

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.cache import DiskCache

#: (step or None, strategy or why there is none, score) — what :func:`match_canonical_name`
#: returned, or (None, its ValueError's message, 0.0)
Answer = tuple[str | None, str, float]


class MatchAnswers(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """The cache entry: question -> answer, for one list of registered names."""

    answers: dict[str, Answer] = msgspec.field(default_factory=dict)


class _AnswerSet(msgspec.Struct):
    names: list[str]  # held, so its id stays its own while it is a key
    key: str
    stored: dict[str, Answer]
    asked: dict[str, Answer] = msgspec.field(default_factory=dict)
    new: bool = False


class NameMatcher:
    """:func:`match_canonical_name` with answers remembered per list of names (by identity: the
    catalog asks about one sorted list per scope) and, with ``cache``, across runs."""

    def __init__(self, cache: DiskCache | None = None) -> None:
        self.cache = cache
        self._sets: dict[int, _AnswerSet] = {}
        #: questions answered by running the matcher (not from memory or the cache) in this run
        self.computed = 0

    def match(self, text: str, names: list[str]) -> Answer:
        found = self._set(names)
        answer = found.asked.get(text)
        if answer is None:
            answer = found.stored.get(text)
            if answer is None:
                answer = _answer(text, names)
                self.computed += 1
                found.new = True
            found.asked[text] = answer
        return answer

    def save(self) -> None:
        """Put the answers of every list of names that met a new question into the cache."""
        if self.cache is None:
            return
        for found in self._sets.values():
            if found.new:
                self.cache.put(found.key, MatchAnswers(dict(sorted(found.asked.items()))), MatchAnswers)
                found.new = False

    def _set(self, names: list[str]) -> _AnswerSet:
        found = self._sets.get(id(names))
        if found is not None and found.names is names:
            return found
        # the list as JSON: unambiguous whatever the names hold (a newline, a quote)
        digest = blake2b(json.dumps(names).encode("ascii"), digest_size=16).hexdigest()
        key = f"match-{len(names)}-{digest}"
        stored = self.cache.get(key, MatchAnswers) if self.cache is not None and self.cache.has(key) else None
        found = self._sets[id(names)] = _AnswerSet(names, key, stored.answers if stored is not None else {})
        return found


def _answer(text: str, names: list[str]) -> Answer:
    try:
        match = match_canonical_name(text, names)
    except ValueError as exc:
        return None, str(exc), 0.0
    return match.name, match.strategy, match.score
