"""Runtime testing of a pipeline's scripts: DAG + saved config -> the real scripts, run end to end.

Static checks say a step's five files agree; this runs the scripts, in DAG order, on small local
data, with the paths, env vars and arguments the pipeline would give them. See
:class:`RuntimeTestingFactory` and ``cursus-lint test-scripts``.
"""

from .factory import DEFAULT_TIMEOUT, RuntimeTestingFactory, ScriptConfigurationError, ScriptSettings
from .models import (
    FAILED_STATUSES, EnvVarRequirement, FailingFrame, PathRequirement, RunReport, ScriptRequirements, ScriptResult,
)
from .plan import TestingSetupError
from .report import render_report
from .spec import ScriptSpec, TestingSpec, read_testing_spec

__all__ = [
    "DEFAULT_TIMEOUT", "RuntimeTestingFactory", "ScriptConfigurationError", "ScriptSettings", "FAILED_STATUSES",
    "EnvVarRequirement", "FailingFrame", "PathRequirement", "RunReport", "ScriptRequirements", "ScriptResult",
    "TestingSetupError", "render_report", "ScriptSpec", "TestingSpec", "read_testing_spec",
]
