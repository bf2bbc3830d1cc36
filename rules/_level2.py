"""Shared reasoning for the level-2 rules (contract <-> specification, CL2xx).

Which contract a spec variant really points at (following its ``script_contract`` import),
whether that contract belongs to another step, which names the two sides declare and
whether those name sets are complete enough to compare. Pure functions over the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec

from cursus_core.registry.names import match_canonical_name
from cursus_lint.facts import ContractFacts, DependencyFacts, FileFacts, OutputFacts, Span, SpecFacts
from cursus_lint.model import ProjectModel, SpecVariant, StepModel, per_run
from cursus_lint.model import contract_label as _contract_label

#: name-matching strategies strong enough to say which step a file or variable is named after
_SURE = frozenset({"exact", "job_type", "abbreviation", "permutation"})


class ResolvedContract(msgspec.Struct, frozen=True):
    """The contract a spec's ``script_contract`` points at, and the step it belongs to if foreign."""

    path: Path
    facts: ContractFacts
    foreign_owner: str | None = None
    evidence: str = ""

    @property
    def label(self) -> str:
        return contract_label(self.facts, self.path)


def contract_label(contract: ContractFacts, path: Path | None = None) -> str:
    """The name messages give ``contract`` (written in the file at ``path``)."""
    return _contract_label(contract, path)


def spec_label(variant: SpecVariant) -> str:
    return variant.spec.variable or variant.path.name


@per_run
def _registered_by_workspace(project: ProjectModel) -> dict[str | None, list[str]]:
    """Registered step names visible from each workspace (None: the core), sorted; once per run."""
    scopes = {None} | {s.workspace_id for s in project.steps}
    return {ws: sorted({s.name for s in project.steps if s.registry is not None and s.workspace_id in (None, ws)})
            for ws in scopes}


def registered_names(step: StepModel, project: ProjectModel) -> list[str]:
    """Registered steps visible from ``step`` (the core, plus its own workspace)."""
    return _registered_by_workspace(project)[step.workspace_id]


def named_step(text: str, names: list[str]) -> str | None:
    """The registered step ``text`` (a file stem, variable or entry point) is surely named after."""
    if not text or not names:
        return None
    try:
        match = match_canonical_name(text, names)
    except ValueError:
        return None
    return match.name if match.strategy in _SURE else None


# ----------------------------------------------------------------------------- resolving


def _module_parts(path: Path) -> tuple[str, ...]:
    parts = path.with_suffix("").parts
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


def _module_file(project: ProjectModel, spec_path: Path, module: str, level: int) -> Path | None:
    """The repo file a module import names: exact for relative imports, a unique path-suffix
    match for absolute ones (``cursus.steps.contracts.x`` -> ``.../steps/contracts/x.py``)."""
    parts = tuple(p for p in module.split(".") if p)
    if level:
        base = spec_path.parent
        for _ in range(level - 1):
            base = base.parent
        target = base.joinpath(*parts) if parts else base
        for cand in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
            if cand is not None and cand in project.files:
                return cand
        return None
    if not parts:
        return None
    hits = [p for p in project.files if _module_parts(p)[-len(parts):] == parts]
    return hits[0] if len(hits) == 1 else None


def _pick(facts: FileFacts, name: str | None) -> ContractFacts | None:
    contracts = facts.contracts
    if not contracts:
        return None
    if name:
        hit = next((c for c in contracts if c.variable == name or c.function == name), None)
        if hit is not None:
            return hit
    return contracts[0] if len(contracts) == 1 else None


def _by_variable(project: ProjectModel, name: str) -> tuple[Path, ContractFacts] | None:
    hits = [(p, c) for p, f in project.files.items() for c in f.contracts if c.variable == name]
    return hits[0] if len(hits) == 1 else None


