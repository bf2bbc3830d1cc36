"""The facts cache never changes what is reported, only how fast.

After each kind of edit, a run that reads the cache must report exactly what a run without the
cache reports (rules always re-run over the cached facts, so cross-file changes are seen).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules_index import all_rules

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "example_repo"


def findings(root: Path, use_cache: bool) -> list[tuple[str, int, str, str]]:
    settings = load_config(root, set(all_rules()), overrides={"cache-dir": str(root.parent / "cache")})
    engine = Engine(settings, use_cache=use_cache)
    result = engine.run([root])
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.code, d.message)
            for d in result.diagnostics]


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    findings(root, use_cache=True)  # warm the cache with the clean repo
    return root


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


EDITS = {
    "script": lambda r: replace(r / "steps/scripts/package.py", 'os.environ.get("COMPRESSION_LEVEL"',
                                'os.environ.get("COMPRESSION_LEVEL_X"'),
    "contract": lambda r: replace(r / "steps/contracts/package_contract.py", '"COMPRESSION_LEVEL"',
                                  '"COMPRESSION"'),
    "spec": lambda r: replace(r / "steps/specs/package_spec.py", 'logical_name="model_input"',
                              'logical_name="model_in"'),
    "config base class": lambda r: replace(r / "steps/configs/config_training_step_base.py",
                                           "training_instance_type", "training_instance_kind"),
    "registry": lambda r: replace(r / "registry/step_names.py", '"PackageStepBuilder"', '"PackagingStepBuilder"'),
    "add component": lambda r: (r / "steps/specs/package_calibration_spec.py").write_text(
        (r / "steps/specs/package_spec.py").read_text()
        .replace('step_type="Package"', 'step_type="Package_Calibration"')
        .replace('PACKAGE_SPEC', 'PACKAGE_CALIBRATION_SPEC')
        .replace('logical_name="model_input"', 'logical_name="calibrated_model"')),
    "delete component": lambda r: (r / "steps/scripts/package.py").unlink(),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_cached_and_uncached_runs_agree_after_an_edit(repo: Path, edit: str) -> None:
    EDITS[edit](repo)
    uncached = findings(repo, use_cache=False)
    assert uncached, f"the {edit} edit should produce findings"
    assert findings(repo, use_cache=True) == uncached
    assert findings(repo, use_cache=True) == uncached  # and from a fully warm cache


def test_cache_directory_is_tagged_and_ignored(repo: Path) -> None:
    cache = repo.parent / "cache"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    (pack,) = cache.glob("facts-*/pack.json")
    assert len(json.loads(pack.read_bytes().split(b"\n", 1)[1])) > 50


def test_corrupt_entries_are_misses(repo: Path) -> None:
    for pack in (repo.parent / "cache").glob("facts-*/pack.json"):
        pack.write_bytes(b"not a pickle")
    assert findings(repo, use_cache=True) == []


def test_two_runs_at_once_agree(repo: Path) -> None:
    EDITS["contract"](repo)
    shutil.rmtree(repo.parent / "cache")
    code = (f"import sys, json\nfrom pathlib import Path\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            f"from test_cache import findings\nprint(json.dumps(findings(Path({str(repo)!r}), True)))\n")
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0] == outs[1]
    assert not list((repo.parent / "cache").rglob(".tmp-*"))
