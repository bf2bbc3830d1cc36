"""test-scripts against hostile scripts and DAGs: network, survivors, a forged result, files outside
the repo, and a `.py` DAG that hangs or exits."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from cursus_core.dag import DAGFormatError, PipelineDAG, load_dag_isolated
from cursus_core.testing import RuntimeTestingFactory
from cursus_lint.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example_repo"
linux = pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="needs Linux /proc")


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def package_run(repo: Path, tmp_path: Path, script: str, timeout: float = 60.0):
    """Replace the Package step's script with ``script`` and run that one node."""
    (repo / "steps" / "scripts" / "package.py").write_text(script, encoding="utf-8")
    model = tmp_path / "model"
    model.mkdir(exist_ok=True)
    factory = RuntimeTestingFactory(PipelineDAG(["Package"]), repo / "pipeline" / "config.json",
                                    workspace_dir=tmp_path / "ws", timeout=timeout)
    factory.configure("Package", inputs={"model_input": model})
    return factory.run().result("Package")


def with_token(token: str) -> list[int]:
    needle = f"SANDBOX_TEST_TOKEN={token}".encode()
    found = []
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and needle in Path(f"/proc/{name}/environ").read_bytes().split(b"\0") \
                    and Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z":
                found.append(int(name))
        except OSError:
            continue
    return found


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ---------------------------------------------------------------------------- network


CONNECTS = ("import socket\n\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n"
            "    socket.create_connection(('10.255.255.1', 80), timeout=30)\n")


def test_a_script_that_connects_out_fails_at_once_saying_network_is_blocked(repo: Path, tmp_path: Path) -> None:
    result = package_run(repo, tmp_path, CONNECTS)
    assert result.status == "failed"
    assert result.error == ("NetworkBlockedError: network access is blocked in runtime testing: "
                            "connecting to 10.255.255.1:80")
    assert (result.failing_frame.line, result.failing_frame.function) == (line_of(CONNECTS, "10.255"), "main")
    assert result.duration_s < 25  # refused, not a 30 s connect timeout


def test_a_script_that_swallows_the_blocked_lookup_still_fails(repo: Path, tmp_path: Path) -> None:
    script = ("import socket\n\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n"
              "    try:\n        socket.getaddrinfo('example.com', 443)\n    except OSError:\n        pass\n")
    result = package_run(repo, tmp_path, script)
    assert (result.status, result.returncode) == ("failed", 1)
    assert result.error == ("NetworkBlockedError: network access is blocked in runtime testing: the script "
                            "tried resolving example.com (port 443)")
    assert result.failing_frame.model_dump() == {
        "path": str(repo / "steps" / "scripts" / "package.py"), "line": line_of(script, "getaddrinfo"),
        "function": "main", "code": "socket.getaddrinfo('example.com', 443)"}


# ---------------------------------------------------------------------------- survivors

SPAWNS = """import os
import subprocess
import time


def main(input_paths, output_paths, environ_vars, job_args):
    subprocess.Popen(["sleep", "300"])
    subprocess.Popen(["setsid", "sleep", "301"])
    first = os.fork()
    if first == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", "302"])
        os._exit(0)
    os.waitpid(first, 0)
    time.sleep(0.3)
    print("spawned", flush=True)
"""


@linux
@pytest.mark.parametrize("ending", ["normal", "timeout"])
def test_no_process_a_script_started_survives_the_run(repo: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch, ending: str) -> None:
    token = uuid.uuid4().hex
    monkeypatch.setenv("SANDBOX_TEST_TOKEN", token)  # the run's environment, and so every process it starts
    script = SPAWNS + ("    time.sleep(300)\n" if ending == "timeout" else "")
    result = package_run(repo, tmp_path, script, timeout=15 if ending == "timeout" else 60)
    assert result.status == ("timeout" if ending == "timeout" else "passed"), result.stderr_tail
    assert result.stdout_tail == "spawned"
    assert with_token(token) == []


