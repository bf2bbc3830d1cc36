"""Run user code in a child process that has no network and leaves no process behind.

The dry-run build, runtime script tests and ``.py`` DAG loading import or run the step repo's
code. :func:`run_sandboxed` starts that code under a small *supervisor* (this file, run as a
script with ``python -I -S``): the supervisor makes itself a child subreaper (Linux
``prctl(PR_SET_CHILD_SUBREAPER)``), so every process the user code starts — a ``Popen``, a
``setsid`` child, a double-forked daemon — stays in its process tree; when the worker ends the
supervisor kills that whole tree before it exits. On a timeout the parent stops and kills the
supervisor's tree itself. Every process also carries a unique marker in its environment, and
the parent finally kills any process that still has it (one that escaped the tree because
user code killed the supervisor), and the child's process group (the fallback off Linux).

The worker itself blocks network access before any user code runs
(:mod:`cursus_core.network_guard`). This is isolation against accidents (a forgotten download,
a stray daemon), not a security sandbox.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MARKER_ENV", "Finished", "Sandboxed", "run_sandboxed", "descendants", "kill_tree", "kill_marked"]

#: environment variable carrying the run's unique marker to every process of a sandboxed run
MARKER_ENV = "CURSUS_SANDBOX_RUN"
_PR_SET_CHILD_SUBREAPER = 36
_PR_SET_PDEATHSIG = 1
_MAX_ROUNDS = 200


# ---------------------------------------------------------------------------- process trees


def _ppids() -> dict[int, int]:
    """pid -> parent pid of every process, from /proc (empty where there is no /proc)."""
    out: dict[int, int] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return out
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # after "pid (comm) ": state ppid ...
        if len(fields) > 1 and fields[1].isdigit():
            out[int(name)] = int(fields[1])
    return out


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (children, grandchildren, ...), parents first."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _ppids().items():
        children.setdefault(ppid, []).append(pid)
    out: list[int] = []
    todo = list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_tree(root: int, *, include_root: bool) -> list[int]:
    """SIGKILL every process below ``root`` (and ``root`` itself if asked); returns the pids killed.

    Each found process is stopped first, so none can fork past the walk; the walk repeats
    until it finds no new process, then every stopped process is killed.
    """
    if include_root:
        _signal(root, signal.SIGSTOP)
    stopped: list[int] = []
    seen = {root, os.getpid()}
    for _ in range(_MAX_ROUNDS):
        new = [pid for pid in descendants(root) if pid not in seen]
        if not new:
            break
        for pid in new:
            _signal(pid, signal.SIGSTOP)
            seen.add(pid)
            stopped.append(pid)
    for pid in stopped:
        _signal(pid, signal.SIGKILL)
    if include_root:
        _signal(root, signal.SIGKILL)
    return stopped


def marked(token: str) -> list[int]:
    """Processes whose environment carries ``MARKER_ENV=token`` (readable ones only)."""
    needle = f"{MARKER_ENV}={token}".encode()
    out: list[int] = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return out
    for name in names:
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    out.append(int(name))
        except OSError:
            continue
    return out


def kill_marked(token: str) -> list[int]:
    """Stop, then kill, every process that still carries the run's marker; returns their pids."""
    killed: list[int] = []
    for _ in range(_MAX_ROUNDS):
        found = [pid for pid in marked(token) if pid not in killed]
        if not found:
            break
        for pid in found:
            _signal(pid, signal.SIGSTOP)
        for pid in found:
            _signal(pid, signal.SIGKILL)
        killed += found
    return killed


# ---------------------------------------------------------------------------- the parent side


class Finished:
    """How a sandboxed run ended: ``returncode`` as :class:`subprocess.Popen` gives it."""

    def __init__(self, returncode: int, timed_out: bool, elapsed_s: float) -> None:
        self.returncode, self.timed_out, self.elapsed_s = returncode, timed_out, elapsed_s


def run_sandboxed(argv: list[str], *, cwd: str | os.PathLike[str], env: dict[str, str], stdout, stderr,
                  timeout: float, on_tick: Callable[[], None] | None = None) -> Finished:
    """Run ``argv`` under the supervisor; at ``timeout`` seconds kill the whole tree.

    ``on_tick`` is called about every 0.1 s while the run lasts (and once at its end): the
    caller's chance to show progress without a thread.

    Whatever happens (a normal end, a timeout, an interrupt of the parent), no process of the
    run is left when this returns.
    """
    with Sandboxed(argv, cwd=cwd, env=env, stdout=stdout, stderr=stderr) as run:
        return run.wait(timeout, on_tick)


