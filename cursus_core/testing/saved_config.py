"""A saved pipeline config read as data (JSON only: no config class, no pydantic, no planner).

Its own module so that `cursus-lint build` checks the file while its child starts, without
importing the runtime-testing planner and the compiler behind it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["TestingSetupError", "read_saved_config"]


class TestingSetupError(ValueError):
    """The DAG, saved config or testing spec cannot be used at all (a usage error, exit 2)."""

    __test__ = False  # not a pytest test class


def read_saved_config(path: Path) -> dict[str, dict[str, Any]]:
    """Attribute values per saved step: shared fields, specific fields, derived values."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise TestingSetupError(f"{path}: saved config not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TestingSetupError(f"{path}: cannot read the saved config: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise TestingSetupError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    configuration = data.get("configuration") if isinstance(data, dict) else None
    shared = configuration.get("shared") if isinstance(configuration, dict) else None
    specific = configuration.get("specific") if isinstance(configuration, dict) else None
    if not isinstance(shared, dict) or not isinstance(specific, dict):
        raise TestingSetupError(f"{path}: not a saved pipeline config (expected 'configuration' with "
                                "'shared' and 'specific' objects)")
    metadata: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    derived: dict[str, Any] = metadata["derived"] if isinstance(metadata.get("derived"), dict) else {}
    out: dict[str, dict[str, Any]] = {}
    for name, entry in specific.items():
        values = {**shared, **(entry if isinstance(entry, dict) else {})}
        extra = derived.get(name)
        if isinstance(extra, dict):
            values.update({k: v for k, v in extra.items() if "." not in k and k not in values})
        out[name] = values
    return out
