"""`cursus-lint build`: the dry run in a child process, its problems as CL8xx, the definition file.

Every build imports sagemaker in its child (seconds each), so the end-to-end cases are started
together once per module, in parallel, each on its own broken copy of the example pipeline; the
tests then read their results. Locating and rendering problems is tested in-process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from cursus_lint.build import KIND_CODES, to_diagnostics
from cursus_lint.cli import cli
from cursus_lint.report import Summary, render
from cursus_lint.rules_index import all_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLE = FIXTURES / "example_repo"
BUILDERS = "steps/builders"


def replace_in(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1))


def line_in(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def _cycle(root: Path) -> None:
    replace_in(root, "pipeline/dag.json", '["Package", "Registration"],',
               '["Package", "Registration"],\n    ["Registration", "XGBoostTraining"],')


def _renamed_node(root: Path) -> None:
    text = (root / "pipeline/dag.json").read_text().replace("XGBoostModelEval_calibration",
                                                             "XGBoostModelEval_validation")
    (root / "pipeline/dag.json").write_text(text)


def _unused_config(root: Path) -> None:
    data = json.loads((root / "pipeline/config.json").read_text())
    nodes = json.loads((root / "pipeline/dag.json").read_text())
    nodes["nodes"].remove("Registration")
    nodes["edges"] = [e for e in nodes["edges"] if "Registration" not in e]
    (root / "pipeline/dag.json").write_text(json.dumps(nodes, indent=2) + "\n")
    assert "Registration" in data["configuration"]["specific"]


def _missing_entry_point(root: Path) -> None:
    # renamed in the config (and in its derived script_path, or CL807 reports the stale derived value)
    replace_in(root, "pipeline/config.json", '"processing_entry_point": "package.py"',
               '"processing_entry_point": "packaging.py"')
    replace_in(root, "pipeline/config.json", '"script_path": "steps/scripts/package.py"',
               '"script_path": "steps/scripts/packaging.py"')


_RAISE = '        raise RuntimeError("package bucket is not configured")\n'


def _raising_builder(root: Path, body: str = _RAISE) -> None:
    path = root / BUILDERS / "builder_package_step.py"
    text = path.read_text()
    marker = "    def create_step("
    assert marker in text
    at = text.index(marker)
    body_start = text.index(":\n", text.index(")", at)) + 2
    path.write_text(text[:body_start] + body + text[body_start:])


def _sleeping_builder(root: Path) -> None:
    path = root / BUILDERS / "builder_registration_step.py"
    path.write_text("import time\n\ntime.sleep(300)\n" + path.read_text())


#: a token in the build's environment: every process the build starts inherits it (see _survivors)
TOKEN = uuid.uuid4().hex


def _hostile_builder(root: Path) -> None:
    """A builder that leaves processes behind and swallows a blocked lookup at import, and one whose
    create_step connects out."""
    path = root / BUILDERS / "builder_registration_step.py"
    path.write_text(
        "import os as _os, socket as _socket, subprocess as _subprocess\n"
        "_subprocess.Popen(['sleep', '300'])\n"
        "_subprocess.Popen(['setsid', 'sleep', '301'])\n"
        "if _os.fork() == 0:\n"
        "    if _os.fork() == 0:\n"
        "        _os.execvp('sleep', ['sleep', '302'])\n"
        "    _os._exit(0)\n"
        "try:\n"
        "    _socket.getaddrinfo('example.com', 443)\n"
        "except OSError:\n"
        "    pass\n" + path.read_text())
    _raising_builder(root, "        import socket\n"
                           "        socket.create_connection(('10.255.255.1', 80), timeout=60)\n")


def _forging_builder(root: Path) -> None:
    """A builder that overwrites the child's result file once the child has written it."""
    path = root / BUILDERS / "builder_registration_step.py"
    path.write_text("import atexit as _atexit, sys as _sys\n"
                    "_atexit.register(lambda: open(_sys.argv[3], 'w').write('{\"definition\": garbage'))\n"
                    + path.read_text())


