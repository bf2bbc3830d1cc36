"""The typed model of one step interface, every value with the span it was written at.

Frozen ``msgspec`` Structs (no pydantic, no dataclasses built at import: the static path stays
lean; array-like, so a validated interface is kept compactly in the facts cache, :mod:`.cached`).
A ``compute`` value is any YAML data, typed ``LiteralValue`` so that it comes back from the cache
exactly. The builder is tolerant: a value of the wrong type is left at its default (the validator
reports it), so a half-broken file still yields a model that rules can check. Defaults carry
``written=False`` and the span of the nearest thing that *was* written (the section key, the port
name), so a diagnostic about a default still has a place to point at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Generic, TypeVar

import msgspec

from cursus_core.literal_value import LiteralValue

from .merge import job_types, resolve_variant
from .nodes import YMap, YNode, YScalar, YSeq
from .span import Span

T = TypeVar("T")


class Val(msgspec.Struct, Generic[T], frozen=True, array_like=True):
    """A value and where it is: ``span`` of the value, ``key_span`` of the key it is under."""

    value: T
    span: Span
    key_span: Span | None = None
    written: bool = True


class InputPort(msgspec.Struct, frozen=True, array_like=True):
    name: str
    key_span: Span
    path: Val[str | None]
    required: Val[bool]
    channels: tuple[Val[str], ...] = ()


class OutputPort(msgspec.Struct, frozen=True, array_like=True):
    name: str
    key_span: Span
    path: Val[str | None]


class JobArgument(msgspec.Struct, frozen=True, array_like=True):
    flag: Val[str]
    source: Val[str]
    span: Span


class Contract(msgspec.Struct, frozen=True, array_like=True):
    span: Span
    entry_point: Val[str | None]
    inputs: dict[str, InputPort]
    outputs: dict[str, OutputPort]
    env_required: tuple[Val[str], ...]
    env_optional: dict[str, Val[str]]
    job_arguments: tuple[JobArgument, ...]
    arguments: dict[str, Val[str]]
    framework_requirements: dict[str, Val[str]]
    runtime_requires: tuple[Val[str], ...]
    description: Val[str]
    source_dir: Val[bool]
    output_path_token: Val[str | None]
    include_job_type_in_path: Val[bool]
    circular_ref_check: Val[bool]
    skip_inputs: tuple[Val[str], ...]
    input_source_overrides: dict[str, Val[str]]
    sink: Val[bool]
    computed_env_paths: dict[str, Val[tuple[str, ...]]]

    @property
    def env_names(self) -> tuple[str, ...]:
        """Every env var name the contract declares (required, optional, computed)."""
        names = [v.value for v in self.env_required] + list(self.env_optional) + list(self.computed_env_paths)
        return tuple(dict.fromkeys(names))


class Dependency(msgspec.Struct, frozen=True, array_like=True):
    name: str
    key_span: Span
    type: Val[str]
    required: Val[bool]
    compatible_sources: tuple[Val[str], ...]
    semantic_keywords: tuple[Val[str], ...]
    data_type: Val[str]
    description: Val[str]


class Output(msgspec.Struct, frozen=True, array_like=True):
    name: str
    key_span: Span
    type: Val[str]
    property_path: Val[str]
    aliases: tuple[Val[str], ...]
    semantic_keywords: tuple[Val[str], ...]
    data_type: Val[str]
    description: Val[str]


class Spec(msgspec.Struct, frozen=True, array_like=True):
    span: Span
    dependencies: dict[str, Dependency]
    outputs: dict[str, Output]


class Registry(msgspec.Struct, frozen=True, array_like=True):
    span: Span
    sagemaker_step_type: Val[str] | None
    description: Val[str]
    requires: Val[str]
    config_class: Val[str]
    builder_step_name: Val[str]
    step_assembly: Val[str] | None


class Patterns(msgspec.Struct, frozen=True, array_like=True):
    span: Span
    step_assembly: Val[str] | None
    direct_input_keys: tuple[Val[str], ...]
    include_job_type_in_path: Val[bool]


class Compute(msgspec.Struct, frozen=True, array_like=True):
    """``kind`` plus every written key; ``field_refs`` are the keys naming config attributes."""

    span: Span
    kind: Val[str] | None
    values: dict[str, Val[LiteralValue]]

    @property
    def sdk_class(self) -> Val[str] | None:
        v = self.values.get("sdk_class")
        return v if v is not None and isinstance(v.value, str) else None

    @property
    def field_refs(self) -> dict[str, Val[str]]:
        """``*_field`` keys written with a string value: each names an attribute of the config."""
        return {k: v for k, v in self.values.items()
                if k.endswith("_field") and isinstance(v.value, str) and v.value}


class Variant(msgspec.Struct, frozen=True, array_like=True):
    name: str
    key_span: Span
    span: Span


def _empty_root() -> YMap:
    return YMap((), Span.point())


class StepInterface(msgspec.Struct, frozen=True, array_like=True):
    """One ``.step.yaml`` as cursus reads it for ``job_type`` (None: the base)."""

    path: Path
    step_type: Val[str] | None
    node_type: Val[str]
    registry: Registry
    patterns: Patterns
    compute: Compute
    contract: Contract
    spec: Spec
    variants: dict[str, Variant]
    job_type: str | None = None
    root: YMap = msgspec.field(default_factory=_empty_root)

    @property
    def name(self) -> str | None:
        return self.step_type.value if self.step_type is not None else None

    def for_job_type(self, job_type: str | None) -> StepInterface:
        """The interface for one job type: its variant deep-merged over the base."""
        return build_interface(self.root, self.path, job_type)

    def variant_interfaces(self) -> dict[str, StepInterface]:
        """Every declared variant, resolved."""
        return {jt: self.for_job_type(jt) for jt in self.variants}


# ----------------------------------------------------------------------------- building


def build_interface(root: YMap, path: Path, job_type: str | None = None) -> StepInterface:
    """Build the model from a read tree (merging the ``job_type`` variant first)."""
    doc = resolve_variant(root, job_type) if job_type else root
    top = _Section(doc, Span.point())
    step_type = top.string("step_type")
    name = step_type.value if step_type is not None else ""
    return StepInterface(
        path=Path(path), step_type=step_type,
        node_type=top.string("node_type") or top.default("internal"),
        registry=_registry(top.section("registry"), name),
        patterns=_patterns(top.section("patterns")),
        compute=_compute(top.section("compute")),
        contract=_contract(top.section("contract")),
        spec=_spec(top.section("spec")),
        variants=_variants(doc),
        job_type=job_type if job_type in job_types(root) else None,
        root=root,
    )


class _Section:
    """Typed reads of one mapping; missing or mistyped values fall back to defaults."""

    def __init__(self, node: YNode | None, owner: Span) -> None:
        self.map = node if isinstance(node, YMap) else YMap((), owner)
        self.span = self.map.span if isinstance(node, YMap) else owner

    def default(self, value: T) -> Val[T]:
        return Val(value, self.span, None, written=False)

    def entry(self, key: str):
        return self.map.get(key)

    def section(self, key: str) -> _Section:
        entry = self.map.get(key)
        return _Section(entry.value if entry else None, entry.key_span if entry else self.span)

    def string(self, key: str) -> Val[str] | None:
        entry = self.map.get(key)
        if entry and isinstance(entry.value, YScalar) and entry.value.tag == "str":
            return Val(str(entry.value.value), entry.value.span, entry.key_span)
        return None

    def opt_string(self, key: str) -> Val[str | None]:
        entry = self.map.get(key)
        if entry and isinstance(entry.value, YScalar) and entry.value.tag in ("str", "null"):
            value = entry.value.value
            return Val(None if value is None else str(value), entry.value.span, entry.key_span)
        return self.default(None)

    def boolean(self, key: str, default: bool) -> Val[bool]:
        entry = self.map.get(key)
        if entry and isinstance(entry.value, YScalar) and entry.value.tag == "bool":
            return Val(bool(entry.value.value), entry.value.span, entry.key_span)
        return self.default(default)

    def strings(self, key: str) -> tuple[Val[str], ...]:
        entry = self.map.get(key)
        return _strings(entry.value) if entry else ()

    def string_map(self, key: str) -> dict[str, Val[str]]:
        entry = self.map.get(key)
        if not entry or not isinstance(entry.value, YMap):
            return {}
        return {e.key: Val(str(e.value.value), e.value.span, e.key_span) for e in entry.value.entries
                if isinstance(e.value, YScalar) and e.value.tag == "str"}

    def children(self, key: str) -> list[tuple[str, Span, _Section]]:
        entry = self.map.get(key)
        if not entry or not isinstance(entry.value, YMap):
            return []
        return [(e.key, e.key_span, _Section(e.value, e.key_span)) for e in entry.value.entries]


def _strings(node: YNode) -> tuple[Val[str], ...]:
    if not isinstance(node, YSeq):
        return ()
    return tuple(Val(str(i.value), i.span) for i in node.items if isinstance(i, YScalar) and i.tag == "str")


def _registry(s: _Section, name: str) -> Registry:
    config_class = s.string("config_class") or s.default(f"{name}Config")
    builder = s.string("builder_step_name") or s.default(f"{name}StepBuilder")
    return Registry(s.span, s.string("sagemaker_step_type"), s.string("description") or s.default(""),
                    s.string("requires") or s.default("none"), config_class, builder, s.string("step_assembly"))


def _patterns(s: _Section) -> Patterns:
    return Patterns(s.span, s.string("step_assembly"), s.strings("direct_input_keys"),
                    s.boolean("include_job_type_in_path", True))


def _compute(s: _Section) -> Compute:
    values: dict[str, Val[LiteralValue]] = {}
    for entry in s.map.entries:
        node = entry.value
        raw = node.to_python()
        values[entry.key] = Val(raw, node.span, entry.key_span)
    return Compute(s.span, s.string("kind"), values)


def _contract(s: _Section) -> Contract:
    inputs = {name: InputPort(name, key_span, port.opt_string("path"), port.boolean("required", True),
                              port.strings("channels"))
              for name, key_span, port in s.children("inputs")}
    outputs = {name: OutputPort(name, key_span, port.opt_string("path"))
               for name, key_span, port in s.children("outputs")}
    env = s.section("env_vars")
    job_args = []
    entry = s.entry("job_arguments")
    if entry and isinstance(entry.value, YSeq):
        for item in entry.value.items:
            arg = _Section(item, item.span)
            flag = arg.string("flag")
            if flag is not None:
                job_args.append(JobArgument(flag, arg.string("source") or arg.default(""), item.span))
    computed: dict[str, Val[tuple[str, ...]]] = {}
    cep = s.entry("computed_env_paths")
    if cep and isinstance(cep.value, YMap):
        for e in cep.value.entries:
            computed[e.key] = Val(tuple(v.value for v in _strings(e.value)), e.value.span, e.key_span)
    return Contract(
        span=s.span, entry_point=s.opt_string("entry_point"), inputs=inputs, outputs=outputs,
        env_required=env.strings("required"), env_optional=env.string_map("optional"),
        job_arguments=tuple(job_args), arguments=s.string_map("arguments"),
        framework_requirements=s.string_map("framework_requirements"),
        runtime_requires=s.strings("runtime_requires"), description=s.string("description") or s.default(""),
        source_dir=s.boolean("source_dir", False), output_path_token=s.opt_string("output_path_token"),
        include_job_type_in_path=s.boolean("include_job_type_in_path", True),
        circular_ref_check=s.boolean("circular_ref_check", False), skip_inputs=s.strings("skip_inputs"),
        input_source_overrides=s.string_map("input_source_overrides"), sink=s.boolean("sink", False),
        computed_env_paths=computed,
    )


def _spec(s: _Section) -> Spec:
    deps = {name: Dependency(name, key_span, d.string("type") or d.default("processing_output"),
                             d.boolean("required", True), d.strings("compatible_sources"),
                             d.strings("semantic_keywords"), d.string("data_type") or d.default("S3Uri"),
                             d.string("description") or d.default(""))
            for name, key_span, d in s.children("dependencies")}
    outs = {name: Output(name, key_span, o.string("type") or o.default("processing_output"),
                         o.string("property_path") or o.default(""), o.strings("aliases"),
                         o.strings("semantic_keywords"), o.string("data_type") or o.default("S3Uri"),
                         o.string("description") or o.default(""))
            for name, key_span, o in s.children("outputs")}
    return Spec(s.span, deps, outs)


def _variants(doc: YMap) -> dict[str, Variant]:
    entry = doc.get("variants")
    if not entry or not isinstance(entry.value, YMap):
        return {}
    return {e.key: Variant(e.key, e.key_span, e.value.span) for e in entry.value.entries}
