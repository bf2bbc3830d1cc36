"""Finding the source of config base classes that live outside the step directories.

A config class often inherits from a base defined elsewhere: the repo's own core package
(``from ...core.base.config_base import BasePipelineConfig``), an installed package
(``from cursus.core.base import BasePipelineConfig``), or ours (``cursus_core.base``). Only ours
may be answered by introspection; any other same-named base can have different members, so we
locate its file statically (relative imports, the repo's source roots, installed packages found
with ``importlib.util.find_spec`` on the top-level name, which imports nothing), parse it and
extract its class facts. A base whose source cannot be found is *opaque*: rules stay silent.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec

from cursus_core.facts.model import ImportFact
from cursus_core.source import LruMemo, load_source, read_source

from .facts import ConfigFacts, FileFacts, extract_configs, extract_module

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.cache import DiskCache

OURS = ("cursus_core",)
MAX_FILES = 64  # a bound on how far we chase re-exports and base chains


def _module_file(base_dir: Path, parts: list[str]) -> Path | None:
    target = base_dir.joinpath(*parts) if parts else base_dir
    for candidate in (target.with_suffix(".py"), target / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _search_dirs(roots: list[Path]) -> list[Path]:
    """Roots and a few ancestors: ``src/cursus`` is linted, ``cursus.core`` lives under ``src``."""
    out: list[Path] = []
    for root in roots:
        for d in [root, *list(root.parents)[:3]]:
            if d not in out:
                out.append(d)
    return out


def _installed(top: str) -> list[Path]:
    try:
        spec = importlib.util.find_spec(top)  # a top-level name: locates, executes nothing
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return [Path(p).parent for p in spec.submodule_search_locations]
    return [Path(spec.origin).parent] if spec.origin else []


def resolve_import(file: Path, module: str, level: int, roots: list[Path]) -> Path | None:
    parts = [p for p in module.split(".") if p] if module else []
    if level > 0:
        base = file.parent
        for _ in range(level - 1):
            base = base.parent
        return _module_file(base, parts)
    if not parts:
        return None
    for d in _search_dirs(roots) + _installed(parts[0]):
        found = _module_file(d, parts)
        if found is not None:
            return found
    return None


class BaseSource(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """What base resolution needs of a file outside the step dirs, cached by content digest:
    these files (the repo's config bases, even the stdlib's ``enum.py``) would otherwise be
    parsed again on every warm run."""

    imports: tuple[ImportFact, ...]
    configs: tuple[ConfigFacts, ...]


#: base sources by (path, content digest) for the life of the process: without a disk cache (the
#: language server) every re-lint would parse and index the repo's config bases again
_memo: LruMemo[tuple[str, str], BaseSource] = LruMemo(256)
_memo_lock = threading.Lock()


class BaseResolver:
    """Adds externally defined base classes to ``config_classes``; collects opaque names."""

    def __init__(self, files: dict[Path, FileFacts], config_classes: dict[str, list[tuple[Path, ConfigFacts]]],
                 roots: list[Path], overlay: dict[Path, str] | None = None,
                 cache: DiskCache | None = None) -> None:
        self.files = files
        self.cache = cache
        self.config_classes = config_classes
        self.roots = roots
        self.overlay = overlay or {}
        self.opaque: set[str] = set()
        self._parsed: dict[Path, tuple[list, list[ConfigFacts]]] = {}

    def _parse(self, path: Path) -> tuple[list, list[ConfigFacts]]:
        hit = self._parsed.get(path)
        if hit is None:
            facts = self.files.get(path)
            if facts is not None and facts.module is not None:
                hit = (list(facts.module.imports), list(facts.configs + facts.hyperparams))
            else:
                source = self._source(path)
                hit = (list(source.imports), list(source.configs))
            self._parsed[path] = hit
        return hit

    def _source(self, path: Path) -> BaseSource:
        key = None
        if self.cache is not None and path not in self.overlay:
            _, digest, _ = read_source(path)
            key = f"bases-{digest}" if digest else None
        hit = self.cache.get(key, BaseSource) if key is not None and self.cache is not None else None
        if hit is not None:
            return hit
        sf = load_source(path, self.overlay)
        memo_key = (str(path), sf.digest)
        with _memo_lock:
            source = _memo.lookup(memo_key) if sf.digest else None
        if source is None:
            source = BaseSource(extract_module(sf).imports, tuple(extract_configs(sf))) if sf.ok else BaseSource((), ())
            if sf.digest:
                with _memo_lock:
                    _memo.put(memo_key, source)
        if key is not None and self.cache is not None:
            self.cache.put(key, source, BaseSource)
        return source

    def _locate(self, name: str, importer: Path, depth: int = 0) -> tuple[Path, ConfigFacts] | Literal["ours"] | None:
        """Where ``name`` as seen from ``importer`` is defined; "ours" for cursus_core; None if unknown."""
        imports, classes = self._parse(importer)
        for cls in classes:
            if cls.name == name:
                return importer, cls
        if depth > 4 or len(self._parsed) > MAX_FILES:
            return None
        for imp in imports:
            if not imp.is_from:
                continue
            names = dict(zip(imp.names, imp.aliases or (None,) * len(imp.names), strict=False))
            original = next((n for n, alias in names.items() if (alias or n) == name), None)
            if original is None:
                continue
            if imp.level == 0 and imp.module.split(".")[0] in OURS:
                return "ours"
            target = resolve_import(importer, imp.module, imp.level, self.roots)
            if target is None:
                # `from pkg import module` style: the name may be a submodule, not a class
                return None
            return self._locate(original, target, depth + 1)
        return None

    def run(self) -> None:
        todo = [(path, facts) for entries in list(self.config_classes.values()) for path, facts in entries]
        seen: set[tuple[Path, str]] = set()
        while todo:
            path, facts = todo.pop()
            for base in facts.bases:
                name = base.rsplit(".", 1)[-1]
                if (path, name) in seen or name in {"object", "Generic", "ABC", "BaseModel"}:
                    continue
                seen.add((path, name))
                if any(p == path for p, _ in self.config_classes.get(name, [])):
                    continue  # defined in the same file
                found = self._locate(name, path)
                if found == "ours":
                    continue
                if found is None:
                    if name not in self.config_classes:
                        self.opaque.add(name)
                    continue
                where, cls = found
                entries = self.config_classes.setdefault(name, [])
                if all(p != where for p, _ in entries):
                    entries.append((where, cls))
                    todo.append((where, cls))
