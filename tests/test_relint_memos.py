"""The process-wide memos that make a re-lint (language server) and a one-file run cheap must never
hide a change: each is keyed by what its answer depends on, and a run after an edit finds exactly
what a fresh process finds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import cursus_core.registry.literal_reader as literal_reader
import cursus_core.registry.names as names
import cursus_lint.bases as bases
import cursus_lint.config as config_module
import cursus_lint.engine as engine_module
from cursus_core.registry.literal_reader import find_registry_files
from cursus_core.registry.names import match_canonical_name
from cursus_core.source import LruMemo, MEMO_SIZE
from cursus_lint.config import LintConfig, load_config
from cursus_lint.engine import Engine
from cursus_lint.lsp.linting import lint_documents
from cursus_lint.rules import _examples as ex
from cursus_lint.rules_index import all_rules

#: the DataLoad spec's output, turned into one no Clean dependency can take (CL302 on Clean's spec)
INCOMPATIBLE = ("output_type=DependencyType.PROCESSING_OUTPUT", "output_type=DependencyType.MODEL_ARTIFACTS")
CL302 = ("CL302", 11, "required dependency 'raw_data' of CLEAN_SPEC cannot be satisfied: no step has an output "
                      "whose type can feed 'processing_output'")


def write_repo(dest: Path) -> Path:
    """The examples' two-step repo: DataLoad (provider) and Clean (its consumer)."""
    for key, rel in ex.PATHS.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ex.REGISTRY if key == "registry" else ex.BASE[key])
    return dest


def bump(path: Path, text: str) -> None:
    """Rewrite ``path`` with a new mtime even on a coarse-clock file system."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def found(diagnostics) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    return [(d.code, d.location.line, d.message) for d in diagnostics]


def forget_memos(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh process's state of every memo a re-lint reuses."""
    monkeypatch.setattr(bases, "_memo", LruMemo(256))
    monkeypatch.setattr(names, "_CLOSEST", {})
    monkeypatch.setattr(literal_reader, "_not_registry", LruMemo(16384))
    monkeypatch.setattr(config_module, "_EXCLUDED", {})
    monkeypatch.setattr(engine_module, "_facts_memo", LruMemo(MEMO_SIZE))


