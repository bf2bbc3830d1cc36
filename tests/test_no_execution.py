"""Static mode never runs the code it lints.

Every module of the linted repo — step files, registry, ``__init__.py``, even ``setup.py`` and
``conftest.py`` — would leave a marker file, shell out and then ``raise SystemExit`` if it were
imported or executed. After linting (engine, Python API and CLI) no marker exists, no module of
the repo is in ``sys.modules``, and the findings are still there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import cursus_lint
from cursus_lint.cli import cli
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules import _examples as ex
from cursus_lint.rules_index import all_rules

DRIFT = ex.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')
EXTRA_MODULES = ("steps/__init__.py", "steps/scripts/__init__.py", "steps/contracts/__init__.py",
                 "steps/specs/__init__.py", "steps/builders/__init__.py", "steps/configs/__init__.py",
                 "registry/__init__.py", "setup.py", "conftest.py")


def trap(name: str, markers: Path) -> str:
    """Module-level code that proves an import: a marker file, a shell command, then an exit."""
    return (
        "import os as _trap_os\n"
        f"open({str(markers / (name + '.open'))!r}, 'w').write('imported')\n"
        f"_trap_os.system('touch {markers / (name + '.system')}')\n"
        f"__import__('pathlib').Path({str(markers / (name + '.pathlib'))!r}).touch()\n"
    )


def trapped_repo(root: Path, markers: Path) -> Path:
    files = ex.repo(script=DRIFT)
    for rel in EXTRA_MODULES:
        files[rel] = ""
    for rel, text in files.items():
        name = rel.replace("/", ".")
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(trap(name, markers) + text + f"\nraise SystemExit('{name} was executed')\n", encoding="utf-8")
    return root


def assert_nothing_ran(root: Path, markers: Path) -> None:
    assert sorted(p.name for p in markers.iterdir()) == []
    loaded = [name for name, mod in list(sys.modules.items())
              if str(getattr(mod, "__file__", "") or "").startswith(str(root))]
    assert loaded == []


def test_engine_finds_drift_without_importing_anything(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    root = trapped_repo(tmp_path / "repo", markers)
    # the traps do fire when a module really runs (in a child process, so this test stays clean)
    done = subprocess.run([sys.executable, str(root / "registry/step_names.py")], capture_output=True,
                          text=True, check=False)
    assert (done.returncode, done.stderr) == (1, "registry.step_names.py was executed\n")
    assert sorted(p.name for p in markers.iterdir()) == [
        "registry.step_names.py.open", "registry.step_names.py.pathlib", "registry.step_names.py.system"]
    for marker in markers.iterdir():
        marker.unlink()
    settings = load_config(root, set(all_rules()), overrides={"select": ["CL103", "CL9"]})
    result = Engine(settings).run([root])
    assert [(d.location.path.relative_to(root).as_posix(), d.location.line, d.code) for d in result.diagnostics] \
        == [("steps/scripts/clean.py", 11 + trap("x", markers).count("\n"), "CL103")]
    assert_nothing_ran(root, markers)


def test_every_rule_over_the_trapped_repo_runs_nothing(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    root = trapped_repo(tmp_path / "repo", markers)
    result = Engine(load_config(root, set(all_rules()))).run([root])
    assert "CL103" in {d.code for d in result.diagnostics}
    assert [d for d in result.diagnostics if d.code.startswith("CL9")] == []
    assert_nothing_ran(root, markers)


def test_api_and_cli_run_nothing(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    root = trapped_repo(tmp_path / "repo", markers)
    assert [d.code for d in cursus_lint.check([root], select=["CL103"])] == ["CL103"]
    runner = CliRunner()
    res = runner.invoke(cli, ["check", str(root), "--format", "json", "--select", "CL103"])
    assert res.exit_code == 1, res.output
    assert [d["code"] for d in json.loads(res.output)["diagnostics"]] == ["CL103"]
    one_file = runner.invoke(cli, ["check", str(root / "steps/scripts/clean.py"), "--select", "CL103", "--no-cache"])
    assert one_file.exit_code == 1, one_file.output
    assert runner.invoke(cli, ["catalog", str(root)]).exit_code == 0
    assert_nothing_ran(root, markers)
