"""From a step interface to the facts the rules already read: one step model for both layouts.

A ``.step.yaml`` holds what the classic layout spreads over a contract, one spec per job type and
a registry row. This adapter turns it into the same :class:`~cursus_core.facts.model.ContractFacts`,
:class:`~cursus_core.facts.model.SpecFacts` (the base and every variant after the deep merge) and
:class:`~cursus_core.registry.models.StepDefinition`, every span pointing into the YAML where the
value was written, so rules need not know which layout a step came from. There is no builder file
in this layout; :func:`synthesized_builder` stands in for it with the config attributes the
template handlers read (``compute.*_field``, ``job_arguments[].source``), marked ``synthesized``
so that rules about builder *code* leave it alone.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from cursus_core.facts.model import (
    BuilderFacts,
    ConfigRead,
    ContractFacts,
    ContractRef,
    DependencyFacts,
    Entry,
    FileFacts,
    NamedItem,
    OutputFacts,
    SpecFacts,
    StepTypeRef,
)
from cursus_core.registry.models import RegistryType, StepDefinition

from .derived import derived_of
from .model import StepInterface, Val
from .span import Span

#: The catalog role of an interface file (FileFacts.roles).
INTERFACE_ROLE = "interface"



def _key_or_value(val: Val) -> Span:
    return val.key_span or val.span


def contract_facts(iface: StepInterface) -> ContractFacts:
    """The interface's ``contract`` section as a contract (the base; variants rarely change it)."""
    c = iface.contract
    is_training = bool(iface.registry.sagemaker_step_type and iface.registry.sagemaker_step_type.value == "Training")
    entry_point = None
    if c.entry_point.written and c.entry_point.value is not None:
        entry_point = Entry(c.entry_point.value, _key_or_value(c.entry_point), c.entry_point.span)
    inputs = {n: Entry(p.path.value, p.key_span, p.path.span) for n, p in c.inputs.items()}
    outputs = {n: Entry(p.path.value, p.key_span, p.path.span) for n, p in c.outputs.items()}
    required = tuple(NamedItem(v.value, v.span) for v in c.env_required)
    optional = {n: Entry(v.value, _key_or_value(v), v.span) for n, v in c.env_optional.items()}
    for name, v in c.computed_env_paths.items():  # set by the template from input paths: declared, optional
        optional.setdefault(name, Entry(None, _key_or_value(v), v.span))
    arguments = {a.flag.value.lstrip("-"): Entry(a.source.value or None, a.flag.span,
                                                 a.source.span if a.source.written else a.flag.span)
                 for a in c.job_arguments}
    keyword_spans: dict[str, Span] = {}
    root = iface.root.get("contract")
    section = root.value if root is not None else None
    if section is not None and hasattr(section, "get"):
        for key, name in (("inputs", "expected_input_paths"), ("outputs", "expected_output_paths"),
                          ("job_arguments", "expected_arguments"), ("entry_point", "entry_point")):
            entry = section.get(key)
            if entry is not None:
                keyword_spans[name] = entry.key_span
        env = section.get("env_vars")
        if env is not None and hasattr(env.value, "get"):
            for key, name in (("required", "required_env_vars"), ("optional", "optional_env_vars")):
                entry = env.value.get(key)
                if entry is not None:
                    keyword_spans[name] = entry.key_span
            keyword_spans.setdefault("required_env_vars", env.key_span)
    return ContractFacts(
        variable=None, function=None, class_name="StepInterface", is_training=is_training, span=c.span,
        entry_point=entry_point, inputs=inputs, outputs=outputs, required_env_vars=required,
        optional_env_vars=optional, expected_arguments=arguments, keyword_spans=keyword_spans,
        delegated_to=_container_entrypoint(iface), computed_env_vars=tuple(c.computed_env_paths),
    )


def _container_entrypoint(iface: StepInterface) -> str | None:
    """``compute.container_entrypoint`` (a command list or string): a BYO container runs that."""
    v = iface.compute.values.get("container_entrypoint")
    if v is None or not v.value:
        return None
    return " ".join(str(x) for x in v.value) if isinstance(v.value, list) else str(v.value)