class Sandboxed:
    """A sandboxed run started now and waited for later (see :func:`run_sandboxed`).

    Why: a worker can do its slow start-up (``import sagemaker``) while the parent still checks its
    options, and get its work order on stdin (``stdin_order=True``, then :meth:`send`) once the
    parent knows it. The worker must not run user code before the order; it reads it to EOF,
    and an EOF without an order (the parent gave up) means: end without doing anything.
    :meth:`close` (also on leaving a ``with``) kills every process of the run that is still
    there; it is what :meth:`wait` ends with, and what an early error of the parent ends with.
    """

    def __init__(self, argv: list[str], *, cwd: str | os.PathLike[str], env: dict[str, str], stdout, stderr,
                 stdin_order: bool = False) -> None:
        import subprocess
        import uuid

        self.token = uuid.uuid4().hex
        self.started = time.monotonic()
        self.closed = False
        self.proc = subprocess.Popen([sys.executable, "-I", "-S", os.path.abspath(__file__), *argv], cwd=cwd,
                                     env={**env, MARKER_ENV: self.token},
                                     stdin=subprocess.PIPE if stdin_order else subprocess.DEVNULL,
                                     stdout=stdout, stderr=stderr, start_new_session=True)

    def send(self, order: bytes) -> None:
        """Give the worker its work order (stdin, then EOF); a worker that already ended is no error
        here: :meth:`wait` returns its status."""
        stdin = self.proc.stdin
        if stdin is None:
            raise ValueError("this run was not started with stdin_order=True")
        try:
            stdin.write(order)
            stdin.close()
        except (BrokenPipeError, OSError):
            try:
                stdin.close()
            except OSError:
                pass

    def wait(self, timeout: float, on_tick: Callable[[], None] | None = None) -> Finished:
        """Wait at most ``timeout`` seconds from now, then :meth:`close`; ``elapsed_s`` counts from now."""
        import subprocess

        start = time.monotonic()
        timed_out = False
        try:
            if on_tick is None:
                self.proc.wait(timeout=timeout)
            else:
                _wait_ticking(self.proc, start + timeout, on_tick)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            self.close()
        return Finished(self.proc.returncode, timed_out, time.monotonic() - start)

    def close(self) -> None:
        """Kill whatever of the run is left: the tree when the supervisor still runs (a timeout, an
        interrupt, a parent that stopped before its order), its process group, every marked process."""
        if self.closed:
            return
        self.closed = True
        proc = self.proc
        if proc.stdin is not None and not proc.stdin.closed:
            try:
                proc.stdin.close()
            except OSError:
                pass
        if proc.returncode is None and proc.poll() is None:
            kill_tree(proc.pid, include_root=True)
            proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the group: all that is left off Linux
        except (ProcessLookupError, PermissionError):
            pass
        kill_marked(self.token)

    def __enter__(self) -> Sandboxed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _wait_ticking(proc: Any, deadline: float, on_tick: Callable[[], None]) -> None:
    """``proc.wait`` until ``deadline`` in short steps, calling ``on_tick`` between them."""
    import subprocess

    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            on_tick()
            raise subprocess.TimeoutExpired(proc.args, 0)
        try:
            proc.wait(timeout=min(0.1, left))
        except subprocess.TimeoutExpired:
            on_tick()
            continue
        on_tick()
        return


# ---------------------------------------------------------------------------- the supervisor


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _on_term(signum: int, frame: object) -> None:
    """The parent died (or asked us to stop): take the whole tree down with us."""
    kill_tree(os.getpid(), include_root=False)
    os._exit(128 + signum)


def _supervise(argv: list[str]) -> int:
    """Run the worker, reap what it leaves, kill everything still running, pass its status on."""
    parent = os.getppid()
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    # the supervisor is in its own session, out of reach of a kill of the parent's process group
    # (a cancelled CI job): when the parent dies, this gets SIGTERM and kills the tree
    signal.signal(signal.SIGTERM, _on_term)
    if _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM) and os.getppid() != parent:  # pragma: no cover - raced
        _on_term(signal.SIGTERM, None)
    worker = os.posix_spawn(argv[0], argv, os.environ)
    status = 0
    while True:  # reap orphans as they end, until the worker itself has ended
        try:
            pid, status = os.wait()
        except ChildProcessError:  # pragma: no cover - the worker is our child until reaped
            break
        except InterruptedError:  # pragma: no cover
            continue
        if pid == worker:
            break
    code = os.waitstatus_to_exitcode(status)
    kill_tree(os.getpid(), include_root=False)
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    sys.stdout.flush()
    if code < 0:  # end the way the worker ended, so the parent sees the signal
        try:
            signal.signal(-code, signal.SIG_DFL)
        except (OSError, ValueError):  # SIGKILL has no handler to reset
            pass
        os.kill(os.getpid(), -code)
        code = 128 - code
    return code


if __name__ == "__main__" and len(sys.argv) > 1:
    sys.exit(_supervise(sys.argv[1:]))


def inside_root(path: Path, root: Path) -> bool:
    """Is ``path`` inside ``root`` once symlinks and ``..`` are resolved? (What a run may touch: its
    entry points and source dirs must not lead out of the repo.)"""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False
