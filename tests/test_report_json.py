"""JSON reporter: exactly the DESIGN.md output contract (keys, order, types, defaults)."""

from __future__ import annotations

import json
from pathlib import Path

import cursus_lint
from cursus_lint.diagnostic import Diagnostic, Edit, Fix, Location, Related, Severity
from cursus_lint.report import Summary, render

CWD = Path("/work/repo")


def as_json(diagnostics, *, statistics=False, summary=Summary(files=4, steps=1, elapsed_ms=12.4)) -> str:
    return render("json", diagnostics, [], summary, color=False, statistics=statistics, cwd=CWD)


ENV_VAR = Diagnostic(
    code="CL103", name="undeclared-env-var", severity=Severity.ERROR,
    location=Location(CWD / "src/cursus/steps/scripts/tabular_preprocessing.py", 12, 5, 12, 31),
    message="script reads env var 'LABEL_FIELD' that the contract does not declare",
    step="TabularPreprocessing",
    related=(Related(Location(CWD / "src/cursus/steps/contracts/tabular_preprocessing_contract.py", 9),
                     "contract declared here"),),
)
SUFFIX = Diagnostic(
    code="CL501", name="builder-class-suffix", severity=Severity.WARNING,
    location=Location(Path("steps/builders/builder_x_step.py"), 3, 7),
    message="builder class 'XBuilder' should end in 'StepBuilder'",
    fix=Fix("rename to XStepBuilder", (Edit(Path("steps/builders/builder_x_step.py"), 3, 7, 3, 15, "XStepBuilder"),),
            safe=False),
)


def test_document_matches_the_output_contract_exactly() -> None:
    out = as_json([SUFFIX, ENV_VAR])
    assert out.endswith("}\n")
    assert json.loads(out) == {
        "tool": {"name": "cursus-lint", "version": cursus_lint.__version__},
        "diagnostics": [
            {
                "code": "CL103", "name": "undeclared-env-var", "severity": "error",
                "path": "src/cursus/steps/scripts/tabular_preprocessing.py",
                "line": 12, "column": 5, "end_line": 12, "end_column": 31,
                "step": "TabularPreprocessing",
                "message": "script reads env var 'LABEL_FIELD' that the contract does not declare",
                "related": [{"path": "src/cursus/steps/contracts/tabular_preprocessing_contract.py", "line": 9,
                             "message": "contract declared here"}],
                "fix": None,
            },
            {
                "code": "CL501", "name": "builder-class-suffix", "severity": "warning",
                "path": "steps/builders/builder_x_step.py",
                "line": 3, "column": 7, "end_line": 3, "end_column": 7,
                "step": None,
                "message": "builder class 'XBuilder' should end in 'StepBuilder'",
                "related": [],
                "fix": {"message": "rename to XStepBuilder", "safe": False,
                        "edits": [{"path": "steps/builders/builder_x_step.py", "line": 3, "column": 7,
                                   "end_line": 3, "end_column": 15, "new_text": "XStepBuilder"}]},
            },
        ],
        "summary": {"files": 4, "steps": 1, "diagnostics": 2, "by_code": {"CL103": 1, "CL501": 1}, "elapsed_ms": 12},
    }


def test_key_order_follows_the_contract() -> None:
    doc = json.loads(as_json([SUFFIX, ENV_VAR]))
    assert list(doc) == ["tool", "diagnostics", "summary"]
    assert list(doc["tool"]) == ["name", "version"]
    assert list(doc["diagnostics"][0]) == ["code", "name", "severity", "path", "line", "column", "end_line",
                                           "end_column", "step", "message", "related", "fix"]
    assert list(doc["diagnostics"][0]["related"][0]) == ["path", "line", "message"]
    assert list(doc["diagnostics"][1]["fix"]) == ["message", "safe", "edits"]
    assert list(doc["diagnostics"][1]["fix"]["edits"][0]) == ["path", "line", "column", "end_line", "end_column",
                                                               "new_text"]
    assert list(doc["summary"]) == ["files", "steps", "diagnostics", "by_code", "elapsed_ms"]


def test_empty_run_is_the_contract_skeleton() -> None:
    assert json.loads(as_json([], summary=Summary())) == {
        "tool": {"name": "cursus-lint", "version": cursus_lint.__version__},
        "diagnostics": [],
        "summary": {"files": 0, "steps": 0, "diagnostics": 0, "by_code": {}, "elapsed_ms": 0},
    }


def test_statistics_add_the_unknown_counter_last() -> None:
    summary = Summary(files=1, steps=1, unknown={"external-base-class": 1, "computed-path": 3})
    doc = json.loads(as_json([ENV_VAR], statistics=True, summary=summary))
    assert list(doc["summary"]) == ["files", "steps", "diagnostics", "by_code", "elapsed_ms", "unknown"]
    assert list(doc["summary"]["unknown"].items()) == [("computed-path", 3), ("external-base-class", 1)]
    assert json.loads(as_json([ENV_VAR], statistics=True, summary=Summary()))["summary"]["unknown"] == {}
    assert "unknown" not in json.loads(as_json([ENV_VAR], summary=summary))["summary"]


def test_by_code_counts_in_code_order_and_output_is_deterministic() -> None:
    many = [ENV_VAR, SUFFIX, ENV_VAR, SUFFIX, ENV_VAR]
    out = as_json(many)
    assert list(json.loads(out)["summary"]["by_code"].items()) == [("CL103", 3), ("CL501", 2)]
    assert as_json(list(reversed(many))) == out


def test_unicode_stays_readable_and_odd_text_still_makes_valid_json() -> None:
    odd = Diagnostic("CL103", "undeclared-env-var", Severity.INFO, Location(Path("/outside/ünï\udc80.py"), 2),
                     'quote " back\\slash \x00 nul \x1b esc\nnewline ✓')
    out = as_json([odd])
    assert "ünï\ufffd.py" in out
    doc = json.loads(out)
    assert doc["diagnostics"][0]["path"] == "/outside/ünï\ufffd.py"
    assert doc["diagnostics"][0]["message"] == 'quote " back\\slash \x00 nul \x1b esc\nnewline ✓'
    assert doc["diagnostics"][0]["severity"] == "info"
    out.encode("utf-8")
