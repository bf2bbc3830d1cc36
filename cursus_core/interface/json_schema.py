"""Generate the published JSON Schema (draft-07, what yaml-language-server reads) from the schema.

Objects are closed (``additionalProperties: false``) so editors flag unknown keys; dead keys are
forbidden with their reason in the description; deprecated keys stay valid and carry
``deprecationMessage`` (VS Code and yaml-language-server show it; validators ignore it).
"""

from __future__ import annotations

import json
from typing import Any

from .schema import STEP_INTERFACE, Key, ListOf, MapOf, Obj, Scalar, Type

SCHEMA_ID = "https://cursus-lint.invalid/schemas/step-interface.json"


def step_interface_schema() -> dict[str, Any]:
    """The JSON Schema of a ``.step.yaml`` as a dict."""
    defs: dict[str, Any] = {}
    root = _object(STEP_INTERFACE, defs)
    root.update({"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_ID,
                 "title": "cursus step interface (.step.yaml)", "definitions": defs})
    return root


def step_interface_schema_text() -> str:
    """Stable text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(step_interface_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _object(obj: Obj, defs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "additionalProperties": False,
                           "properties": {key.name: _key(key, defs) for key in obj.keys}}
    required = sorted(key.name for key in obj.keys if key.required)
    if required:
        out["required"] = required
    if obj.doc:
        out["description"] = obj.doc
    return out


def _ref(obj: Obj, defs: dict[str, Any]) -> dict[str, Any]:
    if obj.name not in defs:
        defs[obj.name] = {}  # reserve first: the definitions are a tree, but stay safe
        defs[obj.name] = _object(obj, defs)
    return {"$ref": f"#/definitions/{obj.name}"}


def _key(key: Key, defs: dict[str, Any]) -> dict[str, Any]:
    if key.status == "dead":
        return {"not": {}, "description": f"Never read by cursus: {key.doc}"}
    out = _type(key.type, defs, key.nullable)
    if key.doc:
        out = {**out, "description": key.doc} if "$ref" not in out else {"allOf": [out], "description": key.doc}
    if key.default is not None and "$ref" not in out and "allOf" not in out:
        out["default"] = key.default
    if key.status == "deprecated":
        out["deprecationMessage"] = f"Deprecated: use {key.instead}."
    return out


def _type(t: Type, defs: dict[str, Any], nullable: bool = False) -> dict[str, Any]:
    if isinstance(t, Obj):
        ref = _ref(t, defs)
        return {"anyOf": [ref, {"type": "null"}]} if nullable else ref
    if isinstance(t, MapOf):
        out: dict[str, Any] = {"type": "object", "additionalProperties": _type(t.value, defs)}
    elif isinstance(t, ListOf):
        out = {"type": "array", "items": _type(t.item, defs)}
    else:
        out = _scalar(t)
    if nullable:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _scalar(t: Scalar) -> dict[str, Any]:
    out: dict[str, Any] = {"type": t.kind}
    if t.enum:
        out["enum"] = list(t.enum)
    pattern = ""
    if t.prefixes:
        pattern = "^(" + "|".join(_escape(p) for p in t.prefixes) + ")"
    if t.suffix:
        pattern = (pattern or "") + ("[\\s\\S]*" if pattern else "") + _escape(t.suffix) + "$"
    if pattern:
        out["pattern"] = pattern
    return out


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in ".^$*+?()[]{}|\\" else ch for ch in text)
