"""The whole-run result cache: a hit prints exactly what a real run prints, and any change to
what the run read, listed or probed (or to the settings) is a miss that reports the new findings."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from cursus_lint import result_cache
from cursus_lint.cli import UsageError, cli
from cursus_lint.inputs import RACY_NS, FileStamp, Inputs, Recorder

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEBUG = {result_cache.DEBUG_ENV: "1"}


def run(root: Path, *args: str) -> tuple[int, str, str]:
    """``cursus-lint check`` in ``root`` (in this process); exit code, stdout, stderr."""
    old = os.getcwd()
    os.chdir(root)
    try:
        got = CliRunner().invoke(cli, ["check", *args], env=DEBUG)
    finally:
        os.chdir(old)
    if isinstance(got.exception, UsageError):  # main() prints it and exits 2
        return 2, got.stdout, got.stderr + str(got.exception)
    if got.exception is not None and not isinstance(got.exception, SystemExit):
        raise got.exception
    return got.exit_code, got.stdout, got.stderr


def outcome(stderr: str) -> str:
    """What the lookup found: hit, miss, or none (no result cache)."""
    found = re.findall(r"result cache: (\w+)", stderr)
    return found[0] if found else "none"


def same_output(a: str, b: str) -> bool:
    scrub = re.compile(r'"elapsed_ms": \d+|in [0-9.]+ ?m?s|time="[0-9.]+"')
    return scrub.sub("X", a) == scrub.sub("X", b)


def stable(root: Path, *args: str) -> tuple[int, str]:
    """Run until a hit (a first run stores, the next one hits) and return the hit's output."""
    run(root, *args)
    code, out, err = run(root, *args)
    assert outcome(err) == "hit", err
    return code, out


def check_miss_then_correct(root: Path, *args: str) -> None:
    code, out, err = run(root, *args)
    assert outcome(err) == "miss", err
    ref_code, ref, _ = run(root, "--no-cache", *args)
    assert (code, same_output(out, ref)) == (ref_code, True)
    code, again, err = run(root, *args)  # the new result is stored and hit
    assert outcome(err) == "hit" and same_output(again, ref), err


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """The example repo with findings: a script reads env vars its contract does not declare."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "example_repo", root)
    for script in ("package.py", "currency_conversion.py"):
        with open(root / "steps/scripts" / script, "a") as fh:
            fh.write('\nSEED = os.environ["SEEDED_UNDECLARED_VAR"]\n')
    return root


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


# -- a hit --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_a_hit_prints_what_a_real_run_prints(repo: Path, fmt: str) -> None:
    args = ("--format", fmt, "--statistics")
    ref_code, ref, _ = run(repo, "--no-cache", *args)
    code, out, err = run(repo, *args)
    assert outcome(err) == "miss" and "result cache: stored" in err
    code, out = stable(repo, *args)
    assert code == ref_code
    assert same_output(out, ref)
    assert out.count("CL103") >= 2


def test_a_hit_imports_neither_the_rules_nor_the_facts_layer(repo: Path, tmp_path: Path) -> None:
    probe = (
        "import atexit, sys\n"
        "def report():\n"
        "    heavy = [m for m in sys.modules if m.startswith(('cursus_lint.rules.', 'cursus_core.facts',\n"
        "             'cursus_core.catalog', 'cursus_lint.engine', 'libcst', 'cursus_lint.model'))]\n"
        "    sys.stderr.write('HEAVY=' + ','.join(sorted(heavy)) + '\\n')\n"
        "atexit.register(report)\n"
        "from cursus_lint.cli import main\n"
        "main(sys.argv[1:])\n")
    env = {**os.environ, **DEBUG}
    cmd = [sys.executable, "-c", probe, "check", ".", "--format", "json", "--cache-dir", str(tmp_path / "c")]
    runs = [subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=300) for _ in range(2)]
    cold, warm = runs
    assert "result cache: stored" in cold.stderr and "cursus_core.facts" in cold.stderr
    assert "result cache: hit" in warm.stderr
    assert "HEAVY=\n" in warm.stderr, warm.stderr
    assert warm.returncode == cold.returncode
    assert same_output(warm.stdout, cold.stdout)
    assert len(json.loads(warm.stdout)["diagnostics"]) == len(json.loads(cold.stdout)["diagnostics"]) == 2


# -- each kind of input is validated -------------------------------------------------------------

def _outside_base(root: Path, where: Path) -> None:
    """The training configs' base class moves to the package ``where`` (outside the step dirs)."""
    where.mkdir(parents=True, exist_ok=True)
    (where / "__init__.py").write_text("")
    shutil.move(root / "steps/configs/config_training_step_base.py", where / "training_base.py")
    for config in ("config_pytorch_training_step.py", "config_xgboost_training_step.py"):
        replace(root / "steps/configs" / config, "from .config_training_step_base import",
                f"from {where.name}.training_base import")


