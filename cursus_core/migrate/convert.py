"""One classic step (contract + specs + registry row + builder) -> one ``.step.yaml`` document.

The document is built as plain ordered dicts in upstream's key order. Job-type specs become
``variants.<job_type>`` partial dicts holding only what differs from the base spec (the base is the
spec without a job type, else the job type whose spec declares the fewest ports, so that variants
add rather than remove). What cannot be said in the interface — a value that is not literal, a
variant that removes a port, builder logic no template runs — becomes a :class:`Note`, not a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cursus_core.catalog.catalog import StepInfo
from cursus_core.facts import DependencyFacts, Entry, OutputFacts, SpecFacts, extract_builders, extract_configs
from cursus_core.source import load_source
from cursus_core.interface.discovery import snake_step_name

from .emit import Flow
from .infer import BuilderRoute, read_builder_route
from .kind import NEEDS_SDK_CLASS, ConfigRoute, route_from_config
from .read import NOT_LITERAL, ReadContract, ReadSpec, problem_of, read_contracts, read_specs

JOB_TYPE_ORDER = ("training", "validation", "testing", "calibration")
#: config methods the template calls to collect env vars itself
ENV_COLLECTORS = ("get_environment_variables",)


@dataclass(frozen=True)
class Note:
    """A thing not converted (``kind``: not-literal | variant | builder | guessed-nothing | skipped | exists),
    or ``info`` about a choice made (which job type became the base)."""

    step: str
    kind: str
    message: str
    path: Path | None = None
    line: int | None = None


@dataclass
class Converted:
    step: str
    document: dict[str, Any] | None
    target: Path
    sources: list[Path]
    notes: list[Note] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)


class _Notes:
    def __init__(self, step: str) -> None:
        self.step, self.items = step, []  # type: tuple[str, list[Note]]

    def add(self, kind: str, message: str, path: Path | None = None, line: int | None = None) -> None:
        """Record a note; one per place (a non-literal value is seen by the facts and by the converter)."""
        if line is not None and any(n.path == path and n.line == line for n in self.items):
            return
        self.items.append(Note(self.step, kind, message, path, line))


def target_for(info: StepInfo) -> Path:
    """``<steps>/interfaces/<snake(step)>.step.yaml`` next to the step's classic components."""
    anchor = info.contract or next(iter(info.specs.values()), None) or info.builder or info.config
    steps_dir = anchor.parent.parent if anchor is not None else Path("steps")
    return steps_dir / "interfaces" / f"{snake_step_name(info.name)}.step.yaml"


def convert_step(info: StepInfo) -> Converted:
    notes = _Notes(info.name)
    sources = sorted({p for p in (info.contract, info.builder, *info.specs.values(), *info.legacy_specs.values())
                      if p is not None})
    out = Converted(info.name, None, target_for(info), sources, notes.items)
    for p in sources:
        problem = problem_of(p)
        if problem:
            notes.add("skipped", f"cannot read {p.name}: {problem}; step not migrated", p)
            return out
    reg = info.registry
    if reg is None or not reg.sagemaker_step_type:
        notes.add("skipped", "no registry row with a literal sagemaker_step_type; step not migrated")
        return out
    specs = _specs(info, notes)
    if not specs:
        notes.add("skipped", "no readable specification; step not migrated")
        return out
    for legacy_jt, path in sorted(info.legacy_specs.items()):
        notes.add("variant", f"legacy spec {path.name} declares job type '{legacy_jt}' that a job-type spec also "
                  "declares; the job-type spec was used", path)
    base_jt = _base_job_type(specs)
    base = specs[base_jt]
    contract = _contract(info, base)
    route = read_builder_route(info.builder, reg.sagemaker_step_type, reg.builder_step_name) \
        if info.builder is not None else None
    doc: dict[str, Any] = {"step_type": info.name, "node_type": base.facts.node_type or "internal"}
    if base.facts.node_type is None:
        notes.add("not-literal", "node_type is not literal; written as 'internal'", base.path,
                  base.facts.span.line)
    registry: dict[str, Any] = {"sagemaker_step_type": reg.sagemaker_step_type}
    if reg.config_class and reg.config_class != f"{info.name}Config":
        registry["config_class"] = reg.config_class
    if reg.builder_step_name and reg.builder_step_name != f"{info.name}StepBuilder":
        registry["builder_step_name"] = reg.builder_step_name
    if reg.description:
        registry["description"] = reg.description
    doc["registry"] = registry
    patterns, compute = _route(info, route, notes)
    if patterns:
        doc["patterns"] = patterns
    if compute:
        doc["compute"] = compute
    base_contract = _contract_dict(contract, base, route, notes)
    if contract is not None:  # what the converter did not already name (``**spread``, positional args)
        for nl, span in contract.facts.non_literal.items():
            notes.add("not-literal", f"contract {nl} is not literal; not converted", contract.path, span.line)
    doc["contract"] = base_contract
    base_spec = _spec_dict(base, notes)
    doc["spec"] = base_spec
    variants: dict[str, Any] = {}
    for jt in _ordered(specs):
        if jt is None or jt == base_jt:
            continue
        v_contract = _contract(info, specs[jt])
        block: dict[str, Any] = {}
        spec_diff = _diff(base_spec, _spec_dict(specs[jt], notes), f"variant '{jt}' spec", notes, specs[jt].path)
        if spec_diff:
            block["spec"] = spec_diff
        # a variant's contract differs when its spec names another contract, or when its dependencies'
        # ``required`` differ (contract inputs carry ``required``)
        c_diff = _diff(base_contract, _contract_dict(v_contract, specs[jt], route, notes),
                       f"variant '{jt}' contract", notes, v_contract.path if v_contract else specs[jt].path)
        if c_diff:
            block["contract"] = c_diff
        variants[str(jt)] = block
    if variants:
        doc["variants"] = variants
    out.document = doc
    out.variants = list(variants)
    if base_jt is not None:
        notes.add("info", f"no spec without a job type: the '{base_jt}' spec is the base and the other job "
                  "types are variants over it", base.path)
    if route is not None:
        for f in route.findings:
            notes.add("builder", f.message, info.builder, f.line)
    if info.builder is not None:
        _builder_facts(info.builder, base_contract, notes)
    if route is not None:
        _env_feeds(info, route, base_contract, notes)
    return out


