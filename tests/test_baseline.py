"""--write-baseline / --baseline: only new findings, robust to edits elsewhere, stale entries listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.rules import _examples

from .repo_helpers import write_repo

BAD = _examples.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                     '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_repo(tmp_path, _examples.repo(script=BAD))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if ": CL" in line]


def test_baseline_hides_recorded_findings_and_survives_line_shifts(repo: Path, capsys) -> None:
    assert main(["check", ".", "--select", "CL103", "--write-baseline", "base.json", "--no-cache"]) == 0
    doc = json.loads((repo / "base.json").read_text())
    assert [(f["code"], f["path"], f["step"]) for f in doc["findings"]] == [
        ("CL103", "steps/scripts/clean.py", "Clean")]
    assert "line" not in doc["findings"][0]
    capsys.readouterr()
    # shift every line of the script down by three: still the same finding
    script = repo / "steps/scripts/clean.py"
    script.write_text('"""Clean."""\n\n\n' + script.read_text())
    assert main(["check", ".", "--select", "CL103", "--baseline", "base.json", "--no-color", "--no-cache"]) == 0
    assert lines(capsys.readouterr().out) == []


def test_new_findings_are_reported_and_stale_entries_listed(repo: Path, capsys) -> None:
    assert main(["check", ".", "--select", "CL103", "--write-baseline", "base.json", "--no-cache"]) == 0
    capsys.readouterr()
    script = repo / "steps/scripts/clean.py"
    script.write_text(script.read_text().replace('os.getenv("DEBUG_MODE")', 'os.getenv("TRACE_MODE")'))
    assert main(["check", ".", "--select", "CL103", "--baseline", "base.json", "--no-color", "--no-cache"]) == 1
    out = capsys.readouterr()
    assert lines(out.out) == ["steps/scripts/clean.py:11:13: CL103 [*] script reads env var 'TRACE_MODE' that contract "
                              "'CLEAN_CONTRACT' does not declare"]
    assert "1 baseline entry is stale" in out.err
    assert "CL103 steps/scripts/clean.py (Clean): script reads env var 'DEBUG_MODE'" in out.err


def test_malformed_baseline_is_a_usage_error(repo: Path, capsys) -> None:
    (repo / "base.json").write_text("{not json")
    assert main(["check", ".", "--baseline", "base.json"]) == 2
    assert capsys.readouterr().err.startswith("cursus-lint: error: baseline base.json is not valid JSON")
    (repo / "base.json").write_text('{"findings": []}')
    assert main(["check", ".", "--baseline", "base.json"]) == 2
    assert "is not a cursus-lint baseline" in capsys.readouterr().err
