"""read_registry_file / find_registry_files: static, located, never crashing."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest

from cursus_core.registry import RegistryProblem, Span, find_registry_files, read_registry_file


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


GOOD = '''
"""Project registry."""
from typing import Dict

STEP_NAMES: Dict[str, Dict[str, str]] = {
    "TabularPreprocessing": {
        "config_class": "TabularPreprocessingConfig",
        "builder_step_name": "TabularPreprocessingStepBuilder",
        "spec_type": "TabularPreprocessing",
        "sagemaker_step_type": "Processing",
        "description": "preprocess",
    },
    "XGBoostTraining": {
        "config_class": "XGBoostTrainingConfig",
        "builder_step_name": "XGBoostTrainingStepBuilder",
        "spec_type": "XGBoostTraining",
        "sagemaker_step_type": "Training",
    },
}
'''


def test_reads_a_literal_table_with_locations(tmp_path: Path) -> None:
    reg = read_registry_file(write(tmp_path / "step_names.py", GOOD))
    assert reg.problems == []
    assert reg.step_names == {
        "TabularPreprocessing": {
            "config_class": "TabularPreprocessingConfig",
            "builder_step_name": "TabularPreprocessingStepBuilder",
            "spec_type": "TabularPreprocessing",
            "sagemaker_step_type": "Processing",
            "description": "preprocess",
        },
        "XGBoostTraining": {
            "config_class": "XGBoostTrainingConfig",
            "builder_step_name": "XGBoostTrainingStepBuilder",
            "spec_type": "XGBoostTraining",
            "sagemaker_step_type": "Training",
        },
    }
    table = reg.table("STEP_NAMES")
    assert table is not None and table.span == Span(4, 1, 4, 11)
    entry = table.entries["XGBoostTraining"]
    assert (entry.line, entry.column) == (12, 5)
    assert entry.key_span == Span(12, 5, 12, 22)
    assert entry.field_spans["sagemaker_step_type"] == Span(16, 32, 16, 42)
    assert reg.workspace_steps == {} and reg.step_overrides == {} and reg.workspace_metadata is None


def test_registry_file_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "marker.txt"
    path = write(tmp_path / "evil.py", f'''
        import os
        os.system("touch {marker}")
        open({str(marker)!r}, "w").write("ran")
        STEP_NAMES = {{"A": {{"config_class": "AConfig", "builder_step_name": "AStepBuilder",
                              "spec_type": "A", "sagemaker_step_type": "Processing"}}}}
        raise SystemExit(1)
    ''')
    reg = read_registry_file(path)
    assert not marker.exists()
    assert reg.problems == []
    assert list(reg.step_names) == ["A"]


def test_non_literal_values_are_located_and_the_rest_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "r.py", '''
        import os
        SUFFIX = "Config"
        STEP_NAMES = {
            "A": {"config_class": "A" + SUFFIX, "builder_step_name": os.getenv("B"),
                  "spec_type": "A", "sagemaker_step_type": "Processing"},
            "B": {"config_class": "BConfig", "builder_step_name": "BStepBuilder",
                  "spec_type": SPEC_B, "sagemaker_step_type": "Processing"},
            "C": make_entry("C"),
            "D": {"config_class": "DConfig", "builder_step_name": "DStepBuilder",
                  "spec_type": "D", "sagemaker_step_type": "Processing"},
        }
    ''')
    reg = read_registry_file(path)
    assert reg.problems == [
        RegistryProblem(path, 4, 62, "STEP_NAMES['A']['builder_step_name'] is not a literal: a call to os.getenv(); "
                                     "value not read", "non-literal", "A", "builder_step_name"),
        RegistryProblem(path, 7, 24, "STEP_NAMES['B']['spec_type'] is not a literal: name 'SPEC_B' is not a literal "
                                     "defined in this file; value not read", "non-literal", "B", "spec_type"),
        RegistryProblem(path, 8, 10, "STEP_NAMES['C'] is not a literal dict; the step's fields are not read: "
                                     "a call to make_entry(); value not read", "non-literal", "C", None),
    ]
    assert reg.step_names["A"] == {"config_class": "AConfig", "spec_type": "A", "sagemaker_step_type": "Processing"}
    assert reg.step_names["C"] == {}
    assert reg.table("STEP_NAMES").entries["C"].opaque is True
    assert reg.table("STEP_NAMES").entries["A"].non_literal_keys == {"builder_step_name"}
    assert reg.step_names["D"]["spec_type"] == "D"


def test_duplicate_step_and_field_keys_report_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "r.py", '''
        STEP_NAMES = {
            "A": {"config_class": "First", "builder_step_name": "AStepBuilder",
                  "spec_type": "A", "sagemaker_step_type": "Processing"},
            "A": {"config_class": "AConfig", "builder_step_name": "AStepBuilder",
                  "spec_type": "A", "sagemaker_step_type": "Processing",
                  "spec_type": "A2"},
        }
    ''')
    reg = read_registry_file(path)
    assert reg.problems == [
        RegistryProblem(path, 4, 5, "step 'A' is defined twice in STEP_NAMES (lines 2 and 4); the definition at "
                                    "line 4 silently wins", "duplicate-key", "A", None, 2, 5),
        RegistryProblem(path, 6, 11, "key 'spec_type' of step 'A' in STEP_NAMES is given twice (lines 5 and 6); "
                                     "the value at line 6 silently wins", "duplicate-key", "A", "spec_type", 5, 11),
    ]
    assert reg.step_names["A"]["config_class"] == "AConfig"
    assert reg.step_names["A"]["spec_type"] == "A2"


def test_missing_required_keys_and_wrong_types(tmp_path: Path) -> None:
    path = write(tmp_path / "r.py", '''
        WORKSPACE_STEPS = {
            "A": {"config_class": "AConfig", "description": "no builder"},
            "B": {"config_class": 3, "builder_step_name": "BStepBuilder", "spec_type": "B",
                  "sagemaker_step_type": "Processing"},
            "C": "not a dict",
            7: {},
        }
    ''')
    reg = read_registry_file(path)
    assert [(p.line, p.column, p.kind, p.step, p.key, p.message) for p in reg.problems] == [
        (2, 5, "missing-key", "A", "builder_step_name",
         "step 'A' in WORKSPACE_STEPS is missing required key(s): 'builder_step_name', 'spec_type', "
         "'sagemaker_step_type'"),
        (3, 27, "wrong-type", "B", "config_class", "WORKSPACE_STEPS['B']['config_class'] must be a string, not int"),
        (5, 10, "wrong-type", "C", None, "WORKSPACE_STEPS['C'] must be a dict, not str"),
        (6, 5, "wrong-type", None, None, "a key of WORKSPACE_STEPS is 7, not a string"),
    ]
    assert "config_class" not in reg.workspace_steps["B"]
    assert set(reg.workspace_steps) == {"A", "B", "C"}


def test_whole_table_non_literal_is_opaque(tmp_path: Path) -> None:
    path = write(tmp_path / "r.py", '''
        from .base import load_names
        STEP_NAMES = load_names()
    ''')
    reg = read_registry_file(path)
    assert reg.problems == [RegistryProblem(
        path, 2, 14, "STEP_NAMES is not a literal dict: a call to load_names(); value not read", "non-literal")]
    assert reg.table("STEP_NAMES").opaque is True
    assert reg.step_names == {}


def test_spreads_of_literal_constants_are_merged_and_others_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "r.py", '''
        from elsewhere import BASE_STEPS
        COMMON = {"config_class": "XConfig", "builder_step_name": "XStepBuilder"}
        LOCAL = {"Y": {"config_class": "YConfig", "builder_step_name": "YStepBuilder", "spec_type": "Y",
                       "sagemaker_step_type": "Training"}}
        STEP_OVERRIDES = {
            **LOCAL,
            **BASE_STEPS,
            "X": {**COMMON, "spec_type": "X", "sagemaker_step_type": "Processing"},
        }
    ''')
    reg = read_registry_file(path)
    assert reg.problems == [RegistryProblem(
        path, 7, 7, "'**' spread in STEP_OVERRIDES is not a literal table; its steps are not read: name 'BASE_STEPS' "
                    "is not a literal defined in this file; value not read", "non-literal")]
    assert reg.step_overrides == {
        "Y": {"config_class": "YConfig", "builder_step_name": "YStepBuilder", "spec_type": "Y",
              "sagemaker_step_type": "Training"},
        "X": {"config_class": "XConfig", "builder_step_name": "XStepBuilder", "spec_type": "X",
              "sagemaker_step_type": "Processing"},
    }
    assert reg.table("STEP_OVERRIDES").entries["Y"].line == 6
    assert reg.table("STEP_OVERRIDES").opaque is True


def test_workspace_metadata_is_read_key_by_key(tmp_path: Path) -> None:
    path = write(tmp_path / "workspace_registry.py", '''
        import datetime
        WORKSPACE_METADATA = {
            "developer_id": "alice",
            "version": "1.0.0",
            "created": datetime.date.today(),
            "environment_tags": ["gpu", "prod"],
        }
        WORKSPACE_STEPS = {}
    ''')
    reg = read_registry_file(path)
    assert reg.workspace_metadata == {"developer_id": "alice", "version": "1.0.0", "environment_tags": ["gpu", "prod"]}
    assert reg.metadata_span == Span(2, 1, 2, 19)
    assert reg.problems == [RegistryProblem(
        path, 5, 16, "WORKSPACE_METADATA['created'] is not a literal: a call to datetime.date.today(); value not read",
        "non-literal", None, "created")]
    assert reg.workspace_steps == {} and reg.table("WORKSPACE_STEPS") is not None


def test_item_assignment_adds_and_mutations_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "r.py", '''
        STEP_NAMES = {}
        STEP_NAMES["A"] = {"config_class": "AConfig", "builder_step_name": "AStepBuilder", "spec_type": "A",
                           "sagemaker_step_type": "Processing"}
        STEP_NAMES.get("A")
        STEP_NAMES.update(extra())
        STEP_NAMES |= {}
        del STEP_NAMES["A"]
    ''')
    reg = read_registry_file(path)
    assert list(reg.step_names) == ["A"]
    assert reg.table("STEP_NAMES").entries["A"].line == 2
    assert [(p.line, p.kind, p.message) for p in reg.problems] == [
        (5, "mutation", "STEP_NAMES is changed by .update() at run time; the change is not read statically"),
        (6, "mutation", "STEP_NAMES is changed by an augmented assignment at run time; the change is not read "
                        "statically"),
        (7, "mutation", "STEP_NAMES is changed by 'del' at run time; the change is not read statically"),
    ]


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "r.py", '''
        STEP_NAMES = {"Ünïcode": {}, "B": broken()}
    ''')
    reg = read_registry_file(path)
    assert [(p.line, p.column, p.step) for p in reg.problems] == [(1, 15, "Ünïcode"), (1, 35, "B")]
    assert reg.table("STEP_NAMES").entries["B"].column == 30


def test_syntax_error_becomes_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "r.py", 'STEP_NAMES = {\n    "A": {"config_class": "AConfig",\n}\n')
    reg = read_registry_file(path)
    assert len(reg.problems) == 1
    problem = reg.problems[0]
    assert (problem.path, problem.kind, problem.line, problem.column) == (path, "syntax-error", 1, 14)
    assert problem.message == "cannot parse: '{' was never closed"
    assert reg.tables == {}


def test_non_utf8_empty_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.py"
    bad.write_bytes(b'STEP_NAMES = {}\nX = "caf\xe9"\n')
    reg = read_registry_file(bad)
    assert [(p.kind, p.line, p.message) for p in reg.problems] == [
        ("not-utf8", 2, "file is not valid UTF-8 (byte 0xe9 at offset 24)")]
    empty = tmp_path / "empty.py"
    empty.write_text("")
    reg = read_registry_file(empty)
    assert reg.problems == [] and reg.tables == {} and not reg.has_tables
    reg = read_registry_file(tmp_path / "missing.py")
    assert [p.kind for p in reg.problems] == ["unreadable"]


def test_overlay_text_takes_precedence(tmp_path: Path) -> None:
    path = write(tmp_path / "r.py", GOOD)
    reg = read_registry_file(path, overlay={path: "STEP_NAMES = {'Z': f()}\n"})
    assert list(reg.step_names) == ["Z"]
    assert [p.kind for p in reg.problems] == ["non-literal"]


def test_find_registry_files_skips_tool_dirs_and_false_positives(tmp_path: Path) -> None:
    table = 'STEP_NAMES = {}\n'
    write(tmp_path / "src" / "registry" / "step_names.py", table)
    write(tmp_path / "dev" / "ws_registry.py", 'WORKSPACE_STEPS = {}\nSTEP_OVERRIDES = {}\n')
    write(tmp_path / "dev" / "annotated.py", 'STEP_OVERRIDES: dict = {}\n')
    write(tmp_path / "dev" / "broken.py", 'STEP_NAMES = {\n')
    for skipped in (".venv", ".git", "node_modules", "__pycache__", "build", "dist", "pkg.egg-info"):
        write(tmp_path / skipped / "step_names.py", table)
    write(tmp_path / "src" / "docstring.py", '"""\nSTEP_NAMES = {}\n"""\n')
    write(tmp_path / "src" / "nested.py", 'def f():\n    STEP_NAMES = {}\n')
    write(tmp_path / "src" / "compare.py", 'STEP_NAMES == {}\n')
    write(tmp_path / "src" / "user.py", 'from registry import STEP_NAMES\nx = STEP_NAMES["A"]\n')
    write(tmp_path / "src" / "notes.txt", table)
    found = [p.relative_to(tmp_path).as_posix() for p in find_registry_files(tmp_path)]
    assert found == ["dev/annotated.py", "dev/broken.py", "dev/ws_registry.py", "src/registry/step_names.py"]
    assert find_registry_files(tmp_path / "src" / "registry" / "step_names.py") == [
        tmp_path / "src" / "registry" / "step_names.py"]
    assert find_registry_files(tmp_path / "src" / "user.py") == []


def test_find_registry_files_keeps_its_verdicts_in_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cursus_core.cache import DiskCache
    from cursus_core.registry import literal_reader

    repo = tmp_path / "repo"
    write(repo / "registry" / "step_names.py", 'STEP_NAMES = {}\n')
    write(repo / "cli" / "template.py", 'TEMPLATE = """\nSTEP_NAMES = {}\n"""\n')
    write(repo / "plain.py", 'x = 1\n')
    parsed: list[str] = []
    real_load = literal_reader.load_source
    monkeypatch.setattr(literal_reader, "load_source", lambda p: parsed.append(Path(p).name) or real_load(p))

    def found() -> list[str]:
        cache = DiskCache(tmp_path / "cache", "facts", "test")
        names = [p.relative_to(repo).as_posix() for p in find_registry_files(repo, cache)]
        cache.flush()
        return names

    assert found() == ["registry/step_names.py"] and sorted(parsed) == ["step_names.py", "template.py"]
    parsed.clear()
    assert found() == ["registry/step_names.py"] and parsed == []  # warm: both verdicts from the cache
    write(repo / "cli" / "template.py", 'STEP_OVERRIDES = {}\n')  # new content: parsed again
    assert found() == ["cli/template.py", "registry/step_names.py"] and parsed == ["template.py"]


class _Walk:
    """find_registry_files with a disk cache, counting the files it reads and parses; the clock
    is set ``later_s`` after now, so files written by the test are past the racy window."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from cursus_core.registry import literal_reader

        self.tmp_path = tmp_path
        self.repo = tmp_path / "repo"
        self.cache_dir = tmp_path / "cache"
        self.read: list[str] = []
        self.parsed: list[str] = []
        self.later_s = 3.0
        real_read, real_load = literal_reader.read_regular_file, literal_reader.load_source
        monkeypatch.setattr(literal_reader, "read_regular_file",
                            lambda p, limit: self.read.append(Path(p).name) or real_read(p, limit))
        monkeypatch.setattr(literal_reader, "load_source",
                            lambda p: self.parsed.append(Path(p).name) or real_load(p))
        monkeypatch.setattr(literal_reader, "_clock", lambda: time.time_ns() + int(self.later_s * 1e9))

    def __call__(self) -> list[str]:
        from cursus_core.cache import DiskCache

        self.read.clear()
        self.parsed.clear()
        cache = DiskCache(self.cache_dir, "facts", "test")
        names = [p.relative_to(self.repo).as_posix() for p in find_registry_files(self.repo, cache)]
        cache.flush()
        return names