def resolve_contract(step: StepModel, variant: SpecVariant, project: ProjectModel,
                     quiet: bool = False) -> ResolvedContract | None:
    """The contract ``variant`` references, statically; None when it has none or it is unknowable
    (then, unless ``quiet``, ``project.count_unknown`` is told; a spec without contract is not unknown)."""
    ref = variant.spec.script_contract
    if ref.kind == "none":
        return None
    found: tuple[Path, ContractFacts] | None = None
    if ref.kind != "dynamic":
        if ref.local:
            contract = _local_contract(variant, ref.name, ref.imported_name)
            found = (variant.path, contract) if contract is not None else None
        elif ref.import_module is not None:
            path = _module_file(project, variant.path, ref.import_module, ref.import_level)
            facts = project.files.get(path) if path is not None else None
            contract = _pick(facts, ref.imported_name) if facts is not None else None
            if contract is not None:
                found = (path, contract)  # type: ignore[assignment]
            elif ref.imported_name:  # a package re-exporting the contract, or an unusual layout
                found = _by_variable(project, ref.imported_name)
        elif ref.kind == "name" and ref.name:
            found = _by_variable(project, ref.name)
    if found is None:
        if not quiet:
            project.count_unknown("spec-contract-reference")
        return None
    path, contract = found
    owner, evidence = foreign_owner(step, path, contract, project)
    return ResolvedContract(path, contract, owner, evidence)


def _local_contract(variant: SpecVariant, name: str | None, returned: str | None) -> ContractFacts | None:
    """A contract built in the spec file itself: inline, in a helper function or a module variable."""
    contracts = variant.file.contracts
    ref_span = variant.spec.script_contract.span
    if ref_span is not None:
        inline = next((c for c in contracts if _inside(c.span, ref_span)), None)
        if inline is not None:
            return inline
    if name is None and returned is None and ref_span is None and len(contracts) == 1:
        return contracts[0]  # the file's one contract (a step interface: contract and spec in one file)
    for wanted in (returned, name):
        if wanted:
            hit = next((c for c in contracts if c.variable == wanted or c.function == wanted), None)
            if hit is not None:
                return hit
    return None


