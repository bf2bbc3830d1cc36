"""Start one script's child process with a time limit and turn what happened into a ScriptResult."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from .models import FailingFrame, ScriptResult

__all__ = ["run_child", "read_outcome", "tail", "list_files"]

TAIL_LINES = 20
TAIL_CHARS = 4000


def tail(text: str, lines: int = TAIL_LINES, chars: int = TAIL_CHARS) -> str:
    """The last ``lines`` lines (at most ``chars`` characters) of ``text``."""
    kept = "\n".join(text.rstrip("\n").splitlines()[-lines:])
    return kept[-chars:]


def list_files(directory: Path) -> list[str]:
    """Files under ``directory``, relative with forward slashes, sorted."""
    if not directory.is_dir():
        return []
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def _read(path: Path, limit: int = 64 * 1024) -> str:
    """The last ``limit`` bytes of ``path`` (only tails are shown; a script may print gigabytes)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, 2) - limit))
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


#: the largest per-script result file read back (the harness writes a few hundred bytes)
MAX_RESULT_BYTES = 1024 * 1024
_FRAME_TYPES = {"path": str, "line": int, "function": str, "code": str}


def read_outcome(path: Path) -> dict[str, Any] | str | None:
    """The harness's result: a checked dict, None when there is none, or why it is invalid.

    The script runs in the process that writes the file and can overwrite it, so nothing in it
    is trusted before its size, JSON and shape are checked.
    """
    if not path.is_file():  # a FIFO or a device put there would block or never end
        return "not a regular file" if path.exists() or path.is_symlink() else None
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_RESULT_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if len(data) > MAX_RESULT_BYTES:
        return f"larger than {MAX_RESULT_BYTES} bytes"
    try:
        outcome = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return f"not JSON: {type(exc).__name__}"
    if not isinstance(outcome, dict) or not isinstance(outcome.get("ok"), bool):
        return "not an object with a boolean 'ok'"
    if not isinstance(outcome.get("error"), (str, type(None))):
        return "'error' is not a string"
    frame = outcome.get("frame")
    if frame is not None and not (isinstance(frame, dict) and set(frame) == set(_FRAME_TYPES) and all(
            isinstance(frame[k], t) and not isinstance(frame[k], bool) for k, t in _FRAME_TYPES.items())):
        return "'frame' is not a traceback frame"
    return outcome


def run_child(node: str, node_dir: Path, job: dict[str, Any], env: dict[str, str], timeout: float,
              python: str | None = None, harness_dir: Path | None = None) -> ScriptResult:
    """Run ``job`` (see :mod:`cursus_core.testing.harness`) in the sandbox (:mod:`cursus_core.sandbox`):
    no network beyond the loopback, every process it starts killed when it ends or at ``timeout``.

    ``python`` runs it under another interpreter, with ``harness_dir`` (from
    :func:`cursus_core.testing.interpreter.write_harness`) first on its ``PYTHONPATH``."""
    from cursus_core.sandbox import run_sandboxed

    job_file, result_file = node_dir / "job.json", node_dir / "result.json"
    job = {**job, "result": str(result_file)}
    job_file.write_text(json.dumps(job, indent=2, sort_keys=True), encoding="utf-8")
    out_file, err_file = node_dir / "stdout.txt", node_dir / "stderr.txt"
    with out_file.open("wb") as out, err_file.open("wb") as err:
        if harness_dir is not None:
            env = {**env, "PYTHONPATH": os.pathsep.join([str(harness_dir), *filter(None, [env.get("PYTHONPATH")])])}
        finished = run_sandboxed([python or sys.executable, "-m", "cursus_core.testing.harness", str(job_file)],
                                 cwd=node_dir / "work", env=env, stdout=out, stderr=err, timeout=timeout)
    returncode = finished.returncode
    stdout, stderr = _read(out_file), _read(err_file)
    base = dict(node=node, script=job["script"], duration_s=round(finished.elapsed_s, 3), returncode=returncode,
                mode=job["mode"], stdout_tail=tail(stdout), stderr_tail=tail(stderr))
    if finished.timed_out:
        return ScriptResult(status="timeout", reason=f"stopped after the {timeout:g} s time limit", **base)
    outcome = read_outcome(result_file)
    if isinstance(outcome, str):
        return ScriptResult(status="failed", reason=f"the script process returned an invalid result ({outcome}); "
                                                    "did the script overwrite it?", **base)
    if returncode == 0 and outcome is not None and outcome["ok"]:
        return ScriptResult(status="passed", **base)
    if outcome is None:
        how = (f"ended by signal {-returncode}" if returncode and returncode < 0
               else f"exited with code {returncode} before reporting")
        last = tail(stderr, lines=1)
        return ScriptResult(status="failed", reason=f"the script process {how}", error=last or None, **base)
    frame = outcome.get("frame")
    failing = FailingFrame(**frame) if frame else None
    where = f" at {Path(failing.path).name}:{failing.line}" if failing else ""
    return ScriptResult(status="failed", reason=f"exit code {returncode}{where}", error=outcome.get("error"),
                        failing_frame=failing, **base)