def _walk_repo(walk: _Walk) -> None:
    write(walk.repo / "registry" / "step_names.py", 'STEP_NAMES = {}\n')
    write(walk.repo / "registry" / "broken.py", 'STEP_NAMES = {\n')  # a registry because it does not parse
    write(walk.repo / "cli" / "template.py", 'TEMPLATE = """\nSTEP_NAMES = {}\n"""\n')
    write(walk.repo / "plain.py", 'x = 1\n')


def test_a_warm_registry_walk_reads_and_parses_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walk = _Walk(tmp_path, monkeypatch)
    _walk_repo(walk)
    expected = ["registry/broken.py", "registry/step_names.py"]
    assert walk() == expected
    assert sorted(walk.read) == ["broken.py", "plain.py", "step_names.py", "template.py"]
    assert sorted(walk.parsed) == ["broken.py", "step_names.py", "template.py"]
    assert walk() == expected and walk.read == [] and walk.parsed == []  # every verdict by stat signature


def test_the_registry_walk_sees_edits_by_stat_signature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walk = _Walk(tmp_path, monkeypatch)
    _walk_repo(walk)
    walk()
    write(walk.repo / "plain.py", 'STEP_NAMES = {"A": {}}\n')  # a plain file becomes a registry
    assert walk() == ["plain.py", "registry/broken.py", "registry/step_names.py"] and walk.read == ["plain.py"]
    write(walk.repo / "registry" / "step_names.py", 'OTHER = {}\n')  # a registry stops being one
    assert walk() == ["plain.py", "registry/broken.py"] and walk.read == ["step_names.py"]
    assert walk() == ["plain.py", "registry/broken.py"] and walk.read == []


