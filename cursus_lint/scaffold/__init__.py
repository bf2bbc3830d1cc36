"""``cursus-lint new-step``: plan and write an aligned step (every component its layout needs).

The plan is pure data (files and their text, the wiring the resolver would pick); writing it is a
separate step that refuses to overwrite anything, so a preview (``--dry-run``, an MCP tool) and the
real thing share one code path.
"""

from .model import NewStepRequest, PlannedFile, ScaffoldError, ScaffoldPlan, WiringProposal
from .plan import plan_new_step
from .write import write_plan

__all__ = ["NewStepRequest", "PlannedFile", "ScaffoldError", "ScaffoldPlan", "WiringProposal", "plan_new_step",
           "write_plan"]
