"""The facts cache's msgspec codec gives back exactly what was stored: literal values keep their
exact types (tuple, set, frozenset, bytes, bool, int, float, None, nested), ``Counter`` stays a
``Counter``, and data of the wrong shape is an error (a miss for the cache), never a wrong value."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import msgspec
import pytest

from cursus_core.cache import DiskCache
from cursus_core.catalog.scan import FileSummary, summarize
from cursus_core.literal_value import LiteralValue
from cursus_core.source import load_source
from cursus_core.structcodec import StructCodec
from cursus_lint.facts import ROLES, extract_all
from cursus_core.facts.model import (ArgDef, BuilderFacts, ConfigFacts, ContractFacts, Entry, EnvRead, FieldFacts,
                                     FileFacts, ScriptFacts, Span)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
S = Span(1, 2, 1, 5)

LITERALS: list[Any] = [
    None, True, False, 0, -7, 2**80, -(2**70), 1.5, -0.0, float("inf"), float("-inf"), 5e-324, "", "text \u00e9",
    b"", b"\x00\xff", (), (1,), [], [1, "a"], set(), {1, 2}, frozenset(), frozenset({"a", b"b"}), {}, {1: "a"},
    {("k", 2): [1.0, (None, b"x")], "nested": {"deep": ({3}, frozenset({(4,)}))}}, 1 + 2j, ...,
]


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (``1 == 1.0 == True`` and ``() != []`` aside)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return repr(a) == repr(b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (set, frozenset)):
        return len(a) == len(b) and all(any(same(x, y) for y in b) for x in a)
    if isinstance(a, dict):
        return len(a) == len(b) and all(any(same(k, j) and same(v, b[j]) for j in b) for k, v in a.items())
    return bool(a == b)


def holder(value: Any) -> FileFacts:
    """Facts with ``value`` in every LiteralValue field of the model."""
    entry = Entry(value, S, S)
    return FileFacts(
        Path("/repo/steps/x.py"), "digest", frozenset({"script", "config"}),
        script=ScriptFacts(env_reads=(EnvRead("X", S, True, "get", default=value, default_is_literal=True),),
                           arg_defs=(ArgDef("a", "--a", S, True, False, default=value, default_is_literal=True),)),
        contracts=(ContractFacts(None, None, "C", False, S, entry_point=entry, inputs={"in": entry},
                                 optional_env_vars={"E": entry}),),
        builders=(BuilderFacts("B", (), S, S, template_keys={"kind": entry}),),
        configs=(ConfigFacts("C", (), S, S, fields={"f": FieldFacts("f", "int", S, False, True, default=value)}),),
        unknown=Counter({"call": 3, "name": 1}),
    )


def literal_fields(facts: FileFacts) -> list[Any]:
    assert facts.script is not None and facts.contracts[0].entry_point is not None
    return [facts.script.env_reads[0].default, facts.script.arg_defs[0].default,
            facts.contracts[0].entry_point.value, facts.contracts[0].inputs["in"].value,
            facts.contracts[0].optional_env_vars["E"].value, facts.builders[0].template_keys["kind"].value,
            facts.configs[0].fields["f"].default]


@pytest.mark.parametrize("value", LITERALS, ids=[f"{type(v).__name__}-{i}" for i, v in enumerate(LITERALS)])
def test_every_literal_kind_round_trips_with_its_exact_type(value: Any) -> None:
    codec = StructCodec(FileFacts)
    back = codec.decode(codec.encode(holder(value)))
    assert back == holder(value)
    got = literal_fields(back)
    assert len(got) == 7 and all(same(v, value) for v in got), got
    assert type(back.unknown) is Counter and back.unknown == Counter({"call": 3, "name": 1})
    assert type(back.path) is type(Path("/x")) and type(back.roles) is frozenset


def test_the_same_survives_a_disk_cache_write_and_read(tmp_path: Path) -> None:
    value = LITERALS[-3]
    store = DiskCache(tmp_path / "c", "facts", "fp")
    store.put("k1", holder(value), FileFacts)
    assert store.flush()
    fresh = DiskCache(tmp_path / "c", "facts", "fp")
    back = fresh.get("k1", FileFacts)
    assert back is not None and all(same(v, value) for v in literal_fields(back))
    assert (fresh.hits, fresh.misses, fresh.invalid) == (1, 0, 0)


def test_entries_are_positional_json() -> None:
    """``array_like`` Structs: a record is the list of its fields, names are not repeated."""
    body = StructCodec(FileFacts).encode(FileFacts(Path("/a"), "d", frozenset(), unknown=Counter({"x": 2})))
    assert body == b'["/a","d",[],null,null,[],[],[],[],[],null,{"x":2},[]]'


@pytest.mark.parametrize("body", [
    b'["/a","d",[],null,null,[],[],[],[],[],null,{"x":true},[]]',  # a count that is a bool
    b'["/a","d",[],null,null,[],[],[],[],[],null,{"x":1.0},[]]',  # a count that is a float
    b'["/a","d",[],null,null,[],[],[],[],[],null,[["x",1]],[]]',  # counts as pairs
    b'[7,"d",[],null,null,[],[],[],[],[],null,{},[]]',  # a path that is a number
    b'["/a","d"]',  # a required field missing
    b'["/a","d",[],null,null,[],[],[],[],[],null,{},[],1]',  # a field too many
    b'{"path":"/a","digest":"d","roles":[]}',  # the map form
])
def test_data_of_the_wrong_shape_is_an_error(body: bytes) -> None:
    with pytest.raises(msgspec.ValidationError):
        StructCodec(FileFacts).decode(body)


@pytest.mark.parametrize("tagged", ['["T",[1]]', '["I",1.0]', '["I",true]', '["F","1e999"]', '["W",1]', "null",
                                    '"x"', '["Y","not base64!"]', '["L",[["N"]],1]'])
def test_a_bad_literal_tag_is_an_error(tagged: str) -> None:
    good = StructCodec(FileFacts).encode(holder(1)).decode()
    assert good.count('["I",1]') == 7
    with pytest.raises(msgspec.ValidationError):
        StructCodec(FileFacts).decode(good.replace('["I",1]', tagged, 1))


def test_a_tampered_entry_with_a_valid_checksum_is_a_miss(tmp_path: Path) -> None:
    store = DiskCache(tmp_path / "c", "facts", "fp")
    body = StructCodec(FileFacts).encode(holder((1, 2))).decode().replace('["T",', '["Bogus",', 1)
    store._new["k"] = ["FileFacts", store._checksum("k", "FileFacts", body.encode()), body]
    assert store.get("k", FileFacts) is None
    assert (store.misses, store.invalid) == (1, 1)


class _NotALiteral:
    pass


@pytest.mark.parametrize("value", [_NotALiteral(), object(), Path("/p"), range(3)])
def test_a_value_that_would_not_come_back_exactly_is_not_cached(tmp_path: Path, value: Any) -> None:
    with pytest.raises(ValueError):
        StructCodec(FileFacts).encode(holder(value))
    store = DiskCache(tmp_path / "c", "facts", "fp")
    store.put("k", holder(value), FileFacts)
    assert not store.has("k") and store.get("k", FileFacts) is None


def test_an_untagged_any_field_is_refused_when_encoding() -> None:
    class Loose(msgspec.Struct, frozen=True, array_like=True):
        value: Any

    with pytest.raises(TypeError, match="declare it LiteralValue"):
        StructCodec(Loose).encode(Loose((1, 2)))
    assert isinstance(object(), LiteralValue)  # the marker accepts every value, for msgspec's check
    with pytest.raises(TypeError):
        LiteralValue()


def test_facts_and_summaries_of_every_fixture_file_round_trip_exactly() -> None:
    facts_codec, summary_codec = StructCodec(FileFacts), StructCodec(FileSummary)
    files = sorted(FIXTURES.rglob("*.py"))
    assert len(files) > 50
    literals = 0
    for path in files:
        sf = load_source(path)
        facts = extract_all(sf, ROLES)
        assert facts_codec.decode(facts_codec.encode(facts)) == facts, path
        if facts.script is not None:
            literals += sum(1 for r in facts.script.env_reads if r.default_is_literal)
        summary = summarize(sf)
        assert summary_codec.decode(summary_codec.encode(summary)) == summary, path
    assert literals > 0


@pytest.mark.parametrize("depth", [5_000, 200_000])
def test_absurdly_nested_literals_are_a_miss(tmp_path: Path, depth: int) -> None:
    body = StructCodec(FileFacts).encode(holder(1)).decode().replace('["I",1]', '["T",[' * depth + "]]" * depth, 1)
    store = DiskCache(tmp_path / "c", "facts", "fp")
    store._new["k"] = ["FileFacts", store._checksum("k", "FileFacts", body.encode()), body]
    assert store.get("k", FileFacts) is None
    assert (store.misses, store.invalid) == (1, 1)
    shallow = body.replace('["T",[' * depth + "]]" * depth, '["T",[' * 20 + "]]" * 20)
    store._new["k"] = ["FileFacts", store._checksum("k", "FileFacts", shallow.encode()), shallow]
    expected: tuple[Any, ...] = ()
    for _ in range(19):
        expected = (expected,)
    back = store.get("k", FileFacts)  # a reasonable nesting still decodes
    assert back is not None and back.script is not None and back.script.env_reads[0].default == expected