def _inside(inner: Span, outer: Span) -> bool:
    return (inner.line, inner.column) >= (outer.line, outer.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def foreign_owner(step: StepModel, path: Path, contract: ContractFacts,
                  project: ProjectModel) -> tuple[str | None, str]:
    """(other step, why) when the contract belongs to another step, else (None, "").

    Names decide first: the contract file, its variable and its entry point are named after a
    step. Only when no name says which step it is does the catalog's ownership count.
    """
    names = registered_names(step, project)
    stem = path.stem if path.name != "__init__.py" else path.parent.name
    clues = [(stem, f"file {path.name} is named after step")]
    if contract.variable:
        var = contract.variable
        if var.upper().endswith("_CONTRACT"):
            var = var[: -len("_CONTRACT")]
        clues.append((var.lower(), f"variable {contract.variable} is named after step"))
    entry = contract.entry_point.value if contract.entry_point else None
    if isinstance(entry, str) and entry:
        clues.append((PurePosixPath(entry.replace("\\", "/")).stem, f"entry_point '{entry}' is named after step"))
    for text, why in clues:
        named = named_step(text, names)
        if named == step.name:
            return None, ""
        if named is not None:
            return named, f"{why} '{named}'"
    owners = [name for ws, name in project.catalog.find_steps_for_file(path) if ws in (None, step.workspace_id)]
    if owners and step.name not in owners:
        return owners[0], f"the catalog gives {path.name} to step '{owners[0]}'"
    return None, ""


# ----------------------------------------------------------------------------- names


_SPEC_NAME_BLOCKERS = {"*args", "**"}


def dependency_name(dep: DependencyFacts) -> str | None:
    if dep.logical_name is not None:
        return dep.logical_name
    if "logical_name" not in dep.non_literal:
        return dep.dict_key
    return None


def output_name(out: OutputFacts) -> str | None:
    if out.logical_name is not None:
        return out.logical_name
    if "logical_name" not in out.non_literal:
        return out.dict_key
    return None


def spec_names_known(spec: SpecFacts, field: str) -> bool:
    """Whether every ``dependencies``/``outputs`` logical name of ``spec`` was read statically."""
    blocked = _SPEC_NAME_BLOCKERS | {field, f"{field}[]", f"{field}.key"}
    if blocked & set(spec.non_literal):
        return False
    items = spec.dependencies if field == "dependencies" else spec.outputs
    namer = dependency_name if field == "dependencies" else output_name
    return all(namer(item) is not None for item in items)  # type: ignore[arg-type]


def contract_keys_known(contract: ContractFacts, field: str) -> bool:
    """Whether every logical name (key) of ``expected_input_paths``/``expected_output_paths`` is known."""
    blocked = _SPEC_NAME_BLOCKERS | {field, f"{field}.**", f"{field}.key"}
    return not (blocked & set(contract.non_literal))


# ----------------------------------------------------------------------------- step types


def registry_span(step: StepModel) -> tuple[Path, Span] | None:
    """Where the step's registry entry is written, for related information."""
    reg = step.registry
    if reg is None or reg.source_path is None or reg.line is None:
        return None
    col = reg.column or 1
    return Path(reg.source_path), Span(reg.line, col, reg.line, col)


def comparable_variants(step: StepModel, project: ProjectModel) -> Iterator[tuple[SpecVariant, ResolvedContract]]:
    """(variant, contract) for every spec variant whose own, non-foreign contract is known."""
    for variant in step.specs:
        resolved = resolve_contract(step, variant, project)
        if resolved is not None and resolved.foreign_owner is None:
            yield variant, resolved


# ----------------------------------------------------------------------------- property paths

#: ``Schema`` nodes: a dict of members; ``ListOf`` wraps the schema of items reached with ``[...]``;
#: ``ANY`` accepts whatever follows (maps and shapes we do not model); ``None`` is a scalar.
ANY = "any"


class ListOf(msgspec.Struct, frozen=True):
    item: object


_S3_OUTPUT = {"S3Uri": None, "LocalPath": None, "S3UploadMode": None}

#: Members of the SageMaker Describe* responses that step ``properties`` mirror, by step type.
PROPERTY_SCHEMAS: dict[str, dict[str, object]] = {
    "Processing": {  # DescribeProcessingJob
        "ProcessingOutputConfig": {
            "Outputs": ListOf({"OutputName": None, "S3Output": _S3_OUTPUT,
                             "FeatureStoreOutput": {"FeatureGroupName": None}, "AppManaged": None}),
            "KmsKeyId": None,
        },
        "ProcessingInputs": ListOf(ANY), "ProcessingResources": ANY, "StoppingCondition": ANY,
        "AppSpecification": ANY, "Environment": ANY, "NetworkConfig": ANY, "ExperimentConfig": ANY,
        **dict.fromkeys(("ProcessingJobName", "ProcessingJobArn", "ProcessingJobStatus", "RoleArn", "ExitMessage",
                         "FailureReason", "ProcessingEndTime", "ProcessingStartTime", "LastModifiedTime",
                         "CreationTime", "MonitoringScheduleArn", "AutoMLJobArn", "TrainingJobArn")),
    },
    "Training": {  # DescribeTrainingJob
        "ModelArtifacts": {"S3ModelArtifacts": None},
        "OutputDataConfig": {"S3OutputPath": None, "KmsKeyId": None, "CompressionType": None},
        "FinalMetricDataList": ListOf({"MetricName": None, "Value": None, "Timestamp": None}),
        "HyperParameters": ANY, "AlgorithmSpecification": ANY, "InputDataConfig": ListOf(ANY), "ResourceConfig": ANY,
        "WarmPoolStatus": ANY, "VpcConfig": ANY, "StoppingCondition": ANY, "SecondaryStatusTransitions": ListOf(ANY),
        "CheckpointConfig": ANY, "DebugHookConfig": ANY, "ExperimentConfig": ANY, "DebugRuleConfigurations": ANY,
        "TensorBoardOutputConfig": ANY, "DebugRuleEvaluationStatuses": ANY, "ProfilerConfig": ANY,
        "ProfilerRuleConfigurations": ANY, "ProfilerRuleEvaluationStatuses": ANY, "Environment": ANY,
        "RetryStrategy": ANY, "RemoteDebugConfig": ANY, "InfraCheckConfig": ANY,
        **dict.fromkeys(("TrainingJobName", "TrainingJobArn", "TuningJobArn", "LabelingJobArn", "AutoMLJobArn",
                         "TrainingJobStatus", "SecondaryStatus", "FailureReason", "RoleArn", "CreationTime",
                         "TrainingStartTime", "TrainingEndTime", "LastModifiedTime", "EnableNetworkIsolation",
                         "EnableInterContainerTrafficEncryption", "EnableManagedSpotTraining",
                         "TrainingTimeInSeconds", "BillableTimeInSeconds", "ProfilingStatus")),
    },
    "Transform": {  # DescribeTransformJob
        "TransformOutput": {"S3OutputPath": None, "Accept": None, "AssembleWith": None, "KmsKeyId": None},
        "ModelClientConfig": ANY, "Environment": ANY, "TransformInput": ANY, "DataCaptureConfig": ANY,
        "TransformResources": ANY, "DataProcessing": ANY, "ExperimentConfig": ANY,
        **dict.fromkeys(("TransformJobName", "TransformJobArn", "TransformJobStatus", "FailureReason", "ModelName",
                         "MaxConcurrentTransforms", "MaxPayloadInMB", "BatchStrategy", "CreationTime",
                         "TransformStartTime", "TransformEndTime", "LabelingJobArn", "AutoMLJobArn")),
    },
    "CreateModel": {  # DescribeModel
        "PrimaryContainer": ANY, "Containers": ANY, "InferenceExecutionConfig": ANY, "VpcConfig": ANY,
        "DeploymentRecommendation": ANY,
        **dict.fromkeys(("ModelName", "ModelArn", "ExecutionRoleArn", "CreationTime", "EnableNetworkIsolation")),
    },
    "RegisterModel": {  # DescribeModelPackage
        "InferenceSpecification": ANY, "SourceAlgorithmSpecification": ANY, "ValidationSpecification": ANY,
        "ModelPackageStatusDetails": ANY, "CreatedBy": ANY, "MetadataProperties": ANY, "ModelMetrics": ANY,
        "LastModifiedBy": ANY, "CustomerMetadataProperties": ANY, "DriftCheckBaselines": ANY,
        "AdditionalInferenceSpecifications": ANY, "SecurityConfig": ANY, "ModelCard": ANY, "ModelLifeCycle": ANY,
        **dict.fromkeys(("ModelPackageName", "ModelPackageGroupName", "ModelPackageVersion", "ModelPackageArn",
                         "ModelPackageDescription", "CreationTime", "ModelPackageStatus", "CertifyForMarketplace",
                         "ModelApprovalStatus", "LastModifiedTime", "ApprovalDescription", "Domain", "Task",
                         "SamplePayloadUrl", "SkipModelValidation", "SourceUri")),
    },
    "Tuning": {  # DescribeHyperParameterTuningJob + ListTrainingJobsForHyperParameterTuningJob
        "HyperParameterTuningJobConfig": ANY, "TrainingJobDefinition": ANY, "TrainingJobDefinitions": ANY,
        "TrainingJobStatusCounters": ANY, "ObjectiveStatusCounters": ANY, "BestTrainingJob": ANY,
        "OverallBestTrainingJob": ANY, "WarmStartConfig": ANY, "Autotune": ANY, "TuningJobCompletionDetails": ANY,
        "ConsumedResources": ANY, "TrainingJobSummaries": ListOf(ANY),
        **dict.fromkeys(("HyperParameterTuningJobName", "HyperParameterTuningJobArn", "HyperParameterTuningJobStatus",
                         "CreationTime", "HyperParameterTuningEndTime", "LastModifiedTime", "FailureReason")),
    },
}

#: What an output of each step type usually points at (``{name}`` is the output's logical name).
TYPICAL_PATHS: dict[str, str] = {
    "Processing": "properties.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri",
    "Training": "properties.ModelArtifacts.S3ModelArtifacts or properties.OutputDataConfig.S3OutputPath",
    "Transform": "properties.TransformOutput.S3OutputPath",
    "CreateModel": "properties.ModelName",
    "RegisterModel": "properties.ModelPackageArn",
    "Tuning": "properties.BestTrainingJob.TrainingJobName",
}

_SEGMENT = re.compile(r"""([A-Za-z_][A-Za-z0-9_]*)((?:\[(?:'[^']*'|"[^"]*"|\d+|\*)\])*)""")
_KEY = re.compile(r"""\[('[^']*'|"[^"]*"|\d+|\*)\]""")


def parse_property_path(path: str) -> list[tuple[str, list[str]]] | None:
    """``properties.A.B['k'][0]`` -> ``[("A", []), ("B", ["'k'", "0"])]``; None if malformed.

    The ``properties.`` prefix is optional, as cursus strips it when it builds references.
    """
    text = path[len("properties."):] if path.startswith("properties.") else path
    if not text:
        return None
    out: list[tuple[str, list[str]]] = []
    pos = 0
    while True:
        m = _SEGMENT.match(text, pos)
        if m is None:
            return None
        out.append((m.group(1), _KEY.findall(m.group(2))))
        pos = m.end()
        if pos == len(text):
            return out
        if text[pos] != ".":
            return None
        pos += 1


def property_path_problem(path: str, step_type: str) -> str | None:
    """Why ``path`` is not a property of a ``step_type`` step, or None if it is (or may be)."""
    segments = parse_property_path(path)
    if segments is None:
        return "is not a well-formed property path"
    node: object = PROPERTY_SCHEMAS[step_type]
    trail = "properties"
    for name, keys in segments:
        if node == ANY:
            return None
        if isinstance(node, ListOf):
            return f"reads '{name}' from '{trail}', which is a list (index it first)"
        if not isinstance(node, dict):
            return f"goes below '{trail}', which is a single value"
        if name not in node:
            return f"has no '{name}' under '{trail}'"
        node, trail = node[name], f"{trail}.{name}"
        for key in keys:
            if node == ANY:
                return None
            if not isinstance(node, ListOf):
                return f"indexes '{trail}', which is not a list"
            node, trail = node.item, f"{trail}[{key}]"
    return None


def processing_output_key(path: str) -> tuple[str, str] | None:
    """(quote, name) of ``ProcessingOutputConfig.Outputs['name'].S3Output.S3Uri``; None for other
    shapes and for the index form ``Outputs[0]``, whose name is not knowable from the path."""
    segments = parse_property_path(path)
    if not segments or len(segments) < 2:
        return None
    (first, first_keys), (second, keys) = segments[0], segments[1]
    if first != "ProcessingOutputConfig" or first_keys or second != "Outputs" or len(keys) != 1:
        return None
    key = keys[0]
    if key[0] in "'\"":
        return key[0], key[1:-1]
    return None


#: contract side -> (contract field, its facts attribute, spec field, spec item name function, noun)
_SIDES: dict[str, tuple[str, str, str, Callable[[Any], str | None], str]] = {
    "input": ("expected_input_paths", "inputs", "dependencies", dependency_name, "dependency"),
    "output": ("expected_output_paths", "outputs", "outputs", output_name, "output"),
}


def contract_names_missing_in_spec(step: StepModel, project: ProjectModel, side: str):
    """(variant, resolved contract, name, contract entry, anchor span) for each contract input
    (``side="input"``) or output without a spec dependency/output of the same name, per variant.
    Shared by CL201 and CL203."""
    contract_field, attr, spec_field, name_of, _ = _SIDES[side]
    for variant, resolved in comparable_variants(step, project):
        spec, contract = variant.spec, resolved.facts
        if not contract_keys_known(contract, contract_field) or not spec_names_known(spec, spec_field):
            project.count_unknown(f"contract-spec-{attr}")
            continue
        declared = {name_of(item) for item in getattr(spec, spec_field)}
        where = spec.keyword_spans.get(spec_field) or spec.span
        for name, entry in getattr(contract, attr).items():
            if name not in declared:
                yield variant, resolved, name, entry, where


def spec_names_missing_in_contract(step: StepModel, project: ProjectModel, side: str):
    """(variant, resolved contract, spec item, name, anchor span) for each spec dependency
    (``side="input"``; required ones only, since an optional one may come from elsewhere) or
    output without a contract path of the same name, per variant. Shared by CL202 and CL204."""
    contract_field, attr, spec_field, name_of, _ = _SIDES[side]
    for variant, resolved in comparable_variants(step, project):
        contract = resolved.facts
        if not contract_keys_known(contract, contract_field):
            project.count_unknown(f"contract-spec-{attr}")
            continue
        where = contract.keyword_spans.get(contract_field) or contract.span
        declared = getattr(contract, attr)
        for item in getattr(variant.spec, spec_field):
            name = name_of(item)
            required = getattr(item, "required", True)
            if name is None or required is None:
                project.count_unknown(f"contract-spec-{attr}")
                continue
            if required and name not in declared:
                yield variant, resolved, item, name, where