def _no_build_extra(root: Path) -> None:
    fake = root.parent / "fake_site" / "sagemaker"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ModuleNotFoundError("No module named \'sagemaker\'", name="sagemaker")\n')


CASES = {
    "ok": (None, []),
    "cycle": (_cycle, []),
    "renamed-node": (_renamed_node, []),
    "unused-config": (_unused_config, []),
    "missing-entry-point": (_missing_entry_point, []),
    "raising-builder": (_raising_builder, []),
    "sleeping-builder": (_sleeping_builder, ["--timeout", "2"]),
    "no-build-extra": (_no_build_extra, []),
    "hostile-builder": (_hostile_builder, []),
    "forging-builder": (_forging_builder, []),
}


@dataclass
class Built:
    root: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def report(self) -> dict:
        return json.loads(self.stdout)

    def found(self) -> list[tuple[str, int, str, str]]:
        return [(d["path"], d["line"], d["code"], d["severity"]) for d in self.report["diagnostics"]]

    def messages(self, code: str) -> list[str]:
        return [d["message"] for d in self.report["diagnostics"] if d["code"] == code]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Start every case's build at once; wait for all."""
    running = {}
    for name, (breakage, extra) in CASES.items():
        base = tmp_path_factory.mktemp(name)
        root = base / "repo"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
        if breakage is not None:
            breakage(root)
        env = {**os.environ, "SANDBOX_TEST_TOKEN": TOKEN}
        if name == "no-build-extra":
            env["PYTHONPATH"] = str(base / "fake_site")
        cmd = [sys.executable, "-m", "cursus_lint.cli", "build", "--dag", "pipeline/dag.json",
               "--config", "pipeline/config.json", "--repo", ".", "--definition", "definition.json",
               "--format", "json", *extra]
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        running[name] = (root, proc, time.perf_counter())
    out = {}

    def wait(name: str, root: Path, proc: subprocess.Popen, start: float) -> None:
        # one thread per build, so each one's time is its own, not that of the builds before it
        stdout, stderr = proc.communicate(timeout=400)
        out[name] = Built(root, proc.returncode, stdout, stderr, time.perf_counter() - start)

    threads = [threading.Thread(target=wait, args=(name, *started)) for name, started in running.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


@pytest.mark.slow
def test_example_pipeline_builds_and_writes_a_sorted_definition(builds: dict[str, Built]) -> None:
    b = builds["ok"]
    assert b.returncode == 0, b.stderr
    assert b.found() == []
    text = (b.root / "definition.json").read_text()
    definition = json.loads(text)
    assert text == json.dumps(definition, indent=2, sort_keys=True) + "\n"
    names = sorted(s["Name"] for s in definition["Steps"])
    assert len(names) == 10
    assert b.report["summary"]["steps"] == 10
    assert "Wrote the pipeline definition (10 steps) to definition.json." in b.stderr


def test_cycle_is_cl801_at_the_dag(builds: dict[str, Built]) -> None:
    b = builds["cycle"]
    assert b.returncode == 1, b.stderr
    dag = b.root / "pipeline/dag.json"
    # at the cycle's first node; the message does not repeat the file the location names
    assert b.found() == [("pipeline/dag.json", line_in(dag, '"XGBoostTraining"'), "CL801", "error")]
    assert b.messages("CL801") == [
        "cycle: XGBoostTraining -> XGBoostModelEval_calibration -> Registration -> XGBoostTraining"]
    assert not (b.root / "definition.json").exists()


def test_node_without_config_is_cl802_at_the_node(builds: dict[str, Built]) -> None:
    b = builds["renamed-node"]
    assert b.returncode == 1, b.stderr
    dag = b.root / "pipeline/dag.json"
    found = b.found()
    assert ("pipeline/dag.json", line_in(dag, '"XGBoostModelEval_validation"'), "CL802", "error") in found
    assert any("XGBoostModelEval_validation" in m and "XGBoostModelEval_calibration" in m
               for m in b.messages("CL802"))


def test_config_without_node_is_a_cl803_warning_and_the_build_succeeds(builds: dict[str, Built]) -> None:
    b = builds["unused-config"]
    config = b.root / "pipeline/config.json"
    assert b.found() == [("pipeline/config.json", line_in(config, '"Registration": {'), "CL803", "warning")]
    assert b.returncode == 0, b.stderr  # a warning does not fail the build
    assert (b.root / "definition.json").is_file()


def test_missing_entry_point_is_cl808(builds: dict[str, Built]) -> None:
    b = builds["missing-entry-point"]
    assert b.returncode == 1, b.stderr
    assert [(p, c) for p, _, c, _ in b.found()] == [("pipeline/config.json", "CL808")]
    (message,) = b.messages("CL808")
    assert "packaging.py" in message


def test_builder_exception_is_cl809_with_the_builders_file_and_line(builds: dict[str, Built]) -> None:
    b = builds["raising-builder"]
    assert b.returncode == 1, b.stderr
    builder = b.root / BUILDERS / "builder_package_step.py"
    line = line_in(builder, 'raise RuntimeError("package bucket is not configured")')
    assert (f"{BUILDERS}/builder_package_step.py", line, "CL809", "error") in b.found()
    (message,) = b.messages("CL809")
    assert "RuntimeError: package bucket is not configured" in message
    assert message.endswith(f"(at {BUILDERS}/builder_package_step.py:{line})")
    assert "Traceback" not in message and "Traceback" not in b.stderr


def test_timeout_stops_the_child_and_is_cl811(builds: dict[str, Built]) -> None:
    b = builds["sleeping-builder"]
    assert b.returncode == 1, b.stderr
    assert [(p, c) for p, _, c, _ in b.found()] == [("pipeline/dag.json", "CL811")]
    (message,) = b.messages("CL811")
    assert message.startswith("dry-run build timed out after 2 s")
    # the 300 s sleep was killed, not waited for: the child's own time (timeout and kill) is the tight
    # bound; the command's wall time also counts interpreter start-up, slow on a loaded machine
    assert b.report["summary"]["elapsed_ms"] < 60_000
    assert b.seconds < 240


def test_missing_build_extra_is_one_line_exit_2(builds: dict[str, Built]) -> None:
    b = builds["no-build-extra"]
    assert b.returncode == 2
    assert b.stdout == ""
    assert b.stderr.strip().splitlines() == [
        "cursus-lint: error: the dry-run build needs the 'build' extra (cannot import 'sagemaker'): "
        "pip install '.[build]' in a clone of cursus-lint"]


def _survivors() -> list[int]:
    """Live processes that carry this module's token: anything a build left behind."""
    needle = f"SANDBOX_TEST_TOKEN={TOKEN}".encode()
    found = []
    for name in os.listdir("/proc"):
        try:
            if name.isdigit() and needle in Path(f"/proc/{name}/environ").read_bytes().split(b"\0") \
                    and Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z":
                found.append(int(name))
        except OSError:
            continue
    return found


def test_network_access_is_blocked_and_each_attempt_is_cl809(builds: dict[str, Built]) -> None:
    b = builds["hostile-builder"]
    assert b.returncode == 1, b.stderr
    package = b.root / BUILDERS / "builder_package_step.py"
    registration = b.root / BUILDERS / "builder_registration_step.py"
    connect, lookup = line_in(package, "10.255.255.1"), line_in(registration, "getaddrinfo")
    assert sorted((p, line, c) for p, line, c, _ in b.found()) == [
        (f"{BUILDERS}/builder_package_step.py", connect, "CL809"),
        (f"{BUILDERS}/builder_registration_step.py", lookup, "CL809")]
    connected, resolved = sorted(b.messages("CL809"))
    assert "NetworkBlockedError: network access is blocked in the dry-run build: connecting to 10.255.255.1:80" \
        in connected
    assert resolved == ("network access is blocked in the dry-run build: user code tried resolving example.com "
                        f"(port 443); the build runs offline (at {BUILDERS}/builder_registration_step.py:{lookup})")


@pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="needs Linux /proc")
def test_no_process_a_build_started_survives_it(builds: dict[str, Built]) -> None:
    # every build of the module has ended: the hostile builder's sleeps and daemon, the sleeping
    # builder stopped at its timeout, ...
    assert builds["hostile-builder"].returncode == 1
    assert _survivors() == []