# ---------------------------------------------------------------------------- forged result


def test_a_script_that_overwrites_its_result_file_fails_cleanly(repo: Path, tmp_path: Path) -> None:
    # the job file (next to the working directory) names the result file; written after the harness's own
    script = ("import atexit\nimport json\n\n\ndef forge():\n    job = json.load(open('../job.json'))\n"
              "    open(job['result'], 'w').write('{\"ok\": true} garbage')\n\n\n"
              "def main(input_paths, output_paths, environ_vars, job_args):\n    atexit.register(forge)\n")
    result = package_run(repo, tmp_path, script)
    assert result.status == "failed"
    assert result.reason == "the script process returned an invalid result (not JSON: JSONDecodeError); " \
                            "did the script overwrite it?"


def test_a_forged_frame_is_refused_not_a_validation_error(repo: Path, tmp_path: Path) -> None:
    script = ("import atexit\nimport json\n\n\ndef forge():\n    job = json.load(open('../job.json'))\n"
              "    open(job['result'], 'w').write(json.dumps({'ok': False, 'error': 'x', 'frame': {'path': 1}}))\n\n\n"
              "def main(input_paths, output_paths, environ_vars, job_args):\n    atexit.register(forge)\n")
    result = package_run(repo, tmp_path, script)
    assert (result.status, result.reason) == (
        "failed", "the script process returned an invalid result ('frame' is not a traceback frame); "
                  "did the script overwrite it?")


# ---------------------------------------------------------------------------- outside the repo


# relative to the source dir steps/scripts: three levels up leaves the repo
@pytest.mark.parametrize("value", ["ABSOLUTE", "../../../outside.py"])
def test_an_entry_point_outside_the_repo_is_refused(repo: Path, tmp_path: Path, value: str) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n")
    config = repo / "pipeline" / "config.json"
    text = config.read_text()
    value = str(outside) if value == "ABSOLUTE" else value
    assert '"processing_entry_point": "package.py"' in text
    config.write_text(text.replace('"processing_entry_point": "package.py"',
                                   f'"processing_entry_point": {json.dumps(value)}', 1))
    factory = RuntimeTestingFactory(PipelineDAG(["Package"]), config, workspace_dir=tmp_path / "ws")
    assert factory.scripts_requiring_testing() == []
    assert factory.node_errors() == {"Package": (
        f"entry point processing_entry_point={value!r} resolves to {outside}, outside the repo "
        f"{repo}: refused (runtime testing runs only scripts inside the repo)")}
    assert factory.run().result("Package").status == "error"


def test_a_source_root_outside_the_repo_is_the_users_and_its_scripts_run(repo: Path, tmp_path: Path) -> None:
    # `--repo src/pkg --source-root projects/x/dockers`: the build accepts scripts there, so does testing
    dockers = tmp_path / "checkout" / "dockers"
    dockers.mkdir(parents=True)
    (repo / "steps" / "scripts" / "package.py").rename(dockers / "package.py")
    config = repo / "pipeline" / "config.json"
    factory = RuntimeTestingFactory(PipelineDAG(["Package"]), config, workspace_dir=tmp_path / "ws",
                                    source_root=dockers)
    assert factory.node_errors() == {}
    assert factory.scripts_requiring_testing() == ["Package"]
    (dockers / "package.py").rename(tmp_path / "package.py")
    (dockers / "package.py").symlink_to(tmp_path / "package.py")  # a link out of the source root still is not
    factory = RuntimeTestingFactory(PipelineDAG(["Package"]), config, workspace_dir=tmp_path / "ws",
                                    source_root=dockers)
    assert factory.node_errors() == {"Package": (
        f"entry point processing_entry_point='package.py' resolves to {tmp_path / 'package.py'}, outside the repo "
        f"{repo} and the source root {dockers}: refused (runtime testing runs only scripts inside the repo)")}


