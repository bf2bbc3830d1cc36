"""The step interfaces of the repo (cursus >= 2.5 layout), as the catalog needs them.

Found once per catalog: package interfaces (``<pkg>/steps/interfaces``), step packs
(``<project>/step_pack/interfaces``) and configured extra directories. Each is read and validated
once (:mod:`cursus_core.interface`); the rows they define are the registry of this layout. A step
pack is its own scope, named after its project directory, the way a workspace is.
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import msgspec

from cursus_core.interface.discovery import InterfaceFile, LoadedInterface, check_file_set, discover, load
from cursus_core.interface.span import Problem
from cursus_core.registry.models import StepDefinition

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.cache import DiskCache


def pack_workspace(path: Path) -> str | None:
    """``<project>/step_pack/...`` -> ``<project>``; None outside a step pack."""
    parts = Path(path).parts
    for i in range(len(parts) - 1, 0, -1):
        if parts[i] == "step_pack":
            return parts[i - 1]
    return None


class StepInterfaces(msgspec.Struct):
    loaded: list[LoadedInterface] = msgspec.field(default_factory=list)
    #: problems of single files (syntax, schema) and of the set (names, duplicates, shadowing)
    problems: list[Problem] = msgspec.field(default_factory=list)
    #: scope (None: the package) -> step name -> the registry row the interface is
    definitions: dict[str | None, dict[str, StepDefinition]] = msgspec.field(default_factory=dict)

    @classmethod
    def find(cls, roots: Sequence[Path], extra_dirs: Sequence[Path] = (),
             overlay: Mapping[Path, str] | None = None, cache: DiskCache | None = None) -> StepInterfaces:
        """Discover and load every interface; a file in ``overlay`` is read from that text, one
        whose content ``cache`` knows is taken from it."""
        files: dict[Path, InterfaceFile] = {}
        for i, root in enumerate(roots):
            for f in discover(root, extra_dirs if i == 0 else ()):
                files.setdefault(f.path, f)
        if not roots and extra_dirs:
            for f in discover(Path(extra_dirs[0]), extra_dirs):
                files.setdefault(f.path, f)
        if not files:  # a classic repo: nothing below needs loading
            return cls()
        from cursus_core.interface.facts import step_definition
        from cursus_core.interface.references import input_reference_problems

        ordered = sorted(files.values(), key=lambda f: (f.origin != "package", str(f.path)))
        if cache is not None:  # a warm run takes every unchanged interface from the facts cache
            from cursus_core.interface.cached import load_cached

            out = cls(load_cached(ordered, cache, overlay))
        else:
            out = cls(load(ordered, overlay))
        for item in out.loaded:
            out.problems.extend(item.problems)
            if item.interface is not None:
                out.problems.extend(input_reference_problems(item.interface))
        out.problems.extend(check_file_set(out.loaded))
        for item in out.loaded:
            if item.interface is None:
                continue
            ws = out.workspace_of(item)
            d = step_definition(item.interface, "core" if ws is None else "workspace", ws)
            if d is not None:
                out.definitions.setdefault(ws, {}).setdefault(d.name, d)
        return out

    @staticmethod
    def workspace_of(item: LoadedInterface) -> str | None:
        if item.file.origin == "package":
            return None
        return pack_workspace(item.file.path) or item.file.home.name

    def pack_scopes(self, roots: Sequence[Path]) -> dict[Path, str]:
        """Home directory of each step pack -> its scope, for the catalog's workspace lookup: a
        configured pack (``interface-dirs``) need not be called ``step_pack``, yet its scripts and
        configs belong to its scope. A home that holds a root (a bare directory of interfaces
        directly in the repo) is left out: it would pull the whole repo into the pack."""
        out: dict[Path, str] = {}
        for item in self.loaded:
            home = item.file.home
            ws = self.workspace_of(item)
            if ws is None or any(home == r or home in r.parents for r in roots):
                continue
            out.setdefault(home, ws)
        return out

    def homes(self) -> list[Path]:
        return sorted({item.file.home for item in self.loaded})

    def by_path(self) -> dict[Path, LoadedInterface]:
        return {item.file.path: item for item in self.loaded}
