"""Read a ``.step.yaml`` into a located node tree, executing nothing.

Only a YAML *composer* runs: it builds the node graph with positions; no constructor runs, so no
tag can instantiate anything. The composer is libyaml's (PyYAML's compiled ``CSafeLoader``, about
10x faster than a pure-Python one on real interfaces); when libyaml rejects a document or would read
it differently (:data:`_RUAMEL_ONLY`), or PyYAML was built without it, ruamel.yaml's pure-Python
composer reads it instead, so every message and position is the one it always was. Both are
imported lazily, the first time an interface file is read, so linting a classic-layout repo never
pays for them. Plain scalars are typed with PyYAML's YAML 1.1 resolver,
because upstream reads interfaces with ``yaml.safe_load``: ``1e-5`` is a string there (ruamel would
say float), ``yes`` a boolean. Every way a file can be bad becomes a located :class:`Problem` instead
of an exception: too big, not UTF-8, a syntax error, several documents, a top level that is not a
mapping, duplicate keys, unsupported tags, merge keys that are not mappings, and alias bombs (the
expanded tree is bounded in nodes and depth).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import msgspec

from .nodes import YEntry, YMap, YNode, YScalar, YSeq
from .span import Problem, Span

#: Interface files are a few KiB; anything this big is not one.
MAX_BYTES = 1_000_000
#: Nodes the expanded tree may have (aliases count every time they are expanded).
MAX_NODES = 100_000
#: Nesting the tree may have (a real interface nests 6 deep).
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {"str", "int", "float", "bool", "null", "timestamp", "binary"}
_TRUE = {"yes", "true", "on", "y"}
_BOOL_WORDS = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")


class ReadResult(msgspec.Struct, frozen=True):
    """The tree (None when the file could not be read as one mapping) and what went wrong."""

    path: Path
    root: YMap | None
    problems: tuple[Problem, ...]
    text: str | None = None


class _Budget(Exception):
    """The expanded tree grew past a limit: stop converting, report once."""

    def __init__(self, kind: str, message: str, span: Span) -> None:
        super().__init__(message)
        self.kind, self.message, self.span = kind, message, span


def read_interface_file(path: Path, *, max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES,
                        max_depth: int = MAX_DEPTH) -> ReadResult:
    """Read one file; an unreadable, oversized or undecodable file is a problem at line 1."""
    path = Path(path)
    data = read_interface_bytes(path, max_bytes)
    if isinstance(data, ReadResult):
        return data
    return read_interface_data(data, path, max_bytes=max_bytes, max_nodes=max_nodes, max_depth=max_depth)


def read_interface_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes | ReadResult:
    """The file's bytes, or the failed result of a file too large or unreadable."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return _failed(path, "file-too-large", f"interface file is {size} bytes; the limit is {max_bytes}")
        return path.read_bytes()
    except OSError as exc:
        return _failed(path, "unreadable", f"cannot read interface file: {exc.strerror or exc}")


def read_interface_data(data: bytes, path: Path, *, max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES,
                        max_depth: int = MAX_DEPTH) -> ReadResult:
    """Decode and compose bytes read from ``path`` (the cache reads them once, for their digest too)."""
    if len(data) > max_bytes:
        return _failed(path, "file-too-large", f"interface file is {len(data)} bytes; the limit is {max_bytes}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _failed(path, "yaml-encoding", f"interface file is not UTF-8 (byte {exc.start})")
    return read_interface_text(text, path, max_bytes=max_bytes, max_nodes=max_nodes, max_depth=max_depth)


#: results by content and limits: one run reads each interface for discovery, facts and fixes, and
#: composing is the interface layout's main cost; results are frozen, so shared
_MEMO: dict[tuple[str, str, int, int, int], ReadResult] = {}
_MEMO_SIZE = 1024


def read_interface_text(text: str, path: Path, *, max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES,
                        max_depth: int = MAX_DEPTH) -> ReadResult:
    """Compose ``text`` (an editor buffer, say) into a :class:`YMap` with positions."""
    key = (str(path), text, max_bytes, max_nodes, max_depth)
    found = _MEMO.get(key)
    if found is None:
        found = _read_text(text, Path(path), max_bytes, max_nodes, max_depth)
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)), None)  # the oldest entry
        _MEMO[key] = found
    return found


