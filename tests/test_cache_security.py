"""The facts cache is untrusted input: it never runs code, and a bad entry is only a miss.

Entries are JSON rebuilt from the declared types (``cursus_core.datacodec``); every read checks
the header (format, fingerprint, key, type, checksum), so planted, corrupt and swapped entries
are misses that the run rewrites, and findings always equal a run without the cache.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import pickle
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner

from cursus_core.cache import FORMAT, DiskCache
from cursus_core.catalog.scan import FileSummary, summarize
from cursus_core.datacodec import Codec, CodecError
from cursus_core.source import load_source
from cursus_lint.cli import cli, main
from cursus_lint.config import ConfigError, load_config
from cursus_lint.engine import Engine
from cursus_lint.facts import ROLES, FileFacts, extract_all
from cursus_lint.rules_index import all_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLE = FIXTURES / "example_repo"


def run(root: Path, use_cache: bool, cache: Path) -> tuple[list[tuple], Engine]:
    settings = load_config(root, set(all_rules()), overrides={"cache-dir": str(cache)})
    engine = Engine(settings, use_cache=use_cache)
    result = engine.run([root])
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code, d.message)
            for d in result.diagnostics], engine


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    contract = root / "steps/contracts/package_contract.py"
    contract.write_text(contract.read_text().replace('"COMPRESSION_LEVEL"', '"COMPRESSION"', 1))
    return root


def pack_file(cache: Path) -> Path:
    """The one pack file a run writes (all entries of one fingerprint)."""
    (found,) = cache.glob("facts-*/pack.json")
    return found


def entries(cache: Path) -> dict[str, list[str]]:
    """The entries of the pack: key -> [type, checksum, body]."""
    _, body = pack_file(cache).read_bytes().split(b"\n", 1)
    return json.loads(body)


def write_entries(cache: Path, new: dict[str, Any]) -> None:
    """Replace the pack's entries, keeping its (valid) header."""
    path = pack_file(cache)
    head, _ = path.read_bytes().split(b"\n", 1)
    path.write_bytes(head + b"\n" + json.dumps(new).encode())


# ------------------------------------------------------------------------------ codec


def test_facts_of_every_fixture_file_round_trip_exactly() -> None:
    codec, summaries = Codec(FileFacts), Codec(FileSummary)
    files = sorted(FIXTURES.rglob("*.py"))
    assert len(files) > 50
    for path in files:
        sf = load_source(path)
        facts = extract_all(sf, ROLES)
        data = json.loads(json.dumps(codec.encode(facts)))
        assert codec.decode(data) == facts, path
        summary = summarize(sf)
        assert summaries.decode(json.loads(json.dumps(summaries.encode(summary)))) == summary, path


def test_literal_values_keep_their_exact_types() -> None:
    @dataclasses.dataclass(frozen=True)
    class Holder:
        value: Any = None

    odd = {1: (b"\x00\xff", 1.5, -0.0, None, True, frozenset({2}), {3}), ("k", 2): [1 + 2j, ..., float("inf")],
           "nested": {"deep": ("x",)}}
    codec = Codec(Holder)
    got = codec.decode(json.loads(json.dumps(codec.encode(Holder(odd))))).value
    assert got == odd and type(got[1][0]) is bytes and type(got[1][5]) is frozenset and type(got[1][6]) is set
    assert str(got[1][2]) == "-0.0" and type(got[("k", 2)]) is list and type(got[1][4]) is bool


class Colour(enum.Enum):
    RED = "r"


@dataclasses.dataclass(frozen=True)
class Leaf:
    where: Path
    colour: Colour
    counts: Counter[str]


@dataclasses.dataclass(frozen=True)
class Tree:
    by_line: dict[int, Leaf]
    pairs: tuple[tuple[str, int | None], ...]
    either: int | str
    maybe: Leaf | None = None


def test_codec_finds_dataclasses_through_the_type_hints_of_any_module() -> None:
    leaf = Leaf(Path("/a/b.py"), Colour.RED, Counter({"x": 2}))
    tree = Tree({3: leaf}, (("a", None), ("b", 2)), "s", leaf)
    codec = Codec(Tree)
    assert codec.decode(json.loads(json.dumps(codec.encode(tree)))) == tree
    assert codec.decode(json.loads(json.dumps(codec.encode(dataclasses.replace(tree, either=7))))).either == 7


