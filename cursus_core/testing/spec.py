"""The saved testing spec: an editable JSON or YAML file that repeats a configured run (e.g. in CI).

```yaml
version: 1
dag: ../pipeline/dag.json          # optional; relative paths are relative to this file
config: ../pipeline/config.json    # optional
timeout: 120                       # seconds per script, optional
scripts:
  TabularPreprocessing_training:
    inputs: {DATA: data/train}     # logical name -> local path
    env: {LABEL_FIELD: is_fraud}   # overrides the config's value
    args: {job_type: training}
```
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .plan import TestingSetupError

if TYPE_CHECKING:  # pragma: no cover
    from .factory import RuntimeTestingFactory

__all__ = ["ScriptSpec", "TestingSpec", "read_testing_spec", "save_testing_spec", "apply_testing_spec"]


class ScriptSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: dict[str, str] = Field(default_factory=dict)
    outputs: dict[str, str] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict)
    args: dict[str, str] = Field(default_factory=dict)


class TestingSpec(BaseModel):
    __test__ = False  # not a pytest test class
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    dag: str | None = None
    config: str | None = None
    timeout: float | None = None
    scripts: dict[str, ScriptSpec] = Field(default_factory=dict)

    def resolve(self, value: str | None, base: Path) -> Path | None:
        return None if value is None else (base / value).resolve()


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def read_testing_spec(path: Path) -> TestingSpec:
    """Read and validate a spec; errors name the file and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TestingSetupError(f"{path}: cannot read the testing spec: {exc.strerror or exc}") from exc
    try:
        if _is_yaml(path):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TestingSetupError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    except Exception as exc:  # yaml.YAMLError
        raise TestingSetupError(f"{path}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    try:
        return TestingSpec.model_validate(data)
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()]
        raise TestingSetupError(f"{path}: invalid testing spec: " + "; ".join(parts)) from exc


def _relative(value: str, base: Path) -> str:
    return Path(os.path.relpath(value, base)).as_posix()


def save_testing_spec(factory: "RuntimeTestingFactory", path: Path) -> Path:
    """Write the factory's configuration; local paths are stored relative to the spec file."""
    base = path.resolve().parent
    scripts = {}
    for node, settings in factory.settings.items():
        scripts[node] = ScriptSpec(inputs={k: _relative(v, base) for k, v in settings.inputs.items()},
                                   outputs={k: _relative(v, base) for k, v in settings.outputs.items()},
                                   env=dict(settings.env), args=dict(settings.args))
    spec = TestingSpec(dag=_relative(str(factory.dag_path), base) if factory.dag_path else None,
                       config=_relative(str(factory.config_path), base), timeout=factory.timeout, scripts=scripts)
    data: dict[str, Any] = spec.model_dump(exclude_none=True)
    for entry in data["scripts"].values():
        for key in [k for k, v in entry.items() if not v]:
            del entry[key]
    if _is_yaml(path):
        import yaml

        text = yaml.safe_dump(data, sort_keys=False)
    else:
        text = json.dumps(data, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def apply_testing_spec(factory: "RuntimeTestingFactory", path: Path) -> TestingSpec:
    """Configure ``factory`` from the spec at ``path`` (each script checked as by ``configure``)."""
    spec = read_testing_spec(path)
    base = path.resolve().parent
    known = factory.scripts_requiring_testing()
    unknown = [n for n in spec.scripts if n not in known]
    if unknown:
        raise TestingSetupError(f"{path}: no script to configure in node(s) {', '.join(unknown)} "
                                f"(nodes with scripts: {', '.join(known) or 'none'})")
    if spec.timeout is not None:
        factory.timeout = spec.timeout
    for node, entry in spec.scripts.items():
        factory.configure(node, inputs={k: base / v for k, v in entry.inputs.items()},
                          outputs={k: base / v for k, v in entry.outputs.items()}, env=entry.env, args=entry.args)
    return spec
