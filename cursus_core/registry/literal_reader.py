"""Reading registry tables from the syntax tree, never by importing the file.

A registry file is user code: importing it could run anything. We read the top-level
``STEP_NAMES`` / ``WORKSPACE_STEPS`` / ``STEP_OVERRIDES`` / ``WORKSPACE_METADATA``
assignments as literals, and whatever is not literal becomes a located
:class:`RegistryProblem` while the rest of the table is still read.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from cursus_core.digest import blake2b
from cursus_core.file_stamp import INPUT_EVENT, settled, stamp
from cursus_core.literal_value import LiteralValue
from cursus_core.literals import NotLiteral, call_name, dotted_name, literal_value, module_constants
from cursus_core.registry.core_table import REQUIRED_STEP_KEYS
from cursus_core.registry.models import RegistryEntry, RegistryProblem, Span
from cursus_core.source import MAX_SOURCE_BYTES, LruMemo, digest_of, load_source, read_regular_file, read_source

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.cache import DiskCache

STEP_TABLE_NAMES: tuple[str, ...] = ("STEP_NAMES", "WORKSPACE_STEPS", "STEP_OVERRIDES")
METADATA_NAME = "WORKSPACE_METADATA"
_ALL_NAMES = frozenset(STEP_TABLE_NAMES + (METADATA_NAME,))

#: Directories that never hold a project's own registry.
SKIP_DIRS: frozenset[str] = frozenset({
    ".venv", "venv", ".git", ".hg", "node_modules", "__pycache__", "build", "dist", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".eggs",
})

_PREFILTER = re.compile(rb"^(?:STEP_NAMES|WORKSPACE_STEPS|STEP_OVERRIDES)[ \t]*(?::[^=\n]*)?=(?!=)", re.MULTILINE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MUTATORS = frozenset({"update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"})


class RegistryTable(msgspec.Struct):
    """One step table (``STEP_NAMES`` etc.) of a file; ``opaque`` when its value was not literal."""

    name: str
    span: Span
    entries: dict[str, RegistryEntry] = msgspec.field(default_factory=dict)
    opaque: bool = False

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Step name -> the literal fields that could be read."""
        return {name: dict(entry.fields) for name, entry in self.entries.items()}


class RegistryFile(msgspec.Struct):
    """Everything statically readable from one registry file."""

    path: Path
    tables: dict[str, RegistryTable] = msgspec.field(default_factory=dict)
    workspace_metadata: dict[str, LiteralValue] | None = None
    metadata_span: Span | None = None
    problems: list[RegistryProblem] = msgspec.field(default_factory=list)

    def table(self, name: str) -> RegistryTable | None:
        return self.tables.get(name)

    def _dict(self, name: str) -> dict[str, dict[str, Any]]:
        table = self.tables.get(name)
        return table.as_dict() if table is not None else {}

    @property
    def step_names(self) -> dict[str, dict[str, Any]]:
        return self._dict("STEP_NAMES")

    @property
    def workspace_steps(self) -> dict[str, dict[str, Any]]:
        return self._dict("WORKSPACE_STEPS")

    @property
    def step_overrides(self) -> dict[str, dict[str, Any]]:
        return self._dict("STEP_OVERRIDES")

    @property
    def has_tables(self) -> bool:
        return bool(self.tables) or self.workspace_metadata is not None