def _env_feeds(info: StepInfo, route: BuilderRoute, contract: dict[str, Any], notes: _Notes) -> None:
    """Env vars the builder fills from a config attribute the template would not read.

    The template fills a declared env var from the config's own env collector, else from the config
    attribute named like the var in lower case (``LABEL_FIELD`` <- ``label_field``).
    """
    config = extract_configs(load_source(info.config)) if info.config is not None else []
    members = config[0] if config else None
    if members is not None and any(n in members.methods for n in ENV_COLLECTORS):
        return
    env = contract.get("env_vars", {})
    declared = [*env.get("required", []), *env.get("optional", {})]
    for name in declared:
        if name not in route.env_sources:
            continue
        attr, line = route.env_sources[name]
        if attr == name.lower() or (members is not None and members.has_member(name.lower())):
            continue
        how = f"from config.{attr}" if attr else "from a value that is not a config attribute"
        notes.add("builder", f"builder sets env var '{name}' {how}; the template reads config.{name.lower()} (or "
                  "the config's env collector): add that field or property to the config", info.builder, line)


def _builder_facts(path: Path, contract: dict[str, Any], notes: _Notes) -> None:
    """Env vars the builder sets beyond the contract and destinations not under the base output path."""
    builders = extract_builders(load_source(path))
    if not builders:
        return
    b = builders[0]
    env = contract.get("env_vars", {})
    declared = set(env.get("required", [])) | set(env.get("optional", {}))
    for e in b.env_vars_set:
        if e.name not in declared:
            notes.add("builder", f"builder sets env var '{e.name}' that the contract does not declare; the "
                      "template sets declared env vars only", path, e.span.line)
    for d in b.output_destinations:
        if d.kind in ("literal", "fstring", "concat") and not d.uses_base:
            notes.add("builder", f"_get_outputs builds a destination ({d.kind}) that is not under the base output "
                      "path; the template writes <base>/<step>/[<job_type>/]<logical>", path, d.span.line)


def _specs(info: StepInfo, notes: _Notes) -> dict[str | None, ReadSpec]:
    out: dict[str | None, ReadSpec] = {}
    for jt, path in info.specs.items():
        found = read_specs(path)
        if not found:
            notes.add("skipped", f"{path.name} holds no StepSpecification call", path)
            continue
        out[jt] = found[0]
        for nl, span in found[0].facts.non_literal.items():
            notes.add("not-literal", f"spec {nl} is not literal; not converted", path, span.line)
    return out


def _ordered(specs: dict[str | None, ReadSpec]) -> list[str | None]:
    def key(jt: str | None) -> tuple[int, str]:
        if jt is None:
            return (-1, "")
        return (JOB_TYPE_ORDER.index(jt) if jt in JOB_TYPE_ORDER else len(JOB_TYPE_ORDER), jt)
    return sorted(specs, key=key)