@pytest.mark.parametrize("data", [
    {"by_line": [], "pairs": [], "either": [0, 1]},  # a missing field
    {"by_line": [], "pairs": [], "either": [0, "1"], "maybe": None},  # int tag, str value
    {"by_line": [[True, None]], "pairs": [], "either": [0, 1], "maybe": None},  # bool is not int
    {"by_line": [], "pairs": [["a"]], "either": [0, 1], "maybe": None},  # fixed tuple of two
    {"by_line": [], "pairs": [], "either": [0, 1], "maybe": None, "extra": 1},
    {"__reduce__": ["os.system", "touch x"]},
], ids=["missing", "union", "bool-int", "tuple-len", "extra-field", "reduce"])
def test_data_of_the_wrong_shape_is_rejected(data: object) -> None:
    with pytest.raises(CodecError):
        Codec(Tree).decode(data)


def test_a_dataclass_is_stored_as_its_field_values_in_order() -> None:
    leaf = Leaf(Path("/a"), Colour.RED, Counter({"x": 2}))
    assert Codec(Leaf).encode(leaf) == ["/a", "RED", [["x", 2]]]
    assert Codec(Tree).encode(Tree({}, (), 7)) == [[], [], [0, 7], None]


@pytest.mark.parametrize("data", [
    [[], [], [0, 1]],  # a missing field
    [[], [], [0, 1], None, 1],  # one too many
    [[], [], [0, "1"], None],  # int tag, str value
    [[[True, None]], [], [0, 1], None],  # bool is not int
    [[], [["a"]], [0, 1], None],  # fixed tuple of two
    [[], [["a", "1"]], [0, 1], None],  # str where int | None is declared
    [[], [], [0, 1], ["/a", "RED"]],  # a nested dataclass missing a field
    [[], [], [0, 1], ["/a", "BLUE", []]],  # not a member of the enum
    ("by_line", "pairs", "either", "maybe"),  # a tuple is not JSON data
], ids=["missing", "extra", "union", "bool-int", "tuple-len", "optional-int", "nested", "enum", "tuple"])
def test_field_lists_of_the_wrong_shape_are_rejected(data: object) -> None:
    codec = Codec(Tree)
    assert codec.decode([[], [["a", 1]], [1, "s"], None]) == Tree({}, (("a", 1),), "s")
    with pytest.raises(CodecError):
        codec.decode(data)


@dataclasses.dataclass(frozen=True)
class Node:
    label: str
    note: str | None
    children: tuple[Node, ...] = ()


def test_recursive_dataclasses_round_trip_and_check_every_level() -> None:
    tree = Node("root", None, (Node("a", "x", (Node("a1", None),)), Node("b", None)))
    codec = Codec(Node)
    assert codec.decode(json.loads(json.dumps(codec.encode(tree)))) == tree
    with pytest.raises(CodecError):
        codec.decode(["root", None, [["a", 5, []]]])  # int note two levels down


class StructLeaf(msgspec.Struct, frozen=True):
    where: Path
    colour: Colour
    counts: Counter[str]


class StructTree(msgspec.Struct, frozen=True):
    by_line: dict[int, StructLeaf]
    pairs: tuple[tuple[str, int | None], ...]
    either: int | str
    maybe: StructLeaf | None = None
    #: a dataclass inside a Struct: records of both kinds mix in one tree
    node: Node | None = None


