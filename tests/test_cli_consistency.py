"""`check`, `build` and `test-scripts` agree (issue 14): option names, config defaults, error shapes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.diagnostic import Diagnostic, Location, Severity
from cursus_lint.report import Summary, render
from cursus_lint.rules_index import all_rules

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example_repo"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example repo whose pyproject names its DAG and saved config; cwd is its root."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".cursus-lint-cache"))
    (root / "pyproject.toml").write_text('[tool.cursus-lint]\ndag = "pipeline/dag.json"\n'
                                         'pipeline-config = "pipeline/broken.json"\n')
    (root / "pipeline" / "broken.json").write_text("{bad\n")
    monkeypatch.chdir(root)
    return root


BROKEN_CONFIG = ("cursus-lint: error: pipeline/broken.json:1:2: invalid JSON: Expecting property name enclosed "
                 "in double quotes\n")


@pytest.mark.parametrize("command", ["build", "test-scripts"])
def test_both_read_the_saved_config_from_pyproject_and_fail_alike(repo: Path, command: str, capsys) -> None:
    assert main([command]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", BROKEN_CONFIG)


@pytest.mark.parametrize("command", ["build", "test-scripts"])
def test_a_broken_dag_names_its_path_once_and_exits_2(repo: Path, command: str, capsys) -> None:
    (repo / "pipeline" / "dag.json").write_text('{"nodes": [\n')
    assert main([command, "--config", "pipeline/config.json"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "cursus-lint: error: pipeline/dag.json:2:1: invalid JSON: "
                                                "Expecting value\n")


@pytest.mark.parametrize("command", ["build", "test-scripts"])
def test_without_dag_or_config_the_error_says_where_to_set_them(tmp_path: Path, monkeypatch, command: str,
                                                                  capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([command]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: no pipeline DAG: pass --dag or set 'dag' in "
                                       "[tool.cursus-lint]\n")
    assert main([command, "--dag", "d.json"]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: no saved pipeline config: pass --config or set "
                                       "'pipeline-config' in [tool.cursus-lint]\n")


@pytest.mark.parametrize("command", ["check", "build", "test-scripts"])
def test_output_is_the_report_file_and_format_has_one_alias_in_every_command(command: str) -> None:
    from click.testing import CliRunner

    from cursus_lint.cli import cli

    text = CliRunner().invoke(cli, [command, "--help"], env={"COLUMNS": "100"}).output
    assert "-o, --output FILE" in text
    assert "Write the report to FILE" in text
    assert "--format, --output-format" in text


def test_build_summary_never_says_in_0_steps() -> None:
    rules = all_rules()
    d = Diagnostic("CL801", rules["CL801"].name, Severity.ERROR, Location(Path("pipeline/dag.json"), 3),
                   "cycle: a -> a")
    text = render("text", [d], rules, Summary(files=2, steps=0), color=False, statistics=False)
    assert text.splitlines()[-1] == "Found 1 problem (1 error)."
    text = render("text", [d], rules, Summary(files=2, steps=1), color=False, statistics=False)
    assert text.splitlines()[-1] == "Found 1 problem (1 error) in 1 step."


@pytest.mark.slow
def test_build_writes_the_report_with_o_and_the_definition_with_definition(tmp_path: Path) -> None:
    """`build --format sarif -o x.sarif` (it failed when -o meant the definition)."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".cursus-lint-cache"))
    proc = subprocess.run([sys.executable, "-m", "cursus_lint.cli", "build", "--dag", "pipeline/dag.json",
                           "--config", "pipeline/config.json", "--repo", ".", "--format", "sarif",
                           "-o", "build.sarif", "--definition", "definition.json"],
                          cwd=root, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == "Wrote the pipeline definition (10 steps) to definition.json.\n"
    sarif = json.loads((root / "build.sarif").read_text())
    assert sarif["runs"][0]["results"] == []
    assert len(json.loads((root / "definition.json").read_text())["Steps"]) == 10


# ---------------------------------------------------------------------------- item 2: ruff-style options

from cursus_lint.rules import _examples  # noqa: E402

from .repo_helpers import write_repo  # noqa: E402

BAD_SCRIPT = _examples.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                            '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')
FINDING = ("steps/scripts/clean.py:11:13: CL103 [*] script reads env var 'DEBUG_MODE' that contract "
           "'CLEAN_CONTRACT' does not declare")


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_repo(tmp_path, _examples.repo())
    (tmp_path / "pyproject.toml").write_text('[tool.cursus-lint]\nfail-on = "warning"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_show_settings_says_where_each_value_came_from(small: Path, capsys) -> None:
    assert main(["check", "--show-settings", "--ignore", "CL6"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["# config file: pyproject.toml", "# project root: ."]
    assert 'fail-on = "warning"  # pyproject.toml' in lines
    assert 'ignore = ["CL6"]  # command line' in lines
    assert 'cache-dir = ".cursus-lint-cache"  # default' in lines


def test_show_files_lists_what_check_reads(small: Path, capsys) -> None:
    (small / "steps" / "scripts" / "skip_me.py").write_text("x = 1\n")
    assert main(["check", "--show-files", "--exclude", "steps/scripts/skip_me.py"]) == 0
    assert capsys.readouterr().out.splitlines() == sorted(
        p.relative_to(small).as_posix() for p in small.rglob("*.py")
        if p.name not in ("__init__.py", "skip_me.py") and p.parent.name != "steps")


def test_stdin_filename_lints_standard_input_as_that_file(small: Path, monkeypatch, capsys) -> None:
    import io

    on_disk = (small / "steps/scripts/clean.py").read_text()
    monkeypatch.setattr(sys, "stdin", io.StringIO(BAD_SCRIPT))
    assert main(["check", "-", "--stdin-filename", "steps/scripts/clean.py", "--no-color", "--select", "CL103"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == FINDING
    assert (small / "steps/scripts/clean.py").read_text() == on_disk  # the file itself is untouched
    assert main(["check", "-"]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: '-' (standard input) needs --stdin-filename PATH to "
                                       "say which file the text is\n")


def test_per_file_ignores_on_the_command_line(small: Path, capsys) -> None:
    (small / "steps/scripts/clean.py").write_text(BAD_SCRIPT)
    assert main(["check", "--no-cache", "--no-color", "--select", "CL103"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == FINDING
    assert main(["check", "--no-cache", "--no-color", "--select", "CL103",
                 "--per-file-ignores", "steps/scripts/*.py:CL102,CL103"]) == 0
    assert capsys.readouterr().out.startswith("All checks passed: ")
    assert main(["check", "--per-file-ignores", "CL103"]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: --per-file-ignores 'CL103': expected GLOB:CODES, "
                                       "e.g. 'steps/scripts/*.py:CL1,CL402'\n")


def test_clean_removes_the_cache_and_says_so(small: Path, capsys) -> None:
    assert main(["check", "--no-color"]) == 0
    assert (small / ".cursus-lint-cache" / "CACHEDIR.TAG").is_file()
    capsys.readouterr()
    assert main(["clean"]) == 0
    assert capsys.readouterr().out == "Removed .cursus-lint-cache.\n"
    assert not (small / ".cursus-lint-cache").exists()
    assert main(["clean"]) == 0
    assert capsys.readouterr().out == "No cache to remove at .cursus-lint-cache.\n"
    (small / "keep").mkdir()
    assert main(["clean", "--cache-dir", "keep"]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: keep is not a cursus-lint cache (no CACHEDIR.TAG); "
                                       "not removing it\n")
    assert (small / "keep").is_dir()


# ---------------------------------------------------------------------------- item 3: catalog layout


def test_catalog_lists_each_step_as_a_block_of_whole_paths(small: Path, capsys) -> None:
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["2 steps under . (registry: registry/step_names.py)",
                   "", "Clean (Processing)",
                   "  script:   steps/scripts/clean.py",
                   "  contract: steps/contracts/clean_contract.py",
                   "  spec:     steps/specs/clean_spec.py",
                   "  builder:  steps/builders/builder_clean_step.py",
                   "  config:   steps/configs/config_clean_step.py",
                   "", "DataLoad (Processing)",
                   "  script:   -",
                   "  contract: -",
                   "  spec:     steps/specs/data_load_spec.py",
                   "  builder:  steps/builders/builder_data_load_step.py",
                   "  config:   steps/configs/config_data_load_step.py"]


@pytest.mark.parametrize("columns", ["80", "100"])
def test_catalog_never_cuts_a_file_name_at_80_or_100_columns_or_piped(columns: str, monkeypatch) -> None:
    from click.testing import CliRunner

    from cursus_lint.cli import cli

    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    text = runner.invoke(cli, ["catalog", "fixtures/example_repo"], env={"COLUMNS": columns}).output
    doc = json.loads(runner.invoke(cli, ["catalog", "fixtures/example_repo", "--format", "json"]).output)
    paths = [p for s in doc["steps"] for p in (s["script"], s["contract"], s["builder"], s["config"],
                                                 *s["specs"].values()) if p]
    assert len(paths) > 40
    shown = {line.split(": ", 1)[1].strip() for line in text.splitlines() if line.startswith("  ")}
    assert set(paths) <= shown
    assert not any(ch in text for ch in "│┃━")  # no table


# ---------------------------------------------------------------------------- item 4: help text


def test_help_never_cuts_a_sentence_at_80_columns() -> None:
    from click.testing import CliRunner

    from cursus_lint.cli import cli

    runner = CliRunner()
    top = runner.invoke(cli, ["--help"], env={"COLUMNS": "80"}).output
    listed = top.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == sorted(cli.commands)
    assert all(line.rstrip().endswith(".") and not line.rstrip().endswith("...") for line in listed), listed
    assert "  check         Lint the step repos under PATHS." in listed
    for name in cli.commands:
        text = runner.invoke(cli, [name, "--help"], env={"COLUMNS": "80"}).output
        assert text.startswith(f"Usage: cli {name} ")
        assert not [line for line in text.splitlines()[1:] if line.rstrip().endswith("...")], name


def test_lsp_tcp_client_disconnect_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "cursus_lint.cli", "lsp", "--tcp", f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                           "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        conn.sendall(f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
        assert conn.recv(16) == b"Content-Length: "
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
        conn.close()
        time.sleep(2)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err
    assert "cursus-lint lsp: the client disconnected ([Errno 104] Connection reset by peer)" in err


# ---------------------------------------------------------------------------- item 5: init


def test_init_writes_the_detected_section_and_keeps_the_rest(tmp_path: Path, monkeypatch, capsys) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".cursus-lint-cache"))
    (root / "ws/development/projects/alpha").mkdir(parents=True)
    (root / "ws/development/projects/alpha/x.py").write_text("x = 1\n")
    (root / "pyproject.toml").write_text('[project]\nname = "x"  # mine\n')
    monkeypatch.chdir(root)
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    section = ('[tool.cursus-lint]\nregistry = "registry/step_names.py"\nworkspace-dirs = ["ws"]\n'
               'dag = "pipeline/dag.json"\npipeline-config = "pipeline/config.json"\n')
    assert (root / "pyproject.toml").read_text() == '[project]\nname = "x"  # mine\n\n' + section
    assert out.startswith("Wrote [tool.cursus-lint] to pyproject.toml:\n\n" + section)
    assert "      - id: cursus-lint " in out
    assert "uses: github/codeql-action/upload-sarif@v3" in out and "--format sarif -o cursus-lint.sarif" in out
    assert main(["check", "--show-settings"]) == 0  # the written section is valid configuration
    assert 'pipeline-config = "pipeline/config.json"  # pyproject.toml' in capsys.readouterr().out.splitlines()
    before = (root / "pyproject.toml").read_text()
    assert main(["init"]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: pyproject.toml already has a [tool.cursus-lint] "
                                       "section; not changing it (see `cursus-lint check --show-settings`)\n")
    assert (root / "pyproject.toml").read_text() == before


def test_init_outside_a_step_repo_is_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 2
    assert capsys.readouterr().err.startswith("cursus-lint: error: no step repo under ")
    assert not (tmp_path / "pyproject.toml").exists()


def test_readme_shows_the_workflow_init_prints() -> None:
    from cursus_lint.init import WORKFLOW

    assert "```yaml\n" + WORKFLOW + "```" in (ROOT / "README.md").read_text()


def test_catalog_text_still_reports_registry_problems(small: Path, capsys) -> None:
    (small / "registry" / "step_names.py").write_text("STEP_NAMES = {\n")
    assert main(["catalog"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "", "problem: registry/step_names.py:1: cannot parse: '{' was never closed"]
