"""Validated interfaces kept in the facts cache: a warm run composes no YAML.

Composing a ``.step.yaml`` (and importing a YAML library for it), validating it and building its
model is most of what a run of the interface layout costs, and every run needs every interface
(the interfaces are the registry). So what :func:`~.discovery.load` makes of one file -- the model
with its located tree and the file's own problems -- plus what the catalog and the engine derive
from the model (:mod:`.derived`) is stored in the facts cache (:class:`cursus_core.cache.DiskCache`:
typed msgspec JSON, checksummed, a bad entry is a miss) under a key made of the file's path and
content digest; the cache's fingerprint must cover this package's code (the linter's does).

A hit also tells the reader what the file's text reads as (:func:`~.reader.remember_read`), so the
fixes, which read the text again for its located tree, compose nothing either.

A value that would not come back exactly (a ``.nan`` in the YAML, an integer JSON cannot carry)
is not cached: such a file is read every time. A file in the editor's overlay is never cached.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from cursus_core.digest import blake2b
from .derived import Derived, remember
from .discovery import InterfaceFile, LoadedInterface, loaded_from
from .model import StepInterface
from .nodes import YMap, YNode, YSeq
from .span import Problem

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.cache import DiskCache

__all__ = ["CachedInterface", "cache_key", "load_cached"]


class CachedInterface(msgspec.Struct, frozen=True, array_like=True):
    """One cache entry: the loaded interface of ``path`` (with the content the key names)."""

    path: Path
    interface: StepInterface | None
    #: the reader's problems first, then the schema's
    problems: tuple[Problem, ...]
    read_problems: int
    derived: Derived | None


def cache_key(path: Path, data: bytes) -> str:
    """The entry of this file with this content (a copy elsewhere is another entry: paths are inside)."""
    h = blake2b(digest_size=16)
    h.update(str(path).encode("utf-8", "surrogatepass") + b"\0")
    h.update(data)
    return f"iface-{h.hexdigest()}"


def load_cached(files: Sequence[InterfaceFile], cache: DiskCache,
                overlay: Mapping[Path, str] | None = None) -> list[LoadedInterface]:
    """:func:`~.discovery.load` through ``cache``: a file whose content was loaded before comes
    from it (no YAML read), any other is loaded, derived and stored."""
    from .discovery import load
    from .reader import read_interface_bytes, remember_read

    out = []
    for f in files:
        if overlay and f.path in overlay:
            out.extend(load([f], overlay))
            continue
        data = read_interface_bytes(f.path)
        if not isinstance(data, bytes):  # too large or unreadable: the reader's problem, never cached
            out.append(loaded_from(f, data))
            continue
        key = cache_key(f.path, data)
        entry = cache.get(key, CachedInterface)
        if entry is None or entry.path != f.path:
            entry = _derive(f, data)
            if _comes_back(entry):
                cache.put(key, entry, CachedInterface)
        elif entry.interface is not None:
            if entry.derived is not None:
                remember(entry.interface, entry.derived)
            try:  # the fixes (and their probes) read the same text for its tree: they get the cached one
                remember_read(data.decode("utf-8-sig"), f.path, entry.interface.root,
                              entry.problems[:entry.read_problems])
            except UnicodeDecodeError:  # (an entry a writer of the cache made up)
                pass
        out.append(LoadedInterface(f, entry.interface, entry.problems))
    return out


def _derive(f: InterfaceFile, data: bytes) -> CachedInterface:
    from .facts import interface_file_facts, synthesized_builder
    from .reader import read_interface_data
    from .references import input_reference_problems

    result = read_interface_data(data, f.path)
    item = loaded_from(f, result)
    iface = item.interface
    derived = None
    if iface is not None:
        derived = Derived(tuple(input_reference_problems(iface)), interface_file_facts(iface),
                          synthesized_builder(iface))
        remember(iface, derived)
    return CachedInterface(f.path, iface, item.problems, len(result.problems), derived)


def _comes_back(entry: CachedInterface) -> bool:
    """Whether the entry decodes to an equal value. JSON has no NaN or infinity (msgspec writes
    null), and a YAML scalar is the one place a bare float is kept (``compute`` values are tagged
    literals, everything else is text, integers and booleans); every value of the model, the
    problems and the facts comes from the tree's scalars, so checking those is enough (the test
    suite holds the round trip to equality on every fixture)."""
    todo: list[YNode] = [entry.interface.root] if entry.interface is not None else []
    while todo:
        node = todo.pop()
        if isinstance(node, YMap):
            todo.extend(e.value for e in node.entries)
        elif isinstance(node, YSeq):
            todo.extend(node.items)
        elif type(node.value) is float and not math.isfinite(node.value):
            return False
    return True