class _Reader:
    """State for reading one parsed file: its lines (for columns) and module constants."""

    def __init__(self, path: Path, text: str, tree: ast.Module) -> None:
        self.path = path
        self.lines = _LINE_BREAK.split(text)
        self.tree = tree
        self.consts = module_constants(tree)
        self.out = RegistryFile(path)

    # -- locations -------------------------------------------------------------------
    def _col(self, line: int, byte_col: int) -> int:
        if 1 <= line <= len(self.lines):
            return len(self.lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "ignore")) + 1
        return byte_col + 1

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        return Span(line, self._col(line, getattr(node, "col_offset", 0)),
                    end_line, self._col(end_line, end_col if end_col is not None else 0))

    def problem(self, node: ast.AST | Span, message: str, kind: str, step: str | None = None,
                key: str | None = None, related: Span | None = None) -> None:
        s = node if isinstance(node, Span) else self.span(node)
        self.out.problems.append(RegistryProblem(
            self.path, s.line, s.column, message, kind, step, key,
            related.line if related else None, related.column if related else None))

    # -- top level -------------------------------------------------------------------
    def read(self) -> RegistryFile:
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    self._assign(target, stmt.value)
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                self._assign(stmt.target, stmt.value)
            elif isinstance(stmt, ast.AugAssign):
                self._mutation(stmt.target, stmt, "an augmented assignment")
            elif isinstance(stmt, ast.Delete):
                for target in stmt.targets:
                    self._mutation(target, stmt, "'del'")
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                func = stmt.value.func
                if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
                    self._mutation(func.value, stmt, f".{func.attr}()")
        return self.out

    def _mutation(self, target: ast.AST, stmt: ast.AST, how: str) -> None:
        base = target.value if isinstance(target, ast.Subscript) else target
        if isinstance(base, ast.Name) and base.id in _ALL_NAMES:
            self.problem(stmt, f"{base.id} is changed by {how} at run time; the change is not read statically",
                         "mutation")

    def _assign(self, target: ast.AST, value: ast.expr) -> None:
        if isinstance(target, ast.Name) and target.id in STEP_TABLE_NAMES:
            self.out.tables[target.id] = self._table(target, value)
        elif isinstance(target, ast.Name) and target.id == METADATA_NAME:
            self.out.metadata_span = self.span(target)
            self.out.workspace_metadata = self._metadata(value)
        elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
              and target.value.id in STEP_TABLE_NAMES):
            table = self.out.tables.get(target.value.id)
            if table is None:
                self.problem(target, f"{target.value.id} is assigned to before it is defined", "bad-shape")
                return
            name = self._key(table.name, None, target.slice)
            if name is not None:
                table.entries[name] = self._entry(table.name, name, target.slice, value)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and \
                target.value.id == METADATA_NAME:
            self._mutation(target, target, "item assignment")

    # -- tables ----------------------------------------------------------------------
    def _table(self, target: ast.Name, value: ast.expr) -> RegistryTable:
        table = RegistryTable(target.id, self.span(target))
        if not isinstance(value, ast.Dict):
            resolved = self._literal(value, f"{table.name} is not a literal dict", step=None, key=None)
            if resolved is _MISSING:
                table.opaque = True
            elif not isinstance(resolved, dict):
                self.problem(value, f"{table.name} must be a dict of step entries, not {type(resolved).__name__}",
                             "wrong-type")
                table.opaque = True
            else:
                self._entries_from_value(table, resolved, value)
            return table
        first_seen: dict[str, Span] = {}
        for key_node, value_node in zip(value.keys, value.values, strict=True):
            if key_node is None:
                spread = self._literal(value_node, f"'**' spread in {table.name} is not a literal table; "
                                                   "its steps are not read", step=None, key=None)
                if spread is _MISSING:
                    table.opaque = True
                elif not isinstance(spread, dict):
                    self.problem(value_node, f"'**' spread in {table.name} is not a dict", "wrong-type")
                else:
                    self._entries_from_value(table, spread, value_node)
                continue
            name = self._key(table.name, None, key_node)
            if name is None:
                continue
            key_span = self.span(key_node)
            if name in first_seen:
                prev = first_seen[name]
                self.problem(key_node, f"step '{name}' is defined twice in {table.name} (lines {prev.line} and "
                                       f"{key_span.line}); the definition at line {key_span.line} silently wins",
                             "duplicate-key", step=name, related=prev)
            else:
                first_seen[name] = key_span
            table.entries[name] = self._entry(table.name, name, key_node, value_node)
        return table

    def _entries_from_value(self, table: RegistryTable, value: dict[Any, Any], node: ast.AST) -> None:
        span = self.span(node)
        for name, fields in value.items():
            if not isinstance(name, str):
                self.problem(node, f"{table.name} has a non-string step name {name!r}", "wrong-type")
                continue
            entry = RegistryEntry(name, span)
            if isinstance(fields, dict):
                entry.fields = dict(fields)
                entry.field_spans = {k: span for k in fields if isinstance(k, str)}
            else:
                self.problem(node, f"{table.name}['{name}'] must be a dict, not {type(fields).__name__}",
                             "wrong-type", step=name)
                entry.opaque = True
            self._check_entry(table.name, entry, node)
            table.entries[name] = entry

    def _key(self, table: str, step: str | None, node: ast.AST) -> str | None:
        where = f"{table}['{step}']" if step else table
        value = self._literal(node, f"a key of {where} is not a literal", step=step, key=None)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.problem(node, f"a key of {where} is {value!r}, not a string", "wrong-type", step=step)
            return None
        return value

    def _entry(self, table: str, name: str, key_node: ast.AST, value: ast.expr) -> RegistryEntry:
        entry = RegistryEntry(name, self.span(key_node))
        if not isinstance(value, ast.Dict):
            resolved = self._literal(value, f"{table}['{name}'] is not a literal dict; the step's fields are "
                                            "not read", step=name, key=None)
            if resolved is _MISSING:
                entry.opaque = True
            elif not isinstance(resolved, dict):
                self.problem(value, f"{table}['{name}'] must be a dict, not {type(resolved).__name__}",
                             "wrong-type", step=name)
                entry.opaque = True
            else:
                entry.fields = dict(resolved)
                entry.field_spans = {k: self.span(value) for k in resolved if isinstance(k, str)}
            self._check_entry(table, entry, key_node)
            return entry
        first_seen: dict[str, Span] = {}
        for k_node, v_node in zip(value.keys, value.values, strict=True):
            if k_node is None:
                spread = self._literal(v_node, f"'**' spread in {table}['{name}'] is not a literal dict; "
                                               "its fields are not read", step=name, key=None)
                if isinstance(spread, dict):
                    entry.fields.update(spread)
                    entry.field_spans.update({k: self.span(v_node) for k in spread if isinstance(k, str)})
                else:
                    entry.opaque = True
                continue
            key = self._key(table, name, k_node)
            if key is None:
                entry.opaque = True
                continue
            k_span = self.span(k_node)
            if key in first_seen:
                prev = first_seen[key]
                self.problem(k_node, f"key '{key}' of step '{name}' in {table} is given twice (lines {prev.line} "
                                     f"and {k_span.line}); the value at line {k_span.line} silently wins",
                             "duplicate-key", step=name, key=key, related=prev)
            else:
                first_seen[key] = k_span
            field_value = self._literal(v_node, f"{table}['{name}']['{key}'] is not a literal", step=name, key=key)
            if field_value is _MISSING:
                entry.non_literal_keys.add(key)
                entry.fields.pop(key, None)
                continue
            entry.non_literal_keys.discard(key)
            entry.fields[key] = field_value
            entry.field_spans[key] = self.span(v_node)
        self._check_entry(table, entry, key_node)
        return entry

    def _check_entry(self, table: str, entry: RegistryEntry, node: ast.AST) -> None:
        if entry.opaque:
            return
        missing = [k for k in REQUIRED_STEP_KEYS if k not in entry.fields and k not in entry.non_literal_keys]
        if missing:
            names = ", ".join(f"'{k}'" for k in missing)
            self.problem(node, f"step '{entry.name}' in {table} is missing required key(s): {names}", "missing-key",
                         step=entry.name, key=missing[0])
        for key in (*REQUIRED_STEP_KEYS, "description"):
            if key in entry.fields and not isinstance(entry.fields[key], str):
                bad = entry.fields.pop(key)
                entry.non_literal_keys.add(key)
                self.problem(entry.field_spans.get(key, entry.key_span),
                             f"{table}['{entry.name}']['{key}'] must be a string, not {type(bad).__name__}",
                             "wrong-type", step=entry.name, key=key)

    # -- metadata --------------------------------------------------------------------
    def _metadata(self, value: ast.expr) -> dict[str, Any] | None:
        if not isinstance(value, ast.Dict):
            resolved = self._literal(value, f"{METADATA_NAME} is not a literal dict", step=None, key=None)
            if isinstance(resolved, dict):
                return resolved
            if resolved is not _MISSING:
                self.problem(value, f"{METADATA_NAME} must be a dict, not {type(resolved).__name__}", "wrong-type")
            return None
        out: dict[str, Any] = {}
        for k_node, v_node in zip(value.keys, value.values, strict=True):
            if k_node is None:
                spread = self._literal(v_node, f"'**' spread in {METADATA_NAME} is not a literal dict", None, None)
                if isinstance(spread, dict):
                    out.update(spread)
                continue
            key = self._key(METADATA_NAME, None, k_node)
            if key is None:
                continue
            item = self._literal(v_node, f"{METADATA_NAME}['{key}'] is not a literal", step=None, key=key)
            if item is not _MISSING:
                out[key] = item
        return out

    # -- literals --------------------------------------------------------------------
    def _literal(self, node: ast.AST, what: str, step: str | None, key: str | None) -> Any:
        try:
            return literal_value(node, self.consts)
        except NotLiteral as exc:
            self.problem(exc.node, f"{what}: {_describe(exc.node)}; value not read", "non-literal",
                         step=step, key=key)
        except (TypeError, RecursionError, ValueError):  # unhashable keys, absurd nesting
            self.problem(node, f"{what}: cannot be evaluated statically; value not read", "non-literal",
                         step=step, key=key)
        return _MISSING


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def _describe(node: ast.AST) -> str:
    """Short, human wording for a non-literal node ("a call to load_names()")."""
    if isinstance(node, ast.Call):
        name = dotted_name(node.func) or call_name(node) or "an expression"
        return f"a call to {name}()"
    if isinstance(node, ast.Name):
        return f"name '{node.id}' is not a literal defined in this file"
    if isinstance(node, ast.Attribute):
        return f"attribute '{dotted_name(node) or node.attr}' is not a literal"
    if isinstance(node, ast.JoinedStr):
        return "an f-string with placeholders"
    return f"{type(node).__name__} expression is not a literal"