def test_a_verdict_within_the_racy_window_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walk = _Walk(tmp_path, monkeypatch)
    _walk_repo(walk)
    walk.later_s = 1.0  # every file changed less than RACY_NS before the walk: read on every walk
    walk()
    assert walk() == ["registry/broken.py", "registry/step_names.py"] and len(walk.read) == 4
    walk.later_s = 3.0
    walk()
    assert walk() == ["registry/broken.py", "registry/step_names.py"] and walk.read == []


def test_a_tampered_walk_verdict_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walk = _Walk(tmp_path, monkeypatch)
    _walk_repo(walk)
    walk()
    pack = next(walk.cache_dir.glob("facts-*/pack.json"))
    head, body = pack.read_bytes().split(b"\n", 1)
    entries = json.loads(body)
    (key,) = [k for k in entries if k.startswith("registry-walk-")]
    entries[key][2] = entries[key][2].replace("false", "true")  # claims plain.py is a registry
    assert entries[key][2].count("true") == 4
    pack.write_bytes(head + b"\n" + json.dumps(entries).encode())
    assert walk() == ["registry/broken.py", "registry/step_names.py"]
    assert sorted(walk.read) == ["broken.py", "plain.py", "step_names.py", "template.py"]


TABLES = '''\
def f():
    return 1

STEP_NAMES = {
    "A": {"config_class": "AConfig", "builder_step_name": "AStepBuilder", "spec_type": "A",
          "sagemaker_step_type": "Processing", "job_types": ("training", "calibration"), "tags": {"x"}},
    "B": {"config_class": "BConfig", "builder_step_name": "BStepBuilder", "spec_type": "B",
          "sagemaker_step_type": f()},
}
WORKSPACE_METADATA = {"owner": b"team", "levels": (1, 2.5, None)}
'''


