"""Validated ``.step.yaml`` interfaces are kept in the facts cache (issue 13).

A warm run must see exactly what a cold run sees -- findings, the step model, the catalog's
interface problems -- while reading no YAML: the cached model, problems and derived facts stand in
for the composer, which is never reached (checked by making it fail) and whose library is never
imported (checked in a fresh interpreter).
"""

from __future__ import annotations

import glob
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cursus_core.interface.reader as reader
from cursus_core.cache import DiskCache
from cursus_core.interface.cached import cache_key, load_cached
from cursus_core.interface.discovery import discover, load
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.mcp.describe import describe_step
from cursus_lint.rules_index import all_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BROKEN = FIXTURES / "interface_broken"
CASES = ["interface_repo"] + [f"interface_broken/{p.name}" for p in sorted(BROKEN.iterdir()) if p.is_dir()]
CLEAN = "steps/interfaces/clean.step.yaml"

Finding = tuple[str, int, int, str, str, str, str | None]


def _engine(root: Path, use_cache: bool) -> Engine:
    settings = load_config(root, set(all_rules()), overrides={"cache-dir": str(root.parent / "cache")})
    return Engine(settings, use_cache=use_cache)


def findings(root: Path, use_cache: bool) -> list[Finding]:
    result = _engine(root, use_cache).run([root])
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code,
             d.severity.value, d.message, d.step) for d in result.diagnostics]


def _copy(case: str, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / case, root)
    return root


def _pack(tmp_path: Path) -> Path:
    (pack,) = glob.glob(str(tmp_path / "cache" / "facts-*" / "pack.json"))
    return Path(pack)


def _iface_entries(pack: Path) -> dict[str, list[str]]:
    _, body = pack.read_text(encoding="utf-8").split("\n", 1)
    return {k: v for k, v in json.loads(body).items() if k.startswith("iface-")}


@pytest.mark.parametrize("case", CASES)
def test_warm_run_reports_what_a_cold_run_reports_without_reading_yaml(
        case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(case, tmp_path)
    uncached = findings(root, use_cache=False)
    assert findings(root, use_cache=True) == uncached  # cold: fills the cache
    files = list(root.rglob("*.step.yaml"))
    assert len(_iface_entries(_pack(tmp_path))) == len(files) >= 2
    monkeypatch.setattr(reader, "read_interface_data", _refuse)  # (fixes still check their own edited text)
    monkeypatch.setattr(reader, "read_interface_file", _refuse)
    engine = _engine(root, use_cache=True)
    result = engine.run([root])
    warm = [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code,
             d.severity.value, d.message, d.step) for d in result.diagnostics]
    assert warm == uncached
    assert engine.cache is not None and engine.cache.invalid == 0 and engine.cache.hits >= len(files)


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError(f"an interface was read again: {args[1] if len(args) > 1 else args}")