def test_a_forged_result_file_is_a_finding_not_a_traceback(builds: dict[str, Built]) -> None:
    b = builds["forging-builder"]
    assert b.returncode == 1, b.stderr
    assert [(p, c) for p, _, c, _ in b.found()] == [("pipeline/dag.json", "CL809")]
    assert b.messages("CL809") == ["the build child returned an invalid result (not JSON: JSONDecodeError); "
                                   "did user code overwrite or corrupt it?"]
    assert "Traceback" not in b.stderr


# ---------------------------------------------------------------------------- in-process


@pytest.mark.parametrize(("text", "why"), [
    (b"x" * 10, "not JSON: JSONDecodeError"),
    (b"\xff\xfe", "not JSON: UnicodeDecodeError"),
    (b"[1, 2]", "a JSON list, not an object"),
    (b'{"definition": null, "problems": [{"kind": 1}]}', "problem #0 does not have the keys kind, message, node, "
                                                          "path, line"),
    (b'{"definition": null, "problems": [{"kind": "k", "message": "m", "node": null, "path": null, "line": true}]}',
     "problem #0: 'line' has the wrong type"),
    (b'{"definition": [], "problems": []}', "'definition' is not a pipeline definition"),
    (b'{"definition": null, "problems": {}}', "'problems' is not a list"),
    (b'{"crash": 3}', "'crash' must be a string"),
    (b'{"evil": 1, "problems": []}', "unexpected keys 'evil', 'problems'"),
    (b"[" * 100_000, "not JSON: RecursionError"),
])
def test_the_childs_result_is_checked_before_use(tmp_path: Path, text: bytes, why: str) -> None:
    from cursus_lint.build import InvalidResult, read_result

    path = tmp_path / "result.json"
    path.write_bytes(text)
    with pytest.raises(InvalidResult) as err:
        read_result(path)
    assert str(err.value) == why


