"""Start one script's child process with a time limit and turn what happened into a ScriptResult."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .models import FailingFrame, ScriptResult

__all__ = ["run_child", "tail", "list_files"]

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


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def run_child(node: str, node_dir: Path, job: dict[str, Any], env: dict[str, str], timeout: float) -> ScriptResult:
    """Run ``job`` (see :mod:`cursus_core.testing.harness`) in its own process group; kill it at ``timeout``."""
    job_file, result_file = node_dir / "job.json", node_dir / "result.json"
    job = {**job, "result": str(result_file)}
    job_file.write_text(json.dumps(job, indent=2, sort_keys=True), encoding="utf-8")
    out_file, err_file = node_dir / "stdout.txt", node_dir / "stderr.txt"
    start = time.monotonic()
    timed_out = False
    with out_file.open("wb") as out, err_file.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "cursus_core.testing.harness", str(job_file)],
                                cwd=node_dir / "work", env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:  # pragma: no cover - ended between the wait and the kill
                pass
            proc.wait()
    duration = round(time.monotonic() - start, 3)
    stdout, stderr = _read(out_file), _read(err_file)
    base = dict(node=node, script=job["script"], duration_s=duration, returncode=proc.returncode, mode=job["mode"],
                stdout_tail=tail(stdout), stderr_tail=tail(stderr))
    if timed_out:
        return ScriptResult(status="timeout", reason=f"stopped after the {timeout:g} s time limit", **base)
    outcome: dict[str, Any] | None = None
    if result_file.is_file():
        try:
            outcome = json.loads(result_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            outcome = None
    if proc.returncode == 0 and outcome is not None and outcome.get("ok"):
        return ScriptResult(status="passed", **base)
    if outcome is None:
        how = (f"ended by signal {-proc.returncode}" if proc.returncode and proc.returncode < 0
               else f"exited with code {proc.returncode} before reporting")
        last = tail(stderr, lines=1)
        return ScriptResult(status="failed", reason=f"the script process {how}", error=last or None, **base)
    frame = outcome.get("frame")
    failing = FailingFrame(**frame) if frame else None
    where = f" at {Path(failing.path).name}:{failing.line}" if failing else ""
    return ScriptResult(status="failed", reason=f"exit code {proc.returncode}{where}", error=outcome.get("error"),
                        failing_frame=failing, **base)