def remember_read(text: str, path: Path, root: YMap | None, problems: tuple[Problem, ...]) -> None:
    """Record what reading ``text`` (with the default limits) gives, known from the facts cache, so
    that a fix that reads the same text again composes nothing."""
    key = (str(path), text, MAX_BYTES, MAX_NODES, MAX_DEPTH)
    if key not in _MEMO:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)), None)
        _MEMO[key] = ReadResult(Path(path), root, problems, text)


def _read_text(text: str, path: Path, max_bytes: int, max_nodes: int, max_depth: int) -> ReadResult:
    if len(text) > max_bytes:
        return _failed(path, "file-too-large", f"interface file is {len(text)} characters; the limit is {max_bytes}",
                       text)
    graph, problem, resolved = _compose(text, path)
    if problem is not None:
        return ReadResult(path, None, (problem,), text)
    if graph is None:
        return _failed(path, "not-a-mapping", "interface file is empty; expected a mapping with step_type, "
                       "registry, contract and spec", text)
    converter = _Converter(path, max_nodes, max_depth, text, resolved)
    try:
        root = converter.convert(graph, 0)
    except _Budget as exc:
        return ReadResult(path, None, (*converter.problems, Problem(exc.kind, exc.message, path, exc.span)), text)
    problems = list(converter.problems)
    if not isinstance(root, YMap):
        problems.append(Problem("not-a-mapping", f"the top level of an interface file must be a mapping, "
                                f"found {_kind_word(root)}", path, root.span))
        return ReadResult(path, None, tuple(problems), text)
    return ReadResult(path, root, tuple(problems), text)


def _failed(path: Path, kind: str, message: str, text: str | None = None) -> ReadResult:
    return ReadResult(path, None, (Problem(kind, message, path, Span.point()),), text)


def _kind_word(node: YNode) -> str:
    return "a list" if isinstance(node, YSeq) else "a mapping" if isinstance(node, YMap) else "a scalar"


def _compose(text: str, path: Path) -> tuple[Any, Problem | None, bool]:
    """Compose with libyaml; a document it rejects goes to ruamel, whose messages the rules quote.

    The flag says whether plain scalars already carry PyYAML's YAML 1.1 tags (libyaml's composer
    resolves them with PyYAML's resolver; ruamel's with its own, so those are resolved again).
    """
    loader = _libyaml_loader()
    if loader is not None and text.endswith(("\n", "\r")) and not _RUAMEL_ONLY.search(text):
        import yaml

        try:
            return yaml.compose(text, Loader=loader), None, True
        except (yaml.YAMLError, RecursionError, ValueError):
            pass  # rare (a broken file): ruamel reads it again, for the problem it always reported
    return (*_compose_ruamel(text, path), False)


#: where the two scanners differ, found by reading thousands of mutated real interfaces with both:
#: ruamel rejects a tab in a plain scalar, does not count NEL / LS / PS as line breaks (nor do editors)
#: nor a BOM as a column, ends flow scalars at ``?``, and is stricter about anchor and tag names and
#: block-scalar headers (``|#``); a text holding any of these goes to ruamel, as does one without a
#: final newline (libyaml then marks the stream end a line further down). Real interfaces hold none.
_RUAMEL_ONLY = re.compile("[\t\x85\u2028\u2029\ufeff?&!]|[|>][-+0-9]*#")
#: libyaml from this release on caps nesting at 1000 levels, so its (C-recursive) composer is bounded
_LIBYAML_MIN = (0, 2, 5)
_LOADER: Any = False  # not looked up yet


def _libyaml_loader() -> Any:
    """PyYAML's CSafeLoader when PyYAML was built with a libyaml new enough, else None."""
    global _LOADER
    if _LOADER is False:
        _LOADER = None
        try:
            import yaml
            from yaml import _yaml as libyaml
        except ImportError:
            return None
        if getattr(yaml, "__with_libyaml__", False) and tuple(libyaml.get_version()) >= _LIBYAML_MIN:
            _LOADER = yaml.CSafeLoader
    return _LOADER


