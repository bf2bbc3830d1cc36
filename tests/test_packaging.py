"""The distribution installs cleanly and keeps heavy dependencies off the import path."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_pulls_in_no_aws_sdk() -> None:
    code = (
        "import sys, cursus_core, cursus_lint, cursus_core.base, cursus_core.registry, cursus_core.catalog\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'sagemaker', 'boto3', 'botocore', 'moto'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (whl,) = dist.glob("cursus_lint-*.whl")
    return whl


@pytest.mark.slow
def test_wheel_ships_rules_under_the_cursus_lint_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_levels = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top_levels == {"cursus_core", "cursus_lint"}
    assert "cursus_lint/rules/__init__.py" in names
    # every package in the source tree ships (the package list in pyproject.toml is explicit)
    inits = sorted((ROOT / "cursus_core").rglob("__init__.py")) + sorted((ROOT / "cursus_lint").rglob("__init__.py"))
    for init in inits:
        assert init.relative_to(ROOT).as_posix() in names, f"{init.parent.name} missing from [tool.setuptools] packages"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "cursus-lint = cursus_lint.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.slow
def test_wheel_installs_and_imports_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, text=True)
    probe = (
        "import importlib.util, cursus_core, cursus_lint, cursus_lint.rules, cursus_core.catalog\n"
        "print(importlib.util.find_spec('rules') is None)\n"
        "print(cursus_lint.rules.__name__)\n"
    )
    out = subprocess.run([str(py), "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.split() == ["True", "cursus_lint.rules"]
    cli = subprocess.run([str(env_dir / "bin" / "cursus-lint"), "--version"], capture_output=True, text=True)
    assert cli.returncode == 0
    assert cli.stdout.strip() == "cursus-lint 0.1.0"


def test_static_path_imports_no_heavy_or_build_only_modules() -> None:
    """`check` on a repo imports neither the AWS SDKs nor the compiler (networkx) nor libcst/pygls/mcp."""
    code = (
        "import sys\n"
        "from cursus_lint.cli import main\n"
        f"main(['check', {str(ROOT / 'fixtures' / 'example_repo')!r}, '--no-cache', '-q'])\n"
        "heavy = {'sagemaker', 'boto3', 'botocore', 'moto', 'networkx', 'libcst', 'pygls', 'lsprotocol', 'mcp',\n"
        "         'mcp_types'}\n"
        "print('HEAVY:' + ','.join(sorted({m.split('.')[0] for m in sys.modules} & heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"
