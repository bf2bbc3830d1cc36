"""Check a located YAML tree against the schema; every problem points at its key or value.

Unknown keys get a did-you-mean from the keys allowed *at that level* (``requried`` ->
``required``, ``direct_input_key`` -> ``direct_input_keys``); wrong types, bad enum values,
path prefixes and missing required keys are reported where they were (or should have been)
written. Deprecated keys are warnings; dead keys (never read upstream) are errors.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .nodes import YMap, YNode, YScalar, YSeq, describe, is_null
from .schema import STEP_INTERFACE, Key, ListOf, MapOf, Obj, Scalar, Type, type_name
from .span import Problem, Span

#: Kinds the JSON Schema also rejects; ``deprecated-key`` is advice only.
SCHEMA_ERROR_KINDS = frozenset({"unknown-key", "dead-key", "wrong-type", "invalid-enum", "missing-key",
                                "bad-path-prefix", "bad-entry-point"})


def validate_tree(root: YMap, path: Path, schema: Obj = STEP_INTERFACE) -> list[Problem]:
    """All schema problems of one interface document, in document order."""
    checker = _Checker(Path(path))
    checker.obj(root, schema, (), Span.point(), owner_span=None)
    return checker.problems


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The closest allowed spelling, or None when nothing is close (difflib ratio >= 0.6)."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _where(key_path: tuple[str, ...]) -> str:
    return ".".join(key_path) if key_path else "the top level"


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, kind: str, message: str, span: Span, key_path: tuple[str, ...], *, severity: str = "error",
            suggestion: str | None = None) -> None:
        self.problems.append(Problem(kind, message, self.path, span, severity, key_path,  # type: ignore[arg-type]
                                     suggestion))

    # ------------------------------------------------------------------ dispatch

    def check(self, node: YNode, t: Type, key_path: tuple[str, ...], key_span: Span | None,
              nullable: bool = False) -> None:
        if is_null(node):
            if not nullable:
                self.add("wrong-type", f"{_where(key_path)} must be {type_name(t)}, not null", node.span, key_path)
            return
        if isinstance(t, Obj):
            self.obj(node, t, key_path, node.span, key_span)
        elif isinstance(t, MapOf):
            self.mapping(node, t, key_path)
        elif isinstance(t, ListOf):
            self.sequence(node, t, key_path)
        else:
            self.scalar(node, t, key_path)

    def obj(self, node: YNode, t: Obj, key_path: tuple[str, ...], span: Span, owner_span: Span | None) -> None:
        if not isinstance(node, YMap):
            self.add("wrong-type", f"{_where(key_path)} must be a mapping, found {describe(node)}", node.span,
                     key_path)
            return
        for entry in node.entries:
            here = key_path + (entry.key,)
            key = t.key(entry.key)
            if key is None:
                self.unknown(entry.key, entry.key_span, here, t)
                continue
            if key.status == "dead":
                self.add("dead-key", f"'{_where(here)}' is never read by cursus"
                         + (f"; {key.instead}" if key.instead.startswith("nothing") else
                            f"; use {key.instead}" if key.instead else "")
                         , entry.key_span, here)
                continue
            if key.status == "deprecated":
                self.add("deprecated-key", f"'{_where(here)}' is deprecated; use {key.instead}", entry.key_span,
                         here, severity="warning")
            self.check(entry.value, key.type, here, entry.key_span, key.nullable)
        present = set(node.keys())
        for key in t.keys:
            if key.required and key.name not in present:
                where = owner_span or Span(node.span.line, node.span.column, node.span.line, node.span.column)
                self.add("missing-key", f"{_where(key_path + (key.name,))} is required but missing"
                         + (f" in {_where(key_path)}" if key_path else ""), where, key_path + (key.name,))

    def unknown(self, name: str, span: Span, here: tuple[str, ...], t: Obj) -> None:
        allowed = tuple(k.name for k in t.keys if k.status != "dead")
        guess = did_you_mean(name, allowed)
        hint = f" (did you mean '{guess}'?)" if guess else f"; allowed: {', '.join(allowed)}"
        parent = _where(here[:-1])
        self.add("unknown-key", f"unknown key '{name}' in {parent}{hint}; cursus ignores it silently", span, here,
                 suggestion=guess)

    def mapping(self, node: YNode, t: MapOf, key_path: tuple[str, ...]) -> None:
        if not isinstance(node, YMap):
            self.add("wrong-type", f"{_where(key_path)} must be a mapping of {t.key_doc} to "
                     f"{type_name(t.value)[2:] if type_name(t.value).startswith('a ') else type_name(t.value)}, "
                     f"found {describe(node)}", node.span, key_path)
            return
        for entry in node.entries:
            self.check(entry.value, t.value, key_path + (entry.key,), entry.key_span)

    def sequence(self, node: YNode, t: ListOf, key_path: tuple[str, ...]) -> None:
        if not isinstance(node, YSeq):
            self.add("wrong-type", f"{_where(key_path)} must be a list, found {describe(node)}", node.span, key_path)
            return
        for index, item in enumerate(node.items):
            self.check(item, t.item, key_path + (f"[{index}]",), None)

    def scalar(self, node: YNode, t: Scalar, key_path: tuple[str, ...]) -> None:
        want = type_name(t)
        if not isinstance(node, YScalar) or (t.kind == "boolean") != (node.tag == "bool") or \
                (t.kind == "string" and node.tag != "str"):
            hint = " (quote it)" if t.kind == "string" and isinstance(node, YScalar) else ""
            self.add("wrong-type", f"{_where(key_path)} must be {want}, found {describe(node)}{hint}", node.span,
                     key_path)
            return
        value = node.value
        if t.enum and value not in t.enum:
            guess = did_you_mean(str(value), t.enum)
            hint = f" (did you mean '{guess}'?)" if guess else ""
            self.add("invalid-enum", f"{_where(key_path)} is '{value}', not one of: {', '.join(t.enum)}{hint}",
                     node.span, key_path, suggestion=guess)
        if t.prefixes and not any(str(value).startswith(p) for p in t.prefixes):
            self.add("bad-path-prefix", f"{_where(key_path)} '{value}' does not start with a SageMaker container "
                     f"path ({', '.join(t.prefixes)})", node.span, key_path)
        if t.suffix and not str(value).endswith(t.suffix):
            self.add("bad-entry-point", f"{_where(key_path)} '{value}' must name a {t.suffix} file", node.span,
                     key_path)


def key_of(key_path: tuple[str, ...], schema: Obj = STEP_INTERFACE) -> Key | None:
    """The schema key a concrete key path lands on (free keys and list indexes skipped)."""
    t: Type = schema
    found: Key | None = None
    for part in key_path:
        while isinstance(t, (MapOf, ListOf)):
            t = t.value if isinstance(t, MapOf) else t.item
            if part.startswith("[") or not isinstance(t, Obj):
                break
        if part.startswith("["):
            continue
        if isinstance(t, Obj):
            found = t.key(part)
            if found is None:
                return None
            t = found.type
        elif isinstance(t, (MapOf, ListOf)):
            continue
    return found
