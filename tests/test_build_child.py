"""The build child is started before `build` checks its options and files, and gets its work order
after them: so its `import sagemaker` overlaps the parent's own work. What must hold all the same:
no user code before the order, no process left when the parent stops early with a usage error,
exit handlers of user code still run though the child skips the interpreter's teardown.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import cursus_core.sandbox as sandbox
import cursus_lint.cli as cli_module
import cursus_lint.rules_index as rules_index
from cursus_lint.cli import main

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="needs Linux /proc")
pytest.importorskip("sagemaker")

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example_repo"
PACKAGE_BUILDER = "steps/builders/builder_package_step.py"


def _repo(tmp_path: Path, side_effects: str) -> Path:
    """A copy of the example whose Package builder runs ``side_effects`` when it is imported."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".cursus-lint-cache"))
    builder = root / PACKAGE_BUILDER
    builder.write_text(side_effects + builder.read_text(), encoding="utf-8")
    return root


def _record(monkeypatch: pytest.MonkeyPatch, events: list[str], runs: list[sandbox.Sandboxed]) -> None:
    """Log when the child starts and gets its order, and when the parent's checks run."""
    real_init, real_send = sandbox.Sandboxed.__init__, sandbox.Sandboxed.send
    real_rules, real_files = rules_index.all_rules, cli_module._pipeline_files

    def init(self: sandbox.Sandboxed, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        runs.append(self)
        events.append("child started")

    def send(self: sandbox.Sandboxed, order: bytes) -> None:
        events.append("order sent")
        real_send(self, order)

    def rules() -> dict:
        events.append("rules loaded")
        return real_rules()

    def files(*args: object) -> tuple[Path, Path]:
        found = real_files(*args)
        events.append("dag and config checked")
        return found

    monkeypatch.setattr(sandbox.Sandboxed, "__init__", init)
    monkeypatch.setattr(sandbox.Sandboxed, "send", send)
    monkeypatch.setattr(rules_index, "all_rules", rules)
    monkeypatch.setattr(cli_module, "_pipeline_files", files)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state != b"Z"


def test_the_child_starts_first_gets_its_order_after_the_checks_and_user_exit_handlers_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path, "import atexit, pathlib\n"
                           "atexit.register(pathlib.Path('exit-handler-ran.txt').write_text, 'yes')\n")
    events: list[str] = []
    runs: list[sandbox.Sandboxed] = []
    _record(monkeypatch, events, runs)
    code = main(["build", "--dag", str(root / "pipeline/dag.json"), "--config", str(root / "pipeline/config.json"),
                 "--repo", str(root), "--definition", str(tmp_path / "definition.json"), "--no-progress"])
    assert code == 0
    assert events == ["child started", "rules loaded", "dag and config checked", "order sent"]
    assert len(json.loads((tmp_path / "definition.json").read_text())["Steps"]) == 10
    # the child ran in the repo (as before it started early) and ended through its exit handlers
    assert (root / "exit-handler-ran.txt").read_text() == "yes"
    assert runs[0].proc.returncode == 0 and not _alive(runs[0].proc.pid)
    assert sandbox.marked(runs[0].token) == []


def test_a_usage_error_after_the_child_started_leaves_no_process_and_ran_no_user_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path, "import pathlib\npathlib.Path('user-code-ran.txt').write_text('yes')\n")
    events: list[str] = []
    runs: list[sandbox.Sandboxed] = []
    _record(monkeypatch, events, runs)
    monkeypatch.chdir(root)
    code = main(["build", "--dag", "pipeline/missing.json", "--config", "pipeline/config.json", "--repo", "."])
    assert code == 2
    assert capsys.readouterr().err == "cursus-lint: error: pipeline DAG file does not exist: pipeline/missing.json\n"
    assert events == ["child started", "rules loaded"]  # started, then stopped: never given an order
    (run,) = runs
    assert run.proc.returncode is not None and not _alive(run.proc.pid)
    assert sandbox.marked(run.token) == []
    assert not (root / "user-code-ran.txt").exists()
    assert not Path(run.proc.args[-1]).parent.exists()  # the run's temporary directory is gone too


def test_a_child_whose_parent_sends_no_order_ends_without_a_result(tmp_path: Path) -> None:
    from cursus_lint.build import BuildChild

    child = BuildChild()
    try:
        child.run.proc.stdin.close()  # EOF without an order: the parent gave up
        finished = child.run.wait(timeout=300)
        assert (finished.returncode, finished.timed_out) == (0, False)
        assert not child.result_file.exists()
    finally:
        child.close()
