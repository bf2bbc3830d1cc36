"""What a new user meets in the first hour (issue 14): exact output and exit codes."""

from __future__ import annotations

from pathlib import Path


from cursus_lint.cli import main
from cursus_lint.rules import _examples

from .repo_helpers import write_repo

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example_repo"
BAD_SCRIPT = _examples.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                            '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')


def test_directory_without_a_step_repo_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "docs", "--no-cache"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("cursus-lint: error: no step repo under docs (no steps/ directory with scripts, "
                            "contracts, specs, builders or configs); check the path\n")


def test_file_outside_any_step_passes_quietly(tmp_path, monkeypatch, capsys) -> None:
    write_repo(tmp_path, _examples.repo())
    (tmp_path / "README.md").write_text("# hello\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "README.md", "--no-cache", "--no-color"]) == 0
    assert capsys.readouterr().out == "All checks passed: 0 steps, 0 files.\n"


def test_bare_command_prints_help_and_exits_zero(capsys) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: cursus-lint [OPTIONS] COMMAND [ARGS]...") or out.startswith(
        "Usage: cursus-lint [OPTIONS] [COMMAND] [ARGS]...")
    assert "Commands:" in out and "  check " in out


def test_nested_step_repos_are_separate_projects(tmp_path, monkeypatch, capsys) -> None:
    """A clean repo beside a broken copy: findings stay in the copy, the clean one stays clean."""
    write_repo(tmp_path / "clean", _examples.repo())
    write_repo(tmp_path / "broken", _examples.repo(script=BAD_SCRIPT))
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--no-cache", "--no-color", "--select", "CL103,CL6"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "broken/steps/scripts/clean.py:11:13: CL103 [*] script reads env var 'DEBUG_MODE' that contract "
        "'CLEAN_CONTRACT' does not declare",
        "    note: broken/steps/contracts/clean_contract.py:8: 'CLEAN_CONTRACT' declares its env vars here",
        "",
        "Found 1 problem (1 error) in 4 steps.",
        "[*] 1 fixable with `--fix`.",
    ]


def test_fix_in_a_nested_copy_never_edits_its_neighbour(tmp_path, monkeypatch, capsys) -> None:
    write_repo(tmp_path / "clean", _examples.repo())
    write_repo(tmp_path / "broken", _examples.repo(script=BAD_SCRIPT))
    before = (tmp_path / "clean/steps/contracts/clean_contract.py").read_text()
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--no-cache", "--fix", "--select", "CL103"]) == 0
    assert (tmp_path / "clean/steps/contracts/clean_contract.py").read_text() == before
    assert '"DEBUG_MODE": ""' in (tmp_path / "broken/steps/contracts/clean_contract.py").read_text()


def test_check_of_one_file_counts_only_its_steps(capsys) -> None:
    script = next((EXAMPLE / "steps" / "scripts").glob("*.py"))
    assert main(["check", str(script), "--no-cache", "--no-color"]) == 0
    assert capsys.readouterr().out.startswith("All checks passed: 1 step, ")


def test_output_format_alias_and_environment_variable(tmp_path, monkeypatch, capsys) -> None:
    write_repo(tmp_path, _examples.repo(script=BAD_SCRIPT))
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--no-cache", "--output-format", "github", "--select", "CL103"]) == 1
    assert capsys.readouterr().out.startswith("::error file=steps/scripts/clean.py,line=11,col=13,")
    monkeypatch.setenv("CURSUS_LINT_OUTPUT_FORMAT", "json")
    assert main(["check", ".", "--no-cache", "--select", "CL103"]) == 1
    assert capsys.readouterr().out.startswith("{")
    assert main(["check", ".", "--no-cache", "--select", "CL103", "--format", "text", "--no-color"]) == 1
    assert capsys.readouterr().out.startswith("steps/scripts/clean.py:11:13: CL103 [*] ")


def test_fix_only_and_exit_non_zero_on_fix(tmp_path, monkeypatch, capsys) -> None:
    write_repo(tmp_path, _examples.repo(script=BAD_SCRIPT))
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--no-cache", "--select", "CL103", "--fix-only", "--exit-non-zero-on-fix"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "Fixed 1 finding(s) in 1 file(s)." in captured.err
    # nothing left to fix: exit 0 even with --exit-non-zero-on-fix
    assert main(["check", ".", "--no-cache", "--select", "CL103", "--fix", "--exit-non-zero-on-fix",
                 "--no-color"]) == 0
    assert capsys.readouterr().out == "All checks passed: 2 steps, 9 files.\n"


def test_fix_only_exits_zero_when_unfixable_findings_remain(tmp_path, monkeypatch, capsys) -> None:
    script = _examples.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                            '    sep = environ_vars.get("SEPARATOR", ",")\n    mode = os.environ["MODE"]\n')
    write_repo(tmp_path, _examples.repo(script=script))
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--no-cache", "--select", "CL103", "--fix-only"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["check", ".", "--no-cache", "--select", "CL103", "--no-color"]) == 1
    assert "CL103 script reads env var 'MODE'" in capsys.readouterr().out  # no [*]: no safe fix
