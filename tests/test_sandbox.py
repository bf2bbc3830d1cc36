"""The sandbox user code runs in (build, test-scripts, .py DAGs): no network, no surviving processes.

Each test runs a small throwaway script through :func:`run_sandboxed`; a token in its environment
(which every process it starts inherits) lets the test find any survivor in /proc afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from pathlib import Path

import pytest

from cursus_core.sandbox import kill_tree, run_sandboxed

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="needs Linux /proc")

GUARD = Path(__file__).resolve().parents[1]

#: user code that leaves three kinds of survivor behind, then writes their pids
SPAWN = """
import os, subprocess, sys, time
pids = [subprocess.Popen(["sleep", "300"]).pid,
        subprocess.Popen(["sleep", "301"], start_new_session=True).pid,
        subprocess.Popen(["setsid", "sleep", "302"]).pid]
first = os.fork()
if first == 0:                      # a double-forked daemon: the middle process exits at once
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "303"])
    os._exit(0)
os.waitpid(first, 0)
time.sleep(0.3)                     # let the daemon exec
with open(sys.argv[1], "w") as f:
    f.write(" ".join(map(str, pids)))
"""


def with_token(token: str) -> list[int]:
    """Live processes (not zombies) whose environment carries ``SANDBOX_TEST_TOKEN=token``."""
    needle = f"SANDBOX_TEST_TOKEN={token}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            environ = Path(f"/proc/{name}/environ").read_bytes()
            state = Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != b"Z":
            found.append(int(name))
    return found


def run_script(tmp_path: Path, source: str, *args: str, timeout: float = 60.0):
    token = uuid.uuid4().hex
    script = tmp_path / "user.py"
    script.write_text(source, encoding="utf-8")
    log = tmp_path / "log.txt"
    with open(log, "wb") as out:
        finished = run_sandboxed([sys.executable, str(script), *args], cwd=tmp_path,
                                 env={**os.environ, "SANDBOX_TEST_TOKEN": token}, stdout=out, stderr=out,
                                 timeout=timeout)
    return finished, token, log.read_text()


def test_survivors_are_killed_when_the_run_ends_normally(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    finished, token, log = run_script(tmp_path, SPAWN, str(pids))
    assert (finished.returncode, finished.timed_out) == (0, False), log
    assert len(pids.read_text().split()) == 3  # the survivors were started
    assert with_token(token) == []


def test_survivors_are_killed_at_a_timeout(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    source = SPAWN + "print('spawned', flush=True)\ntime.sleep(300)\n"
    # the limit leaves time to spawn on a loaded machine; the test waits for the spawn, not the limit
    finished, token, log = run_script(tmp_path, source, str(pids), timeout=15)
    assert finished.timed_out and finished.returncode == -9
    assert "spawned" in log
    assert with_token(token) == []


def test_kill_tree_reaches_reparented_daemons_below_a_subreaper(tmp_path: Path) -> None:
    # the supervisor's own cleanup: run it, then look for the daemon under its tree while it waits
    source = SPAWN + "time.sleep(300)\n"
    token = uuid.uuid4().hex
    (tmp_path / "user.py").write_text(source, encoding="utf-8")
    import subprocess

    from cursus_core import sandbox

    proc = subprocess.Popen([sys.executable, "-I", "-S", sandbox.__file__, sys.executable, str(tmp_path / "user.py"),
                             str(tmp_path / "pids.txt")], env={**os.environ, "SANDBOX_TEST_TOKEN": token},
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "pids.txt").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = with_token(token)
        # supervisor, worker, three sleeps and the daemon (reparented to the supervisor, not init)
        assert len(survivors) == 6
        assert set(survivors) == {proc.pid, *sandbox.descendants(proc.pid)}
        killed = kill_tree(proc.pid, include_root=True)
        assert len(killed) == 5
    finally:
        proc.kill()
        proc.wait()
    assert with_token(token) == []


NETWORK = """
import json, socket, sys, time, urllib.request
sys.path.insert(0, {root!r})
from cursus_core.network_guard import blocked_attempts, install_network_guard

install_network_guard("the test", user_root={here!r}, allow_local={local})
out = []
for call in (lambda: socket.create_connection(("10.255.255.1", 80), timeout=20),
             lambda: socket.getaddrinfo("example.com", 443),
             lambda: urllib.request.urlopen("http://example.com/", timeout=20),
             lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53))):
    start = time.monotonic()
    try:
        call()
        out.append(["ok", 0])
    except Exception as exc:
        out.append([f"{{type(exc).__name__}}: {{exc}}", time.monotonic() - start])
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
try:
    socket.create_connection(server.getsockname(), timeout=5).close()
    out.append(["loopback ok", 0])