def test_structs_are_stored_and_checked_exactly_like_dataclasses() -> None:
    leaf = StructLeaf(Path("/a"), Colour.RED, Counter({"x": 2}))
    assert Codec(StructLeaf).encode(leaf) == Codec(Leaf).encode(Leaf(Path("/a"), Colour.RED, Counter({"x": 2})))
    tree = StructTree({3: leaf}, (("a", None), ("b", 2)), "s", leaf, Node("root", None, (Node("a", "x"),)))
    codec = Codec(StructTree)
    assert codec.encode(tree) == [[[3, ["/a", "RED", [["x", 2]]]]], [["a", None], ["b", 2]], [1, "s"],
                                  ["/a", "RED", [["x", 2]]], ["root", None, [["a", "x", []]]]]
    back = codec.decode(json.loads(json.dumps(codec.encode(tree))))
    assert back == tree and type(back.maybe) is StructLeaf and type(back.node) is Node
    assert type(back.maybe.counts) is Counter and type(back.maybe.where) is type(Path("/a"))
    changed = msgspec.structs.replace(tree, either=7)
    assert codec.decode(json.loads(json.dumps(codec.encode(changed)))).either == 7
    with pytest.raises(CodecError):
        codec.encode(msgspec.structs.replace(tree, maybe=Leaf(Path("/a"), Colour.RED, Counter())))  # a look-alike
    for bad in ([[], [], [0, 1]], [[], [], [0, 1], None, None, 1], [[], [], [0, 1], ["/a", "RED"], None],
                [[], [], [0, 1], None, ["root", 5, []]], {"by_line": [], "pairs": [], "either": [0, 1]}):
        with pytest.raises(CodecError):
            codec.decode(bad)


class KeywordOnly(msgspec.Struct, frozen=True, kw_only=True):
    name: str


class PositionalThenKeyword(StructLeaf, frozen=True, kw_only=True):
    note: str = ""


@pytest.mark.parametrize("cls", [KeywordOnly, PositionalThenKeyword])
def test_a_struct_with_keyword_only_fields_is_refused(cls: type) -> None:
    with pytest.raises(CodecError, match="outside __init__'s positional parameters"):
        Codec(cls)


def test_every_facts_class_is_a_frozen_struct() -> None:
    """The facts model is built at every run's import: Structs, not dataclasses (issue 13)."""
    import cursus_core.facts.model as model

    classes = {v for v in vars(model).values() if isinstance(v, type) and v.__module__ == model.__name__}
    assert len(classes) == 37  # HyperparameterFacts is ConfigFacts
    for cls in classes:
        assert issubclass(cls, msgspec.Struct) and cls.__struct_config__.frozen, cls
        assert not dataclasses.is_dataclass(cls), cls


# ------------------------------------------------------------------------------ planted entries


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_planted_pickles_run_nothing_and_are_rewritten(repo: Path, tmp_path: Path) -> None:
    cache, marker = tmp_path / "cache", tmp_path / "pwned"
    uncached, _ = run(repo, False, cache)
    assert uncached
    run(repo, True, cache)
    planted = entries(cache)
    assert len(planted) > 30
    payload = pickle.dumps(_Payload(marker))
    # a pickle as every entry's body (with its type and checksum kept), and as the whole pack
    write_entries(cache, {k: [v[0], v[1], payload.decode("latin-1")] for k, v in planted.items()})
    pack_file(cache).with_suffix(".pickle").write_bytes(payload)
    got, engine = run(repo, True, cache)
    assert not marker.exists()
    assert got == uncached
    assert engine.cache is not None and engine.cache.invalid == len(planted) and engine.cache.hits == 0
    _, again = run(repo, True, cache)  # the bad entries were rewritten as valid ones
    assert again.cache is not None and (again.cache.invalid, again.cache.misses) == (0, 0)
    pack_file(cache).write_bytes(payload)  # the pack itself a pickle: ignored as a whole, then rewritten
    got, engine = run(repo, True, cache)
    assert not marker.exists() and got == uncached
    assert engine.cache is not None and engine.cache.hits == 0 and engine.cache.invalid == engine.cache.misses > 30
    _, again = run(repo, True, cache)
    assert again.cache is not None and (again.cache.invalid, again.cache.misses) == (0, 0)


