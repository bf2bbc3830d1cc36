"""From a request to a step design: names, ports with container paths and types, env vars, and the
dependencies the planner derives from the upstream steps' outputs (scored by the shared resolver)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cursus_core.deps import Provider, StepRef, rank_providers, resolve, split_words
from cursus_core.interface.discovery import snake_step_name

from .model import LAYOUTS, SAGEMAKER_TYPES, NewStepRequest, ScaffoldError, WiringProposal
from .repo import RepoView, UpstreamOutput

_PASCAL = re.compile(r"[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*")
_PORT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_ENV = re.compile(r"([A-Z][A-Z0-9_]*)(?:=(.*))?")
_JOB = re.compile(r"[a-z][a-z0-9]*")

#: dependency type a step of each SageMaker type declares for an upstream output type (None: cannot take it)
_ACCEPTS: dict[str, dict[str, str]] = {
    "Processing": {"processing_output": "processing_output", "training_data": "processing_output",
                   "model_artifacts": "model_artifacts"},
    "Training": {"processing_output": "training_data", "training_data": "training_data"},
    "CreateModel": {"model_artifacts": "model_artifacts"},
    "Transform": {"custom_property": "custom_property", "processing_output": "processing_output",
                  "training_data": "processing_output"},
}
#: default input ports (name, dependency type, data type) when neither --inputs nor --after says
_DEFAULT_INPUTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Processing": (("data_input", "processing_output", "S3Uri"),),
    "Training": (("input_path", "training_data", "S3Uri"),),
    "CreateModel": (("model_data", "model_artifacts", "S3Uri"),),
    "Transform": (("model_name", "custom_property", "String"), ("processed_data", "processing_output", "S3Uri")),
}
_DEFAULT_OUTPUTS: dict[str, tuple[str, ...]] = {
    "Processing": ("processed_data",), "Training": ("model_output",), "CreateModel": ("model_name",),
    "Transform": ("transform_output",),
}
_MAX_KEYWORDS = 6


@dataclass
class Dependency:
    name: str
    dependency_type: str
    data_type: str = "S3Uri"
    required: bool = True
    compatible_sources: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    path: str | None = None
    description: str = ""


@dataclass
class Output:
    name: str
    output_type: str
    property_path: str
    data_type: str = "S3Uri"
    path: str | None = None
    description: str = ""


@dataclass
class StepDesign:
    name: str
    sagemaker_type: str
    layout: str
    job_types: tuple[str, ...]
    dependencies: list[Dependency]
    outputs: list[Output]
    env_required: list[str]
    env_optional: dict[str, str]
    wiring: list[WiringProposal] = field(default_factory=list)

    @property
    def snake(self) -> str:
        return snake_step_name(self.name)

    @property
    def const(self) -> str:
        return self.snake.upper()

    @property
    def has_script(self) -> bool:
        return self.sagemaker_type in ("Processing", "Training")

    @property
    def node_type(self) -> str:
        if not self.dependencies:
            return "source"
        return "sink" if not self.outputs else "internal"

    @property
    def description(self) -> str:
        reads = ", ".join(d.name for d in self.dependencies) or "nothing"
        writes = ", ".join(o.name for o in self.outputs) or "nothing"
        return f"{self.sagemaker_type} step: reads {reads}; writes {writes}"


def _unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def check_request(request: NewStepRequest, repo: RepoView) -> None:
    """One clear error for each kind of bad request, before anything is planned."""
    if request.sagemaker_type not in SAGEMAKER_TYPES:
        raise ScaffoldError(f"unknown SageMaker step type '{request.sagemaker_type}'; expected one of "
                            f"{', '.join(SAGEMAKER_TYPES)}")
    if not _PASCAL.fullmatch(request.name):
        raise ScaffoldError(f"step name '{request.name}' is not PascalCase (like 'FeatureSelection')")
    if request.name in repo.known_steps:
        raise ScaffoldError(f"step '{request.name}' already exists in the registry of {repo.root}")
    if request.layout is not None and request.layout not in LAYOUTS:
        raise ScaffoldError(f"unknown layout '{request.layout}'; expected classic or interface")
    for step in request.after:
        if step not in repo.known_steps:
            raise ScaffoldError(f"unknown --after step '{step}'; known steps: {', '.join(sorted(repo.known_steps))}")
        if not repo.outputs_of(step):
            raise ScaffoldError(f"--after step '{step}' has no spec outputs to read")
    for port in (*request.inputs, *request.outputs):
        if not _PORT.fullmatch(port):
            raise ScaffoldError(f"port name '{port}' is not an identifier (letters, digits, underscores)")
    for names, what in ((request.inputs, "input"), (request.outputs, "output"), (request.job_types, "job type")):
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ScaffoldError(f"{what} '{dupes[0]}' is given twice")
    if set(request.inputs) & set(request.outputs):
        raise ScaffoldError(f"'{sorted(set(request.inputs) & set(request.outputs))[0]}' is both an input and an output")
    for job in request.job_types:
        if not _JOB.fullmatch(job):
            raise ScaffoldError(f"job type '{job}' must be lower-case letters and digits (like 'training')")
    for env in request.env:
        if not _ENV.fullmatch(env):
            raise ScaffoldError(f"env var '{env}' must be NAME or NAME=default with an upper-case NAME")
    kind = request.sagemaker_type
    if request.env and kind not in ("Processing", "Training"):
        raise ScaffoldError(f"--env needs a script: a {kind} step has no script contract")
    limits = {"CreateModel": 1, "Transform": 1, "Training": 2}
    if kind in limits and len(request.outputs) > limits[kind]:
        raise ScaffoldError(f"a {kind} step has at most {limits[kind]} output(s), got {len(request.outputs)}")
    if kind == "CreateModel" and len(request.inputs) > 1:
        raise ScaffoldError("a CreateModel step has one input: the model artifacts")
    if kind == "Transform" and request.inputs and len(request.inputs) != 2:
        raise ScaffoldError("a Transform step has two inputs: the model name, then the data to score")


def _input_path(kind: str, name: str) -> str | None:
    if kind == "Processing":
        return f"/opt/ml/processing/input/{name}"
    if kind == "Training":
        return f"/opt/ml/input/data/{name}"
    return None


def _outputs(kind: str, names: tuple[str, ...]) -> list[Output]:
    out: list[Output] = []
    for i, name in enumerate(names or _DEFAULT_OUTPUTS[kind]):
        if kind == "Processing":
            out.append(Output(name, "processing_output",
                              f"properties.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri",
                              path=f"/opt/ml/processing/output/{name}", description=f"{name} written by the script"))
        elif kind == "Training" and i == 0:
            out.append(Output(name, "model_artifacts", "properties.ModelArtifacts.S3ModelArtifacts",
                              path="/opt/ml/model", description="model.tar.gz with what the script saved"))
        elif kind == "Training":
            out.append(Output(name, "processing_output", "properties.OutputDataConfig.S3OutputPath",
                              path="/opt/ml/output/data", description="Other files the script wrote"))
        elif kind == "CreateModel":
            out.append(Output(name, "custom_property", "properties.ModelName", data_type="String",
                              description="Name of the created SageMaker model"))
        else:
            out.append(Output(name, "processing_output", "properties.TransformOutput.S3OutputPath",
                              description="Predictions, one .out file per input file"))
    return out


#: words of upstream names that say which job type produced them, not what the data is
_JOB_WORDS = frozenset({"training", "validation", "testing", "calibration", "train", "val", "test", "calib"})


def _keywords(*names: str) -> list[str]:
    return _unique([w for n in names for w in split_words(n) if w not in _JOB_WORDS])[:_MAX_KEYWORDS]


def _from_upstream(kind: str, name: str, up: UpstreamOutput, dep_type: str) -> Dependency:
    return Dependency(name, dep_type, up.data_type, True, [up.step],
                      _keywords(name, up.logical_name, *up.aliases), _input_path(kind, name),
                      f"{up.logical_name} of {up.step}")


def _derive_inputs(request: NewStepRequest, repo: RepoView) -> list[Dependency]:
    """Inputs from the upstream outputs the new step can take, one per output (--after only)."""
    kind = request.sagemaker_type
    deps: list[Dependency] = []
    for step in request.after:
        usable = [o for o in repo.outputs_of(step) if o.output_type in _ACCEPTS[kind]]
        if not usable:
            raise ScaffoldError(f"--after step '{step}' has no output a {kind} step can take "
                                f"(its outputs: {', '.join(o.logical_name for o in repo.outputs_of(step))})")
        for up in usable:
            deps.append(_from_upstream(kind, up.logical_name, up, _ACCEPTS[kind][up.output_type]))
    taken: dict[str, int] = {}
    for d in deps:
        taken[d.name] = taken.get(d.name, 0) + 1
    for d in deps:  # the same output name from two upstream steps: name each after its step
        if taken[d.name] > 1:
            d.name = f"{d.name}_{snake_step_name(d.compatible_sources[0])}"
            d.path = _input_path(kind, d.name)
    if kind == "CreateModel" and len(deps) != 1:
        raise ScaffoldError(f"a CreateModel step takes one model artifacts output; --after offers {len(deps)}")
    if kind == "Transform":
        models = [d for d in deps if d.dependency_type == "custom_property"]
        data = [d for d in deps if d.dependency_type != "custom_property"]
        if len(models) != 1 or len(data) != 1:
            raise ScaffoldError("a Transform step needs --after a CreateModel step (the model name) and one step "
                                "whose output is the data to score")
        deps = [*models, *data]
    return deps


def _declared_inputs(request: NewStepRequest, repo: RepoView) -> list[Dependency]:
    """--inputs (or the defaults), each matched by the resolver to an upstream output when there is one."""
    kind = request.sagemaker_type
    if request.inputs:
        if kind == "Transform":
            typed = [(request.inputs[0], "custom_property", "String"),
                     (request.inputs[1], "processing_output", "S3Uri")]
        else:
            dep_type = _DEFAULT_INPUTS[kind][0][1]
            typed = [(n, dep_type, "S3Uri") for n in request.inputs]
    else:
        typed = list(_DEFAULT_INPUTS[kind])
    candidates = [Provider(p.step, p.output) for p in repo.providers
                  if not request.after or p.step.name in request.after]
    deps: list[Dependency] = []
    for name, dep_type, data_type in typed:
        dep = Dependency(name, dep_type, data_type, True, list(request.after), _keywords(name),
                         _input_path(kind, name), f"{name} of the new step")
        ranked = rank_providers(_view(dep), candidates, consumer=StepRef(request.name))
        if ranked:
            best = ranked[0].provider
            up = UpstreamOutput(best.step.name, str(best.output.logical_name),
                                str(best.output.output_type).rsplit(".", 1)[-1].lower(),
                                str(best.output.data_type or "S3Uri"), tuple(best.output.aliases or ()))
            dep = _from_upstream(kind, name, up, dep_type)
            dep.data_type = data_type if data_type != up.data_type and kind == "Transform" else up.data_type
        elif request.after:
            raise ScaffoldError(f"input '{name}' matches no output of {', '.join(request.after)}")
        deps.append(dep)
    return deps


def _view(dep: Dependency) -> dict[str, object]:
    return {"logical_name": dep.name, "dependency_type": dep.dependency_type, "required": dep.required,
            "compatible_sources": dep.compatible_sources, "semantic_keywords": dep.keywords,
            "data_type": dep.data_type}


def wiring(name: str, deps: list[Dependency], repo: RepoView, job_type: str | None = None) -> list[WiringProposal]:
    """What the shared resolver picks for each dependency among every output of the project."""
    proposals: list[WiringProposal] = []
    consumer = StepRef(name, name if job_type is None else f"{name}_{job_type}", job_type)
    for dep in deps:
        res = resolve(_view(dep), repo.providers, consumer=consumer)
        if res.best is None:
            proposals.append(WiringProposal(dep.name, None, None, 0.0, res.reason))
            continue
        best = res.best
        why = "; ".join(best.score.explanation)
        if res.ambiguous:
            why = f"{res.reason}; {why}"
        proposals.append(WiringProposal(dep.name, best.provider.step.name, str(best.provider.output.logical_name),
                                        best.total, why))
    return proposals


def _free_defaults(kind: str, name: str, taken: set[str]) -> tuple[str, ...]:
    """The default output names, each one an input already uses renamed after the step."""
    return tuple(f"{snake_step_name(name)}_output" if n in taken else n for n in _DEFAULT_OUTPUTS[kind])


def design(request: NewStepRequest, repo: RepoView) -> StepDesign:
    """Validate ``request`` against ``repo`` and work out every port of the new step."""
    check_request(request, repo)
    kind = request.sagemaker_type
    deps = _derive_inputs(request, repo) if request.after and not request.inputs else _declared_inputs(request, repo)
    outputs = _outputs(kind, request.outputs or _free_defaults(kind, request.name, {d.name for d in deps}))
    clash = {d.name for d in deps} & {o.name for o in outputs}
    if clash:
        raise ScaffoldError(f"'{sorted(clash)[0]}' would be both an input and an output; "
                            "name the outputs with --outputs")
    env_required: list[str] = []
    env_optional: dict[str, str] = {}
    for env in request.env:
        match = _ENV.fullmatch(env)
        assert match is not None  # checked above
        if match.group(2) is None:
            env_required.append(match.group(1))
        else:
            env_optional[match.group(1)] = match.group(2)
    layout = request.layout or repo.layout
    step = StepDesign(request.name, kind, layout, tuple(request.job_types), deps, outputs, env_required, env_optional)
    step.wiring = wiring(request.name, deps, repo)
    return step