def _base_job_type(specs: dict[str | None, ReadSpec]) -> str | None:
    if None in specs:
        return None
    order = _ordered(specs)
    return min(order, key=lambda jt: (len(specs[jt].facts.dependencies) + len(specs[jt].facts.outputs),
                                      order.index(jt)))


def _contract(info: StepInfo, spec: ReadSpec) -> ReadContract | None:
    """The contract ``spec`` names (its own import), else the step's contract file."""
    ref = spec.facts.script_contract
    candidates: list[ReadContract] = []
    if ref.import_module:
        module = _module_path(spec.path, ref.import_module, ref.import_level)
        if module is not None:
            candidates = [c for c in read_contracts(module) if c.facts.variable == (ref.imported_name or ref.name)]
    if not candidates and info.contract is not None:
        candidates = read_contracts(info.contract)
    if not candidates:
        return None
    return candidates[0]


def _module_path(spec_path: Path, module: str, level: int) -> Path | None:
    if level == 0:
        return None
    base = spec_path.parent
    for _ in range(level - 1):
        base = base.parent
    path = base.joinpath(*module.split(".")).with_suffix(".py")
    return path if path.is_file() else None


def _route(info: StepInfo, route: BuilderRoute | None, notes: _Notes) -> tuple[dict[str, Any], dict[str, Any]]:
    """``patterns`` and ``compute`` from what the builder's code instantiates (else from the config)."""
    if route is None or route.unknown:
        return _route_from_config(info, route, notes)
    patterns: dict[str, Any] = {}
    if route.step_assembly == "step_args":
        patterns["step_assembly"] = "step_args"
    compute: dict[str, Any] = {"kind": route.kind}
    if route.sdk_class:
        compute["sdk_class"] = route.sdk_class
    if route.framework_name:
        compute["framework_name"] = route.framework_name
    for key in ("framework_version_field", "py_version_field", "image_uri_field"):
        if key in route.fields:
            compute[key] = route.fields[key]
    if route.container_entrypoint:
        compute["container_entrypoint"] = route.container_entrypoint
    return patterns, compute


def _route_from_config(info: StepInfo, route: BuilderRoute | None,
                       notes: _Notes) -> tuple[dict[str, Any], dict[str, Any]]:
    """No builder, or one whose SDK object the reader cannot name: the config class's fields choose
    the kind (as cursus chose when it converted its own steps); with neither, nothing is guessed."""
    why = "no builder file" if route is None else route.unknown.split(";")[0]
    fallback = _config_route(info)
    if fallback is None:
        if route is None:
            notes.add("guessed-nothing", "no builder file: patterns and compute were not inferred")
        else:
            notes.add("guessed-nothing", route.unknown, info.builder)
        return {}, {}
    compute: dict[str, Any] = {"kind": fallback.kind, **fallback.fields}
    # the builder's ProcessingStep call still tells the assembly when its SDK object did not tell the kind
    patterns: dict[str, Any] = {}
    if route is not None and route.step_assembly == "step_args":
        patterns["step_assembly"] = "step_args"
    assembly = "" if patterns else "; patterns.step_assembly stays the default"
    notes.add("info", f"{why}: compute.kind '{fallback.kind}' was chosen from the config class "
              f"({fallback.reason}){assembly}", info.config)
    if fallback.kind in NEEDS_SDK_CLASS:
        what = "compute.sdk_class or compute.framework_name" if fallback.kind == "model" else "compute.sdk_class"
        notes.add("guessed-nothing", f"compute.kind '{fallback.kind}' needs {what} (the framework), which the "
                  "config does not show; add it", info.config)
    return patterns, compute


def _config_route(info: StepInfo) -> ConfigRoute | None:
    """The route the step's config class points at (see :mod:`.kind`), for a step whose builder is silent."""
    reg = info.registry
    if info.config is None or reg is None or not reg.sagemaker_step_type:
        return None
    return route_from_config(info.config, reg.config_class, reg.sagemaker_step_type, info.name)


def _value(entry: Entry, what: str, notes: _Notes, path: Path) -> Any:
    if entry.value is None:
        notes.add("not-literal", f"{what} is not literal; not converted", path, entry.value_span.line)
    return entry.value


