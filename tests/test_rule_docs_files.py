"""docs/rules/ is generated from the rules and stays in sync; SARIF links point at those pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.report import Summary, render
from cursus_lint.report import sarif as sarif_module
from cursus_lint.report.rule_docs import rule_docs
from cursus_lint.rules_index import all_rules

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "rules"


def test_committed_rule_docs_equal_the_generated_ones() -> None:
    expected = rule_docs(all_rules())
    committed = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    assert sorted(committed) == sorted(expected), "run: cursus-lint rules --write-docs docs/rules"
    for name, text in expected.items():
        assert committed[name] == text, f"docs/rules/{name} is stale: run cursus-lint rules --write-docs docs/rules"


def test_write_docs_writes_one_page_per_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--write-docs", str(tmp_path / "rules")]) == 0
    assert capsys.readouterr().err == f"Wrote {len(all_rules()) + 1} pages to {tmp_path / 'rules'}.\n"
    page = (tmp_path / "rules" / "CL103.md").read_text()
    assert page.splitlines()[1] == "# CL103 undeclared-env-var"
    assert "Family: script-contract · default severity: error · safe autofix (`--fix`)" in page


def test_sarif_help_uri_points_at_an_existing_rule_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sarif_module, "repository_url", lambda: "https://example.org/acme/cursus-lint")
    rules = all_rules()
    doc = json.loads(render("sarif", [], rules, Summary(), color=False, statistics=False, cwd=tmp_path))
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/acme/cursus-lint"
    prefix = "https://example.org/acme/cursus-lint/blob/main/"
    for d in driver["rules"]:
        assert d["helpUri"] == f"{prefix}docs/rules/{d['id']}.md"
        assert (ROOT / d["helpUri"][len(prefix):]).is_file()
