"""What keeps the dry-run build fast: botocore data decoded once per process, and the SDK's optional
heavy imports (numpy, pandas, sagemaker_core's shape models) left unloaded until something uses them.
Both must leave the build's output as it was (the golden definition in test_compiler.py) and undo
themselves where they promise to.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("botocore")

from botocore.loaders import JSONFileLoader, create_loader  # noqa: E402

from cursus_core.compiler import offline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files botocore reads and decodes from now on (its ``_load_file`` does both)."""
    decoded: list[str] = []
    original = JSONFileLoader._load_file

    def counting(self: object, full_path: str, open_method: object) -> object:
        found = original(self, full_path, open_method)
        if found is not None:
            decoded.append(Path(full_path).name)
        return found

    monkeypatch.setattr(JSONFileLoader, "_load_file", counting)
    return decoded


def test_each_botocore_data_file_is_decoded_once_across_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offline, "_BOTOCORE_DATA", {})
    decoded = _count_decodes(monkeypatch)
    with offline.shared_botocore_data():
        first = create_loader().load_data("endpoints")
        second = create_loader().load_data("endpoints")  # a new Loader: its own cache is empty
    assert decoded == ["endpoints.json"]
    assert second is first and "partitions" in first


def test_without_the_shared_data_every_loader_decodes_again(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded = _count_decodes(monkeypatch)
    create_loader().load_data("endpoints")
    create_loader().load_data("endpoints")
    assert decoded == ["endpoints.json", "endpoints.json"]


def test_the_original_loader_is_back_after_the_build_even_when_nested() -> None:
    original = JSONFileLoader.load_file
    with offline.shared_botocore_data():
        patched = JSONFileLoader.load_file
        assert patched is not original
        with offline.shared_botocore_data():
            assert JSONFileLoader.load_file is patched
        assert JSONFileLoader.load_file is patched
    assert JSONFileLoader.load_file is original


def _fresh(code: str) -> list[str]:
    """Run ``code`` in a new interpreter (sagemaker not imported yet); its stdout, split."""
    env = {**os.environ, "SAGEMAKER_SUPPRESS_V2_WARNING": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


def test_sdk_models_build_at_first_use_and_validate_as_before() -> None:
    code = ("import sys\n"
            "from cursus_core.compiler.offline import require_build_extra\n"
            "require_build_extra()\n"
            "print('sagemaker_core.main.shapes' in sys.modules)\n"
            "import pydantic\n"
            "from pydantic._internal._config import config_defaults\n"
            "import sagemaker.jumpstart.types as jumpstart_types\n"
            "isinstance(None, jumpstart_types.CoreModelAccessConfig)  # the SDK's first use loads the shapes\n"
            "from sagemaker_core.main.shapes import Tag\n"
            "class Later(pydantic.BaseModel):\n"
            "    x: int\n"
            "print(Tag.__pydantic_complete__, Tag(key='k', value='v').key, Tag.__pydantic_complete__)\n"
            "try:\n"
            "    Tag(key=1, value='v')\n"
            "except pydantic.ValidationError as exc:\n"
            "    print(exc.errors()[0]['loc'][0], exc.errors()[0]['type'])\n"
            "print(Later.__pydantic_complete__, config_defaults['defer_build'])\n")
    # not even imported with the SDK; loaded at the SDK's first use with their validators deferred, built
    # at first use, validating as ever; later models build at once
    assert _fresh(code) == ["False", "False", "k", "True", "key", "string_type", "True", "False"]


def test_a_whole_dry_run_decodes_each_botocore_file_once() -> None:
    """The example pipeline: import, offline session, 10 builders (7 image URIs), definition()."""
    code = ("import collections, sys\n"
            "from pathlib import Path\n"
            "from botocore.loaders import JSONFileLoader\n"
            "seen = collections.Counter()\n"
            "original = JSONFileLoader._load_file\n"
            "def counting(self, path, open_method):\n"
            "    found = original(self, path, open_method)\n"
            "    seen[path] += found is not None\n"
            "    return found\n"
            "JSONFileLoader._load_file = counting\n"
            "from cursus_core.compiler import dry_run\n"
            "root = Path('fixtures/example_repo').resolve()\n"
            "result = dry_run(root / 'pipeline/dag.json', root / 'pipeline/config.json', root)\n"
            "assert result.definition is not None and not result.problems, result.problems\n"
            "print(sum(p.endswith('/endpoints.json') for p in seen), max(seen.values()))\n")
    assert _fresh(code) == ["1", "1"]  # endpoints.json was decoded 10 times, the sagemaker model 4


def test_build_explain_and_report_come_from_one_child_process(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """`build --definition --report --explain -o`: one sandboxed child (its supervisor is the only
    process the CLI starts) writes everything the four outputs show."""
    import cursus_core.sandbox as sandbox
    from click.testing import CliRunner

    from cursus_lint.cli import cli

    runs: list[list[str]] = []
    started: list[list[str]] = []
    real_init, real_popen = sandbox.Sandboxed.__init__, subprocess.Popen

    def counted_run(self: sandbox.Sandboxed, argv: list[str], **kwargs: object) -> None:
        runs.append(list(argv))
        real_init(self, argv, **kwargs)  # type: ignore[arg-type]

    class CountedPopen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args: list[str], *rest: object, **kwargs: object) -> None:
            started.append(list(args))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(sandbox.Sandboxed, "__init__", counted_run)
    monkeypatch.setattr(subprocess, "Popen", CountedPopen)
    example = ROOT / "fixtures" / "example_repo"
    out = CliRunner().invoke(cli, ["build", "--dag", str(example / "pipeline/dag.json"), "--config",
                                   str(example / "pipeline/config.json"), "--repo", str(example),
                                   "--definition", str(tmp_path / "def.json"), "--report",
                                   str(tmp_path / "report.json"), "--explain", "--format", "json",
                                   "-o", str(tmp_path / "findings.json"), "--no-progress"])
    assert out.exit_code == 0, out.output
    assert [argv[1:3] for argv in runs] == [["-m", "cursus_lint.build"]]
    assert len(started) == 1 and started[0][-5:-3] == ["-m", "cursus_lint.build"]
    assert len(json.loads((tmp_path / "def.json").read_text())["Steps"]) == 10
    assert len(json.loads((tmp_path / "report.json").read_text())["nodes"]) == 10
    assert "XGBoostTraining: XGBoostTrainingConfig -> XGBoostTrainingStepBuilder" in out.output
    assert json.loads((tmp_path / "findings.json").read_text())["diagnostics"] == []