def _contract_dict(contract: ReadContract | None, spec: ReadSpec, route: BuilderRoute | None,
                   notes: _Notes) -> dict[str, Any]:
    required = {d.logical_name: d.required for d in spec.facts.dependencies if d.logical_name}
    out: dict[str, Any] = {}
    if contract is None:
        out["entry_point"] = None
        out["inputs"] = {n: {"path": None, "required": r if r is not None else True} for n, r in required.items()}
        out["outputs"] = {o.logical_name: {"path": None} for o in spec.facts.outputs if o.logical_name}
    else:
        c, p = contract.facts, contract.path
        out["entry_point"] = _value(c.entry_point, "entry_point", notes, p) if c.entry_point else None
        if route is not None and route.circular_ref_check:
            out["circular_ref_check"] = True
        out["inputs"] = {}
        for name, e in c.inputs.items():
            port: dict[str, Any] = {"path": _value(e, f"input path '{name}'", notes, p)}
            port["required"] = required.get(name) if required.get(name) is not None else True
            if route is not None and name in route.channels:
                port["channels"] = Flow(route.channels[name])
            elif route is not None and route.channel_names and port["path"] == "/opt/ml/input/data":
                port["channels"] = Flow(route.channel_names)  # the channel root fans out
            out["inputs"][name] = port
        out["outputs"] = {name: {"path": _value(e, f"output path '{name}'", notes, p)}
                          for name, e in c.outputs.items()}
        if "expected_arguments" in c.keyword_spans:
            out["arguments"] = {k: _value(e, f"argument '{k}'", notes, p) for k, e in c.expected_arguments.items()}
    if route is not None and route.job_arguments:
        out["job_arguments"] = [{"flag": flag, "source": attr or ""} for flag, attr, _ in route.job_arguments
                                if attr is not None]
        if not out["job_arguments"]:
            del out["job_arguments"]
    if contract is not None:
        c, p = contract.facts, contract.path
        out["env_vars"] = {"required": [i.name for i in c.required_env_vars],
                           "optional": {k: _value(e, f"optional env var '{k}'", notes, p)
                                        for k, e in c.optional_env_vars.items()}}
        for key in ("framework_requirements", "description"):
            if key in contract.extras:
                if contract.extras[key] is NOT_LITERAL:
                    notes.add("not-literal", f"contract {key} is not literal; not converted", p,
                              c.keyword_spans[key].line if key in c.keyword_spans else None)
                else:
                    out[key] = contract.extras[key]
    return out


def _dep(d: DependencyFacts, extras: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": d.dependency_type or "processing_output",
                           "required": d.required if d.required is not None else True,
                           "compatible_sources": list(d.compatible_sources),
                           "semantic_keywords": list(d.semantic_keywords)}
    if d.data_type and d.data_type != "S3Uri":
        out["data_type"] = d.data_type
    if isinstance(extras.get("description"), str) and extras["description"]:
        out["description"] = extras["description"]
    return out


def _out(o: OutputFacts, extras: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": o.output_type or "processing_output"}
    if o.property_path is not None:
        out["property_path"] = o.property_path
    out["aliases"] = list(o.aliases)
    out["data_type"] = o.data_type or "S3Uri"
    if isinstance(extras.get("description"), str) and extras["description"]:
        out["description"] = extras["description"]
    return out


def _spec_dict(spec: ReadSpec, notes: _Notes) -> dict[str, Any]:
    f: SpecFacts = spec.facts
    items: list[DependencyFacts | OutputFacts] = [*f.dependencies, *f.outputs]
    for item in items:
        for nl, span in item.non_literal.items():
            notes.add("not-literal", f"'{item.logical_name}' {nl} is not literal; not converted", spec.path,
                      span.line)
    deps = {d.logical_name: _dep(d, spec.extras.get(("dep", d.logical_name), {}))
            for d in f.dependencies if d.logical_name}
    outs = {o.logical_name: _out(o, spec.extras.get(("out", o.logical_name), {}))
            for o in f.outputs if o.logical_name}
    return {"dependencies": deps, "outputs": outs}


def _diff(base: Any, other: Any, where: str, notes: _Notes, path: Path) -> Any:
    """The partial dict that, deep-merged over ``base``, gives ``other`` (mappings merge, the rest replaces).

    Keys of ``base`` missing from ``other`` cannot be removed by a merge: reported, left as in the base.
    """
    if not (isinstance(base, dict) and isinstance(other, dict)):
        return None if base == other else other
    out: dict[str, Any] = {}
    for key, value in other.items():
        if key not in base:
            out[key] = value
            continue
        sub = _diff(base[key], value, f"{where} {key}", notes, path)
        if sub not in (None, {}):
            out[key] = sub
    for key in base:
        if key not in other and key not in ("description",):
            notes.add("variant", f"{where} has no '{key}' that the base has; a variant cannot remove it, so the "
                      "merged variant keeps it", path)
    return out
