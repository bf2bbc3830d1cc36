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
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .plan import TestingSetupError

__all__ = ["ScriptSpec", "TestingSpec", "read_testing_spec", "write_testing_spec", "relative_to_spec"]


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


def relative_to_spec(path: str | Path, base: Path) -> str:
    """``path`` as stored in a spec file in directory ``base`` (relative, with forward slashes)."""
    return Path(os.path.relpath(path, base)).as_posix()


def write_testing_spec(spec: TestingSpec, path: Path) -> Path:
    """Write ``spec`` as YAML (``.yaml``/``.yml``) or JSON, leaving out empty script settings."""
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