#: read registries by (path, content digest): the catalog asks several times per run, and a
#: language server every run; callers treat the result as read-only
_read_memo: LruMemo[tuple[str, str], RegistryFile] = LruMemo(256)
_read_lock = threading.Lock()


def read_registry_file(path: str | os.PathLike[str], overlay: dict[Path, str] | None = None,
                       cache: DiskCache | None = None) -> RegistryFile:
    """Read the registry tables of ``path`` statically; problems instead of exceptions.

    Memoised by content; the result is shared, so it must not be changed. A file on disk is
    looked up by the digest of its bytes before any parse, and with ``cache`` the tables of a
    content (at this path) read on an earlier run come from the facts cache: an unchanged
    registry is not parsed."""
    p = Path(path)
    if overlay and p in overlay:
        return _read_parsed(p, overlay)[0]
    data, digest, _ = read_source(p)  # bytes memoised per (path, mtime, size): no parse
    if data is None:
        return _read_parsed(p, None)[0]  # the read problem, worded as the parse path words it
    with _read_lock:
        hit = _read_memo.lookup((str(p), digest))
    if hit is not None:
        return hit
    cache_key = f"registry-read-{digest}-{blake2b(os.fsencode(str(p)), digest_size=8).hexdigest()}"
    if cache is not None:
        stored = cache.get(cache_key, RegistryFile)
        if stored is not None and stored.path == p:
            with _read_lock:
                _read_memo.put((str(p), digest), stored)
            return stored
    out, parsed_digest = _read_parsed(p, None)
    if cache is not None and parsed_digest == digest:  # parsed, and the content the key names
        cache.put(cache_key, out, RegistryFile)
    return out