def _compose_ruamel(text: str, path: Path) -> tuple[Any, Problem | None]:
    """Run only ruamel's composer; map its errors to one located problem."""
    from ruamel.yaml import YAML  # lazy: the classic layout never imports ruamel
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=True)  # no comment gathering: 2x faster; positions are the same
    yaml.version = (1, 1)
    try:
        return yaml.compose(text), None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = Span.point(mark.line + 1, mark.column + 1) if mark is not None else Span.point()
        what = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        return None, Problem("yaml-syntax", f"YAML syntax error: {what}", path, span)
    except RecursionError:
        return None, Problem("yaml-too-deep", "YAML nesting is too deep to read", path, Span.point())
    except AssertionError as exc:  # ruamel asserts on a directive it cannot take (``%YAML 1.3``)
        return None, Problem("yaml-syntax", f"YAML syntax error: {exc}", path, Span.point())
    except YAMLError as exc:
        return None, Problem("yaml-syntax", f"YAML syntax error: {exc}", path, Span.point())


def _mark_span(node: Any) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Converter:
    """Composer node graph (libyaml's or ruamel's: both name their kind in ``node.id``) -> YNode
    tree, expanding aliases under a node and depth budget."""

    def __init__(self, path: Path, max_nodes: int, max_depth: int, text: str = "", resolved: bool = False) -> None:
        self.path, self.max_nodes, self.max_depth, self.text = path, max_nodes, max_depth, text
        self.resolved = resolved  # plain scalars carry PyYAML's tags (and, via libyaml, never a ``!tag``)
        self.count = 0
        self.problems: list[Problem] = []
        self._reported_tags: set[tuple[int, int]] = set()

    def convert(self, node: Any, depth: int) -> YNode:
        self.count += 1
        if self.count > self.max_nodes:
            raise _Budget("yaml-too-large", f"the document expands to more than {self.max_nodes} nodes "
                          "(aliases included); refusing to read it", _mark_span(node))
        if depth > self.max_depth:
            raise _Budget("yaml-too-deep", f"the document nests deeper than {self.max_depth} levels",
                          _mark_span(node))
        if node.id == "mapping":
            return self._mapping(node, depth)
        if node.id == "sequence":
            items = tuple(self.convert(child, depth + 1) for child in node.value)
            own = _mark_span(node)
            end = _outer(items, own)
            return YSeq(items, Span(own.line, own.column, end.end_line, end.end_column))
        return self._scalar(node)

    def _mapping(self, node: Any, depth: int) -> YMap:
        entries: list[YEntry] = []
        seen: dict[str, YEntry] = {}
        merged: list[YEntry] = []
        for key_node, value_node in node.value:
            tag = _tag(key_node)
            if tag == _CORE + "merge":
                merged.extend(self._merge_entries(value_node, depth))
                continue
            key = self._key(key_node)
            if key is None:
                continue
            key_span = _mark_span(key_node)
            value = self.convert(value_node, depth + 1)
            if isinstance(value, YScalar) and value.tag == "null" and value_node.value == "" \
                    and not value_node.style:
                # ``key:`` with nothing after it: the composer marks the *next* token; point after the colon.
                value = YScalar(None, Span.point(key_span.end_line, key_span.end_column + 1), "null")
            entry = YEntry(key, key_span, value)
            if key in seen:
                # PyYAML (upstream's loader) keeps the last value in the first key's place.
                first = seen[key]
                self.problems.append(Problem(
                    "duplicate-key", f"duplicate key '{key}' (also at line {first.key_span.line}); "
                    "the YAML loader keeps only this last one", self.path, key_span, key_path=(key,)))
                entries[entries.index(first)] = entry
                seen[key] = entry
                continue
            seen[key] = entry
            entries.append(entry)
        for entry in merged:  # explicit keys win over ``<<`` merges, as in YAML 1.1
            if entry.key not in seen:
                seen[entry.key] = entry
                entries.append(entry)
        return YMap(tuple(entries), _outer(entries, _mark_span(node)))

    def _merge_entries(self, node: Any, depth: int) -> list[YEntry]:
        value = self.convert(node, depth + 1)
        items = [value] if isinstance(value, YMap) else list(value.items) if isinstance(value, YSeq) else []
        maps = [m for m in items if isinstance(m, YMap)]
        if not maps or len(maps) != len(items):
            self.problems.append(Problem("yaml-bad-merge", "a '<<' merge key must name a mapping or a list "
                                         "of mappings", self.path, value.span))
            return []
        out: list[YEntry] = []
        for mapping in maps:
            out.extend(e for e in mapping.entries if all(e.key != o.key for o in out))
        return out

    def _explicit_tag(self, node: Any) -> bool:
        """Whether the scalar's source starts with a ``!tag`` (after an optional ``&anchor``)."""
        rest = self.text[node.start_mark.index:node.start_mark.index + 256]
        if rest.startswith("&"):
            rest = rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else ""
        return rest.startswith("!")

    def _key(self, node: Any) -> str | None:
        if node.id != "scalar":
            self.problems.append(Problem("yaml-complex-key", "a mapping key must be a plain scalar, not a "
                                         "mapping or a list", self.path, _mark_span(node)))
            return None
        return str(node.value)

    def _scalar(self, node: Any) -> YScalar:
        span = _mark_span(node)
        full = _tag(node)
        text = node.value
        if node.style == ">":  # ruamel's round-trip composer marks folds with BEL; PyYAML has none
            text = text.replace("\a", "")
        if not full.startswith(_CORE) or full[len(_CORE):] not in _SCALAR_TAGS:
            if (span.line, span.column) not in self._reported_tags:
                self._reported_tags.add((span.line, span.column))
                self.problems.append(Problem("yaml-unsupported-tag", f"unsupported YAML tag '{full}'; "
                                             "interface files hold plain data (the value is read as a string)",
                                             self.path, span))
            return YScalar(str(text), span, "str")
        short = full[len(_CORE):]
        if not self.resolved and not node.style and not self._explicit_tag(node):  # plain: None or ""
            short = _implicit_tag(text)
        value = _resolve(short, text)
        if value is _INVALID:
            return YScalar(str(text), span, "str")
        return YScalar(value, span, short if short != "binary" else "str")


