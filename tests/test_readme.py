"""The README's examples stay true: its configuration block loads, its commands exist."""

from __future__ import annotations

import re
import sys
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


def _sh_lines() -> list[str]:
    return [line.split("  #")[0].strip() for block in re.findall(r"```sh\n(.*?)```", README, re.S)
            for line in block.splitlines()]


def test_install_instructions_work_from_a_clone() -> None:
    install = README.split("## Installing", 1)[1].split("\n## ", 1)[0]
    assert "pip install .  " in install and "pip install '.[build]'" in install and "python -m build" in install
    assert "cursus-lint[build]" not in README  # not on any index: only installs from the clone work
    assert "rev: v0.1.0" not in README  # no such tag; a commit SHA or a tag made by the release step
    assert "git tag v<version>" in install


def test_every_cursus_lint_command_in_the_readme_exists() -> None:
    from cursus_lint.cli import cli

    used = {line.split()[1] for line in _sh_lines() if line.startswith("cursus-lint ")}
    assert used and used <= set(cli.commands), used - set(cli.commands)


def test_shell_completion_line_produces_a_bash_script() -> None:
    import os
    import shutil
    import subprocess

    line = next(line for line in _sh_lines() if "bash_source" in line)
    assert line == 'eval "$(_CURSUS_LINT_COMPLETE=bash_source cursus-lint)"'
    exe = shutil.which("cursus-lint", path=str(Path(sys.executable).parent))
    out = subprocess.run([exe], env={**os.environ, "_CURSUS_LINT_COMPLETE": "bash_source"},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "_cursus_lint_completion()" in out.stdout


def test_readme_names_the_code_the_language_server_sends_for_a_broken_config() -> None:
    from cursus_lint.rules_index import all_rules as rules

    assert "shows **CL905** on each open file" in README
    assert rules()["CL905"].name
    assert "configuration errors (CL905" in README and "extend-exclude" in README


def test_mcp_host_settings_blocks_start_the_server() -> None:
    """Each JSON settings block of the MCP section registers `cursus-lint mcp --root ...` for its host."""
    import json

    section = README.split("## Coding agents (MCP server)", 1)[1].split("\n## ", 1)[0]
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", section, re.S)]
    assert [next(iter(b)) for b in blocks] == ["mcpServers", "servers", "mcpServers"]  # Claude, VS Code, Cursor
    for block in blocks:
        server = next(iter(block.values()))["cursus-lint"]
        assert server["command"] == "cursus-lint" and server["args"][:2] == ["mcp", "--root"]
        assert len(server["args"]) == 3 and server.get("type", "stdio") == "stdio"
