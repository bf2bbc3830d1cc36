"""Data-only tagging of Python literal values, for the facts cache (:mod:`cursus_core.structcodec`).

The facts cache must never run code when it reads an entry (pickle does: whoever can write the
cache directory could run anything on the next ``check``). The records themselves are rebuilt
from their declared types by msgspec; what their ``LiteralValue`` fields hold (a default, a
contract value: tuples, sets, bytes, nested dicts...) has no declared type, so it is written as
JSON data tagged with its exact type (``["T", [["I", 1], ["S", "a"]]]`` for ``(1, "a")``) and
rebuilt only from those tags: nothing in an entry can choose a class. Data of the wrong shape
raises :class:`CodecError`, never builds something else.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["CodecError", "decode_literal", "encode_literal", "type_key"]


class CodecError(ValueError):
    """A value that is not a literal (encoding) or data of the wrong shape (decoding)."""


def type_key(tp: Any) -> Any:
    """A dictionary key for a type hint (an unhashable hint is keyed by identity)."""
    return tp if _hashable(tp) else ("id", id(tp))


def _hashable(tp: Any) -> bool:
    try:
        hash(tp)
    except TypeError:
        return False
    return True


# ---------------------------------------------------------------------------- Any: literal values

_ANY_CONTAINERS: dict[type, str] = {tuple: "T", list: "L", set: "Z", frozenset: "Q"}
_ANY_FROM_TAG: dict[str, type] = {tag: cls for cls, tag in _ANY_CONTAINERS.items()}
_NON_FINITE = frozenset({"inf", "-inf", "nan"})


def _enc_any(value: Any) -> Any:
    """A literal value (what ``cursus_core.literals`` can produce), tagged with its exact type."""
    kind = type(value)
    if value is None:
        return ["N"]
    if value is Ellipsis:
        return ["E"]
    if kind is bool:
        return ["B", value]
    if kind is int:
        return ["I", value]
    if kind is float:
        # inf/nan as text: strict JSON encoders (msgspec) would write them as null
        return ["F", value if math.isfinite(value) else repr(value)]
    if kind is complex:
        return ["C", value.real, value.imag]
    if kind is str:
        return ["S", value]
    if kind is bytes:  # rare in step code: base64 (and struct, binascii) is imported for it
        import base64

        return ["Y", base64.b64encode(value).decode("ascii")]
    if kind in _ANY_CONTAINERS:
        return [_ANY_CONTAINERS[kind], [_enc_any(v) for v in value]]
    if kind is dict:
        return ["D", [[_enc_any(k), _enc_any(v)] for k, v in value.items()]]
    raise CodecError(f"not a literal value: {kind.__name__}")


def _dec_any(data: Any) -> Any:
    if type(data) is not list or not data or type(data[0]) is not str:
        raise CodecError("expected a tagged literal")
    tag, rest = data[0], data[1:]
    if tag == "N" and not rest:
        return None
    if tag == "E" and not rest:
        return Ellipsis
    if len(rest) == 1:
        (v,) = rest
        if tag == "F" and type(v) is str:
            if v not in _NON_FINITE:
                raise CodecError("expected a float")
            return float(v)
        for want, cls in (("B", bool), ("I", int), ("F", float), ("S", str)):
            if tag == want:
                if type(v) is not cls:
                    raise CodecError(f"expected {cls.__name__}")
                return v
        if tag == "Y":
            return _dec_bytes(v)
        if tag in _ANY_FROM_TAG and type(v) is list:
            return _ANY_FROM_TAG[tag](_dec_any(item) for item in v)
        if tag == "D" and type(v) is list:
            out: dict[Any, Any] = {}
            for pair in v:
                if type(pair) is not list or len(pair) != 2:
                    raise CodecError("expected key/value pairs")
                out[_dec_any(pair[0])] = _dec_any(pair[1])
            return out
    if tag == "C" and len(rest) == 2 and all(type(x) is float for x in rest):
        return complex(rest[0], rest[1])
    raise CodecError(f"bad literal tag {tag!r}")


def _dec_bytes(data: Any) -> bytes:
    if type(data) is not str:
        raise CodecError("expected base64 text")
    import base64

    try:
        return base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise CodecError("invalid base64") from exc


def encode_literal(value: Any) -> Any:
    """A literal value as JSON data tagged with its exact type (:class:`CodecError` if not a literal)."""
    return _enc_any(value)


def decode_literal(data: Any) -> Any:
    """The literal value :func:`encode_literal` wrote; :class:`CodecError` for anything else."""
    return _dec_any(data)
