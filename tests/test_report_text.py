"""Text reporter: exact plain lines, grouping and colour on a terminal, summary and statistics."""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_lint.diagnostic import Diagnostic, Location, Related, Severity
from cursus_lint.report import Summary, render
from cursus_lint.rule import Rule

CWD = Path("/work/repo")


def diag(code: str, path: str, line: int, col: int = 1, *, severity: Severity = Severity.ERROR,
         message: str = "msg", name: str = "some-rule", step: str | None = "Tabular",
         related: tuple[Related, ...] = ()) -> Diagnostic:
    return Diagnostic(code, name, severity, Location(Path(path), line, col), message, step=step, related=related)


def text(diagnostics, *, color=False, statistics=False, summary=Summary(files=3, steps=2, elapsed_ms=5),
         rules=(), width=100) -> str:
    return render("text", diagnostics, rules, summary, color=color, statistics=statistics, cwd=CWD, width=width)


FINDINGS = [
    diag("CL401", "/work/repo/steps/builders/builder_a_step.py", 20, 9, severity=Severity.WARNING,
         message="builder reads self.config.lable_field, which no config class defines"),
    diag("CL103", "/work/repo/steps/scripts/a.py", 12, 5,
         message="script reads env var 'LABEL_FIELD' that the contract does not declare",
         related=(Related(Location(Path("/work/repo/steps/contracts/a_contract.py"), 9), "contract declared here"),)),
    diag("CL102", "/work/repo/steps/scripts/a.py", 12, 5, message="undeclared path"),
    diag("CL104", "/work/repo/steps/scripts/a.py", 3, 1, severity=Severity.INFO, message="unused path"),
]


def test_plain_lines_are_sorted_by_path_line_column_code_with_notes_and_summary() -> None:
    assert text(FINDINGS) == (
        "steps/builders/builder_a_step.py:20:9: CL401 builder reads self.config.lable_field, "
        "which no config class defines\n"
        "steps/scripts/a.py:3:1: CL104 unused path\n"
        "steps/scripts/a.py:12:5: CL102 undeclared path\n"
        "steps/scripts/a.py:12:5: CL103 script reads env var 'LABEL_FIELD' that the contract does not declare\n"
        "    note: steps/contracts/a_contract.py:9: contract declared here\n"
        "\n"
        "Found 4 problems (2 errors, 1 warning, 1 info) in 2 steps.\n"
    )


def test_input_order_does_not_change_output() -> None:
    assert text(list(reversed(FINDINGS))) == text(FINDINGS)


def test_all_checks_passed_line_when_clean() -> None:
    assert text([], summary=Summary(files=60, steps=12, elapsed_ms=40)) == "All checks passed: 12 steps, 60 files.\n"
    assert text([], summary=Summary(files=1, steps=1)) == "All checks passed: 1 step, 1 file.\n"


def test_summary_singulars() -> None:
    out = text([diag("CL103", "a.py", 1)], summary=Summary(files=1, steps=1))
    assert out.splitlines()[-1] == "Found 1 problem (1 error) in 1 step."


def test_paths_relative_to_cwd_or_absolute_posix_outside() -> None:
    out = text([diag("CL701", "/elsewhere/x.py", 2), diag("CL702", "rel/y.py", 3)])
    assert out.splitlines()[:2] == ["/elsewhere/x.py:2:1: CL701 msg", "rel/y.py:3:1: CL702 msg"]


def test_plain_output_has_no_ansi_even_when_a_message_carries_escapes() -> None:
    out = text([diag("CL103", "a.py", 1, message="bad \x1b[31mred\x1b[0m\nsecond line\tand tab")])
    assert "\x1b" not in out
    assert out.splitlines()[0] == "a.py:1:1: CL103 bad \\x1b[31mred\\x1b[0m\\nsecond line\tand tab"


def test_unicode_and_lone_surrogates_do_not_break_output() -> None:
    out = text([diag("CL103", "schritte/über_\udcff.py", 4, message="liest Umgebungsvariable 'ÄRGER' ✓")])
    assert out.splitlines()[0] == "schritte/über_\ufffd.py:4:1: CL103 liest Umgebungsvariable 'ÄRGER' ✓"
    out.encode("utf-8")