_INVALID = object()


_PYYAML_RESOLVER: Any = None


def _implicit_tag(text: str) -> str:
    """The core tag PyYAML's safe loader gives a plain scalar (upstream reads with it)."""
    global _PYYAML_RESOLVER
    if _PYYAML_RESOLVER is None:
        import yaml  # PyYAML: only its resolver tables, nothing is constructed

        _PYYAML_RESOLVER = yaml.resolver.Resolver()
    import yaml

    full = _PYYAML_RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    short = full[len(_CORE):] if full.startswith(_CORE) else "str"
    return short if short in _SCALAR_TAGS else "str"


def _resolve(tag: str, text: str) -> Any:
    """Turn a scalar's text into its value for a core tag (YAML 1.1 spellings)."""
    if tag == "null":
        return None
    if tag == "bool":
        if not _BOOL_WORDS.match(text):
            return _INVALID
        return text.lower() in _TRUE
    if tag == "int":
        return _int(text)
    if tag == "float":
        return _float(text)
    return str(text)


def _int(text: str) -> Any:
    raw = text.replace("_", "")
    sign = -1 if raw.startswith("-") else 1
    raw = raw.lstrip("+-")
    try:
        if raw.startswith("0b"):
            return sign * int(raw[2:], 2)
        if raw.startswith("0x"):
            return sign * int(raw[2:], 16)
        if raw.startswith("0o"):
            return sign * int(raw[2:], 8)
        if ":" in raw:  # sexagesimal 1:30 -> 90
            total = 0
            for part in raw.split(":"):
                total = total * 60 + int(part)
            return sign * total
        if len(raw) > 1 and raw.startswith("0"):
            return sign * int(raw, 8)
        return sign * int(raw)
    except ValueError:
        return _INVALID


def _float(text: str) -> Any:
    raw = text.replace("_", "").lower()
    if raw in (".inf", "+.inf"):
        return math.inf
    if raw == "-.inf":
        return -math.inf
    if raw == ".nan":
        return math.nan
    try:
        if ":" in raw:
            sign = -1.0 if raw.startswith("-") else 1.0
            total = 0.0
            for part in raw.lstrip("+-").split(":"):
                total = total * 60 + float(part)
            return sign * total
        return float(raw)
    except ValueError:
        return _INVALID


def _tag(node: Any) -> str:
    tag = node.tag
    return str(getattr(tag, "value", tag) or "")


def _outer(children: Any, fallback: Span) -> Span:
    """A collection spans its first child to its last (the composer's own end mark points at the
    next token, often on a later line)."""
    children = list(children)
    if not children:
        return fallback
    first, last = children[0], children[-1]
    start = first.key_span if isinstance(first, YEntry) else first.span
    end = (last.value.span if isinstance(last, YEntry) else last.span)
    return Span(start.line, start.column, end.end_line, end.end_column)
