"""Stand-ins that let the SDK import bind numpy and pandas without loading them
(cursus_core/compiler/deferred_modules.py): nothing loads until used, everything works once used,
and outside the import's window every import is the ordinary one."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
import uuid
from pathlib import Path

import pytest

from cursus_core.compiler.deferred_modules import DeferredModule, DeferredName, deferred_modules, loaded

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An installed package that counts its own executions (in ``builtins``, which outlive it)."""
    name = f"deferred_probe_{uuid.uuid4().hex}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text(
        "import builtins\n"
        f"builtins.{name}_runs = getattr(builtins, '{name}_runs', 0) + 1\n"
        "class Frame:\n    pass\n"
        "VALUE = 42\n"
        "from . import sub\n")
    (tmp_path / name / "sub.py").write_text("import builtins\n"
                                            f"builtins.{name}_sub_runs = getattr(builtins, '{name}_sub_runs', 0) + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]


def _runs(name: str, suffix: str = "") -> int:
    import builtins

    return getattr(builtins, f"{name}{suffix}_runs", 0)


def test_import_binds_a_stand_in_and_the_first_attribute_read_loads_it_once(package: str) -> None:
    with deferred_modules({package: ()}) as deferred:
        module = __import__(package)
        assert deferred == [package]
        assert isinstance(module, DeferredModule) and _runs(package) == 0
        assert module.VALUE == 42
        assert module.VALUE == 42
    assert _runs(package) == 1 and loaded(module)
    assert sys.modules[package] is not module and sys.modules[package].VALUE == 42  # the real one


def test_an_unused_stand_in_leaves_sys_modules_and_later_imports_are_ordinary(package: str) -> None:
    with deferred_modules({package: ()}):
        kept = __import__(package)
    assert package not in sys.modules and _runs(package) == 0
    real = __import__(package)
    assert not isinstance(real, DeferredModule) and _runs(package) == 1
    assert kept.Frame is real.Frame  # the stand-in bound inside forwards to the same module


def test_a_listed_name_stays_deferred_through_from_import_and_typing(package: str) -> None:
    with deferred_modules({package: ("Frame",)}):
        namespace: dict = {}
        exec(f"from {package} import Frame\nalias = typing.Union[list, Frame]", {"typing": typing}, namespace)
    frame = namespace["Frame"]
    assert isinstance(frame, DeferredName) and _runs(package) == 0
    real = sys.modules.get(package) or __import__(package)
    assert isinstance(real.Frame(), frame) and not isinstance([], frame)
    assert issubclass(real.Frame, frame) and isinstance(frame(), real.Frame)
    assert _runs(package) == 1


def test_a_submodule_import_through_a_stand_in_fails_instead_of_running_twice(package: str) -> None:
    with deferred_modules({package: ()}), pytest.raises(ModuleNotFoundError, match="is not a package"):
        __import__(f"{package}.sub")
    assert _runs(package) == 0 and _runs(package, "_sub") == 0


def test_the_real_import_runs_in_the_loading_context(package: str) -> None:
    import contextlib

    seen: list[str] = []

    @contextlib.contextmanager
    def loading() -> typing.Iterator[None]:
        seen.append(f"enter, runs={_runs(package)}")
        yield
        seen.append(f"exit, runs={_runs(package)}")

    with deferred_modules({package: ()}, loading=loading):
        module = __import__(package)
    assert seen == []
    assert module.VALUE == 42
    assert seen == ["enter, runs=0", "exit, runs=1"]


def test_a_module_that_is_not_installed_is_not_deferred() -> None:
    with deferred_modules({"no_such_module_for_deferral": ()}) as deferred:
        assert deferred == []
        with pytest.raises(ModuleNotFoundError):
            __import__("no_such_module_for_deferral")


def test_the_sdk_import_and_a_whole_build_leave_numpy_pandas_and_shapes_unloaded_and_the_sdk_still_uses_them() -> None:
    pytest.importorskip("sagemaker")
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from cursus_core.compiler.offline import require_build_extra\n"
            "require_build_extra()\n"
            "print('numpy' in sys.modules, 'pandas' in sys.modules, 'sagemaker_core.main.shapes' in sys.modules)\n"
            "from cursus_core.compiler import dry_run\n"
            "root = Path('fixtures/example_repo').resolve()\n"
            "result = dry_run(root / 'pipeline/dag.json', root / 'pipeline/config.json', root)\n"
            "assert result.definition is not None and not result.problems, result.problems\n"
            "print('numpy' in sys.modules, 'pandas' in sys.modules, 'sagemaker_core.main.shapes' in sys.modules)\n"
            "import pandas\n"
            "from sagemaker.base_serializers import CSVSerializer, NumpySerializer\n"
            "print(repr(CSVSerializer().serialize(pandas.DataFrame({'a': [1, 2]}))))\n"
            "print(len(NumpySerializer().serialize([1, 2])) > 0)\n")
    env = {**os.environ, "SAGEMAKER_SUPPRESS_V2_WARNING": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines() == ["False False False", "False False False", repr("1\n2\n"), "True"]
