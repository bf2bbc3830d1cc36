"""GitHub reporter: exact workflow commands, with the runner's escaping rules."""

from __future__ import annotations

from pathlib import Path

from cursus_lint.diagnostic import Diagnostic, Location, Related, Severity
from cursus_lint.report import Summary, render
from cursus_lint.report.github import escape_data, escape_property

CWD = Path("/work/repo")


def github(diagnostics) -> str:
    return render("github", diagnostics, [], Summary(), color=True, statistics=True, cwd=CWD)


def test_one_command_per_finding_sorted_with_severity_commands() -> None:
    findings = [
        Diagnostic("CL903", "unused-noqa", Severity.INFO, Location(Path("rules.py"), 7, 1, 7, 20), "unused noqa"),
        Diagnostic("CL103", "undeclared-env-var", Severity.ERROR,
                   Location(CWD / "steps/scripts/a.py", 12, 5, 12, 31),
                   "script reads env var 'LABEL_FIELD' that the contract does not declare", step="A"),
        Diagnostic("CL501", "builder-class-suffix", Severity.WARNING, Location(Path("steps/b.py"), 3, 7),
                   "class should end in StepBuilder"),
    ]
    assert github(findings) == (
        "::notice file=rules.py,line=7,col=1,endLine=7,endColumn=20,title=CL903 unused-noqa::unused noqa\n"
        "::warning file=steps/b.py,line=3,col=7,endLine=3,endColumn=7,title=CL501 builder-class-suffix"
        "::class should end in StepBuilder\n"
        "::error file=steps/scripts/a.py,line=12,col=5,endLine=12,endColumn=31,title=CL103 undeclared-env-var"
        "::script reads env var 'LABEL_FIELD' that the contract does not declare\n"
    )


def test_related_locations_join_the_message_as_escaped_lines() -> None:
    finding = Diagnostic("CL201", "contract-input-without-dependency", Severity.ERROR,
                         Location(Path("c.py"), 4), "input 'DATA' has no dependency",
                         related=(Related(Location(CWD / "s.py", 9), "spec here"),
                                  Related(Location(Path("/x/t.py"), 2), "and here")))
    assert github([finding]) == (
        "::error file=c.py,line=4,col=1,endLine=4,endColumn=1,title=CL201 contract-input-without-dependency"
        "::input 'DATA' has no dependency%0Anote: s.py:9: spec here%0Anote: /x/t.py:2: and here\n"
    )


def test_escaping_of_data_and_properties() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    finding = Diagnostic("CL103", "name,with:odd%", Severity.WARNING, Location(Path("dir,x/a:b%.py"), 1),
                         "50% of lines:\nfake ::error::injected, and \x1b[31mred")
    assert github([finding]) == (
        "::warning file=dir%2Cx/a%3Ab%25.py,line=1,col=1,endLine=1,endColumn=1,title=CL103 name%2Cwith%3Aodd%25"
        "::50%25 of lines:%0Afake ::error::injected, and \\x1b[31mred\n"
    )


def test_no_findings_no_output_and_unicode_passes_through() -> None:
    assert github([]) == ""
    out = github([Diagnostic("CL103", "n", Severity.ERROR, Location(Path("schritte/über\udc80.py"), 2), "Ärger ✓")])
    assert out == "::error file=schritte/über\ufffd.py,line=2,col=1,endLine=2,endColumn=1,title=CL103 n::Ärger ✓\n"
