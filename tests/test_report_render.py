"""render(): dispatch by format name, default cwd, unknown formats, shared path rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cursus_lint.diagnostic import Diagnostic, Location, Severity
from cursus_lint.report import FORMATS, Summary, render
from cursus_lint.report.base import display_path


def finding(path: Path | str) -> Diagnostic:
    return Diagnostic("CL103", "undeclared-env-var", Severity.ERROR, Location(Path(path), 2, 3), "msg")


def test_every_format_is_registered() -> None:
    assert list(FORMATS) == ["text", "json", "sarif", "github", "junit"]


def test_unknown_format_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match=r"unknown format 'yaml'; choose one of: text, json, sarif, github, junit"):
        render("yaml", [], [], Summary(), color=False, statistics=False)


def test_default_cwd_is_the_process_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = render("text", [finding(tmp_path / "steps" / "a.py")], [], Summary(steps=1), color=False, statistics=False)
    assert out.splitlines()[0] == "steps/a.py:2:3: CL103 msg"


def test_cwd_may_be_a_string_and_generators_are_accepted(tmp_path: Path) -> None:
    out = render("json", (d for d in [finding(tmp_path / "x.py")]), {}, Summary(), color=False,
                 statistics=False, cwd=str(tmp_path))
    assert json.loads(out)["diagnostics"][0]["path"] == "x.py"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_survives_odd_input(fmt: str, tmp_path: Path) -> None:
    odd = [
        Diagnostic("CL9", "", "fatal", Location("weird\udc80\n.py", 0, -1), "\x00\x1b[2J\r\n%::,"),  # type: ignore[arg-type]
        finding(tmp_path / "missing" / "file.py"),
    ]
    out = render(fmt, odd, [], Summary(files=-1, steps=0, elapsed_ms=float("nan")), color=True, statistics=True,
                 cwd=tmp_path)
    out.encode("utf-8")
    assert out == render(fmt, list(reversed(odd)), [], Summary(files=-1, steps=0, elapsed_ms=float("nan")),
                         color=True, statistics=True, cwd=tmp_path)


def test_display_path_rules(tmp_path: Path) -> None:
    assert display_path(tmp_path / "a" / "b.py", tmp_path) == "a/b.py"
    assert display_path(Path("/elsewhere/c.py"), tmp_path) == "/elsewhere/c.py"
    assert display_path("rel/./d.py", tmp_path) == "rel/d.py"
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    assert display_path(tmp_path / "link" / "e.py", real) == "e.py"
