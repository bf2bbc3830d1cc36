"""SARIF links (``informationUri``, each rule's ``helpUri``): the SARIF 2.1.0 schema types both as
``"format": "uri"`` (absolute URIs; ``informationUri`` is described as "the absolute URI"), so they
come from ``Repository`` in cursus-lint's own ``[project.urls]`` (installed metadata) when that is an
https URL, and are left out otherwise: no invented, relative or ``file://`` link."""

from __future__ import annotations

import json
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cursus_lint.diagnostic import Diagnostic, Location, Severity
from cursus_lint.report import Summary, render
from cursus_lint.report import base as base_module
from cursus_lint.rules_index import all_rules

from .test_report_sarif import schema_validator

ROOT = Path(__file__).resolve().parents[1]


def _metadata(*urls: str):
    def fake(name: str) -> Message:
        assert name == "cursus-lint"
        msg = Message()
        for url in urls:
            msg["Project-URL"] = url
        return msg
    return fake


@pytest.mark.parametrize(("urls", "expected"), [
    (("Repository, https://git.example.org/team/cursus-lint/",), "https://git.example.org/team/cursus-lint"),
    (("Homepage, https://example.org", "Source, https://git.example.org/x"), "https://git.example.org/x"),
    (("Homepage, https://example.org",), None),
    (("Repository, file:///home/me/cursus-lint",), None),
    (("Repository, ../cursus-lint",), None),
    ((), None),
])
def test_repository_url_comes_from_project_urls(monkeypatch, urls: tuple[str, ...], expected: str | None) -> None:
    monkeypatch.setattr("importlib.metadata.metadata", _metadata(*urls))
    assert base_module.repository_url() == expected


def _sarif(tmp_path: Path) -> dict:
    rules = all_rules()
    d = Diagnostic("CL103", rules["CL103"].name, Severity.ERROR, Location(tmp_path / "x.py", 3, 5), "message")
    return json.loads(render("sarif", [d], rules, Summary(files=1, steps=1), color=False, statistics=False,
                             cwd=tmp_path))


def test_with_a_repository_every_link_is_absolute_and_names_a_rule_page(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr("importlib.metadata.metadata", _metadata("Repository, https://git.example.org/team/cl"))
    doc = _sarif(tmp_path)
    assert list(schema_validator().iter_errors(doc)) == []
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://git.example.org/team/cl"
    for rule in driver["rules"]:
        parts = urlsplit(rule["helpUri"])
        assert (parts.scheme, parts.netloc) == ("https", "git.example.org")
        assert parts.path == f"/team/cl/blob/main/docs/rules/{rule['id']}.md"
        assert (ROOT / "docs" / "rules" / f"{rule['id']}.md").is_file()


def test_without_a_repository_there_are_no_links_and_the_log_stays_valid(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr("importlib.metadata.metadata", _metadata())
    doc = _sarif(tmp_path)
    assert list(schema_validator().iter_errors(doc)) == []
    driver = doc["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    assert [r for r in driver["rules"] if "helpUri" in r] == []
    assert driver["rules"][0]["help"]["text"]  # the rule's documentation travels in the log instead

