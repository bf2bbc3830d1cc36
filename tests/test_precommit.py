"""The pre-commit hooks, end to end with the real pre-commit package (`pre-commit try-repo`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cursus_lint.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "example_repo"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def test_hook_manifest() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"cursus-lint", "cursus-lint-fix"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
        assert hook["types_or"] == ["python", "pyi"]
        assert hook["entry"].startswith("cursus-lint check")
    assert "--fix" in hooks["cursus-lint-fix"]["entry"].split()


def git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.fixture()
def step_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial")
    return repo


def test_exclude_wins_over_explicit_files(step_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    script = step_repo / "steps/scripts/package.py"
    script.write_text(script.read_text() + '\nDEBUG = os.getenv("DEBUG_MODE")\n')
    monkeypatch.chdir(step_repo)
    assert main(["check", "steps/scripts/package.py", "--no-color", "--no-cache", "--select", "CL103"]) == 1
    (step_repo / "pyproject.toml").write_text('[tool.cursus-lint]\nexclude = ["steps/scripts/package.py"]\n')
    capsys.readouterr()
    assert main(["check", "steps/scripts/package.py", "--no-color", "--no-cache", "--select", "CL103"]) == 0


@pytest.mark.slow
def test_try_repo_rejects_a_misaligned_change_and_accepts_a_clean_one(step_repo: Path,
                                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")), "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(PRE_COMMIT), "try-repo", str(ROOT), "cursus-lint", "--files", *files],
                              cwd=step_repo, capture_output=True, text=True, env=env, timeout=900)

    # misaligned: the script reads an env var the contract does not declare; only the script changes
    script = step_repo / "steps/scripts/package.py"
    script.write_text(script.read_text() + '\nDEBUG = os.getenv("DEBUG_MODE")\n')
    bad = try_repo("steps/scripts/package.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "steps/scripts/package.py" in bad.stdout
    assert "CL103 [*] script reads env var 'DEBUG_MODE' that contract 'PACKAGE_CONTRACT' does not declare" in bad.stdout
    assert "[*] 1 fixable with `--fix`." in bad.stdout
    # the contract changes and declares it: checked against the unchanged script, now clean
    contract = step_repo / "steps/contracts/package_contract.py"
    contract.write_text(contract.read_text().replace('optional_env_vars={"COMPRESSION_LEVEL": "6"}',
                                                     'optional_env_vars={"COMPRESSION_LEVEL": "6", "DEBUG_MODE": ""}'))
    good = try_repo("steps/contracts/package_contract.py", "steps/scripts/package.py")
    assert good.returncode == 0, good.stdout + good.stderr
