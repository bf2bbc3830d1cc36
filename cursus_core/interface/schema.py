"""The one description of a ``.step.yaml``: every key, its type, enum, default and status.

Both the located validator (:mod:`.validate`) and the published JSON Schema (:mod:`.json_schema`)
are generated from :data:`STEP_INTERFACE`, so the editor and the linter can never disagree about
what a key means. The content follows what upstream cursus (2.5+) actually reads: its pydantic
``StepInterface`` sections and the raw-dict reads of its registry loader. Upstream ignores unknown
keys silently; here they are problems.

``status`` is ``live`` (read), ``deprecated`` (still read, superseded: a warning) or ``dead``
(written in real files but never read: an error, because the author believes it does something).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

Status = Literal["live", "deprecated", "dead"]


@dataclass(frozen=True)
class Scalar:
    """A string or boolean leaf; ``enum``, ``prefixes`` and ``suffix`` constrain strings."""

    kind: Literal["string", "boolean"]
    enum: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    suffix: str = ""


@dataclass(frozen=True)
class ListOf:
    item: Type


@dataclass(frozen=True)
class MapOf:
    """A mapping with free keys (logical names, env var names) and one value type."""

    value: Type
    key_doc: str = "name"


@dataclass(frozen=True)
class Key:
    name: str
    type: Type
    doc: str = ""
    required: bool = False
    nullable: bool = False
    default: Any = None
    status: Status = "live"
    #: For deprecated/dead keys: what to write instead (shown in messages and the JSON Schema).
    instead: str = ""


@dataclass(frozen=True)
class Obj:
    """A mapping with a fixed set of keys; ``name`` becomes its JSON Schema definition name."""

    name: str
    keys: tuple[Key, ...]
    doc: str = ""

    def key(self, name: str) -> Key | None:
        for key in self.keys:
            if key.name == name:
                return key
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)


Type = Scalar | ListOf | MapOf | Obj

STRING = Scalar("string")
BOOLEAN = Scalar("boolean")
STRINGS = ListOf(STRING)

# ----------------------------------------------------------------------------- enums (upstream HEAD)

NODE_TYPES = ("source", "internal", "sink", "singular")
DEPENDENCY_TYPES = ("model_artifacts", "processing_output", "training_data", "hyperparameters",
                    "payload_samples", "custom_property")
SAGEMAKER_STEP_TYPES = ("Base", "CradleDataLoading", "CreateModel", "Lambda", "MimsModelRegistrationProcessing",
                        "Processing", "RedshiftDataLoading", "RegisterModel", "Training", "Transform", "Tuning",
                        "Utility")
REGISTRY_REQUIRES = ("none", "secure_ai_sandbox_workflow_python_sdk")
STEP_ASSEMBLIES = ("code", "step_args", "delegation")
COMPUTE_KINDS = ("sklearn", "xgboost", "framework", "script", "estimator", "model", "transformer", "byo_container")
SDK_CLASSES = ("PyTorch", "SKLearn", "XGBoost", "PyTorchModel", "XGBoostModel")
COMPUTE_REQUIRES = ("none", "mods_workflow_core")
NETWORK_MODES = ("none", "shared", "config")
INSTANCE_SIZE_MODES = ("large_or_small", "fixed")
INPUT_PREFIXES = ("/opt/ml/processing/", "/opt/ml/input/data", "/opt/ml/input/config", "/opt/ml/code")
OUTPUT_PREFIXES = ("/opt/ml/processing/", "/opt/ml/model", "/opt/ml/output/data", "/opt/ml/checkpoints")

# ----------------------------------------------------------------------------- sections

REGISTRY = Obj("Registry", (
    Key("sagemaker_step_type", Scalar("string", SAGEMAKER_STEP_TYPES), required=True,
        doc="The SageMaker verb that picks the construction handler (the registry row's sagemaker_step_type)."),
    Key("description", STRING, default="", doc="One line for the registry row."),
    Key("requires", Scalar("string", REGISTRY_REQUIRES), default="none",
        doc="Build-time third-party package the create-step pattern imports."),
    Key("config_class", STRING, nullable=True, doc="Config class name; default '<step_type>Config'."),
    Key("builder_step_name", STRING, nullable=True, doc="Builder name; default '<step_type>StepBuilder'."),
    Key("step_assembly", Scalar("string", STEP_ASSEMBLIES), nullable=True, status="deprecated",
        instead="patterns.step_assembly", doc="Deprecated: moved to patterns.step_assembly."),
), doc="The step's registry row (the registry in this layout is the set of interfaces).")

PATTERNS = Obj("Patterns", (
    Key("step_assembly", Scalar("string", STEP_ASSEMBLIES), nullable=True,
        doc="How the step is assembled: code (ProcessingStep(code=...)), step_args (processor.run()) or "
            "delegation (an SDK step class)."),
    Key("include_job_type_in_path", BOOLEAN, default=True,
        doc="Whether config.job_type is a segment of the output destination."),
    Key("direct_input_keys", STRINGS, default=[],
        doc="Logical input names passed straight through to the processor."),
), doc="Strategy-selection knobs read into the synthesized builder's handler.")

COMPUTE = Obj("Compute", (
    Key("kind", Scalar("string", COMPUTE_KINDS), nullable=True,
        doc="The compute object the synthesized builder creates (processor, estimator, model, transformer)."),
    Key("framework_version_field", STRING, nullable=True, doc="Config attribute holding the framework version."),
    Key("framework_version_default", STRING, nullable=True,
        doc="Framework version used when the config lacks framework_version_field."),
    Key("py_version_field", STRING, nullable=True, doc="Config attribute holding the Python version."),
    Key("sdk_class", Scalar("string", SDK_CLASSES), nullable=True,
        doc="SageMaker SDK class for framework processors, estimators and models."),
    Key("instance_size_mode", Scalar("string", INSTANCE_SIZE_MODES), default="large_or_small",
        doc="How the processing instance type is chosen."),
    Key("kms_network", BOOLEAN, default=False, doc="kind=script only: KMS volume key and shared network config."),
    Key("retrieve_image", BOOLEAN, default=False, doc="kind=estimator only: retrieve the training image URI."),
    Key("retrieve_framework", STRING, nullable=True, doc="kind=estimator only: framework of the retrieved image."),
    Key("image_uri_field", STRING, nullable=True, doc="kind=byo_container: config attribute holding the image URI."),
    Key("container_entrypoint", STRINGS, nullable=True, doc="kind=byo_container: the container's own entrypoint."),
    Key("network_mode", Scalar("string", NETWORK_MODES), default="none", doc="Per-step VPC network mode."),
    Key("subnets_field", STRING, nullable=True, default="subnets",
        doc="network_mode=config: config attribute holding the subnets."),
    Key("security_group_ids_field", STRING, nullable=True, default="security_group_ids",
        doc="network_mode=config: config attribute holding the security group ids."),
    Key("enable_network_isolation_field", STRING, nullable=True,
        doc="network_mode=config: config attribute for enable_network_isolation."),
    Key("framework_name", STRING, nullable=True, doc="kind=model: framework of the inference image."),
    Key("lock_training_region", BOOLEAN, default=False, doc="Retrieve the training image in locked_region."),
    Key("locked_region", STRING, default="us-east-1", doc="Region used when lock_training_region is true."),
    Key("requires", Scalar("string", COMPUTE_REQUIRES), default="none",
        doc="Build-time third-party package of this compute pattern (derived from kms_network)."),
), doc="The compute object of the synthesized builder; every *_field names a config attribute.")

INPUT_PORT = Obj("ContractInput", (
    Key("path", Scalar("string", prefixes=INPUT_PREFIXES), nullable=True,
        doc="Container path the input is mounted at (null for script-less steps)."),
    Key("required", BOOLEAN, default=True, doc="Whether the step cannot run without this input."),
    Key("channels", STRINGS, default=[], doc="Training sub-channels the input fans out into (<path>/<channel>/)."),
))

OUTPUT_PORT = Obj("ContractOutput", (
    Key("path", Scalar("string", prefixes=OUTPUT_PREFIXES), nullable=True,
        doc="Container path the script writes the output to (null for script-less steps)."),
))

ENV_VARS = Obj("EnvVars", (
    Key("required", STRINGS, default=[], doc="Env vars the script cannot run without."),
    Key("optional", MapOf(STRING, "env var"), default={}, doc="Env vars with their default values (strings)."),
))

JOB_ARGUMENT = Obj("JobArgument", (
    Key("flag", STRING, required=True, doc="The --flag the script parses."),
    Key("source", STRING, default="", doc="Config attribute the value comes from (empty for a bare flag)."),
))

CONTRACT = Obj("Contract", (
    Key("entry_point", Scalar("string", suffix=".py"), nullable=True,
        doc="The script file (a .py), or null for script-less steps."),
    Key("inputs", MapOf(INPUT_PORT, "logical name"), default={}, doc="Inputs by logical name."),
    Key("outputs", MapOf(OUTPUT_PORT, "logical name"), default={}, doc="Outputs by logical name."),
    Key("env_vars", ENV_VARS, doc="Environment variables the script reads."),
    Key("job_arguments", ListOf(JOB_ARGUMENT), default=[], doc="CLI arguments the script parses."),
    Key("arguments", MapOf(STRING, "argument"), default={}, doc="Legacy argument map (not the script's flags)."),
    Key("framework_requirements", MapOf(STRING, "package"), default={}, doc="Package version pins."),
    Key("runtime_requires", STRINGS, default=[], doc="Third-party packages the script imports at run time."),
    Key("description", STRING, default="", doc="What the script does."),
    Key("source_dir", BOOLEAN, default=False, doc="Upload the script's whole directory (sibling modules)."),
    Key("output_path_token", STRING, nullable=True, doc="Fixed S3 folder name instead of the derived one."),
    Key("include_job_type_in_path", BOOLEAN, default=True,
        doc="Whether config.job_type is a segment of the output destination."),
    Key("circular_ref_check", BOOLEAN, default=False, doc="Run the pipeline-variable circular-reference guard."),
    Key("skip_inputs", STRINGS, default=[], doc="Declared inputs the script loads itself (not mounted)."),
    Key("input_source_overrides", MapOf(STRING, "logical name"), default={},
        doc="Take an input's source from this config attribute instead of the wired dependency."),
    Key("sink", BOOLEAN, default=False, doc="The step produces no outputs."),
    Key("computed_env_paths", MapOf(STRINGS, "env var"), default={},
        doc="Env vars set to an S3 path under the execution prefix: ENV_VAR -> [segment, ...]."),
    Key("compute", COMPUTE, status="deprecated", instead="the top-level compute section",
        doc="Deprecated back-compat mirror of the top-level compute section."),
), doc="What the script reads and writes.")

DEPENDENCY = Obj("Dependency", (
    Key("type", Scalar("string", DEPENDENCY_TYPES), default="processing_output", doc="Kind of artifact expected."),
    Key("required", BOOLEAN, default=True, doc="Whether the step needs this dependency wired."),
    Key("compatible_sources", STRINGS, default=[], doc="Step types that can provide it."),
    Key("semantic_keywords", STRINGS, default=[], doc="Words the resolver matches output names against."),
    Key("data_type", STRING, default="S3Uri", doc="Data type of the value (S3Uri, String, ...)."),
    Key("description", STRING, default=""),
    Key("logical_name", STRING, status="deprecated", instead="the mapping key",
        doc="Deprecated: the mapping key is the logical name."),
))

OUTPUT = Obj("Output", (
    Key("type", Scalar("string", DEPENDENCY_TYPES), default="processing_output", doc="Kind of artifact produced."),
    Key("property_path", STRING, default="", doc="Runtime property of the SageMaker step holding the output."),
    Key("aliases", STRINGS, default=[], doc="Other names the resolver matches."),
    Key("semantic_keywords", STRINGS, default=[], doc="Words the resolver matches dependency names against."),
    Key("data_type", STRING, default="S3Uri", doc="Data type of the value (S3Uri, String, ...)."),
    Key("description", STRING, default=""),
    Key("logical_name", STRING, status="deprecated", instead="the mapping key",
        doc="Deprecated: the mapping key is the logical name."),
))

SPEC = Obj("Spec", (
    Key("dependencies", MapOf(DEPENDENCY, "logical name"), default={}, doc="Dependencies by logical name."),
    Key("outputs", MapOf(OUTPUT, "logical name"), default={}, doc="Outputs by logical name."),
    Key("step_type", STRING, status="deprecated", instead="the top-level step_type",
        doc="Deprecated: mirrored from the top-level step_type."),
    Key("node_type", Scalar("string", NODE_TYPES), status="dead", instead="the top-level node_type",
        doc="Never read: overwritten by the top-level node_type."),
), doc="How the step is wired into a DAG.")


def patch(obj: Obj, suffix: str = "Patch") -> Obj:
    """The partial form of ``obj`` used by variants: same keys and types, nothing required."""
    def relax(t: Type) -> Type:
        if isinstance(t, Obj):
            return patch(t, suffix)
        if isinstance(t, ListOf):
            return ListOf(relax(t.item))
        if isinstance(t, MapOf):
            return MapOf(relax(t.value), t.key_doc)
        return t
    return Obj(obj.name + suffix, tuple(replace(k, required=False, type=relax(k.type)) for k in obj.keys),
               doc=obj.doc)


VARIANT = Obj("Variant", (
    Key("spec", patch(SPEC), doc="Deep-merged over spec for this job type."),
    Key("contract", patch(CONTRACT), doc="Deep-merged over contract for this job type."),
    Key("patterns", patch(PATTERNS), doc="Deep-merged over patterns for this job type."),
    Key("step_type", STRING, status="dead", instead="nothing: the variant's name is step_type + job type",
        doc="Never read: a variant's step type is derived from step_type and the job type."),
), doc="Partial sections deep-merged over the base for one job type (mappings merge key by key; "
       "lists and scalars replace).")

STEP_INTERFACE = Obj("StepInterface", (
    Key("step_type", STRING, required=True,
        doc="The canonical step name; the file is named snake(step_type).step.yaml."),
    Key("node_type", Scalar("string", NODE_TYPES), default="internal", doc="Place of the step in a DAG."),
    Key("registry", REGISTRY, required=True, doc="The step's registry row."),
    Key("patterns", PATTERNS, nullable=True, doc="Strategy-selection knobs."),
    Key("compute", COMPUTE, doc="The compute object of the synthesized builder."),
    Key("contract", CONTRACT, required=True, doc="What the script reads and writes."),
    Key("spec", SPEC, nullable=True, doc="How the step is wired into a DAG."),
    Key("variants", MapOf(VARIANT, "job type"), default={}, doc="Job-type variants."),
), doc="A cursus step interface (.step.yaml): contract, specification and registry entry of one step.")


def type_name(t: Type) -> str:
    """What a type is, in message words: ``a string``, ``a list``, ``a mapping``."""
    if isinstance(t, Scalar):
        return "a boolean" if t.kind == "boolean" else "a string"
    return "a list" if isinstance(t, ListOf) else "a mapping"


def iter_keys(obj: Obj = STEP_INTERFACE, prefix: str = "") -> list[tuple[str, Key]]:
    """Every key path of the schema (``<name>`` for free keys), for docs and the report."""
    out: list[tuple[str, Key]] = []
    for key in obj.keys:
        here = f"{prefix}{key.name}"
        out.append((here, key))
        out.extend(_below(key.type, here))
    return out


def _below(t: Type, here: str) -> list[tuple[str, Key]]:
    if isinstance(t, Obj):
        return iter_keys(t, here + ".")
    if isinstance(t, MapOf):
        return _below(t.value, f"{here}.<{t.key_doc}>")
    if isinstance(t, ListOf):
        return _below(t.item, f"{here}[]")
    return []