def test_an_oversized_result_is_refused_without_reading_it_all(tmp_path: Path, monkeypatch) -> None:
    from cursus_lint import build

    monkeypatch.setattr(build, "MAX_RESULT_BYTES", 1000)
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"definition": None, "problems": [], "report": "x" * 2000}))
    with pytest.raises(build.InvalidResult, match="^larger than 1000 bytes$"):
        build.read_result(path)
    path.write_text(json.dumps({"definition": {"Steps": []}, "problems": [], "report": None}))
    assert build.read_result(path) == {"definition": {"Steps": []}, "problems": [], "report": None}


def test_entry_points_and_source_dirs_outside_the_repo_are_cl808(tmp_path: Path) -> None:
    from pydantic import BaseModel

    from cursus_core.compiler.dry_run import find_missing_entry_points

    repo = tmp_path / "repo"
    (repo / "steps" / "scripts").mkdir(parents=True)
    (repo / "steps" / "scripts" / "run.py").write_text("")
    (tmp_path / "evil.py").write_text("")
    (repo / "steps" / "scripts" / "link.py").symlink_to(tmp_path / "evil.py")
    config_file = tmp_path / "config.json"
    config_file.write_text("{}")

    class Config(BaseModel):
        processing_entry_point: str | None = None
        processing_source_dir: str | None = None

    def found(**values: str) -> list[str]:
        return [p.message for p in find_missing_entry_points("Node", Config(**values), repo, config_file)]

    assert found(processing_entry_point="run.py", processing_source_dir="steps/scripts") == []
    refused = f"outside the repo {repo}: refused (a pipeline must not run files from outside its repo)"
    evil = str(tmp_path / "evil.py")
    assert found(processing_entry_point=evil) == [f"node 'Node': processing_entry_point '{evil}' is {refused}"]
    assert found(processing_entry_point="run.py", processing_source_dir="..") == [
        f"node 'Node': processing_source_dir '..' is {refused}"]
    assert found(processing_entry_point="../../../evil.py", processing_source_dir="steps/scripts") == [
        f"node 'Node': processing_entry_point '../../../evil.py' resolves to 'steps/scripts/../../../evil.py', "
        f"{refused}"]
    assert found(processing_entry_point="link.py", processing_source_dir="steps/scripts") == [
        f"node 'Node': processing_entry_point 'link.py' resolves to 'steps/scripts/link.py', {refused}"]


