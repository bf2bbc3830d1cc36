"""Run import-linter's layering contracts (``[tool.importlinter]`` in pyproject.toml) over this repo.

import-linter finds a package's modules by walking its directory, but the rules live in the
top-level ``rules/`` directory and ship as ``cursus_lint.rules`` through setuptools' package-dir;
under the editable install ``cursus_lint/`` holds no ``rules``, so a plain ``lint-imports`` would
not see a single rule (nor an import of one). This script copies the two packages into a
temporary directory in their installed shape (``rules/`` as ``cursus_lint/rules``) and runs
``lint-imports`` there. Usage: ``python tools/lint_imports.py`` (exit status of lint-imports).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


def stage(repo: Path, dest: Path) -> Path:
    """Copy ``cursus_core`` and ``cursus_lint`` (with ``rules`` inside it) from ``repo`` to ``dest``."""
    shutil.copytree(repo / "cursus_core", dest / "cursus_core", ignore=_SKIP)
    shutil.copytree(repo / "cursus_lint", dest / "cursus_lint", ignore=_SKIP)
    shutil.copytree(repo / "rules", dest / "cursus_lint" / "rules", ignore=_SKIP)
    return dest


def lint_imports(staged: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` over ``staged`` (its working directory comes first on the import path)."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        raise SystemExit("lint-imports not found: install the test extra (pip install -e '.[test]')")
    return subprocess.run([exe, str(config), "--no-cache"], cwd=staged, text=True, capture_output=True,
                          check=False)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cursus-layers-") as tmp:
        result = lint_imports(stage(REPO, Path(tmp)), REPO / "pyproject.toml")
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