def spec_facts(iface: StepInterface) -> SpecFacts:
    """The ``spec`` section of ``iface`` (already merged for its job type) as a specification."""
    name = iface.name or ""
    st_span = iface.step_type.span if iface.step_type else iface.spec.span
    step_type = StepTypeRef(name, iface.job_type, "spec_type_with_job_type" if iface.job_type else "literal", st_span)
    deps = []
    for dep in iface.spec.dependencies.values():
        spans = {"logical_name": dep.key_span}
        if dep.type.written:
            spans["dependency_type"] = dep.type.span
        if dep.compatible_sources:
            spans["compatible_sources"] = dep.compatible_sources[0].span
        deps.append(DependencyFacts(
            logical_name=dep.name, dependency_type=dep.type.value, required=dep.required.value,
            compatible_sources=tuple(v.value for v in dep.compatible_sources),
            semantic_keywords=tuple(v.value for v in dep.semantic_keywords), data_type=dep.data_type.value,
            span=dep.key_span, keyword_spans=spans, dict_key=dep.name,
            compatible_source_spans=tuple(v.span for v in dep.compatible_sources)))
    outs = []
    for out in iface.spec.outputs.values():
        pp = out.property_path
        outs.append(OutputFacts(
            logical_name=out.name, output_type=out.type.value, property_path=pp.value if pp.written else None,
            aliases=tuple(v.value for v in out.aliases), data_type=out.data_type.value, span=out.key_span,
            property_path_span=pp.span if pp.written else None,
            keyword_spans={"logical_name": out.key_span}, dict_key=out.name))
    node = iface.node_type
    keyword_spans = {"node_type": node.key_span or node.span} if node.written else {}
    spec_entry = iface.root.get("spec")
    if spec_entry is not None and hasattr(spec_entry.value, "get"):
        for key, kw in (("dependencies", "dependencies"), ("outputs", "outputs")):
            e = spec_entry.value.get(key)
            if e is not None:
                keyword_spans[kw] = e.key_span
    return SpecFacts(
        variable=None, span=iface.spec.span, step_type=step_type,
        node_type=node.value, node_type_span=node.span if node.written else None,
        script_contract=ContractRef("name", None, None, local=True),
        dependencies=tuple(deps), outputs=tuple(outs), dependencies_shape="dict", outputs_shape="dict",
        keyword_spans=keyword_spans)


def interface_file_facts(iface: StepInterface, digest: str = "") -> FileFacts:
    """The whole file as the rules see it: its contract and one spec per job type (base first)."""
    known = derived_of(iface) if not digest else None
    if known is not None:  # derived when this model was loaded (and kept in the facts cache)
        return known.facts
    specs = [spec_facts(iface)] + [spec_facts(v) for v in iface.variant_interfaces().values()]
    return FileFacts(Path(iface.path), digest, frozenset({INTERFACE_ROLE}), contracts=(contract_facts(iface),),
                     specs=tuple(specs), unknown=Counter())


def step_definition(iface: StepInterface, registry_type: RegistryType = "core",
                    workspace_id: str | None = None) -> StepDefinition | None:
    """The registry row the interface is (None without a ``step_type``)."""
    if iface.step_type is None:
        return None
    r = iface.registry
    name = iface.step_type.value
    return StepDefinition(
        name=name, config_class=r.config_class.value, builder_step_name=r.builder_step_name.value, spec_type=name,
        sagemaker_step_type=r.sagemaker_step_type.value if r.sagemaker_step_type else "",
        description=r.description.value, registry_type=registry_type, workspace_id=workspace_id,
        source_path=Path(iface.path), line=iface.step_type.span.line, column=iface.step_type.span.column)


def synthesized_builder(iface: StepInterface) -> BuilderFacts:
    """What the template builder reads from the config, located at the YAML keys that name it."""
    known = derived_of(iface)
    if known is not None:
        return known.builder
    reads = [ConfigRead(v.value, v.span, False, "attr", f"compute.{key}")
             for key, v in iface.compute.field_refs.items()]
    for arg in iface.contract.job_arguments:
        if arg.source.written and arg.source.value:
            reads.append(ConfigRead(arg.source.value, arg.source.span, False, "attr",
                                    "contract.job_arguments[].source"))
    r = iface.registry
    span = iface.step_type.span if iface.step_type else r.span
    keys: dict[str, Entry] = {}
    for key, v in iface.compute.values.items():
        keys[f"compute.{key}"] = Entry(v.value, _key_or_value(v), v.span)
    assembly = iface.patterns.step_assembly or r.step_assembly
    if assembly is not None:
        keys["patterns.step_assembly"] = Entry(assembly.value, _key_or_value(assembly), assembly.span)
    return BuilderFacts(name=r.builder_step_name.value, bases=(), span=span, name_span=span,
                        config_reads=tuple(reads), config_class=r.config_class.value,
                        config_class_source="interface", synthesized=True, template_keys=keys)