class _Tables:
    """read_registry_file with a disk cache, as a fresh process would (no memo), counting parses."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from cursus_core import source
        from cursus_core.registry import literal_reader

        self.cache_dir = tmp_path / "cache"
        self.parsed: list[str] = []
        self._memos = (literal_reader._read_memo, source._memo, source._bytes_memo)
        real_load = literal_reader.load_source
        monkeypatch.setattr(literal_reader, "load_source",
                            lambda p, overlay=None: self.parsed.append(Path(p).name) or real_load(p, overlay))

    def __call__(self, path: Path) -> object:
        from cursus_core.cache import DiskCache

        for memo in self._memos:
            memo.clear()
        self.parsed.clear()
        cache = DiskCache(self.cache_dir, "facts", "test")
        out = read_registry_file(path, cache=cache)
        cache.flush()
        return out


def test_registry_tables_come_from_the_cache_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = _Tables(tmp_path, monkeypatch)
    path = write(tmp_path / "step_names.py", TABLES)
    cold = read(path)
    assert read.parsed == ["step_names.py"]
    warm = read(path)
    assert read.parsed == [] and warm == cold  # tables, spans, problems
    assert warm.step_names["A"]["job_types"] == ("training", "calibration") and warm.step_names["A"]["tags"] == {"x"}
    assert warm.workspace_metadata == {"owner": b"team", "levels": (1, 2.5, None)}
    assert [(p.kind, p.step, p.key, p.line) for p in warm.problems] == [("non-literal", "B", "sagemaker_step_type", 8)]
    write(path, TABLES.replace('"A": {', '"C": {'))  # an edit: parsed again
    assert list(read(path).step_names) == ["C", "B"] and read.parsed == ["step_names.py"]


def test_a_tampered_registry_table_entry_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = _Tables(tmp_path, monkeypatch)
    path = write(tmp_path / "step_names.py", TABLES)
    cold = read(path)
    pack = next(read.cache_dir.glob("facts-*/pack.json"))
    head, body = pack.read_bytes().split(b"\n", 1)
    entries = json.loads(body)
    (key,) = [k for k in entries if k.startswith("registry-read-")]
    entries[key][2] = entries[key][2].replace("AConfig", "ZConfig")
    pack.write_bytes(head + b"\n" + json.dumps(entries).encode())
    assert read(path) == cold and read.parsed == ["step_names.py"]


def test_a_broken_registry_reports_its_problem_warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = _Tables(tmp_path, monkeypatch)
    path = write(tmp_path / "step_names.py", 'STEP_NAMES = {\n    "A": {\n')
    expected = [RegistryProblem(path, 2, 10, "cannot parse: '{' was never closed", "syntax-error")]
    assert read(path).problems == expected
    assert read(path).problems == expected and read.parsed == ["step_names.py"]  # never cached: parsed again
