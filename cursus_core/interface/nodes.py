"""A small, immutable YAML tree whose every node knows where it was written.

The reader builds it from the YAML composer's node graph (aliases expanded under a budget), so the
rest of the interface layer never touches the YAML library: validation, variant merging and the
typed model all walk these three node kinds. They are frozen ``msgspec`` Structs (array-like, the
node kinds tagged), so a validated interface can be kept in the facts cache and read back exactly
without the YAML library (:mod:`.cached`).
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from .span import Span

#: A plain YAML value after tag resolution (YAML 1.1, as PyYAML's ``safe_load`` upstream reads).
ScalarValue = str | int | float | bool | None


class YScalar(msgspec.Struct, frozen=True, array_like=True, tag="s"):
    """A scalar; ``tag`` is the short core tag (``str``, ``int``, ``float``, ``bool``, ``null``,
    ``timestamp``) or the full tag text of anything else."""

    value: ScalarValue
    span: Span
    tag: str = "str"

    def to_python(self) -> ScalarValue:
        return self.value


class YSeq(msgspec.Struct, frozen=True, array_like=True, tag="q"):
    items: tuple[YNode, ...]
    span: Span

    def to_python(self) -> list:
        return [item.to_python() for item in self.items]


class YEntry(msgspec.Struct, frozen=True, array_like=True):
    """One ``key: value`` pair; ``key_span`` is where the key text is."""

    key: str
    key_span: Span
    value: YNode


class YMap(msgspec.Struct, frozen=True, array_like=True, tag="m"):
    """A mapping in document order (duplicate keys were reported and the first one kept)."""

    entries: tuple[YEntry, ...]
    span: Span

    def get(self, key: str) -> YEntry | None:
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None

    def value(self, key: str) -> YNode | None:
        entry = self.get(key)
        return entry.value if entry is not None else None

    def keys(self) -> Iterator[str]:
        return (entry.key for entry in self.entries)

    def to_python(self) -> dict:
        return {entry.key: entry.value.to_python() for entry in self.entries}


YNode = YScalar | YSeq | YMap


def is_null(node: YNode | None) -> bool:
    """True for a missing node or an explicit/empty YAML null (``key:`` with nothing after it)."""
    return node is None or (isinstance(node, YScalar) and node.tag == "null")


def describe(node: YNode) -> str:
    """What a node is, in the words a message uses: ``a mapping``, ``a boolean (true)``."""
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    shown = {True: "true", False: "false", None: "null"}.get(node.value, node.value) \
        if isinstance(node.value, (bool, type(None))) else node.value
    kind = {"str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean",
            "null": "null", "timestamp": "a timestamp"}.get(node.tag, f"a {node.tag} value")
    if node.tag == "null":
        return "null"
    text = repr(shown) if isinstance(shown, str) else str(shown)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{kind} ({text})"