def test_lsp_relint_after_editing_another_steps_spec_equals_a_fresh_lint(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    repo = write_repo(tmp_path / "repo")
    contract = (repo / ex.PATHS["contract"]).absolute()
    load_spec = (repo / ex.PATHS["load_spec"]).absolute()
    clean_spec = (repo / ex.PATHS["spec"]).absolute()
    assert lint_documents([contract, clean_spec], {})[clean_spec] == []
    edited = ex.BASE["load_spec"].replace(*INCOMPATIBLE)
    assert edited != ex.BASE["load_spec"]
    # the provider's spec is edited in the editor (unsaved): Clean's spec loses its provider
    after = lint_documents([contract, clean_spec, load_spec], {load_spec: edited})
    assert found(after[clean_spec]) == [CL302]
    forget_memos(monkeypatch)
    fresh = lint_documents([contract, clean_spec, load_spec], {load_spec: edited})
    assert {p: found(d) for p, d in after.items()} == {p: found(d) for p, d in fresh.items()}
    # and saved to disk with the editor closed: the next lint reads the new file
    bump(load_spec, edited)
    assert found(lint_documents([clean_spec], {})[clean_spec]) == [CL302]


def test_one_file_run_with_a_warm_cache_sees_an_edit_of_another_steps_file(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    repo = write_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    cache_dir = tmp_path / "cache"
    settings = load_config(repo, set(all_rules()), overrides={"cache-dir": str(cache_dir)})
    contract = Path(ex.PATHS["contract"])
    assert Engine(settings, use_cache=True).run([Path(".")]).diagnostics == []  # fills the cache
    assert Engine(settings, use_cache=True).run([contract]).diagnostics == []
    load_spec = repo / ex.PATHS["load_spec"]
    bump(load_spec, ex.BASE["load_spec"].replace(*INCOMPATIBLE))
    assert found(Engine(settings, use_cache=True).run([contract]).diagnostics) == [CL302]
    bump(load_spec, ex.BASE["load_spec"])
    assert Engine(settings, use_cache=True).run([contract]).diagnostics == []


def test_registry_walk_without_a_cache_finds_a_file_that_became_a_registry(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    plain = tmp_path / "pkg" / "names.py"
    plain.write_text("OTHER = {}\n")
    assert find_registry_files(tmp_path) == []
    assert find_registry_files(tmp_path) == []  # the verdict is remembered ...
    bump(plain, 'STEP_NAMES = {"A": {}}\n')
    assert find_registry_files(tmp_path) == [plain]  # ... only for that content
    bump(plain, "OTHER = 1\n")
    assert find_registry_files(tmp_path) == []


def test_external_base_source_is_read_again_after_an_edit(tmp_path: Path) -> None:
    base = tmp_path / "base_config.py"
    base.write_text("class SharedBase:\n    alpha: int = 1\n")
    resolver = bases.BaseResolver({}, {}, [tmp_path])
    assert [c.name for c in resolver._source(base.absolute()).configs] == ["SharedBase"]
    bump(base, "class RenamedBase:\n    alpha: int = 1\n")
    assert [c.name for c in bases.BaseResolver({}, {}, [tmp_path])._source(base.absolute()).configs] == [
        "RenamedBase"]


def test_fuzzy_match_memo_answers_for_its_own_list_of_names() -> None:
    first = match_canonical_name("xgbost_trainin_step.py", ["XGBoostTraining", "PyTorchModel"])
    assert (first.name, first.strategy) == ("XGBoostTraining", "fuzzy")
    again = match_canonical_name("xgbost_trainin_step.py", ["XGBoostTraining", "PyTorchModel"])
    assert (again.name, again.strategy, again.score) == (first.name, first.strategy, first.score)
    other = match_canonical_name("xgbost_trainin_step.py", ["XGBoostTrainin", "PyTorchModel"])
    assert other.name == "XGBoostTrainin"


def test_exclusion_answers_are_not_shared_between_different_patterns(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "steps" / "scripts" / "legacy.py"
    plain = LintConfig()
    excluding = LintConfig(**{"extend-exclude": ["legacy.py"]})
    assert plain.is_excluded(target) is False
    assert excluding.is_excluded(target) is True
    assert LintConfig().is_excluded(target) is False


INTERFACE_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "interface_repo"
TP = "steps/interfaces/tabular_preprocessing.step.yaml"


def test_lsp_relint_of_an_edited_interface_equals_a_fresh_lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import cursus_core.interface.discovery as discovery

    repo = tmp_path / "repo"
    shutil.copytree(INTERFACE_FIXTURE, repo)
    doc = (repo / TP).absolute()
    original = doc.read_text(encoding="utf-8")
    assert found(lint_documents([doc], {doc: original})[doc]) == []
    wrong = original.replace("Outputs['processed_data']", "Outputs['model_data']", 1)
    assert wrong != original
    after = found(lint_documents([doc], {doc: wrong})[doc])
    assert [code for code, _, _ in after] == ["CL205"]
    forget_memos(monkeypatch)
    monkeypatch.setattr(discovery, "_LOADED", {})
    monkeypatch.setattr(engine_module, "_interface_memo", {})
    assert found(lint_documents([doc], {doc: wrong})[doc]) == after
    assert found(lint_documents([doc], {doc: original})[doc]) == []  # back to the saved text


def test_slash_free_globs_match_whole_path_components_as_fnmatch_does(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = LintConfig(**{"extend-exclude": ["legacy_*.py", "[ab]?c"]})
    excluded = {rel: settings.is_excluded(tmp_path / rel) for rel in (
        "build/x.py", "builds/x.py", "pkg.egg-info/x.py", "steps/legacy_a.py", "steps/legacy.py", "abc/x.py",
        "bzc/x.py", "cbc/x.py", "abcd/x.py")}
    assert excluded == {"build/x.py": True, "builds/x.py": False, "pkg.egg-info/x.py": False,
                        "steps/legacy_a.py": True, "steps/legacy.py": False, "abc/x.py": True, "bzc/x.py": True,
                        "cbc/x.py": False, "abcd/x.py": False}