except Exception as exc:
    out.append([f"{{type(exc).__name__}}: {{exc}}", 0])
out.append([[a.what, a.line] for a in blocked_attempts()])
print(json.dumps(out))
"""


def test_network_is_blocked_fast_with_the_address_and_the_user_line(tmp_path: Path) -> None:
    source = NETWORK.format(root=str(GUARD), here=str(tmp_path), local=True)
    finished, _, log = run_script(tmp_path, source)
    assert finished.returncode == 0, log
    *calls, loopback, attempts = json.loads(log.splitlines()[-1])
    assert [text for text, _ in calls] == [
        "NetworkBlockedError: network access is blocked in the test: connecting to 10.255.255.1:80",
        "NetworkBlockedError: network access is blocked in the test: resolving example.com (port 443)",
        "URLError: <urlopen error network access is blocked in the test: resolving example.com (port 80)>",
        "NetworkBlockedError: network access is blocked in the test: sending to 8.8.8.8:53",
    ]
    assert all(seconds < 2 for _, seconds in calls)  # refused at once, no connect or DNS timeout
    assert loopback == ["loopback ok", 0]  # allow_local: a local server still works
    lines = source.splitlines()
    assert attempts == [
        ["connecting to 10.255.255.1:80", next(i for i, t in enumerate(lines, 1) if "10.255.255.1" in t)],
        ["resolving example.com (port 443)", next(i for i, t in enumerate(lines, 1) if "getaddrinfo" in t)],
        ["resolving example.com (port 80)", next(i for i, t in enumerate(lines, 1) if "urlopen" in t)],
        ["sending to 8.8.8.8:53", next(i for i, t in enumerate(lines, 1) if "sendto" in t)],
    ]


def test_without_allow_local_even_loopback_is_blocked(tmp_path: Path) -> None:
    source = NETWORK.format(root=str(GUARD), here=str(tmp_path), local=False)
    finished, _, log = run_script(tmp_path, source)
    *_, loopback, attempts = json.loads(log.splitlines()[-1])
    assert loopback[0].startswith("NetworkBlockedError: network access is blocked in the test: "
                                  "connecting to 127.0.0.1:")
    assert len(attempts) == 5 and attempts[-1][0] == loopback[0].rsplit(": ", 1)[1]


def test_killing_the_parent_takes_the_whole_run_down(tmp_path: Path) -> None:
    import subprocess

    token = uuid.uuid4().hex
    (tmp_path / "user.py").write_text(SPAWN + "time.sleep(300)\n", encoding="utf-8")
    parent = subprocess.Popen(
        [sys.executable, "-c", "import os, sys\nfrom cursus_core.sandbox import run_sandboxed\n"
         f"run_sandboxed([sys.executable, {str(tmp_path / 'user.py')!r}, {str(tmp_path / 'pids.txt')!r}], "
         "cwd='.', env=dict(os.environ), stdout=None, stderr=None, timeout=600)\n"],
        env={**os.environ, "SANDBOX_TEST_TOKEN": token}, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not (tmp_path / "pids.txt").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(with_token(token)) == 7  # the parent, supervisor, worker, three sleeps, the daemon
    parent.kill()  # as a cancelled CI job would: no chance to clean up
    parent.wait()
    deadline = time.monotonic() + 20
    while with_token(token) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert with_token(token) == []


def test_a_worker_killed_by_a_signal_is_reported_as_that_signal(tmp_path: Path) -> None:
    finished, token, log = run_script(tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    assert (finished.returncode, finished.timed_out, log) == (-9, False, "")


def test_an_attempt_is_located_in_user_code_not_in_a_venv_inside_the_repo(tmp_path: Path) -> None:
    lib = tmp_path / ".venv" / "lib" / "site-packages"
    lib.mkdir(parents=True)
    (lib / "fetcher.py").write_text("import socket\n\n\ndef fetch():\n    socket.getaddrinfo('example.com', 80)\n")
    source = (f"import sys\nsys.path[:0] = [{str(GUARD)!r}, {str(lib)!r}]\n"
              "from cursus_core.network_guard import blocked_attempts, install_network_guard\n"
              f"install_network_guard('the test', user_root={str(tmp_path)!r})\n"
              "import fetcher\ntry:\n    fetcher.fetch()\nexcept OSError:\n    pass\n"
              "print([(a.path, a.line, a.function) for a in blocked_attempts()])\n")
    finished, _, log = run_script(tmp_path, source)
    assert log.splitlines()[-1] == repr([(str(tmp_path / "user.py"), 7, "<module>")])