# ---------------------------------------------------------------------------- .py DAGs


def test_a_python_dag_is_loaded_in_a_child(tmp_path: Path) -> None:
    dag = tmp_path / "dag.py"
    dag.write_text("import os\nPID = os.getpid()\n\n\ndef create_dag():\n"
                   "    from cursus_core.dag import PipelineDAG\n    return PipelineDAG(['A', 'B'], [('A', 'B')])\n")
    assert load_dag_isolated(dag, timeout=60).to_dict() == {"nodes": ["A", "B"], "edges": [["A", "B"]]}


@pytest.mark.parametrize(("body", "message"), [
    ("import sys\nsys.exit(0)\n", "running the DAG file failed: SystemExit: 0"),
    ("raise ValueError('no such table')\n", "running the DAG file failed: ValueError: no such table"),
    ("import socket\ntry:\n    socket.getaddrinfo('example.com', 80)\nexcept OSError:\n    pass\ndag = None\n",
     "network access is blocked while loading the DAG: it tried resolving example.com (port 80)"),
    ("import os\nos._exit(0)\n", "running the DAG file gave no valid result (the process exited with status 0)"),
    ("import os, sys\nos.mkfifo(sys.argv[2])\nos._exit(0)\n",  # argv[2]: where the child writes its result
     "running the DAG file gave no valid result (the process exited with status 0)"),
])
def test_a_python_dag_that_exits_raises_or_connects_is_one_line_naming_the_file(tmp_path: Path, body: str,
                                                                                 message: str) -> None:
    dag = tmp_path / "dag.py"
    dag.write_text(body)
    with pytest.raises(DAGFormatError) as err:
        load_dag_isolated(dag, timeout=60)
    assert str(err.value) == f"{dag}: {message}"


def test_test_scripts_with_a_hanging_python_dag_exits_2_in_one_line(repo: Path, tmp_path: Path, capsys) -> None:
    dag = tmp_path / "dag.py"
    dag.write_text("while True:\n    pass\n")
    code = main(["test-scripts", "--dag", str(dag), "--config", str(repo / "pipeline" / "config.json"),
                 "--workspace", str(tmp_path / "ws"), "--timeout", "3", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [f"cursus-lint: error: {dag}: running the DAG file timed out after 3 s and was stopped"]


def test_test_scripts_with_an_exiting_python_dag_is_not_a_pass(repo: Path, tmp_path: Path, capsys) -> None:
    dag = tmp_path / "dag.py"
    dag.write_text("raise SystemExit(0)\n")
    code = main(["test-scripts", "--dag", str(dag), "--config", str(repo / "pipeline" / "config.json"),
                 "--workspace", str(tmp_path / "ws"), "--no-progress"])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"cursus-lint: error: {dag}: running the DAG file failed: SystemExit: 0"]


def test_help_says_what_is_isolated_and_what_is_not() -> None:
    from click.testing import CliRunner

    from cursus_lint.cli import cli

    result = CliRunner().invoke(cli, ["test-scripts", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Network access is blocked in each script's process except the loopback (an attempt fails the script)" \
        in text
    assert "every process a script starts is killed when it ends" in text
    assert "entry points outside the repo are refused" in text
    assert "it is not a security sandbox (a script can still write files outside the workspace)" in text
    assert ".py (run in a child process with the --timeout limit)" in text


def test_a_fifo_in_place_of_the_result_does_not_hang_the_parent(repo: Path, tmp_path: Path) -> None:
    script = ("import json\nimport os\n\n\ndef main(input_paths, output_paths, environ_vars, job_args):\n"
              "    job = json.load(open('../job.json'))\n    os.mkfifo(job['result'])\n    os._exit(0)\n")
    result = package_run(repo, tmp_path, script)
    assert (result.status, result.reason) == (
        "failed", "the script process returned an invalid result (not a regular file); did the script overwrite it?")
