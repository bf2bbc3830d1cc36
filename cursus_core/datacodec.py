"""A typed, data-only codec: trees of records <-> JSON values, driven by the type hints.

The facts cache must never run code when it reads an entry (pickle does: whoever can write the
cache directory could run anything on the next ``check``). This codec writes only JSON data and
rebuilds values from the *declared* types, walking record fields recursively, so nothing in
an entry can choose which class gets built. A record is a dataclass or a ``msgspec.Struct``
(the facts are Structs: cheaper to create at import, issue 13); both are handled alike. It
discovers the records from the root type's hints (``typing.get_type_hints``), not from a
registry of names, so classes may move between modules freely.

A record is written as the list of its field values in ``__init__``'s positional order (the
names are in the type, not repeated in every entry): smaller to store and quicker to parse and
rebuild.

Supported: records whose fields are all positional, ``None``, ``bool``/``int``/``float``/``str``/
``bytes``, ``Path``, enums (by member name), ``X | Y`` / ``Optional``, ``tuple[X, ...]`` and
fixed tuples, ``list``/``set``/``frozenset``, ``dict`` (as key/value pairs, so keys need not be
strings), ``Counter`` and ``Any`` (literal values, tagged with their type). Types are checked
exactly both ways: decoding input of the wrong shape raises :class:`CodecError`, never builds
something else.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import types
import typing
from collections import Counter
from pathlib import Path, PurePath
from typing import Any, cast
from collections.abc import Callable

import msgspec

__all__ = ["Codec", "CodecError"]

_SCALARS = (bool, int, float, str)


class CodecError(ValueError):
    """A value that does not fit its declared type (encoding) or data of the wrong shape (decoding)."""


class Codec:
    """Encoder/decoder for values of one root type (``Codec(FileFacts)``)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._fields: dict[type, tuple[tuple[str, Any], ...]] = {}
        self._encoders: dict[Any, Callable[[Any], Any]] = {}
        self._decoders: dict[Any, Callable[[Any], Any]] = {}
        self._walk_types(root, set())  # fail early on a hint the codec cannot handle

    # ------------------------------------------------------------------ schema

    def _record_fields(self, cls: type) -> tuple[tuple[str, Any], ...]:
        """``(name, type hint)`` of each field of a dataclass or Struct, in ``__init__``'s order."""
        known = self._fields.get(cls)
        if known is None:
            hints = typing.get_type_hints(cls)
            # entries are positional: field order is the schema, so every field must be positional
            if issubclass(cls, msgspec.Struct):
                names = cls.__struct_fields__
                positional = getattr(cls, "__match_args__", None) == names  # kw_only fields are not in it
            else:
                fields = dataclasses.fields(cast(Any, cls))
                names = tuple(f.name for f in fields)
                positional = all(f.init and not f.kw_only for f in fields)
            if not positional:
                raise CodecError(f"{cls.__qualname__} has fields outside __init__'s positional parameters")
            known = self._fields[cls] = tuple((name, hints[name]) for name in names)
        return known

    def _walk_types(self, tp: Any, seen: set[Any]) -> None:
        if _hashable(tp):
            if tp in seen:
                return
            seen.add(tp)
        if _is_record_type(tp):
            for _, hint in self._record_fields(tp):
                self._walk_types(hint, seen)
            return
        origin = typing.get_origin(tp)
        if origin is None:
            if tp is Any or tp is type(None) or tp is None or tp in _SCALARS or tp is bytes \
                    or tp in (Path, PurePath) or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
                return
            raise CodecError(f"unsupported type {tp!r}")
        if origin not in (typing.Union, types.UnionType, tuple, list, set, frozenset, dict, Counter):
            raise CodecError(f"unsupported type {tp!r}")
        for arg in typing.get_args(tp):
            if arg is not Ellipsis:
                self._walk_types(arg, seen)

    # ------------------------------------------------------------------ encode

    def encode(self, value: Any) -> Any:
        return self._encoder(self.root)(value)

    def _enc(self, value: Any, tp: Any) -> Any:
        return self._encoder(tp)(value)

    def _encoder(self, tp: Any) -> Callable[[Any], Any]:
        """The encoder of ``tp``, built once per codec: the type is inspected when the closure is
        made, not for every value (a warm cache decodes ~10k records per run)."""
        key = _type_key(tp)
        fn = self._encoders.get(key)
        if fn is None:
            fn = self._encoders[key] = self._make_encoder(tp)
        return fn

    def _make_encoder(self, tp: Any) -> Callable[[Any], Any]:
        if tp is Any:
            return _enc_any
        if _is_record_type(tp):
            cls = tp
            fields = self._record_fields(cls)
            encs: list[tuple[str, Callable[[Any], Any]]] = []

            def enc_record(value: Any) -> Any:
                if type(value) is not cls:
                    raise CodecError(f"expected {cls.__qualname__}, got {type(value).__name__}")
                if len(encs) != len(fields):  # resolved on first use: records may be recursive
                    encs[:] = [(name, self._encoder(hint)) for name, hint in fields]
                return [enc(getattr(value, name)) for name, enc in encs]

            return enc_record
        if tp in _SCALARS:
            scalar = tp

            def enc_scalar(value: Any) -> Any:
                if type(value) is not scalar:
                    raise CodecError(f"expected {scalar.__name__}, got {type(value).__name__}")
                return value

            return enc_scalar
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (list, set, frozenset) and origin is not None:
            container = origin
            item_enc = self._encoder(args[0] if args else Any)

            def enc_collection(value: Any) -> Any:
                if type(value) is not container:
                    raise CodecError(f"expected a {container.__name__}, got {type(value).__name__}")
                return [item_enc(v) for v in value]

            return enc_collection
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = self._encoder(args[0])

            def enc_tuple(value: Any) -> Any:
                if type(value) is not tuple:
                    raise CodecError(f"expected a tuple, got {type(value).__name__}")
                return [item(v) for v in value]

            return enc_tuple
        if origin in (typing.Union, types.UnionType):
            real = [a for a in args if a is not type(None)]
            if len(real) == 1 and len(real) < len(args):
                inner = self._encoder(real[0])
                return lambda value: None if value is None else inner(value)
        return lambda value: self._enc_slow(value, tp)

    def _enc_slow(self, value: Any, tp: Any) -> Any:
        if tp is Any:
            return _enc_any(value)
        if tp is None or tp is type(None):
            if value is not None:
                raise CodecError(f"expected None, got {type(value).__name__}")
            return None
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            return self._enc_union(value, typing.get_args(tp))
        if origin is None:
            if _is_record_type(tp):
                if type(value) is not tp:
                    raise CodecError(f"expected {tp.__qualname__}, got {type(value).__name__}")
                return [self._enc(getattr(value, name), hint) for name, hint in self._record_fields(tp)]
            if tp in _SCALARS or tp is bytes:
                if type(value) is not tp:
                    raise CodecError(f"expected {tp.__name__}, got {type(value).__name__}")
                return base64.b64encode(value).decode("ascii") if tp is bytes else value
            if tp in (Path, PurePath):
                if not isinstance(value, PurePath):
                    raise CodecError(f"expected a path, got {type(value).__name__}")
                return str(value)
            if isinstance(tp, type) and issubclass(tp, enum.Enum):
                if type(value) is not tp:
                    raise CodecError(f"expected {tp.__name__}, got {type(value).__name__}")
                return value.name
            raise CodecError(f"unsupported type {tp!r}")
        args = typing.get_args(tp)
        if origin is tuple:
            if type(value) is not tuple:
                raise CodecError(f"expected a tuple, got {type(value).__name__}")
            if len(args) == 2 and args[1] is Ellipsis:
                return [self._enc(v, args[0]) for v in value]
            if len(args) != len(value):
                raise CodecError(f"expected a tuple of {len(args)}, got {len(value)}")
            return [self._enc(v, a) for v, a in zip(value, args, strict=True)]
        if origin in (list, set, frozenset):
            if type(value) is not origin:
                raise CodecError(f"expected a {origin.__name__}, got {type(value).__name__}")
            return [self._enc(v, args[0] if args else Any) for v in value]
        if origin in (dict, Counter):
            if type(value) is not origin:
                raise CodecError(f"expected a {origin.__name__}, got {type(value).__name__}")
            key_tp = args[0] if args else Any
            value_tp = int if origin is Counter else (args[1] if len(args) > 1 else Any)
            return [[self._enc(k, key_tp), self._enc(v, value_tp)] for k, v in value.items()]
        raise CodecError(f"unsupported type {tp!r}")

    def _enc_union(self, value: Any, alts: tuple[Any, ...]) -> Any:
        real = [a for a in alts if a is not type(None)]
        if value is None and len(real) < len(alts):
            return None
        if len(real) == 1:
            return self._enc(value, real[0])
        for i, alt in enumerate(real):  # several alternatives: say which one was taken
            try:
                return [i, self._enc(value, alt)]
            except CodecError:
                continue
        raise CodecError(f"{type(value).__name__} fits none of {alts!r}")

    # ------------------------------------------------------------------ decode

    def decode(self, data: Any) -> Any:
        return self._decoder(self.root)(data)

    def _dec(self, data: Any, tp: Any) -> Any:
        return self._decoder(tp)(data)

    def _decoder(self, tp: Any) -> Callable[[Any], Any]:
        """The decoder of ``tp``, built once per codec (see :meth:`_encoder`)."""
        key = _type_key(tp)
        fn = self._decoders.get(key)
        if fn is None:
            if _is_record_type(tp):
                # a recursive record meets this stand-in while its own decoder is being made
                made: list[Callable[[Any], Any]] = []
                self._decoders[key] = lambda data: made[0](data)
                fn = self._record_decoder(tp)
                made.append(fn)
            else:
                fn = self._make_decoder(tp)
            self._decoders[key] = fn
        return fn

    def _record_decoder(self, cls: type) -> Callable[[Any], Any]:
        """The decoder of ``cls``: checks the scalar fields in place and calls the decoders of
        the others only (a warm run rebuilds ~10k records; a call per field doubled that)."""
        fields = self._record_fields(cls)
        count = len(fields)
        msg = f"expected the {count} fields of {cls.__qualname__}"
        exact: list[tuple[int, type]] = []
        optional: list[tuple[int, type]] = []
        nested: list[tuple[int, Callable[[Any], Any]]] = []
        for i, (_, hint) in enumerate(fields):
            scalar, maybe_none = _scalar_of(hint)
            if scalar is None:
                nested.append((i, self._decoder(hint)))
            else:
                (optional if maybe_none else exact).append((i, scalar))

        def dec_record(data: Any) -> Any:
            if type(data) is not list or len(data) != count:
                raise CodecError(msg)
            for i, want in exact:
                if type(data[i]) is not want:
                    raise CodecError(msg)
            for i, want in optional:
                v = data[i]
                if v is not None and type(v) is not want:
                    raise CodecError(msg)
            if not nested:
                return cls(*data)
            args = data.copy()
            for i, dec in nested:
                args[i] = dec(args[i])
            return cls(*args)

        return dec_record

    def _make_decoder(self, tp: Any) -> Callable[[Any], Any]:
        if tp is Any:
            return _dec_any
        if tp in _SCALARS:
            scalar = tp

            def dec_scalar(data: Any) -> Any:
                if type(data) is not scalar:
                    raise CodecError(f"expected {scalar.__name__}")
                return data

            return dec_scalar
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (list, set, frozenset) and origin is not None:
            container = origin
            item_dec = self._decoder(args[0] if args else Any)

            def dec_collection(data: Any) -> Any:
                if type(data) is not list:
                    raise CodecError(f"expected a list for {tp!r}")
                return container(item_dec(v) for v in data)

            return dec_collection
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            if args[0] in _SCALARS:
                want = args[0]

                def dec_scalar_tuple(data: Any) -> Any:
                    if type(data) is not list:
                        raise CodecError(f"expected a list for {tp!r}")
                    for v in data:
                        if type(v) is not want:
                            raise CodecError(f"expected {want.__name__} items")
                    return tuple(data)

                return dec_scalar_tuple
            item = self._decoder(args[0])

            def dec_tuple(data: Any) -> Any:
                if type(data) is not list:
                    raise CodecError(f"expected a list for {tp!r}")
                return tuple([item(v) for v in data])

            return dec_tuple
        if origin in (dict, Counter) and origin is not None:
            mapping = origin
            key_dec = self._decoder(args[0] if args else Any)
            value_dec = self._decoder(int if origin is Counter else (args[1] if len(args) > 1 else Any))

            def dec_mapping(data: Any) -> Any:
                if type(data) is not list:
                    raise CodecError(f"expected a list for {tp!r}")
                out = mapping()
                for pair in data:
                    if type(pair) is not list or len(pair) != 2:
                        raise CodecError("expected key/value pairs")
                    out[key_dec(pair[0])] = value_dec(pair[1])
                return out

            return dec_mapping
        if origin in (typing.Union, types.UnionType):
            real = [a for a in args if a is not type(None)]
            optional = len(real) < len(args)
            if len(real) == 1 and optional:
                inner = self._decoder(real[0])
                return lambda data: None if data is None else inner(data)
            alts = [self._decoder(a) for a in real]

            def dec_union(data: Any) -> Any:
                if data is None and optional:
                    return None
                if not (type(data) is list and len(data) == 2 and type(data[0]) is int and 0 <= data[0] < len(alts)):
                    raise CodecError("expected a tagged union value")
                return alts[data[0]](data[1])

            return dec_union
        return lambda data: self._dec_slow(data, tp)

    def _dec_slow(self, data: Any, tp: Any) -> Any:
        if tp is Any:
            return _dec_any(data)
        if tp is None or tp is type(None):
            if data is not None:
                raise CodecError("expected null")
            return None
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            alts = typing.get_args(tp)
            real = [a for a in alts if a is not type(None)]
            if data is None and len(real) < len(alts):
                return None
            if len(real) == 1:
                return self._dec(data, real[0])
            if not (isinstance(data, list) and len(data) == 2 and type(data[0]) is int and 0 <= data[0] < len(real)):
                raise CodecError("expected a tagged union value")
            return self._dec(data[1], real[data[0]])
        if origin is None:
            if _is_record_type(tp):
                fields = self._record_fields(tp)
                if type(data) is not list or len(data) != len(fields):
                    raise CodecError(f"expected the fields of {tp.__qualname__}")
                return tp(*[self._dec(v, hint) for v, (_, hint) in zip(data, fields, strict=True)])
            if tp is bytes:
                if type(data) is not str:
                    raise CodecError("expected base64 text")
                try:
                    return base64.b64decode(data.encode("ascii"), validate=True)
                except (ValueError, UnicodeEncodeError) as exc:
                    raise CodecError("invalid base64") from exc
            if tp in _SCALARS:
                if type(data) is not tp:
                    raise CodecError(f"expected {tp.__name__}")
                return data
            if tp in (Path, PurePath):
                if type(data) is not str:
                    raise CodecError("expected a path string")
                return tp(data)
            if isinstance(tp, type) and issubclass(tp, enum.Enum):
                if type(data) is not str or data not in tp.__members__:
                    raise CodecError(f"expected a member of {tp.__name__}")
                return tp[data]
            raise CodecError(f"unsupported type {tp!r}")
        args = typing.get_args(tp)
        if type(data) is not list:
            raise CodecError(f"expected a list for {tp!r}")
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(self._dec(v, args[0]) for v in data)
            if len(args) != len(data):
                raise CodecError(f"expected {len(args)} items")
            return tuple(self._dec(v, a) for v, a in zip(data, args, strict=True))
        if origin in (list, set, frozenset):
            return origin(self._dec(v, args[0] if args else Any) for v in data)
        if origin in (dict, Counter):
            key_tp = args[0] if args else Any
            value_tp = int if origin is Counter else (args[1] if len(args) > 1 else Any)
            out = origin()
            for pair in data:
                if type(pair) is not list or len(pair) != 2:
                    raise CodecError("expected key/value pairs")
                out[self._dec(pair[0], key_tp)] = self._dec(pair[1], value_tp)
            return out
        raise CodecError(f"unsupported type {tp!r}")


def _is_record_type(tp: Any) -> bool:
    """A dataclass or ``msgspec.Struct`` class (not a parametrised alias of one)."""
    return isinstance(tp, type) and typing.get_origin(tp) is None \
        and (issubclass(tp, msgspec.Struct) or dataclasses.is_dataclass(tp))


def _scalar_of(tp: Any) -> tuple[type | None, bool]:
    """``(str, False)`` for ``str``, ``(str, True)`` for ``str | None``; ``(None, False)`` otherwise."""
    if tp in _SCALARS:
        return tp, False
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        real = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(real) == 1 and real[0] in _SCALARS and len(real) < len(typing.get_args(tp)):
            return real[0], True
    return None, False


def _type_key(tp: Any) -> Any:
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
        return ["F", value]
    if kind is complex:
        return ["C", value.real, value.imag]
    if kind is str:
        return ["S", value]
    if kind is bytes:
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
        for want, cls in (("B", bool), ("I", int), ("F", float), ("S", str)):
            if tag == want:
                if type(v) is not cls:
                    raise CodecError(f"expected {cls.__name__}")
                return v
        if tag == "Y":
            return Codec(bytes)._dec(v, bytes)
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