def test_warm_step_model_is_the_cold_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the MCP ``step`` tool and ``explain`` see: every step, its facts, and the catalog's
    interface models and problems, equal field for field."""
    root = _copy("interface_repo", tmp_path)
    cold = _engine(root, use_cache=True).project(root)
    _engine(root, use_cache=True).run([root])  # the run writes the pack
    monkeypatch.setattr(reader, "read_interface_data", _refuse)
    warm = _engine(root, use_cache=True).project(root)
    assert [s.name for s in warm.steps] == [s.name for s in cold.steps] and len(cold.steps) >= 8
    for a, b in zip(cold.steps, warm.steps, strict=True):
        assert (a.contract, a.specs, a.builder, a.registry, a.config, a.script) == \
            (b.contract, b.specs, b.builder, b.registry, b.config, b.script), a.name
    rel = lambda p: None if p is None else str(p)  # noqa: E731
    assert [describe_step(s, rel) for s in warm.steps] == [describe_step(s, rel) for s in cold.steps]
    assert warm.interface_problems == cold.interface_problems
    loaded_cold = {i.file.path: (i.interface, i.problems) for i in cold.catalog.interfaces.loaded}
    loaded_warm = {i.file.path: (i.interface, i.problems) for i in warm.catalog.interfaces.loaded}
    assert loaded_warm == loaded_cold
    # the cached model is a whole one: its job-type variants resolve from the cached tree
    iface = next(i.interface for i in warm.catalog.interfaces.loaded if i.interface and i.interface.variants)
    same = next(i.interface for i in cold.catalog.interfaces.loaded if i.file.path == iface.path)
    assert iface is not None and same is not None and iface is not same
    assert iface.variant_interfaces() == same.variant_interfaces() != {}


def test_an_edited_interface_is_read_again(tmp_path: Path) -> None:
    root = _copy("interface_broken/unknown_key", tmp_path)
    findings(root, use_cache=True)
    path = root / CLEAN
    path.write_text(path.read_text().replace("requried:", "required:").replace("  dependencies:",
                                                                               "  dependancies:"))
    warm = findings(root, use_cache=True)
    assert warm == findings(root, use_cache=False)
    assert [(f[0], f[3], f[5][:47]) for f in warm if f[3] == "CL001"] == [
        (CLEAN, "CL001", "unknown key 'dependancies' in spec (did you mea")]


def test_a_malformed_interface_keeps_its_problem_through_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy("interface_broken/yaml_error", tmp_path)
    files = discover(root)
    expected = [(i.interface, i.problems) for i in load(files)]
    cache = DiskCache(tmp_path / "cache", "facts", "test")
    assert [(i.interface, i.problems) for i in load_cached(files, cache)] == expected
    assert cache.flush()
    monkeypatch.setattr(reader, "read_interface_data", _refuse)
    warm = load_cached(files, cache := DiskCache(tmp_path / "cache", "facts", "test"))
    assert [(i.interface, i.problems) for i in warm] == expected and cache.hits == len(files) == 2
    (item,) = [i for i in warm if i.file.path.name == "clean.step.yaml"]
    assert item.interface is None
    assert [(p.kind, p.span.line, p.message) for p in item.problems] == [
        ("yaml-syntax", 21, "YAML syntax error: while parsing a flow sequence expected ',' or ']', but got ':'")]


def test_a_tampered_entry_is_a_miss_and_is_rewritten(tmp_path: Path) -> None:
    root = _copy("interface_broken/unknown_key", tmp_path)
    expected = findings(root, use_cache=True)
    pack = _pack(tmp_path)
    header, body = pack.read_text(encoding="utf-8").split("\n", 1)
    entries = json.loads(body)
    path = root / CLEAN
    key = cache_key(path, path.read_bytes())
    type_name, checksum, text = entries[key]
    assert type_name == "CachedInterface"
    # 1) the body changed (a message made up), checksum left as it was
    entries[key] = [type_name, checksum, text.replace("cursus ignores it silently", "all is well")]
    # 2) the other file: a body of another shape, with a checksum that matches it
    other = cache_key(root / "steps/interfaces/data_load.step.yaml",
                      (root / "steps/interfaces/data_load.step.yaml").read_bytes())
    meta = json.loads(header)
    forged = json.dumps(["not", "an", "interface"])
    entries[other] = [type_name, DiskCache(pack.parent.parent, "facts", meta["fingerprint"])._checksum(
        other, type_name, forged.encode()), forged]
    pack.write_text(header + "\n" + json.dumps(entries), encoding="utf-8")
    engine = _engine(root, use_cache=True)
    result = engine.run([root])
    assert engine.cache is not None and engine.cache.invalid == 2
    assert [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code,
             d.severity.value, d.message, d.step) for d in result.diagnostics] == expected
    assert any("cursus ignores it silently" in f[5] for f in expected)
    rewritten = _iface_entries(pack)
    assert rewritten[key][2] == text and rewritten[other][2] != forged


def test_a_value_json_cannot_carry_is_not_cached(tmp_path: Path) -> None:
    """``.nan`` would come back as null: that file is read every time, and reported the same."""
    root = _copy("interface_repo", tmp_path)
    path = next(root.glob("steps/interfaces/*.step.yaml"))
    text = path.read_text()
    assert "\ncompute:\n" in text
    path.write_text(text.replace("\ncompute:\n", "\ncompute:\n  tolerance: .nan\n", 1))
    first = findings(root, use_cache=True)
    assert cache_key(path, path.read_bytes()) not in _iface_entries(_pack(tmp_path))
    assert len(_iface_entries(_pack(tmp_path))) == len(list(root.rglob("*.step.yaml"))) - 1
    assert findings(root, use_cache=True) == first == findings(root, use_cache=False)


_PROBE = """
import json, sys
from cursus_lint.cli import main
main(sys.argv[1:])
print(json.dumps(sorted(m for m in ("yaml", "ruamel.yaml", "jsonschema", "cursus_core.interface.validate",
                                    "cursus_core.interface.schema") if m in sys.modules)))
