"""The README's install block, run as written in a fresh virtual environment on a copy of the clone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: sagemaker and its dependencies take minutes to install; the dry-run build tests use that extra
SKIPPED = "pip install '.[build]'"


def install_block() -> list[str]:
    section = README.split("## Installing", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_block_is_what_this_test_runs() -> None:
    assert install_block() == [
        "python3 -m venv .venv && . .venv/bin/activate", "pip install .", SKIPPED, "pip install '.[mcp]'",
        "pip install build && python -m build --wheel", "pip install dist/cursus_lint-0.1.0-py3-none-any.whl",
        "cursus-lint check fixtures/example_repo"]


@pytest.mark.slow
def test_the_install_block_works_in_a_fresh_environment(tmp_path: Path) -> None:
    clone = tmp_path / "cursus-lint"
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".cursus-lint-cache",
        ".pytest_cache", ".mypy_cache", ".ruff_cache"))
    script = "set -e\n" + "\n".join(line for line in install_block() if line != SKIPPED) + "\n"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    proc = subprocess.run(["bash", "-c", script], cwd=clone, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "All checks passed: 12 steps, 59 files."
    assert [p.name for p in (clone / "dist").iterdir()] == ["cursus_lint-0.1.0-py3-none-any.whl"]
    version = subprocess.run([str(clone / ".venv" / "bin" / "cursus-lint"), "--version"], capture_output=True,
                             text=True, timeout=120)
    assert version.stdout == "cursus-lint 0.1.0\n"
