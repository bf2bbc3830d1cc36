"""Runtime testing of a pipeline's scripts: DAG + saved config -> the real scripts, run end to end.

Static checks say a step's five files agree; this runs the scripts, in DAG order, on small local
data, with the paths, env vars and arguments the pipeline would give them. See
:class:`RuntimeTestingFactory` and ``cursus-lint test-scripts``.

Names are imported on first use, so the child process that runs a script
(:mod:`cursus_core.testing.harness`) starts without loading the planner and its dependencies.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DEFAULT_TIMEOUT": "factory", "RuntimeTestingFactory": "factory", "ScriptConfigurationError": "factory",
    "ScriptSettings": "factory", "FAILED_STATUSES": "models", "EnvVarRequirement": "models",
    "FailingFrame": "models", "PathRequirement": "models", "RunReport": "models", "ScriptRequirements": "models",
    "ScriptResult": "models", "TestingSetupError": "saved_config", "render_report": "report", "ScriptSpec": "spec",
    "TestingSpec": "spec", "read_testing_spec": "spec",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value
