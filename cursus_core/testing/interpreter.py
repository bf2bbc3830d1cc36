"""Which Python runs the scripts of ``test-scripts``, and how the harness gets into it.

Scripts need their own libraries (pandas, xgboost, ...), which live in the project's environment,
not necessarily in the one cursus-lint is installed in. The harness itself needs only the standard
library and three stdlib-only modules of this package (:mod:`cursus_core.runtime`,
:mod:`cursus_core.network_guard` and the harness), so for another interpreter those are copied into
a temporary directory put first on its ``PYTHONPATH``: nothing else of cursus-lint (or its
dependencies) leaks into the project's environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["InterpreterError", "Interpreter", "project_python", "check_python", "write_harness"]

#: the modules the harness imports, relative to the package root, copied for another interpreter
HARNESS_FILES = ("runtime.py", "network_guard.py", "testing/harness.py")


class InterpreterError(ValueError):
    """The chosen interpreter cannot run the harness (missing, not Python, too old)."""


class Interpreter:
    """An interpreter path and why it was chosen (shown to the user)."""

    def __init__(self, path: str, source: str) -> None:
        self.path, self.source = path, source

    @property
    def is_current(self) -> bool:
        return _same(self.path, sys.executable)


def _same(a: str, b: str) -> bool:
    """Same environment: the same ``bin`` directory (not resolved: a venv's python is a symlink to
    its base interpreter, which has other packages)."""
    return os.path.abspath(os.path.dirname(a)) == os.path.abspath(os.path.dirname(b))


def _venv_python(env_dir: Path) -> Path | None:
    for rel in ("bin/python", "Scripts/python.exe"):
        candidate = env_dir / rel
        if candidate.is_file():
            return candidate
    return None


def project_python(repo_root: Path, environ: Mapping[str, str] | None = None) -> Interpreter:
    """The active project environment: ``$VIRTUAL_ENV``, else a ``.venv``/``venv`` in the repo root
    or a parent up to the checkout root (the first directory with ``.git``), else this interpreter."""
    environ = os.environ if environ is None else environ
    active = environ.get("VIRTUAL_ENV")
    if active:
        found = _venv_python(Path(active))
        if found is not None:
            return Interpreter(str(found), "$VIRTUAL_ENV")
    for directory in (repo_root, *repo_root.parents):
        for name in (".venv", "venv"):
            found = _venv_python(directory / name)
            if found is not None and (directory / name / "pyvenv.cfg").is_file():
                return Interpreter(str(found), f"{directory / name}")
        if (directory / ".git").exists():
            break
    return Interpreter(sys.executable, "the interpreter running cursus-lint")


def check_python(path: str, source: str = "--python") -> None:
    """Raise :class:`InterpreterError` unless ``path`` runs Python ≥ 3.10 (what the harness needs);
    the message names the interpreter as the user chose it (``--python``) or where it was found."""
    label = f"--python {path}" if source == "--python" else f"the project interpreter {path} (from {source})"
    try:
        proc = subprocess.run([path, "-c", "import sys; print(sys.version_info >= (3, 10))"], capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        raise InterpreterError(f"{label} cannot be run: {getattr(exc, 'strerror', None) or exc}") from None
    if proc.returncode != 0 or proc.stdout.strip() not in ("True", "False"):
        raise InterpreterError(f"{label} is not a Python interpreter")
    if proc.stdout.strip() != "True":
        raise InterpreterError(f"{label} is older than Python 3.10, which the test harness needs")


def write_harness(dest: Path) -> Path:
    """Copy the harness and the two modules it imports to ``dest/cursus_core``; returns ``dest``
    (the directory to put first on the other interpreter's ``PYTHONPATH``)."""
    package = Path(__file__).resolve().parents[1]
    for rel in HARNESS_FILES:
        target = dest / "cursus_core" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package / rel, target)
    for init in ("cursus_core/__init__.py", "cursus_core/testing/__init__.py"):
        (dest / init).write_text('"""The test harness only (copied by cursus-lint test-scripts)."""\n')
    return dest
