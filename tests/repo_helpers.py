"""Writing small step repos into a temp dir and linting them: shared by the rule tests."""

from __future__ import annotations

from pathlib import Path

from cursus_lint.config import load_config
from cursus_lint.engine import CheckResult, Engine
from cursus_lint.rules_index import all_rules

PACKAGES = ("steps", *(f"steps/{x}" for x in ("scripts", "contracts", "specs", "builders", "configs")))


def write_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text or raw bytes}`` under ``root``, with package markers."""
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):  # raw bytes, e.g. a latin-1 file for CL902
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
    for d in PACKAGES:
        if (root / d).is_dir():
            (root / d / "__init__.py").touch()
    return root


def lint_repo(root: Path, files: dict[str, str | bytes], select: list[str] | None = None,
              **overrides: object) -> CheckResult:
    """Write ``files`` and run the real engine over ``root`` with ``select`` (default: every rule)."""
    write_repo(root, files)
    options = {k.replace("_", "-"): v for k, v in overrides.items()}
    if select is not None:
        options["select"] = list(select)
    settings = load_config(root, set(all_rules()), overrides=options)
    return Engine(settings).run([root])


def findings(result: CheckResult, root: Path) -> list[tuple[str, int, str, str]]:
    """(relative path, line, code, message) per diagnostic."""
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.code, d.message)
            for d in result.diagnostics]