def _read_parsed(p: Path, overlay: dict[Path, str] | None) -> tuple[RegistryFile, str | None]:
    """The tables from the parsed file and the digest of what was parsed (None: not parsed)."""
    source = load_source(p, overlay)
    if source.tree is None or source.text is None:
        out = RegistryFile(p)
        prob = source.problem
        if prob is not None:
            out.problems.append(RegistryProblem(p, prob.line, prob.column, prob.message, prob.kind))
        return out, None
    key = (str(p), source.digest)
    with _read_lock:
        hit = _read_memo.lookup(key)
    if hit is None:
        hit = _Reader(p, source.text, source.tree).read()
        with _read_lock:
            _read_memo.put(key, hit)
    return hit, source.digest


def _defines_table(tree: ast.Module) -> bool:
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else (
            [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id in STEP_TABLE_NAMES for t in targets):
            return True
    return False


def _looks_like_registry(path: str | Path, cache: DiskCache | None = None) -> bool:
    """A plain string path is fine (the walk builds no Path for the files it rules out)."""
    try:
        data, _ = read_regular_file(path, MAX_SOURCE_BYTES)  # never a FIFO or /dev/zero
    except OSError:
        return False
    if len(data) > MAX_SOURCE_BYTES:
        return False
    # the names first: a substring test is far quicker than the line-anchored regex, and the
    # catalog runs this over every .py of the repo on every run
    if not (b"STEP_NAMES" in data or b"WORKSPACE_STEPS" in data or b"STEP_OVERRIDES" in data) \
            or not _PREFILTER.search(data):
        return False
    key = f"registry-{digest_of(data)}"
    known = cache.get(key, bool) if cache is not None else None
    if known is not None:  # parsed on an earlier run (a CLI template holding "STEP_NAMES = {" too)
        return known
    source = load_source(Path(path))
    # A file that matches the text filter but does not parse is still reported, so its
    # syntax error surfaces as a registry problem instead of the registry silently vanishing.
    found = source.tree is None or _defines_table(source.tree)
    if cache is not None:
        cache.put(key, found, bool)
    return found


def find_registry_files(root: str | os.PathLike[str], cache: DiskCache | None = None) -> list[Path]:
    """Every ``.py`` under ``root`` with a top-level step-table assignment, sorted. With ``cache``,
    each file's verdict is kept by its stat signature (see :func:`_walk_with_verdicts`), and the
    verdict on a file whose text mentions a table name also by content digest, so a warm run reads
    no file of the tree and parses only the registries themselves."""
    base = Path(root)
    if base.is_file():
        return [base] if base.suffix == ".py" and _looks_like_registry(base, cache) else []
    if cache is not None:
        return _walk_with_verdicts(base, cache)
    found: list[Path] = []
    for candidate in _python_files(base):
        # stat before reading: a file changed meanwhile has a new key, so it is read again
        key = _stat_key(candidate)
        if key is not None:
            with _read_lock:
                if _not_registry.lookup(key) is not None:
                    continue
        if _looks_like_registry(candidate, None):
            found.append(Path(candidate))
        elif key is not None:
            with _read_lock:
                _not_registry.put(key, True)
    return found


def _python_files(base: Path) -> list[str]:
    """The ``.py`` files under ``base`` in walk order, as plain strings (a Path only for what is found)."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        out.extend(os.path.join(dirpath, name) for name in sorted(filenames) if name.endswith(".py"))
    return out


_clock = time.time_ns


class StatVerdict(msgspec.Struct, frozen=True, array_like=True):
    """Whether one file is a registry, for the file with this stat signature."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    registry: bool


class RegistryVerdicts(msgspec.Struct):
    """The registry verdicts of every ``.py`` file of one walked root (one cache entry: one decode)."""

    files: dict[str, StatVerdict] = msgspec.field(default_factory=dict)


def _verdicts_key(base: Path) -> str:
    return "registry-walk-" + blake2b(os.fsencode(os.path.abspath(base)), digest_size=16).hexdigest()


def _walk_with_verdicts(base: Path, cache: DiskCache) -> list[Path]:
    """The walk with a cache: a file whose size, mtime, ctime and inode are those stored with its
    verdict is not read. A verdict is stored only for a file last changed at least
    :data:`~cursus_core.file_stamp.RACY_NS` before the walk began, so an edit in the same timestamp tick as the stored
    signature cannot go unseen; the signature is taken before the file is read."""
    key = _verdicts_key(base)
    stored = cache.get(key, RegistryVerdicts)
    known = stored.files if stored is not None else {}
    now = _clock()
    fresh: dict[str, StatVerdict] = {}
    found: list[Path] = []
    audit = sys.audit
    for candidate in _python_files(base):
        try:
            st = os.stat(candidate)
        except OSError:
            st = None
        prev = known.get(candidate)
        if st is not None and prev is not None and (prev.size, prev.mtime_ns, prev.ctime_ns, prev.ino) == stamp(st):
            verdict = prev.registry
            audit(INPUT_EVENT, candidate)  # not read, yet its content decides the run
        else:
            verdict = _looks_like_registry(candidate, cache)
        if st is not None and settled(st.st_mtime_ns, st.st_ctime_ns, now):
            fresh[candidate] = StatVerdict(*stamp(st), verdict)
        if verdict:
            found.append(Path(candidate))
    if stored is None or fresh != known:  # stored even when empty: a warm run has no miss
        cache.put(key, RegistryVerdicts(fresh), RegistryVerdicts)
    return found


#: files found not to be registries, by (path, mtime, ctime, size), for runs without a disk cache
#: (the language server walks the whole repo on every re-lint; the disk cache answers the CLI's
#: runs); ctime too, since a chmod that makes an unreadable file readable changes only that
_not_registry: LruMemo[tuple[str, int, int, int], bool] = LruMemo(16384)


def _stat_key(path: str) -> tuple[str, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_mtime_ns, st.st_ctime_ns, st.st_size)


