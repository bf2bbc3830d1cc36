"""JUnit reporter: parseable XML, one testsuite per step, counts that add up, never empty."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from cursus_lint.diagnostic import Diagnostic, Location, Related, Severity
from cursus_lint.report import Summary, render

CWD = Path("/work/repo")


def junit(diagnostics, summary=Summary(files=5, steps=2, elapsed_ms=1234)) -> ET.Element:
    out = render("junit", diagnostics, [], summary, color=False, statistics=False, cwd=CWD)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    return ET.fromstring(out.encode("utf-8"))


def diag(code: str, path: str, line: int, step: str | None, message: str = "msg", **kw) -> Diagnostic:
    return Diagnostic(code, "rule-name", kw.pop("severity", Severity.ERROR), Location(Path(path), line, 2),
                      message, step=step, **kw)


def test_suites_per_step_with_no_step_last_and_counts_right() -> None:
    root = junit([
        diag("CL103", "steps/scripts/b.py", 3, "Zeta"),
        diag("CL601", "registry/names.py", 1, None, severity=Severity.WARNING),
        diag("CL102", "steps/scripts/a.py", 9, "Alpha"),
        diag("CL101", "steps/scripts/a.py", 2, "Alpha",
             related=(Related(Location(CWD / "steps/contracts/a_contract.py", 4), "entry_point here"),)),
    ])
    assert root.tag == "testsuites"
    assert root.attrib == {"name": "cursus-lint", "tests": "4", "failures": "4", "errors": "0", "time": "1.234"}
    suites = root.findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("errors"), s.get("skipped")) for s in suites] == [
        ("Alpha", "2", "2", "0", "0"), ("Zeta", "1", "1", "0", "0"), ("(no step)", "1", "1", "0", "0")]
    for suite in suites:
        assert len(suite.findall("testcase")) == int(suite.get("tests"))
        assert len(suite.findall("testcase/failure")) == int(suite.get("failures"))
    alpha = suites[0].findall("testcase")
    assert [(c.get("classname"), c.get("name"), c.get("file"), c.get("line")) for c in alpha] == [
        ("Alpha", "CL101 steps/scripts/a.py:2:2", "steps/scripts/a.py", "2"),
        ("Alpha", "CL102 steps/scripts/a.py:9:2", "steps/scripts/a.py", "9")]
    failure = alpha[0].find("failure")
    assert failure.attrib == {"type": "CL101", "message": "msg"}
    assert failure.text == ("steps/scripts/a.py:2:2: CL101 [error] rule-name: msg\n"
                            "    note: steps/contracts/a_contract.py:4: entry_point here")
    assert suites[2].find("testcase/failure").text == "registry/names.py:1:2: CL601 [warning] rule-name: msg"


def test_clean_run_has_one_passing_testcase() -> None:
    root = junit([], Summary())
    assert root.attrib == {"name": "cursus-lint", "tests": "1", "failures": "0", "errors": "0", "time": "0.000"}
    cases = root.findall("testsuite/testcase")
    assert [(c.get("classname"), c.get("name"), list(c)) for c in cases] == [("cursus-lint", "cursus-lint", [])]
    assert root.find("testsuite").get("tests") == "1"


def test_characters_xml_cannot_carry_still_parse() -> None:
    root = junit([diag("CL103", "über/\udcff.py", 1, "Step<&>\"", message="nul\x00 esc\x1b <b>&amp; ✓\nline2")])
    suite = root.find("testsuite")
    assert suite.get("name") == 'Step<&>"'
    failure = suite.find("testcase/failure")
    assert failure.get("message") == "nul\\x00 esc\\x1b <b>&amp; ✓\nline2"
    assert failure.text.startswith("über/\ufffd.py:1:2: CL103 [error] rule-name: nul\\x00")
