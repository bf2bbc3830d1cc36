"""Pre-commit's case once unchanged repeats are answered elsewhere: `check <one file>` right after
that file was edited, every other file's facts warm in the cache. It must find exactly what a
whole-repo run (no cache) finds for that file and its steps, and the work it skips is pinned: the
catalog's name-matching answers come from the cache, the facts model's annotations need no
evaluation when the cache's decoder is built, and a decoded path text becomes one Path."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

import cursus_core.facts.model as facts_model
from cursus_core.cache import DiskCache
from cursus_core.catalog import StepCatalog
from cursus_core.catalog.matches import NameMatcher
from cursus_core.structcodec import StructCodec
from cursus_lint.config import load_config
from cursus_lint.diagnostic import Diagnostic
from cursus_lint.engine import Engine, _fingerprint
from cursus_lint.facts import FileFacts
from cursus_lint.rules_index import all_rules

from .test_fixture_repos import BROKEN, build_broken

CASES = {case.name: case for case in BROKEN}
Finding = tuple[str, int, int, str, str]


def _rows(root: Path, diagnostics: list[Diagnostic], path: Path | None = None,
          steps: set[str] | None = None) -> list[Finding]:
    """Findings as rows; with ``path``, only those a run over that file reports (in it, or of ``steps``)."""
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code, d.message)
            for d in diagnostics if path is None or d.location.path == path or d.step in (steps or set())]


def _edit(path: Path, n: int) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"# edited before commit {n}\n")


@pytest.mark.parametrize("name", ["level1_script_contract", "level4_builder_config", "registry"])
def test_one_file_after_an_edit_equals_the_filtered_whole_run(name: str, tmp_path: Path) -> None:
    root = build_broken(CASES[name], tmp_path / "repo").resolve()
    settings = load_config(root, set(all_rules()), overrides={"cache-dir": str(tmp_path / "cache")})
    Engine(settings, use_cache=True).run([root])  # the cache as after the last commit
    catalog = StepCatalog(root)
    info = next(i for i in catalog.iter_steps() if i.script and i.contract and i.specs and i.builder and i.config)
    edited = [info.contract, info.script, info.builder, info.config, sorted(info.specs.values())[0],
              *catalog.registry_files]
    checked = 0
    for n, path in enumerate(edited):
        assert path is not None
        _edit(path, n)
        focused = Engine(settings, use_cache=True).run([path])
        whole = Engine(settings).run([root])
        steps = {step for _, step in catalog.find_steps_for_file(path)}
        expected = _rows(root, whole.diagnostics, path, steps)
        assert _rows(root, focused.diagnostics) == expected
        checked += bool(expected)
    assert checked >= 2  # the comparison saw findings, not only empty lists


def test_name_matching_answers_are_asked_once_then_read_from_the_cache(tmp_path: Path) -> None:
    root = build_broken(CASES["registry"], tmp_path / "repo").resolve()
    cache = DiskCache(tmp_path / "cache", "facts", _fingerprint())
    first = StepCatalog(root, cache=cache)
    assert first.name_matcher.computed == 4
    assert cache.flush()
    second = StepCatalog(root, cache=DiskCache(tmp_path / "cache", "facts", _fingerprint()))
    assert second.name_matcher.computed == 0
    plain = StepCatalog(root)  # no cache at all: the matcher answers every question itself
    assert plain.name_matcher.computed == 4
    for catalog in (second, plain):
        assert [(i.workspace_id, i.name, i.files) for i in catalog.iter_steps()] == \
            [(i.workspace_id, i.name, i.files) for i in first.iter_steps()]
        assert catalog.unmatched == first.unmatched
        assert [p.message for p in catalog.problems] == [p.message for p in first.problems]


def test_other_registered_names_are_other_questions(tmp_path: Path) -> None:
    root = build_broken(CASES["registry"], tmp_path / "repo").resolve()
    cache_dir = tmp_path / "cache"
    cache = DiskCache(cache_dir, "facts", _fingerprint())
    StepCatalog(root, cache=cache)
    cache.flush()
    registry = root / "registry" / "step_names.py"
    registry.write_text(registry.read_text().replace('STEP_NAMES = {\n', 'STEP_NAMES = {\n    "Extra": {\n'
                        '        "config_class": "ExtraConfig",\n        "builder_step_name": "ExtraStepBuilder",\n'
                        '        "spec_type": "Extra",\n        "sagemaker_step_type": "Processing",\n'
                        '        "description": "a step registered after the cache was written",\n    },\n', 1))
    again = StepCatalog(root, cache=DiskCache(cache_dir, "facts", _fingerprint()))
    assert again.name_matcher.computed == 4  # a new list of names: its answers were never stored
    plain = StepCatalog(root)
    assert [(i.name, i.files) for i in again.iter_steps()] == [(i.name, i.files) for i in plain.iter_steps()]
    assert "Extra" in [i.name for i in plain.iter_steps()]


def test_the_facts_model_needs_no_annotation_evaluation() -> None:
    """Every facts Struct's annotations are objects, not strings: building the cache's typed decoder
    (each run that reads the cache) evaluated ~580 annotation strings before (7 ms of CPU)."""
    structs = [v for v in vars(facts_model).values()
               if isinstance(v, type) and issubclass(v, msgspec.Struct) and v.__module__ == facts_model.__name__]
    assert len(structs) == 38
    strings = [(s.__name__, name) for s in structs for name, hint in s.__annotations__.items() if isinstance(hint, str)]
    assert strings == []


def test_a_decoded_path_text_becomes_one_path() -> None:
    codec = StructCodec(FileFacts)
    facts = FileFacts(Path("/repo/steps/contracts/x_contract.py"), "d" * 32, frozenset({"contract"}))
    a, b = codec.decode(codec.encode(facts)), codec.decode(codec.encode(facts))
    assert a == facts and b == facts
    assert a.path is b.path  # one file's facts, summary and parse verdict share it in a run


def test_a_pack_rewritten_after_an_edit_keeps_what_it_cannot_encode_quickly(tmp_path: Path) -> None:
    """The pack is rewritten with msgspec's encoder; an entry kept from the old pack holding a lone
    surrogate escape (unchecked data) is written by the json module instead, unchanged."""
    cache = DiskCache(tmp_path, "facts", "f" * 24)
    cache.put("one", True, bool)
    assert cache.flush()
    raw = cache.pack_path.read_bytes().replace(b'"one":', b'"odd":["bool","x","\\ud800"],"one":', 1)
    cache.pack_path.write_bytes(raw)
    again = DiskCache(tmp_path, "facts", "f" * 24)
    again.put("two", False, bool)
    assert again.flush()
    text = again.pack_path.read_bytes()
    assert b'"odd":["bool","x","\xed\xa0\x80"]' in text  # the surrogate passed through as it was read
    third = DiskCache(tmp_path, "facts", "f" * 24)
    assert (third.get("one", bool), third.get("two", bool), third.get("odd", bool)) == (True, False, None)


def test_a_pack_the_quick_decoder_refuses_reads_as_the_json_module_reads_it(tmp_path: Path) -> None:
    """msgspec refuses a bare NaN that the json module accepts: the pack is then read by the json
    module, so the odd entry alone is a miss and the others stay hits, as before."""
    cache = DiskCache(tmp_path, "facts", "f" * 24)
    cache.put("one", True, bool)
    assert cache.flush()
    raw = cache.pack_path.read_bytes().replace(b'"one":', b'"odd":[NaN],"one":', 1)
    cache.pack_path.write_bytes(raw)
    again = DiskCache(tmp_path, "facts", "f" * 24)
    assert (again.get("one", bool), again.get("odd", bool)) == (True, None)
    assert (again.hits, again.invalid) == (1, 1)


def test_the_pack_is_written_private_and_whole(tmp_path: Path) -> None:
    """The pack goes through a temporary file made with os.open (no tempfile import): only this
    user may read it, and no temporary file is left beside it."""
    cache = DiskCache(tmp_path, "facts", "f" * 24)
    cache.put("one", True, bool)
    assert cache.flush()
    assert cache.pack_path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in cache.dir.iterdir()) == [".gitignore", "CACHEDIR.TAG", "pack.json"]
    assert DiskCache(tmp_path, "facts", "f" * 24).get("one", bool) is True


def test_name_lists_that_join_alike_keep_their_own_answers(tmp_path: Path) -> None:
    """The entry of a list of names is keyed by the list itself, not its text joined by newlines
    (names are the linted repo's data and may hold one)."""
    first = NameMatcher(DiskCache(tmp_path, "facts", "f" * 24))
    answer = first.match("ab_contract.py", ["A\nB", "C"])
    first.save()
    assert first.cache is not None and first.cache.flush()
    second = NameMatcher(DiskCache(tmp_path, "facts", "f" * 24))
    second.match("ab_contract.py", ["A", "B\nC"])
    assert second.computed == 1
    third = NameMatcher(DiskCache(tmp_path, "facts", "f" * 24))
    assert third.match("ab_contract.py", ["A\nB", "C"]) == answer
    assert third.computed == 0


def test_the_lazily_loaded_config_names_still_import() -> None:
    """``tomllib`` is imported by config only when a file is read, yet init and cli import it from
    there, as others read ``DEFAULT_LAYOUT``: both come through the module's one ``__getattr__``."""
    from cursus_core.catalog.layout import DEFAULT_LAYOUT as LAYOUT
    from cursus_lint.config import DEFAULT_LAYOUT, tomllib

    assert tomllib.loads('select = ["CL1"]') == {"select": ["CL1"]}
    assert DEFAULT_LAYOUT is LAYOUT
