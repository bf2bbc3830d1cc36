"""Typed msgspec JSON for the cache's entries (the facts' ``msgspec.Struct`` records, a registry
verdict's ``bool``): fast and exact.

A warm run decodes every file's facts, so the decoder is msgspec's compiled, typed
``msgspec.json.Decoder`` (built once per root type): it rebuilds values only from the declared
types and rejects data of another shape (``msgspec.ValidationError``), so an entry can never
choose a class. The facts Structs are ``array_like``: a record is the list of its fields.

Three kinds of field need help to come back exactly:

- :data:`~cursus_core.literal_value.LiteralValue` fields (literal defaults and values) may hold
  tuples, sets, bytes, nested dicts...; plain JSON would give lists and strings back. They are
  written as :func:`cursus_core.datacodec.encode_literal`'s tagged form (the encoder rewrites
  just the records that hold one, found from the type hints) and decoded by the hook.
- ``Counter[str]`` is written as a JSON object and rebuilt (keys str, counts int) by the hook.
- ``Path`` is written as text and rebuilt from text.

A generic record (``Val[LiteralValue]``) is rewritten like a plain one, its type parameters bound
to the arguments given.

Anything else the decoder does not know is an error, so a value that would not come back
exactly is not cached (encoding raises) rather than cached wrong.
"""

from __future__ import annotations

import types
import typing
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any

import msgspec

from cursus_core.datacodec import decode_literal, encode_literal, type_key
from cursus_core.literal_value import LiteralValue

__all__ = ["StructCodec"]

_Prep = Callable[[Any], Any]


class StructCodec:
    """Encoder/decoder of one root type (a Struct record or a plain type) to/from JSON bytes, exact
    both ways."""

    def __init__(self, root: type) -> None:
        self.root = root
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(root, dec_hook=_dec_hook)
        self._encoder = msgspec.json.Encoder(enc_hook=_enc_hook)
        self._preps: dict[Any, _Prep | None] = {}

    def encode(self, value: Any) -> bytes:
        """JSON bytes; raises (TypeError, ValueError) for a value that would not come back exactly."""
        if type(value) is not self.root:
            raise TypeError(f"expected {self.root.__qualname__}, got {type(value).__name__}")
        # the rewrite is planned at the first encode: a warm run only decodes (reading every
        # record's type hints again costs as much as decoding a tree's facts)
        prep = self._prep_of(self.root)
        return self._encoder.encode(prep(value) if prep is not None else value)

    def decode(self, data: bytes | str) -> Any:
        """The value; raises ``msgspec.DecodeError``/``ValidationError`` for data of the wrong shape."""
        return self._decoder.decode(data)

    # -- the encoder's rewrite of LiteralValue fields into their tagged form ---------------------

    def _prep_of(self, tp: Any) -> _Prep | None:
        """A function giving the value of ``tp`` with every LiteralValue inside tagged, or None when
        ``tp`` holds no LiteralValue (the value is encoded as it is)."""
        key = type_key(tp)
        if key in self._preps:
            return self._preps[key]
        if tp is LiteralValue:
            self._preps[key] = encode_literal
            return encode_literal
        if tp is Any:
            raise TypeError("an Any field would not come back exactly: declare it LiteralValue")
        if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
            return self._record_prep(key, tp, typing.get_type_hints(tp))
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is None:
            self._preps[key] = None
            return None
        if isinstance(origin, type) and issubclass(origin, msgspec.Struct):  # a generic record: Val[LiteralValue]
            bound = dict(zip(getattr(origin, "__parameters__", ()), args, strict=True))
            hints = {name: _bind(hint, bound) for name, hint in typing.get_type_hints(origin).items()}
            return self._record_prep(key, origin, hints)
        inner = [self._prep_of(a) for a in args if a is not Ellipsis and a is not type(None)]
        if all(p is None for p in inner):
            self._preps[key] = None
            return None
        prep: _Prep
        if origin in (typing.Union, types.UnionType):
            if len([a for a in args if a is not type(None)]) != 1:
                raise TypeError(f"a union of several types holding literals is not supported: {tp!r}")
            prep = _optional(_given(inner[0]))
        elif origin in (tuple, list, set, frozenset) and (origin is not tuple or args[-1] is Ellipsis):
            prep = _items(_given(inner[0]))  # a list, also for sets: a tagged literal (a list) is unhashable
        elif origin is tuple:
            prep = _fixed([self._prep_of(a) or _same for a in args])
        elif origin is dict and self._prep_of(args[0]) is None:
            prep = _values(_given(self._prep_of(args[1])))
        else:
            raise TypeError(f"unsupported type holding literals: {tp!r}")
        self._preps[key] = prep
        return prep


    def _record_prep(self, key: Any, cls: type[msgspec.Struct], hints: dict[str, Any]) -> _Prep | None:
        self._preps[key] = None  # a recursive record holds literals only through other fields
        preps = [(name, p) for name in cls.__struct_fields__ if (p := self._prep_of(hints[name])) is not None]
        if not preps:
            return None
        replace = msgspec.structs.replace

        def prep_record(value: Any) -> Any:
            return replace(value, **{name: p(getattr(value, name)) for name, p in preps})

        self._preps[key] = prep_record
        return prep_record


def _bind(hint: Any, bound: dict[Any, Any]) -> Any:
    """``hint`` of a generic record with its type parameters replaced by the arguments given."""
    if isinstance(hint, typing.TypeVar):
        return bound.get(hint, hint)
    params = getattr(hint, "__parameters__", ())
    return hint[tuple(bound.get(p, p) for p in params)] if params else hint


def _same(value: Any) -> Any:
    return value


def _given(prep: _Prep | None) -> _Prep:
    if prep is None:
        raise TypeError("no literal inside")  # unreachable: callers check that one is
    return prep


def _optional(item: _Prep) -> _Prep:
    return lambda value: None if value is None else item(value)


def _items(item: _Prep) -> _Prep:
    return lambda value: [item(v) for v in value]


def _fixed(parts: list[_Prep]) -> _Prep:
    return lambda value: [p(v) for p, v in zip(parts, value, strict=True)]


def _values(item: _Prep) -> _Prep:
    return lambda value: {k: item(v) for k, v in value.items()}


def _enc_hook(value: Any) -> Any:
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"not cacheable: {type(value).__name__}")


#: decoded paths by their text: one file's facts, summary and parse verdict each carry its path, so a
#: warm run built each Path two or three times (Paths are immutable, so sharing one is safe)
_PATHS: dict[str, Path] = {}
_PATHS_SIZE = 8192


def _path(text: str) -> Path:
    hit = _PATHS.get(text)
    if hit is None:
        if len(_PATHS) >= _PATHS_SIZE:
            _PATHS.clear()
        hit = _PATHS[text] = Path(text)
    return hit


def _dec_hook(tp: Any, data: Any) -> Any:
    """Rebuild the types msgspec does not know; a TypeError/ValueError becomes a ValidationError."""
    if tp is LiteralValue:
        return decode_literal(data)  # a CodecError is a ValueError
    if tp is Path or tp is PurePath:
        if type(data) is not str:
            raise TypeError("expected a path string")
        return _path(data) if tp is Path else tp(data)
    if typing.get_origin(tp) is Counter and typing.get_args(tp) in ((str,), ()):
        if type(data) is not dict or not all(type(k) is str and type(v) is int for k, v in data.items()):
            raise TypeError("expected counts by name")
        return Counter(data)
    raise TypeError(f"unsupported type {tp!r}")