EDITS: dict[str, Callable[[Path], None]] = {
    "script": lambda r: replace(r / "steps/scripts/package.py", 'os.environ.get("COMPRESSION_LEVEL"',
                                'os.environ.get("COMPRESSION_LEVEL_X"'),
    "contract": lambda r: replace(r / "steps/contracts/package_contract.py", '"COMPRESSION_LEVEL"', '"COMPRESSION"'),
    "spec": lambda r: replace(r / "steps/specs/package_spec.py", 'logical_name="model_input"',
                              'logical_name="model_in"'),
    "builder": lambda r: replace(r / "steps/builders/builder_package_step.py", "class PackageStepBuilder",
                                 "class PackagingStepBuilder"),
    "config": lambda r: replace(r / "steps/configs/config_package_step.py", "class PackageConfig",
                                "class PackagingConfig"),
    "registry": lambda r: replace(r / "registry/step_names.py", '"PackageStepBuilder"', '"PackagingStepBuilder"'),
    "new step file": lambda r: (r / "steps/specs/package_calibration_spec.py").write_text(
        (r / "steps/specs/package_spec.py").read_text()
        .replace('step_type="Package"', 'step_type="Package_Calibration"')
        .replace("PACKAGE_SPEC", "PACKAGE_CALIBRATION_SPEC")
        .replace('logical_name="model_input"', 'logical_name="calibrated_model"')),
    "deleted file": lambda r: (r / "steps/scripts/package.py").unlink(),
    "pyproject setting": lambda r: (r / "pyproject.toml").write_text('[tool.cursus-lint]\nignore = ["CL1"]\n'),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_an_edit_to_any_input_is_a_miss(repo: Path, edit: str) -> None:
    before = stable(repo)
    EDITS[edit](repo)
    check_miss_then_correct(repo)
    assert run(repo, "--no-cache")[1] != before[1]  # the edit changed the findings


def test_a_config_base_outside_the_step_dirs_is_an_input(repo: Path) -> None:
    _outside_base(repo, repo / "shared")
    before = stable(repo)
    assert "CL401" not in before[1]
    replace(repo / "shared/training_base.py", "training_instance_type:", "training_instance_kind:")
    check_miss_then_correct(repo)
    assert "CL401" in run(repo, "--no-cache")[1]


def test_a_config_base_in_an_installed_package_is_an_input(repo: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _outside_base(repo, site / "extbase")
    monkeypatch.syspath_prepend(str(site))
    before = stable(repo)
    assert "CL401" not in before[1]
    replace(site / "extbase/training_base.py", "training_instance_type:", "training_instance_kind:")
    check_miss_then_correct(repo)
    assert "CL401" in run(repo, "--no-cache")[1]


def test_pipeline_dag_and_config_are_inputs(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.cursus-lint]\ndag = "pipeline/dag.json"\n'
                                         'pipeline-config = "pipeline/config.json"\n')
    stable(repo)
    dag = json.loads((repo / "pipeline/dag.json").read_text())
    (repo / "pipeline/dag.json").write_text(json.dumps(dag, indent=4))  # same graph, other bytes
    check_miss_then_correct(repo)
    config = repo / "pipeline/config.json"
    config.write_text(config.read_text().replace("Package", "Packaging", 1))
    check_miss_then_correct(repo)


def test_an_interface_file_is_an_input(tmp_path: Path) -> None:
    root = tmp_path / "iface"
    shutil.copytree(FIXTURES / "interface_repo", root)
    before = stable(root)
    step = root / "steps/interfaces/xgboost_training.step.yaml"
    step.write_text(step.read_text() + "\nunknown_top_level_key: 1\n")
    check_miss_then_correct(root)
    assert run(root, "--no-cache")[1] != before[1]


def test_a_new_workspace_is_an_input(repo: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "development/projects").mkdir(parents=True)
    shutil.copytree(FIXTURES / "workspaces/development/projects/alpha", ws / "development/projects/alpha")
    args = ("--workspace-dir", str(ws))
    before = stable(repo, *args)
    shutil.copytree(FIXTURES / "workspaces/development/projects/beta", ws / "development/projects/beta")
    check_miss_then_correct(repo, *args)
    assert run(repo, "--no-cache", *args)[1] != before[1]


def test_a_file_the_registry_walk_judged_by_its_stat_is_an_input(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cursus_core.registry import literal_reader
    from cursus_lint import inputs

    assert inputs.INPUT_EVENT == literal_reader.INPUT_EVENT
    # the walk's clock past the racy window: the verdict on every file is kept by stat signature
    monkeypatch.setattr(literal_reader, "_clock", lambda: time.time_ns() + 10 * RACY_NS)
    helper = repo / "tools/names.py"
    helper.parent.mkdir()
    helper.write_text("OTHER = {}\n")
    run(repo, "--format", "json")  # another result key: fills the walk's verdicts
    before = stable(repo)  # recorded while the verdict on tools/names.py came from its stat, unread
    helper.write_text('STEP_NAMES = {"Extra": {}}\n')  # a registry now, which no component imports
    check_miss_then_correct(repo)
    assert run(repo, "--no-cache")[1] != before[1]


def test_settings_and_options_are_in_the_key(repo: Path) -> None:
    stable(repo)
    code, out, err = run(repo, "--select", "CL1")
    assert outcome(err) == "miss"
    assert {line.split()[1] for line in out.splitlines() if re.match(r"\S+:\d+:\d+: CL", line)} <= {
        f"CL1{n:02d}" for n in range(100)}
    code, out, err = run(repo, "--format", "json")  # the JSON output carries the fixes' edits: another key
    assert outcome(err) == "miss"


def test_one_file_check_is_cached_and_validated(repo: Path) -> None:
    target = "steps/contracts/package_contract.py"
    stable(repo, target)
    EDITS["contract"](repo)
    check_miss_then_correct(repo, target)


# -- what is never cached -------------------------------------------------------------------------

def results(repo: Path) -> list[Path]:
    return sorted((repo / ".cursus-lint-cache").glob("result-*"))


def test_no_result_cache_for_no_cache_stdin_fixes_or_usage_errors(repo: Path, tmp_path: Path) -> None:
    for args in (["--no-cache"], ["--diff"], ["--add-noqa", "--no-cache"]):
        code, out, err = run(repo, *args)
        assert outcome(err) == "none" and not results(repo), args
    old = os.getcwd()
    os.chdir(repo)
    try:
        got = CliRunner().invoke(cli, ["check", "-", "--stdin-filename", "steps/scripts/package.py"], env=DEBUG,
                                 input=(repo / "steps/scripts/package.py").read_text())
    finally:
        os.chdir(old)
    assert outcome(got.stderr) == "none" and not results(repo)
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(empty, ".")
    assert code == 2 and "no step repo" in err
    assert outcome(err) == "miss" and not list((empty / ".cursus-lint-cache").glob("result-*"))


# -- the store ------------------------------------------------------------------------------------

def test_a_tampered_entry_is_a_miss_without_a_traceback(repo: Path) -> None:
    ref = stable(repo)
    (pack,) = [d / "pack.json" for d in results(repo) if b'"run":' in (d / "pack.json").read_bytes()]
    pack.write_bytes(pack.read_bytes().replace(b"CL", b"XL", 1))
    code, out, err = run(repo)
    assert outcome(err) == "miss" and "Traceback" not in err
    assert (code, same_output(out, ref[1])) == (ref[0], True)
    pack.write_bytes(b"\xff garbage")
    code, out, err = run(repo)
    assert outcome(err) == "miss" and (code, same_output(out, ref[1])) == (ref[0], True)


def test_the_number_of_stored_results_is_bounded(repo: Path) -> None:
    codes = sorted(result_cache.candidate_codes())[:result_cache.KEEP + 3]
    for code in codes:
        assert "result cache: stored" in run(repo, "--ignore", code)[2]
    assert len(results(repo)) == result_cache.KEEP  # the results and the code fingerprint's memo
    # the most recently used are kept: the last run is a hit, the first a miss
    assert outcome(run(repo, "--ignore", codes[-1])[2]) == "hit"
    assert outcome(run(repo, "--ignore", codes[0])[2]) == "miss"


def test_an_input_that_changes_during_the_run_is_not_stored(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    f.write_text("x = 1\n")
    recorder = Recorder(str(tmp_path / "cache"))
    recorder.start()
    try:
        f.read_text()
        assert (tmp_path / "missing").exists() is False
    finally:
        recorder.stop()
    assert recorder.inputs() is not None
    f.write_text("x = 22\n")
    assert recorder.inputs() is None


def test_a_recently_modified_file_is_rehashed(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    f.write_text("x = 1\n")
    st = os.stat(f)
    stamp = FileStamp(str(f), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, "0" * 32)  # a wrong digest
    old = Inputs(max(st.st_mtime_ns, st.st_ctime_ns) + 10 * RACY_NS, [stamp], [], [])
    assert old.unchanged("")  # recorded long after the last write: the stat signature is trusted
    racy = Inputs(max(st.st_mtime_ns, st.st_ctime_ns) + RACY_NS // 2, [stamp], [], [])
    assert not racy.unchanged("")  # written just before the recording: the content is compared


def test_a_cache_dir_that_already_existed_gets_no_results(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.cursus-lint]\ncache-dir = "."\n')
    for _ in range(2):
        code, out, err = run(repo)
        assert outcome(err) == "miss" and "not a cache directory of ours" in err
    assert not list(repo.glob("result-*")) and len(list(repo.glob("facts-*"))) == 1


def test_the_code_fingerprint_follows_the_code_and_is_memoised(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    code = tmp_path / "pkg" / "mod.py"
    code.parent.mkdir()
    code.write_text("X = 1\n")
    monkeypatch.setattr(result_cache, "_code_files", lambda: ([str(code)], []))
    memo = tmp_path / "cache"
    fresh = result_cache.code_fingerprint(memo)
    assert not memo.exists()  # written just now: read every time, never memoised
    old = time.time_ns() - 10 * RACY_NS
    os.utime(code, ns=(old, old))
    monkeypatch.setattr(result_cache.time, "time_ns", lambda: old + 20 * RACY_NS)  # the ctime is old too
    assert result_cache.code_fingerprint(memo) == fresh
    (pack,) = memo.glob("result-*/pack.json")
    assert result_cache.code_fingerprint(memo) == fresh  # from the memo
    code.write_text("X = 2\n")
    os.utime(code, ns=(old, old))
    assert result_cache.code_fingerprint(memo) != fresh  # same size and mtime, another ctime: recomputed
    assert len(list(memo.glob("result-*/pack.json"))) == 2


def test_the_rule_module_names_give_the_rule_codes() -> None:
    """A hit validates the settings against the codes the module names give (importing no rule);
    they must be the codes the rules define, or no run would ever be a hit."""
    from cursus_lint.rules_index import all_rules

    assert result_cache.candidate_codes() == set(all_rules())


def test_the_stored_shapes_follow_the_engine_s() -> None:
    """A field added to a diagnostic or to the engine's result must be stored too (or a hit would
    drop it): a hit builds the engine's own result class, the cache's diagnostic record has the
    diagnostic's fields in order, and the entry stores every field of the result a run computes
    (``rules`` as cards; the elapsed time is the hit's own; an empty-directory run is never stored)."""
    from cursus_lint.diagnostic import Diagnostic
    from cursus_lint.engine import CheckResult

    assert result_cache.CheckResult is CheckResult
    assert result_cache.DiagRecord.__struct_fields__ == Diagnostic.__struct_fields__
    stored = {"rules": "cards"}
    computed = set(CheckResult.__struct_fields__) - {"elapsed_ms", "empty_dirs"}
    assert {stored.get(f, f) for f in computed} <= set(result_cache.ResultEntry.__struct_fields__)


def test_a_hit_lists_the_unknowable_cases_as_a_real_run(repo: Path) -> None:
    def listing(err: str) -> list[str]:
        return [line for line in err.splitlines() if "result cache" not in line]

    ref_code, ref, ref_err = run(repo, "--no-cache", "--verbose")
    run(repo, "--verbose")
    code, out, err = run(repo, "--verbose")
    assert outcome(err) == "hit"
    assert listing(err) == listing(ref_err) and len(listing(err)) > 3
    assert (code, same_output(out, ref)) == (ref_code, True)
