"""The README's examples stay true: its configuration block loads, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from cursus_lint.config import load_config
from cursus_lint.rules_index import all_rules

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_configuration_block_is_valid(tmp_path: Path) -> None:
    block = re.search(r"```toml\n(\[tool\.cursus-lint\].*?)```", README, re.S).group(1)
    (tmp_path / "pyproject.toml").write_text(block)
    config = load_config(tmp_path, set(all_rules()))
    assert config.ignore == ["CL505"]
    assert config.severity_for("CL107", "warning") == "info"
    assert config.resolver.threshold == 0.5


def test_quick_start_is_exactly_two_make_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in re.search(r"```sh\n(.*?)```", quick, re.S).group(1).splitlines()]
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