def test_help_says_it_imports_user_code_with_a_time_limit() -> None:
    result = CliRunner().invoke(cli, ["build", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "IMPORTS the repo's builders and configs (user code)" in text
    assert "child process that is stopped after --timeout seconds" in text
    assert "Network access is blocked in the child (loopback included; an attempt is CL809)" in text
    assert "every process it starts is killed when the build ends" in text
    assert "entry points outside the repo are refused (CL808)" in text
    assert "it is not a security sandbox" in text
    assert "pip install '.[build]' in a clone of cursus-lint" in text


def test_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cursus_lint.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["build", "--config", "c.json"]) == 2
    assert main(["build", "--dag", "missing.json", "--config", "c.json"]) == 2


def test_every_problem_kind_has_a_documented_build_code() -> None:
    rules = all_rules()
    assert KIND_CODES == {"dag-invalid": "CL901", "dag-cycle": "CL801", "node-without-config": "CL802",
                          "config-without-node": "CL803",
                          "builder-not-found": "CL804", "required-input-not-wired": "CL805",
                          "ambiguous-wiring": "CL806", "config-invalid": "CL807", "entry-point-missing": "CL808",
                          "builder-exception": "CL809", "build-timeout": "CL811",
                          "placeholder-node": "CL812"}
    for code in KIND_CODES.values():
        assert code in rules and "## What it checks" in rules[code].docs
    assert {c for c, r in rules.items() if r.scope == "build"} == {"CL801", "CL804", "CL805", "CL806", "CL807",
                                                                   "CL809", "CL811", "CL812"}


def test_problems_are_located_in_the_dag_config_or_user_file(tmp_path: Path) -> None:
    dag, config = EXAMPLE / "pipeline/dag.json", EXAMPLE / "pipeline/config.json"
    problems = [
        {"kind": "node-without-config", "message": "m1", "node": "XGBoostModel", "path": None, "line": None},
        {"kind": "config-invalid", "message": "m2", "node": "Package", "path": None, "line": None},
        {"kind": "entry-point-missing", "message": "m3", "node": "XGBoostTraining", "path": None, "line": None},
        {"kind": "builder-exception", "message": "m4", "node": "Package",
         "path": "steps/builders/builder_package_step.py", "line": 12},
        {"kind": "build-timeout", "message": "m5", "node": None, "path": None, "line": None},
        {"kind": "ambiguous-wiring", "message": "m6", "node": "Registration", "path": None, "line": None},
    ]
    diags = to_diagnostics(problems, dag, config, EXAMPLE, all_rules())
    got = [(d.location.path.relative_to(EXAMPLE).as_posix(), d.location.line, d.code, d.severity.value, d.step,
            d.message) for d in diags]
    assert got == [
        ("pipeline/config.json", line_in(config, '"Package": {'), "CL807", "error", "Package", "m2"),
        ("pipeline/config.json", line_in(config, '"training_entry_point"'), "CL808", "error", "XGBoostTraining", "m3"),
        ("pipeline/dag.json", 1, "CL811", "error", None, "m5"),
        ("pipeline/dag.json", line_in(dag, '"XGBoostModel",'), "CL802", "error", "XGBoostModel", "m1"),
        ("pipeline/dag.json", line_in(dag, '"Registration"'), "CL806", "warning", "Registration", "m6"),
        ("steps/builders/builder_package_step.py", 12, "CL809", "error", "Package",
         "m4 (at steps/builders/builder_package_step.py:12)"),
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_build_findings_render_in_every_format(fmt: str) -> None:
    dag, config = EXAMPLE / "pipeline/dag.json", EXAMPLE / "pipeline/config.json"
    problems = [{"kind": "dag-cycle", "message": "cycle: A -> B -> A", "node": None, "path": None, "line": None}]
    rules = all_rules()
    diags = to_diagnostics(problems, dag, config, EXAMPLE, rules)
    text = render(fmt, diags, {c: r for c, r in rules.items() if c.startswith("CL8")}, Summary(files=2),
                  color=False, statistics=False, cwd=EXAMPLE)
    assert "CL801" in text
    assert "pipeline/dag.json" in text
    assert ("cycle: A -&gt; B -&gt; A" if fmt == "junit" else "cycle: A -> B -> A") in text


def test_explain_lists_builders_and_wiring() -> None:
    from cursus_lint.cli import _explain

    report = {"nodes": [
        {"node": "Load", "config_class": "LoadConfig", "builder_class": "LoadStepBuilder",
         "sagemaker_step_type": "Processing", "builder_file": "steps/builders/builder_load_step.py",
         "inputs": [], "unwired": []},
        {"node": "Train", "config_class": "TrainConfig", "builder_class": "TrainStepBuilder",
         "sagemaker_step_type": "Training", "builder_file": "steps/builders/builder_train_step.py",
         "inputs": [{"dependency": "data", "provider_node": "Load", "provider_output": "raw", "score": 0.9}],
         "unwired": [{"dependency": "hp", "reason": "no provider"}]},
    ]}
    assert _explain(report).splitlines() == [
        "Load: LoadConfig -> LoadStepBuilder (Processing, steps/builders/builder_load_step.py)",
        "Train: TrainConfig -> TrainStepBuilder (Training, steps/builders/builder_train_step.py)",
        "    data <- Load.raw (score 0.90)",
        "    hp unwired: no provider",
    ]


def test_a_placeholder_node_points_at_its_node_not_line_1_of_its_builder(tmp_path: Path) -> None:
    """CL812 is about the DAG node (issue 17): at the node's line in the DAG (JSON or Python), else at
    the node's entry in the saved config; the message names the builder file."""
    dag, config = EXAMPLE / "pipeline/dag.json", EXAMPLE / "pipeline/config.json"
    builder = EXAMPLE / "steps/builders/builder_registration_step.py"
    message = "node 'Registration' is a placeholder: its builder needs package 'secure_ai_sdk', which is not installed"
    problem = {"kind": "placeholder-node", "message": message, "node": "Registration", "path": str(builder),
               "line": None}
    rules = all_rules()
    (d,) = to_diagnostics([problem], dag, config, EXAMPLE, rules)
    assert (d.location.path, d.location.line, d.code, d.severity.value, d.step, d.message) == (
        dag, line_in(dag, '"Registration"'), "CL812", "warning", "Registration",
        message + " (builder steps/builders/builder_registration_step.py)")
    py_dag = tmp_path / "pipeline_dag.py"
    py_dag.write_text('def create_dag():\n    dag = PipelineDAG()\n    dag.add_node("Package")\n'
                      '    dag.add_node("Registration")\n    return dag\n')
    (d,) = to_diagnostics([problem], py_dag, config, EXAMPLE, rules)
    assert (d.location.path, d.location.line) == (py_dag, 4)
    other = dict(problem, node="Package")
    (d,) = to_diagnostics([other], tmp_path / "missing_dag.json", config, EXAMPLE, rules)
    assert (d.location.path, d.location.line) == (config, line_in(config, '"Package": {'))