"""


def test_a_warm_one_file_run_imports_no_yaml_library(tmp_path: Path) -> None:
    root = _copy("interface_repo", tmp_path)
    one = next(root.glob("steps/interfaces/*.step.yaml"))
    args = [sys.executable, "-c", _PROBE, "check", str(one), "-q", "--cache-dir", str(tmp_path / "cache")]

    def imported() -> list[str]:
        out = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=300, check=False)
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert imported() == ["cursus_core.interface.schema", "cursus_core.interface.validate", "yaml"]  # cold
    assert imported() == []  # warm
    one.write_text(one.read_text() + "# edited\n")
    assert "yaml" in imported()  # the edited file is read again


def test_a_hit_gives_the_fixes_the_tree_of_the_text_without_composing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fix (or its probe) reads the interface text again for its located tree: after a cache
    hit that read is answered with the cached tree, equal to what composing gives."""
    root = _copy("interface_broken/duplicate_step_type", tmp_path)
    files = discover(root)
    cache = DiskCache(tmp_path / "cache", "facts", "test")
    load_cached(files, cache)
    assert cache.flush()
    texts = {f.path: f.path.read_text(encoding="utf-8") for f in files}
    composed = {p: reader._read_text(t, p, reader.MAX_BYTES, reader.MAX_NODES, reader.MAX_DEPTH)
                for p, t in texts.items()}
    reader._MEMO.clear()
    monkeypatch.setattr(reader, "_read_text", _refuse)
    load_cached(files, DiskCache(tmp_path / "cache", "facts", "test"))
    assert {p: reader.read_interface_text(t, p) for p, t in texts.items()} == composed
    edited = next(iter(texts))
    with pytest.raises(AssertionError, match="read again"):
        reader.read_interface_text(texts[edited] + "# edited\n", edited)


def _fixture_interfaces() -> list[Path]:
    return sorted(FIXTURES.rglob("*.step.yaml"))


def test_every_fixture_interface_comes_back_from_the_codec_exactly(tmp_path: Path) -> None:
    """The store's guard checks only the tree's scalars for values JSON cannot carry; this holds
    the whole entry (model, tree, problems, facts, builder) to an exact round trip."""
    from cursus_core.interface.cached import CachedInterface, _derive
    from cursus_core.interface.discovery import InterfaceFile
    from cursus_core.structcodec import StructCodec

    codec = StructCodec(CachedInterface)
    paths = _fixture_interfaces()
    assert len(paths) >= 30
    for path in paths:
        entry = _derive(InterfaceFile(path, "package", path.parent.parent), path.read_bytes())
        assert codec.decode(codec.encode(entry)) == entry, path
    entry = _derive(InterfaceFile(paths[0], "package", paths[0].parent.parent),
                    paths[0].read_bytes().replace(b"\ncompute:\n", b"\ncompute:\n  limit: -.inf\n", 1))
    assert codec.decode(codec.encode(entry)) != entry  # what the guard is for


def test_an_editor_buffer_is_read_from_its_text_and_never_cached(tmp_path: Path) -> None:
    root = _copy("interface_broken/unknown_key", tmp_path)
    files = discover(root)
    path = root / CLEAN
    overlay = {path: path.read_text().replace("requried:", "requred:")}
    cache = DiskCache(tmp_path / "cache", "facts", "test")
    got = load_cached(files, cache, overlay)
    assert [(i.interface, i.problems) for i in got] == [(i.interface, i.problems) for i in load(files, overlay)]
    (item,) = [i for i in got if i.file.path == path]
    assert [p.message[:30] for p in item.problems if p.kind == "unknown-key"] == ["unknown key 'requred' in spec."]
    assert cache.flush()
    stored = _iface_entries(next((tmp_path / "cache").glob("facts-*/pack.json")))
    assert cache_key(path, path.read_bytes()) not in stored and len(stored) == len(files) - 1


def test_interface_nodes_and_model_are_frozen_structs() -> None:
    """Cached as typed msgspec records, and cheap to define at import (no dataclasses)."""
    import dataclasses

    import msgspec

    import cursus_core.interface.model as model
    import cursus_core.interface.nodes as nodes

    classes = {v for m in (model, nodes) for v in vars(m).values()
               if isinstance(v, type) and v.__module__ == m.__name__ and not v.__name__.startswith("_")}
    assert {c.__name__ for c in classes} >= {"Val", "StepInterface", "Compute", "YMap", "YScalar", "YSeq", "YEntry"}
    for cls in classes:
        assert issubclass(cls, msgspec.Struct) and cls.__struct_config__.frozen, cls
        assert not dataclasses.is_dataclass(cls), cls


def test_a_generic_record_of_literals_comes_back_with_its_exact_types() -> None:
    """``Val[LiteralValue]`` (compute values): a tuple stays a tuple, a set a set, 1.0 a float."""
    from cursus_core.facts.model import Span
    from cursus_core.interface.model import Compute, Val
    from cursus_core.structcodec import StructCodec

    values = {"a": Val((1, "x"), Span.point(2, 3)), "b": Val({1.0, 2}, Span.point(4, 5), Span.point(4, 1)),
              "c": Val([{"k": None}], Span.point(), written=False)}
    compute = Compute(Span.point(), Val("sklearn", Span.point()), values)  # type: ignore[arg-type]
    codec = StructCodec(Compute)
    back = codec.decode(codec.encode(compute))
    assert back == compute
    assert type(back.values["a"].value) is tuple and type(back.values["b"].value) is set
    assert [type(v) for v in sorted(back.values["b"].value)] == [float, int]
    assert b'"T"' in codec.encode(compute)  # written in the tagged literal form
