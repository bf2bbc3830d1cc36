"""Typed shapes of what the MCP tools return; the SDK turns them into each tool's output schema.

``Report`` is the JSON output contract of ``cursus-lint check --format json`` (DESIGN.md), key
for key, so an agent and a CI gate read the same document. TypedDicts (not models) so that the
dict :func:`cursus_lint.report.json.document` builds is returned as it is.
"""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

# ---------------------------------------------------------------------------- the JSON contract


class ToolName(TypedDict):
    name: str
    version: str


class EditOut(TypedDict):
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str


class FixOut(TypedDict):
    message: str
    safe: bool
    edits: list[EditOut]


class RelatedOut(TypedDict):
    path: str
    line: int
    message: str


class DiagnosticOut(TypedDict):
    code: str
    name: str
    severity: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    step: str | None
    message: str
    related: list[RelatedOut]
    fix: FixOut | None


class SummaryOut(TypedDict):
    files: int
    steps: int
    diagnostics: int
    by_code: dict[str, int]
    elapsed_ms: int
    unknown: NotRequired[dict[str, int]]


class Report(TypedDict):
    """The JSON output contract: what ``cursus-lint check --format json`` prints."""

    tool: ToolName
    diagnostics: list[DiagnosticOut]
    summary: SummaryOut


# ---------------------------------------------------------------------------- rule


class RuleDoc(TypedDict):
    code: str
    name: str
    family: str
    severity: str
    fixable: str
    summary: str
    markdown: str


# ---------------------------------------------------------------------------- step


class Components(TypedDict):
    """Files of the step, relative to the server root; ``specs`` by job type ("" = the base spec)."""

    script: str | None
    contract: str | None
    specs: dict[str, str]
    builder: str | None
    config: str | None
    hyperparams: list[str]
    interface: str | None


class InputPort(TypedDict):
    logical_name: str
    container_path: str | None
    dependency_type: str | None
    required: bool | None
    compatible_sources: list[str]
    semantic_keywords: list[str]
    job_types: list[str]


class OutputPort(TypedDict):
    logical_name: str
    container_path: str | None
    output_type: str | None
    property_path: str | None
    aliases: list[str]
    job_types: list[str]


class EnvVars(TypedDict):
    required: list[str]
    optional: dict[str, str | None]


class StepOut(TypedDict):
    name: str
    workspace: str | None
    layout: str
    sagemaker_step_type: str | None
    config_class: str | None
    builder_class: str | None
    components: Components
    inputs: list[InputPort]
    outputs: list[OutputPort]
    env_vars: EnvVars
    job_arguments: dict[str, str | None]


# ---------------------------------------------------------------------------- wiring


class CandidateOut(TypedDict):
    step: str
    workspace: str | None
    spec_type: str
    output: str
    score: float
    parts: dict[str, float]
    explanation: list[str]
    path: str
    line: int


class InputWiring(TypedDict):
    input: str
    job_type: str | None
    dependency_type: str | None
    required: bool | None
    best: str | None
    ambiguous: bool
    reason: str
    candidates: list[CandidateOut]


class WiringOut(TypedDict):
    step: str
    threshold: float
    tie_margin: float
    inputs: list[InputWiring]


# ---------------------------------------------------------------------------- fixes


class FixApplied(TypedDict):
    path: str
    line: int
    code: str
    message: str
    file: str


class FixSkipped(TypedDict):
    path: str
    code: str
    message: str
    reason: str


class FixPreview(TypedDict):
    diff: str
    files: list[str]
    fixes: list[FixApplied]
    skipped: list[FixSkipped]
    unsafe_available: int


class FixWritten(TypedDict):
    written: list[str]
    fixes: list[FixApplied]
    skipped: list[FixSkipped]
    remaining: Report


# ---------------------------------------------------------------------------- build


class BuildOut(TypedDict):
    built: bool
    steps: int
    report: Report


# ---------------------------------------------------------------------------- new steps


class NewStepFileOut(TypedDict):
    path: str
    is_edit: bool


class NewStepWiringOut(TypedDict):
    dependency: str
    upstream_step: str | None
    upstream_output: str | None
    score: float
    explanation: str


class NewStepPreview(TypedDict):
    step: str
    layout: str
    files: list[NewStepFileOut]
    wiring: list[NewStepWiringOut]
    diff: str


class NewStepWritten(TypedDict):
    step: str
    layout: str
    written: list[str]
    wiring: list[NewStepWiringOut]
