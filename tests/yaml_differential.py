"""Differential reading of ``.step.yaml`` texts: the reader's libyaml path against its ruamel path.

The reader composes with libyaml and sends to ruamel only the texts the two read differently
(:data:`cursus_core.interface.reader._RUAMEL_ONLY`). This harness keeps that list honest: it
mutates real interface texts with seeded, YAML-shaped edits and reads each one both ways; any
difference in tree, spans or problems is a text the list misses. ``tests/test_interface_reader_libyaml.py``
runs a few hundred; ``benchmarks/yaml_composers.py`` runs thousands (say after a PyYAML upgrade).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cursus_core.interface import reader

#: pieces the mutations insert: YAML indicators, whitespace and line breaks of every kind,
#: characters at the edges of what the scanners accept, tags, anchors, scalars typed by YAML 1.1
PIECES: tuple[str, ...] = (
    *":-[]{}&*!|>'\"#,?%@`=~ \n\t\\<",
    "  ", "\n  ", ": ", "- ", "? ", "!!int ", "!!str ", "!foo ", "&x ", "*x", "&a [*a]", "<<: ",
    "yes", "~", "0o17", "017", "1e5", "1:30", ".inf", "---\n", "...\n", "%YAML 1.1\n",
    "\r\n", "\r", "\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\x07", "\u00e9", "\U0001f600",
    "|-\n  x\n", ">\n  x\n\n  y\n", "|#", '"\\u00e9"', "{a: 1}", "[x, y]",
)


@dataclass(frozen=True)
class Difference:
    text: str
    fast: reader.ReadResult
    ruamel: reader.ReadResult


def mutate(text: str, rng: random.Random) -> str:
    """One to four edits: insert a piece, delete a few characters, or copy a slice elsewhere."""
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(text) + 1)
        roll = rng.random()
        if roll < 0.4:
            text = text[:i] + rng.choice(PIECES) + text[i:]
        elif roll < 0.7:
            text = text[:i] + text[i + rng.randint(1, 5):]
        else:
            j = rng.randrange(len(text) + 1)
            text = text[:i] + text[j:j + rng.randint(1, 30)] + text[i:]
    return text


def read_both(text: str) -> tuple[reader.ReadResult, reader.ReadResult]:
    """The text read as the reader does (libyaml when it may) and with ruamel only."""
    path = Path("differential.step.yaml")
    limits = (reader.MAX_BYTES, reader.MAX_NODES, reader.MAX_DEPTH)
    fast = reader._read_text(text, path, *limits)
    saved = reader._LOADER
    reader._LOADER = None  # as when PyYAML has no libyaml: every text goes to ruamel
    try:
        slow = reader._read_text(text, path, *limits)
    finally:
        reader._LOADER = saved
    return fast, slow


def _same(a: reader.ReadResult, b: reader.ReadResult) -> bool:
    # repr, not ==: a .nan value is equal to nothing, not even itself
    return a.problems == b.problems and repr(a.root) == repr(b.root)


def differences(texts: Sequence[str], count: int, seed: int) -> Iterator[Difference]:
    """Every text, then ``count`` seeded mutations of them, that the two paths read differently."""
    rng = random.Random(seed)
    todo = list(texts) + [mutate(rng.choice(texts), rng) for _ in range(count)]
    for text in todo:
        fast, slow = read_both(text)
        if not _same(fast, slow):
            yield Difference(text, fast, slow)