def test_statistics_table_sorted_by_count_then_code_before_summary() -> None:
    rules = [Rule("CL103", "undeclared-env-var", "s", Severity.ERROR, "d"),
             Rule("CL102", "undeclared-container-path", "s", Severity.ERROR, "d")]
    findings = [diag("CL401", "a.py", 1, name="unknown-config-attribute"),
                *(diag("CL103", "a.py", n, name="wrong-name-ignored") for n in range(2, 12)),
                diag("CL102", "a.py", 20)]
    summary = Summary(files=3, steps=2, unknown={"computed-path": 2, "external-base-class": 1, "none": 0})
    out = text(findings, statistics=True, summary=summary, rules=rules)
    assert out.split("\n\n")[1:] == [
        "10  CL103  undeclared-env-var\n"
        " 1  CL102  undeclared-container-path\n"
        " 1  CL401  unknown-config-attribute\n"
        "Not statically knowable: 3 (computed-path: 2, external-base-class: 1)",
        "Found 12 problems (12 errors) in 2 steps.\n",
    ]


def test_statistics_without_findings_shows_only_the_unknown_counter() -> None:
    out = text([], statistics=True, summary=Summary(files=2, steps=1, unknown={"computed-path": 4}))
    assert out == "Not statically knowable: 4 (computed-path: 4)\n\nAll checks passed: 1 step, 2 files.\n"
    assert text([], statistics=True, summary=Summary(files=2, steps=1)) == "All checks passed: 1 step, 2 files.\n"


def test_color_groups_by_file_with_coloured_code_and_severity() -> None:
    out = text(FINDINGS[1:], color=True, summary=Summary(files=1, steps=1))
    assert out == (
        "\x1b[1;4msteps/scripts/a.py\x1b[0m\n"
        "\x1b[2m  steps/scripts/a.py:3:1  \x1b[0m\x1b[36mCL104\x1b[0m  \x1b[36minfo\x1b[0m  unused path\n"
        "\x1b[2m  steps/scripts/a.py:12:5  \x1b[0m\x1b[1;31mCL102\x1b[0m  \x1b[1;31merror\x1b[0m  undeclared path\n"
        "\x1b[2m  steps/scripts/a.py:12:5  \x1b[0m\x1b[1;31mCL103\x1b[0m  \x1b[1;31merror\x1b[0m  "
        "script reads env var 'LABEL_FIELD' that the contract does not declare\n"
        "\x1b[2m    note: \x1b[0msteps/contracts/a_contract.py:9: contract declared here\n"
        "\n"
        "\x1b[1;31mFound 3 problems (2 errors, 1 info) in 1 step.\x1b[0m\n"
    )


def test_color_separates_files_with_a_blank_line_and_passes_in_green() -> None:
    out = text([diag("CL401", "b.py", 1, severity=Severity.WARNING),
                diag("CL401", "a.py", 1, severity=Severity.WARNING)], color=True)
    assert out.index("a.py") < out.index("b.py")
    assert "  msg\n\n\x1b[1;4mb.py\x1b[0m\n" in out
    assert out.endswith("\x1b[33mFound 2 problems (2 warnings) in 2 steps.\x1b[0m\n")
    assert text([], color=True) == "\x1b[1;32mAll checks passed: 2 steps, 3 files.\x1b[0m\n"


def test_color_output_ignores_the_environment_and_never_wraps(monkeypatch: pytest.MonkeyPatch) -> None:
    long_message = "x" * 300
    expected = text([diag("CL103", "a.py", 1, message=long_message)], color=True, width=40)
    for name, value in {"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "20"}.items():
        monkeypatch.setenv(name, value)
    again = text([diag("CL103", "a.py", 1, message=long_message)], color=True, width=40)
    assert again == expected
    assert "\x1b[1;31mCL103" in again
    assert f"  {long_message}\n" in again
