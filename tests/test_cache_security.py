"""The facts cache is untrusted input: it never runs code, and a bad entry is only a miss.

Entries are JSON rebuilt from the declared types (``cursus_core.structcodec`` for Structs,
``cursus_core.datacodec`` otherwise); every read checks
the header (format, fingerprint, key, type, checksum), so planted, corrupt and swapped entries
are misses that the run rewrites, and findings always equal a run without the cache.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner

from cursus_core.cache import FORMAT, DiskCache
from cursus_core.catalog.scan import FileSummary
from cursus_core.datacodec import CodecError, decode_literal, encode_literal
from cursus_lint.cli import cli, main
from cursus_lint.config import ConfigError, load_config
from cursus_lint.engine import Engine
from cursus_lint.facts import FileFacts
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
# (the typed records and every literal kind: tests/test_structcodec.py)


def test_literal_values_keep_their_exact_types() -> None:
    odd = {1: (b"\x00\xff", 1.5, -0.0, None, True, frozenset({2}), {3}), ("k", 2): [1 + 2j, ..., float("inf")],
           "nested": {"deep": ("x",)}}
    got = decode_literal(json.loads(json.dumps(encode_literal(odd))))
    assert got == odd and type(got[1][0]) is bytes and type(got[1][5]) is frozenset and type(got[1][6]) is set
    assert str(got[1][2]) == "-0.0" and type(got[("k", 2)]) is list and type(got[1][4]) is bool


@pytest.mark.parametrize("data", [
    ["Y", "not base64!"], ["Y", 5], ["I", "1"], ["B", 1], ["T", "abc"], ["D", [["S", "k"]]], ["X", 1], [],
    {"__reduce__": ["os.system", "touch x"]},
], ids=["bad-base64", "bytes-int", "int-str", "bool-int", "tuple-str", "pair", "tag", "empty", "reduce"])
def test_literal_data_of_the_wrong_shape_is_rejected(data: object) -> None:
    with pytest.raises(CodecError):
        decode_literal(data)


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