def test_cli_check_with_a_planted_cache_runs_nothing(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cache = tmp_path / "cache"  # named: without a pyproject.toml the default lands above the repo
    runner = CliRunner()
    first = runner.invoke(cli, ["check", str(repo), "--format", "json", "--cache-dir", str(cache)])
    pack_file(cache).write_bytes(pickle.dumps(_Payload(marker)))
    second = runner.invoke(cli, ["check", str(repo), "--format", "json", "--cache-dir", str(cache)])
    assert not marker.exists()
    assert (second.exit_code, json.loads(second.output)["diagnostics"]) == \
        (first.exit_code, json.loads(first.output)["diagnostics"])
    assert first.exit_code == 1 and json.loads(first.output)["diagnostics"]


def test_a_bit_flip_is_a_miss_and_the_entry_is_rewritten(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    uncached, _ = run(repo, False, cache)
    run(repo, True, cache)
    flipped_entries = {}
    for i, (key, (type_name, checksum, body)) in enumerate(entries(cache).items()):
        flipped = bytearray(body.encode())
        pos = len(flipped) - 1 - (i * 7) % (len(flipped) // 2)  # somewhere in the body
        flipped[pos] ^= 0x04
        flipped_entries[key] = [type_name, checksum, flipped.decode("latin-1")]
    write_entries(cache, flipped_entries)
    got, engine = run(repo, True, cache)
    assert got == uncached
    assert engine.cache is not None and engine.cache.hits == 0 and engine.cache.invalid == len(flipped_entries)
    _, again = run(repo, True, cache)
    assert again.cache is not None and again.cache.invalid == 0


def test_entries_swapped_between_keys_are_misses(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    uncached, _ = run(repo, False, cache)
    run(repo, True, cache)
    found = entries(cache)
    keys, values = list(found), list(found.values())
    write_entries(cache, dict(zip(keys, values[1:] + values[:1], strict=True)))  # every entry under a foreign key
    got, engine = run(repo, True, cache)
    assert got == uncached
    assert engine.cache is not None and engine.cache.hits == 0


def test_a_well_formed_entry_for_other_content_is_not_used(repo: Path, tmp_path: Path) -> None:
    """Even a correctly checksummed entry (checksums are no secret) must match the file's digest."""
    cache_dir = tmp_path / "cache"
    uncached, engine = run(repo, False, cache_dir)
    run(repo, True, cache_dir)
    store = Engine(load_config(repo, set(all_rules()), overrides={"cache-dir": str(cache_dir)}), use_cache=True).cache
    assert store is not None
    keys = [k for k, v in entries(cache_dir).items() if v[0] == "FileFacts"]
    first = store.get(keys[0], FileFacts)
    assert first is not None
    for key in keys[1:]:
        store.put(key, first, FileFacts)  # valid header, wrong facts
    assert store.flush()
    got, engine = run(repo, True, cache_dir)
    assert got == uncached


@pytest.mark.parametrize("kind", ["fifo", "symlink", "deep-json", "directory", "list", "foreign-header",
                                  "truncated", "odd-values"])
def test_odd_packs_are_ignored_without_blocking(repo: Path, tmp_path: Path, kind: str) -> None:
    cache = tmp_path / "cache"
    uncached, _ = run(repo, False, cache)
    run(repo, True, cache)
    pack = pack_file(cache)
    head, body = pack.read_bytes().split(b"\n", 1)
    pack.unlink()
    if kind == "fifo":
        os.mkfifo(pack)
    elif kind == "symlink":
        os.symlink("/dev/zero", pack)
    elif kind == "directory":
        pack.mkdir()
    elif kind == "list":
        pack.write_bytes(head + b"\n[]")
    elif kind == "foreign-header":
        assert f'"format": {FORMAT}'.encode() in head
        pack.write_bytes(head.replace(f'"format": {FORMAT}'.encode(), b'"format": 1') + b"\n" + body)
    elif kind == "truncated":
        pack.write_bytes(head + b"\n" + body[: len(body) // 2])
    elif kind == "odd-values":
        keys = list(json.loads(body))
        odd: list[Any] = [None, 1, "x", [], ["FileFacts"], [1, 2, 3], {"a": 1}, ["FileFacts", "0", "[" * 100_000]]
        pack.write_bytes(head + b"\n" + json.dumps({k: odd[i % len(odd)] for i, k in enumerate(keys)}).encode())
    else:
        pack.write_text('{"format": 2}\n' + "[" * 100_000 + "]" * 100_000)
    got, engine = run(repo, True, cache)
    assert got == uncached
    assert engine.cache is not None and engine.cache.hits == 0 and engine.cache.reads == 1


def test_a_pack_over_the_size_bound_is_not_read(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cursus_core.cache as cache_module

    cache = tmp_path / "cache"
    uncached, _ = run(repo, False, cache)
    run(repo, True, cache)
    size = pack_file(cache).stat().st_size
    monkeypatch.setattr(cache_module, "MAX_PACK_BYTES", size - 1)
    got, engine = run(repo, True, cache)
    assert got == uncached
    assert engine.cache is not None and engine.cache.hits == 0 and engine.cache.invalid == engine.cache.misses > 30


def test_a_warm_run_reads_one_file_of_the_cache(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run(repo, True, cache)
    got, engine = run(repo, True, cache)
    assert engine.cache is not None
    assert (engine.cache.reads, engine.cache.misses, engine.cache.invalid) == (1, 0, 0)
    assert engine.cache.hits > 30
    assert sorted(p.name for p in pack_file(cache).parent.iterdir()) == [".gitignore", "CACHEDIR.TAG", "pack.json"]


# ------------------------------------------------------------------------------ where the cache lives


def write_pyproject(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(f"[tool.cursus-lint]\n{body}\n")


@pytest.mark.parametrize("value", ["/tmp/x", "../x", "a/../../x"])
def test_cache_dir_outside_the_project_in_pyproject_is_a_config_error(tmp_path: Path, value: str) -> None:
    write_pyproject(tmp_path, f"cache-dir = {value!r}".replace("'", '"'))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, set(all_rules()))
    assert info.value.message.startswith(f"invalid value for 'cache-dir' in [tool.cursus-lint] of "
                                         f"{tmp_path / 'pyproject.toml'}: {value!r}")


def test_cache_dir_symlinked_outside_the_project_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "proj/.cursus-lint-cache")
    write_pyproject(tmp_path / "proj", 'select = ["ALL"]')
    with pytest.raises(ConfigError, match="leads outside the project"):
        load_config(tmp_path / "proj", set(all_rules()))


def test_cache_dir_on_the_command_line_may_be_anywhere(repo: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_pyproject(repo, 'cache-dir = "../elsewhere"')
    result = CliRunner().invoke(cli, ["check", str(repo), "--cache-dir", str(tmp_path / "mine")])
    assert result.exit_code == 1, result.output
    assert entries(tmp_path / "mine")
    assert main(["check", str(repo)]) == 2
    assert "'../elsewhere' leads outside the project" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere").exists()


def test_an_existing_cache_dir_gets_no_gitignore_or_tag(repo: Path) -> None:
    write_pyproject(repo, 'cache-dir = "."')
    before = sorted(p.name for p in repo.iterdir())
    result = CliRunner().invoke(cli, ["check", str(repo)])
    assert result.exit_code == 1, result.output
    (made,) = sorted(set(p.name for p in repo.iterdir()) - set(before))
    assert made.startswith("facts-")
    assert not (repo / ".gitignore").exists() and not (repo / "CACHEDIR.TAG").exists()
    # the directory the tool created itself is tagged and ignored
    assert (repo / made / ".gitignore").read_bytes().endswith(b"\n*\n")
    assert (repo / made / "CACHEDIR.TAG").exists()
    assert len(json.loads((repo / made / "pack.json").read_bytes().split(b"\n", 1)[1])) > 30


def test_a_new_cache_dir_is_tagged_and_ignored(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "new" / "cache"
    run(repo, True, cache)
    assert (cache / ".gitignore").read_bytes() == b"# created by cursus-lint\n*\n"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert not (tmp_path / "new" / ".gitignore").exists()


def test_symlinked_cache_subdirectory_is_not_written_through(repo: Path, tmp_path: Path) -> None:
    cache, outside = tmp_path / "cache", tmp_path / "outside"
    outside.mkdir()
    cache.mkdir()
    store = DiskCache(cache, "facts", "fp")
    os.symlink(outside, store.dir)  # the pack's directory planted as a link elsewhere
    store.put("ab" + "0" * 30, FileSummary(Path("x.py")), FileSummary)
    assert not store.flush()
    assert list(outside.iterdir()) == []
