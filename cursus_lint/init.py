"""``cursus-lint init``: what a repo's [tool.cursus-lint] section should say, found by looking.

Everything is read as data: file names, directory shapes and JSON; nothing is imported.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .config import tomllib  # tomllib, or tomli before Python 3.11

#: directories never searched (environments, caches, VCS)
_SKIP = {".git", ".hg", ".venv", "venv", "env", "node_modules", "__pycache__", "build", "dist", ".tox",
         ".cursus-lint-cache"}
_MAX_DEPTH = 4
_MAX_CONFIG_BYTES = 5 * 1024 * 1024


class InitError(Exception):
    """The repo cannot be configured as it is: one line, exit 2."""


@dataclass
class Detected:
    registry: str | None = None
    workspace_dirs: list[str] = field(default_factory=list)
    dag: str | None = None
    pipeline_config: str | None = None
    steps: int = 0


def _walk(root: Path):
    """Files under ``root`` up to a small depth, skipping environments and hidden directories."""
    for here, dirs, files in os.walk(root):
        depth = len(Path(here).relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and not d.startswith(".") and depth < _MAX_DEPTH)
        for name in sorted(files):
            yield Path(here) / name


def _is_saved_config(path: Path) -> bool:
    try:
        if path.stat().st_size > _MAX_CONFIG_BYTES:
            return False
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    conf = data.get("configuration") if isinstance(data, dict) else None
    return isinstance(conf, dict) and isinstance(conf.get("shared"), dict) and isinstance(conf.get("specific"), dict)


def detect(root: Path) -> Detected:
    """Registry, workspaces, DAG and saved config of the step repo at ``root``."""
    from cursus_core.catalog import StepCatalog

    catalog = StepCatalog([root])
    if not catalog.step_dirs:
        raise InitError(f"no step repo under {root} (no steps/ directory with scripts, contracts, specs, "
                        "builders or configs); run init at the repo's root")
    found = Detected(steps=len(catalog.iter_steps()))
    if catalog.core_registry_file is not None:
        found.registry = _posix(catalog.core_registry_file, root)
    files = list(_walk(root))
    for f in files:
        holder = f.parent.parent.parent  # <dir>/development/projects/<id>/<file>
        if f.parent.parent.name == "projects" and f.parent.parent.parent.name == "development":
            ws = holder.parent
            if ws != root and _posix(ws, root) not in found.workspace_dirs:
                found.workspace_dirs.append(_posix(ws, root))
    rank = {".json": 0, ".yaml": 1, ".yml": 1, ".py": 2}
    dags = sorted((f for f in files if "dag" in f.stem.lower() and f.suffix.lower() in rank),
                  key=lambda f: (rank[f.suffix.lower()], len(f.parts), f.as_posix()))
    found.dag = _posix(dags[0], root) if dags else None
    configs = [f for f in files if f.suffix.lower() == ".json" and _is_saved_config(f)]
    configs.sort(key=lambda f: (len(f.parts), f.as_posix()))
    found.pipeline_config = _posix(configs[0], root) if configs else None
    return found


def _posix(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def has_section(text: str, path: Path) -> bool:
    """Whether pyproject text already has [tool.cursus-lint]; an unparsable file is an error."""
    if not text:
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InitError(f"{path}: not valid TOML ({exc}); fix it before running init") from None
    tool = data.get("tool")
    return isinstance(tool, dict) and "cursus-lint" in tool


def section_text(found: Detected) -> str:
    """The TOML to append: only what was found (defaults stay implicit)."""
    lines = ["[tool.cursus-lint]"]
    if found.registry:
        lines.append(f"registry = {json.dumps(found.registry)}")
    if found.workspace_dirs:
        lines.append(f"workspace-dirs = {json.dumps(found.workspace_dirs)}")
    if found.dag:
        lines.append(f"dag = {json.dumps(found.dag)}")
    if found.pipeline_config:
        lines.append(f"pipeline-config = {json.dumps(found.pipeline_config)}")
    return "\n".join(lines) + "\n"


PRE_COMMIT = """\
# .pre-commit-config.yaml
repos:
  - repo: https://github.com/your-org/cursus-lint   # wherever you host cursus-lint
    rev: 0123456789abcdef0123456789abcdef01234567     # a commit SHA or a release tag
    hooks:
      - id: cursus-lint        # or cursus-lint-fix to apply safe fixes
"""

WORKFLOW = """\
# .github/workflows/cursus-lint.yml
name: cursus-lint
on: [push, pull_request]
permissions:
  contents: read
  security-events: write   # upload SARIF to code scanning
jobs:
  cursus-lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install "cursus-lint @ git+https://github.com/your-org/cursus-lint@0123456789abcdef0123456789abcdef01234567"
      - run: cursus-lint check . --format sarif -o cursus-lint.sarif
      - if: always()   # upload the findings even when check exits 1
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: cursus-lint.sarif
"""


def snippets() -> str:
    return f"\nAdd to pre-commit:\n\n{PRE_COMMIT}\nAdd to GitHub Actions:\n\n{WORKFLOW}"
