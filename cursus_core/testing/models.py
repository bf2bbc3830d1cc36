"""Pydantic models of what a script needs and what a run of it produced (the reports' shapes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["PathRequirement", "EnvVarRequirement", "ScriptRequirements", "FailingFrame", "ScriptResult",
           "Status", "FAILED_STATUSES", "RunReport"]

#: passed / failed (non-zero exit or exception) / timeout / blocked (an upstream script did not pass)
#: / unconfigured (required input with no source) / error (no config, entry point file missing,
#: no contract) / skipped (a node without a script: data loading, registration, ...).
Status = Literal["passed", "failed", "timeout", "blocked", "unconfigured", "error", "skipped"]
FAILED_STATUSES = frozenset({"failed", "timeout", "blocked", "unconfigured", "error"})


class PathRequirement(BaseModel):
    """One input or output of a script, by its contract logical name."""

    logical_name: str
    container_path: str
    required: bool = True
    #: ``"Upstream.output"`` when the resolver wires it from a script upstream; None otherwise
    upstream: str | None = None
    #: why an unwired input has no source yet ("upstream 'X' has no script", "no upstream provides it")
    note: str | None = None
    #: the local path the builder mounts from its config when no step provides the input
    builder_path: str | None = None


class EnvVarRequirement(BaseModel):
    """A contract env var and the value the builder would set, with where that value came from."""

    name: str
    required: bool
    value: str | None
    #: ``config.<attr>`` (the builder's mapping), ``contract default``, ``literal in builder`` or None
    source: str | None


class ScriptRequirements(BaseModel):
    """What one node's script expects, derived from its contract, specification, builder and config."""

    node: str
    step: str
    job_type: str | None = None
    script: str
    entry_point_field: str
    has_main: bool
    contract: str
    spec: str | None = None
    inputs: list[PathRequirement] = Field(default_factory=list)
    outputs: list[PathRequirement] = Field(default_factory=list)
    env_vars: list[EnvVarRequirement] = Field(default_factory=list)
    #: ``["--job_type", "training", ...]`` as the builder passes them
    job_args: list[str] = Field(default_factory=list)

    def input(self, logical_name: str) -> PathRequirement:
        for item in self.inputs:
            if item.logical_name == logical_name:
                return item
        raise KeyError(logical_name)


class FailingFrame(BaseModel):
    """The last traceback frame inside the script: where it failed."""

    path: str
    line: int
    function: str
    code: str


class ScriptResult(BaseModel):
    """Outcome of one node."""

    node: str
    status: Status
    script: str | None = None
    reason: str | None = None
    duration_s: float = 0.0
    returncode: int | None = None
    mode: Literal["main", "program"] | None = None
    stdout_tail: str = ""
    stderr_tail: str = ""
    error: str | None = None
    failing_frame: FailingFrame | None = None
    #: output logical name -> files written under it (relative, forward slashes, sorted)
    outputs: dict[str, list[str]] = Field(default_factory=dict)
    #: output logical name -> local directory
    output_paths: dict[str, str] = Field(default_factory=dict)


class RunReport(BaseModel):
    """Every node's outcome, in topological order."""

    workspace: str
    dag: str | None = None
    config: str | None = None
    duration_s: float = 0.0
    results: list[ScriptResult] = Field(default_factory=list)
    #: the interpreter the scripts ran in (None: the one running the tester)
    python: str | None = None
    #: the workspace was a temporary directory, removed after the run
    workspace_removed: bool = False

    @property
    def ok(self) -> bool:
        return not any(r.status in FAILED_STATUSES for r in self.results)

    def result(self, node: str) -> ScriptResult:
        for item in self.results:
            if item.node == node:
                return item
        raise KeyError(node)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.results:
            out[item.status] = out.get(item.status, 0) + 1
        return dict(sorted(out.items()))
