"""Plan a runtime test: which DAG nodes have scripts, what each script needs, and the wiring.

Everything here is read statically (the DAG and saved config as data, contracts, specs and
builders through :mod:`cursus_core.facts`); nothing of the step repo is imported. Config values come from
the saved file itself: the fields (``shared`` overridden by ``specific``) and the derived values
in ``metadata.derived``. The config classes are not imported here; ``cursus-lint build`` (which
imports them in a child process) is where a saved config is validated against its classes.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from cursus_core.base import spec_type_with_job_type
from cursus_core.catalog import StepCatalog
from cursus_core.compiler.node_mapping import map_nodes_to_configs, split_step_name
from cursus_core.dag import PipelineDAG
from cursus_core.deps.resolver import Provider, StepRef, resolve
from cursus_core.facts import extract_contracts, extract_script, extract_specs
from cursus_core.facts.pipeline import ENTRY_POINT_FIELDS, load_pipeline
from cursus_core.source import load_source
from cursus_core.sandbox import inside_root

from .models import EnvVarRequirement, PathRequirement, ScriptRequirements
from .saved_config import TestingSetupError, read_saved_config

__all__ = ["NodePlan", "TestingSetupError", "plan_pipeline", "read_saved_config", "env_value",
           "outside_repo", "WIRING_THRESHOLD"]

#: The compiler's default: an output must score at least this to be wired to an input.
WIRING_THRESHOLD = 0.5


@dataclass
class NodePlan:
    """One DAG node: a script to run (``requirements``), a node to skip, or an error."""

    node: str
    kind: str  # script | skipped | error
    reason: str | None = None
    script: Path | None = None
    requirements: ScriptRequirements | None = None
    #: input logical name -> (upstream node, upstream output logical name)
    wiring: dict[str, tuple[str, str]] = field(default_factory=dict)


def env_value(value: Any) -> str:
    """How the builder base turns a config value into a container env var (JSON for structures)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, list, dict, tuple)) or value is None:
        return json.dumps(value)
    return str(value)


# ----------------------------------------------------------------------------- builder mapping


def _config_attr(expr: ast.AST) -> str | None:
    """The first ``self.config.X`` / ``config.X`` read inside ``expr``."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute):
            owner = node.value
            if isinstance(owner, ast.Attribute) and owner.attr == "config" and isinstance(owner.value, ast.Name):
                return node.attr
            if isinstance(owner, ast.Name) and owner.id == "config":
                return node.attr
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr" and len(node.args) >= 2:
            target, name = node.args[0], node.args[1]
            if isinstance(target, ast.Attribute) and target.attr == "config" and isinstance(name, ast.Constant):
                return str(name.value)
    return None


def _env_sources(expr: ast.AST) -> tuple[str, Any, bool]:
    """(kind, attr-or-literal, wrapped in ``str()``) for one env var value expression."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return "literal", expr.value, False
    as_str = isinstance(expr, ast.Call) and getattr(expr.func, "id", None) == "str"
    attr = _config_attr(expr)
    return ("attr", attr, as_str) if attr else ("unknown", None, False)


def builder_env_mapping(builder_file: Path | None) -> dict[str, tuple[str, Any, bool]]:
    """Env var name -> how ``_get_environment_variables`` sets it, read from the builder's syntax tree."""
    if builder_file is None:
        return {}
    source = load_source(builder_file)
    if source.tree is None:
        return {}
    found: dict[str, tuple[str, Any, bool]] = {}
    for func in ast.walk(source.tree):
        if not (isinstance(func, ast.FunctionDef) and func.name == "_get_environment_variables"):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                            and isinstance(target.slice.value, str):
                        found[target.slice.value] = _env_sources(node.value)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        found.setdefault(key.value, _env_sources(value))
    return found


def _config_attr_of(node: ast.AST, local: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return local.get(node.id)
    return _config_attr(node)


def builder_job_args(builder_file: Path | None) -> list[tuple[str, str]]:
    """(flag, config attribute) pairs ``_get_job_arguments`` returns as a literal list, read from
    the builder's syntax tree (``["--job_type", self.config.job_type]``, also through a local)."""
    source = load_source(builder_file) if builder_file is not None else None
    if source is None or source.tree is None:
        return []
    found: list[tuple[str, str]] = []
    for func in ast.walk(source.tree):
        if not (isinstance(func, ast.FunctionDef) and func.name == "_get_job_arguments"):
            continue
        local: dict[str, str] = {}
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                attr = _config_attr(node.value)
                if attr is not None:
                    local[node.targets[0].id] = attr
        for node in ast.walk(func):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.List):
                items = node.value.elts
                for flag, value in zip(items, items[1:], strict=False):
                    attr = _config_attr_of(value, local)
                    if isinstance(flag, ast.Constant) and isinstance(flag.value, str) \
                            and flag.value.startswith("--") and attr is not None:
                        found.append((flag.value, attr))
    return found


def builder_input_attrs(builder_file: Path | None) -> dict[str, str]:
    """Logical input -> config attribute for the inputs ``_get_inputs`` fills from the config itself
    when no step provides them (``{"inference_scripts_input": self.config.inference_scripts_path,
    **inputs}``): what the pipeline mounts, so runtime testing mounts the same."""
    source = load_source(builder_file) if builder_file is not None else None
    if source is None or source.tree is None:
        return {}
    found: dict[str, str] = {}
    for func in ast.walk(source.tree):
        if not (isinstance(func, ast.FunctionDef) and func.name == "_get_inputs"):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    attr = _config_attr(value) if value is not None else None
                    if isinstance(key, ast.Constant) and isinstance(key.value, str) and attr is not None:
                        found.setdefault(key.value, attr)
    return found


def _builder_defaults(plan: NodePlan, facts: _StepFacts, values: dict[str, Any], repo_root: Path,
                      source_root: Path | None) -> None:
    """Unwired inputs the builder mounts from a local path in the config get that path."""
    req = plan.requirements
    assert req is not None
    attrs = builder_input_attrs(facts.builder_file)
    roots = [repo_root] + ([source_root] if source_root is not None else [])
    for item in req.inputs:
        attr = attrs.get(item.logical_name)
        value = values.get(attr) if attr is not None else None
        if item.upstream is not None or not _local_value(value):
            continue
        found = next((root / value for root in roots if inside_root(root / value, root) and (root / value).exists()),
                     None)
        if found is not None:
            item.builder_path = str(found)
            item.note = f"the builder mounts config {attr}={value!r} when no step provides it"
        else:
            where = " or ".join(str(root) for root in roots)
            item.note = f"the builder mounts config {attr}={value!r}, which does not exist under {where}"


def _local_value(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value) and not value.startswith("s3://") and not Path(value).is_absolute()


# ----------------------------------------------------------------------------- facts


def _entry_point(values: dict[str, Any], config_name: str, config_path: Path, repo_root: Path):
    facts = load_pipeline(None, config_path, repo_root)
    entry = facts.configs.get(config_name) if facts and facts.configs else None
    if entry is None or not entry.entry_points:
        nulls = list(entry.null_entry_points) if entry else []
        class_name = (entry.class_name if entry else None) or values.get("__model_type__") or "its config"
        if nulls:
            return None, f"no script: {', '.join(nulls)} is null in {class_name}"
        return None, f"no script: {class_name} has no entry point ({', '.join(ENTRY_POINT_FIELDS)})"
    return entry.entry_points[0], None


def outside_repo(entry: Any, repo_root: Path, source_root: Path | None = None) -> str | None:
    """Why an entry point (or its source dir) is refused for leaving the repo, or None.

    An absolute ``processing_entry_point``, a ``..`` or a symlink out of the repo would make
    runtime testing run a file nobody reviewed with the step repo. A ``--source-root`` the user
    names counts as theirs too, as it does for the dry-run build.
    """
    roots = [repo_root] + ([source_root] if source_root is not None else [])
    where = f"the repo {repo_root}" + (f" and the source root {source_root}" if source_root is not None else "")
    refused = "refused (runtime testing runs only scripts inside the repo)"
    if entry.source_dir is not None and not any(inside_root(root / entry.source_dir, root) for root in roots):
        return f"source dir {entry.source_dir_field}={entry.source_dir!r} is outside {where}: {refused}"
    if not any(inside_root(entry.script, root) for root in roots):
        return (f"entry point {entry.field}={entry.value!r} resolves to {entry.script.resolve()}, outside "
                f"{where}: {refused}")
    return None


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class _StepFacts:
    contract: Any = None
    contract_file: Path | None = None
    spec: Any = None
    spec_file: Path | None = None
    spec_type: str | None = None
    builder_file: Path | None = None
    #: interface layout: env var -> source read from the config's own collector, and (flag, config attr)
    env_mapping: dict[str, tuple[str, Any, bool]] | None = None
    job_arguments: list[tuple[str, str]] | None = None


def _interface_facts(index: Any, step: str, job_type: str | None, values: dict[str, Any]) -> _StepFacts | None:
    """An interface-layout step's contract and spec, from its ``.step.yaml`` (see interface_facts)."""
    found = index.facts(step, job_type, values.get("__model_type__"))
    if found is None:
        return None
    return _StepFacts(found.contract, found.file, found.spec, found.file, found.spec_type, None,
                      found.env_mapping, found.job_arguments)


def _step_facts(catalog: StepCatalog, step: str, job_type: str | None) -> _StepFacts:
    info = catalog.get_step_info(step)
    out = _StepFacts()
    if info is None:
        return out
    out.builder_file = info.builder
    if info.contract is not None:
        contracts = [c for c in extract_contracts(load_source(info.contract)) if c.entry_point is not None]
        if contracts:
            out.contract, out.contract_file = contracts[0], info.contract
    spec_file = info.specs.get(job_type.lower() if job_type else None) or info.specs.get(None)
    if spec_file is None and len(info.specs) == 1:
        spec_file = next(iter(info.specs.values()))
    if spec_file is not None:
        specs = extract_specs(load_source(spec_file))
        if specs:
            out.spec, out.spec_file = specs[0], spec_file
            ref = specs[0].step_type
            if ref is not None and ref.base:
                out.spec_type = spec_type_with_job_type(ref.base, ref.job_type)
    return out


# ----------------------------------------------------------------------------- planning


def _from_source_root(entry: Any, configs: dict[str, dict[str, Any]], config_path: Path, repo_root: Path,
                      source_root: Path) -> Any:
    """The entry point as the dry-run build finds it with ``--source-root`` (a config written on
    another checkout: its ``source_dir`` stands for the source root), or unchanged if not there."""
    from msgspec.structs import replace

    from cursus_core.compiler.source_paths import SourceResolver

    def one(key: str) -> str | None:
        found = {str(v[key]) for v in configs.values() if isinstance(v.get(key), str) and v[key]}
        return next(iter(found)) if len(found) == 1 else None

    resolver = SourceResolver([config_path.parent, repo_root], source_root=source_root,
                              project_root_folder=one("project_root_folder"), source_dir=one("source_dir"))
    relative = f"{entry.source_dir.rstrip('/')}/{entry.value}" if entry.source_dir else entry.value
    found = resolver.resolve(relative, directory=False).path
    return replace(entry, script=found, script_exists=True) if found is not None else entry


def plan_pipeline(dag: PipelineDAG, config_path: Path, repo_root: Path,
                  explicit: dict[str, str] | None = None, source_root: Path | None = None) -> dict[str, NodePlan]:
    """A :class:`NodePlan` per node, in topological order."""
    configs = read_saved_config(config_path)
    mapping = map_nodes_to_configs(dag, configs, explicit)
    config_of = {node: (explicit or {}).get(node, node) for node in mapping.resolved}
    catalog = StepCatalog(repo_root)
    plans: dict[str, NodePlan] = {}
    step_facts: dict[str, _StepFacts] = {}
    refs: dict[str, StepRef] = {}
    order = dag.topological_order()
    interfaces: Any = None
    unmapped = {u.node: u.message for u in mapping.unmapped_nodes}
    for node in order:
        if node in unmapped:
            plans[node] = NodePlan(node, "error", unmapped[node])
            continue
        name = config_of[node]
        step, job_type = split_step_name(name)
        values = configs[name]
        facts = step_facts[node] = _step_facts(catalog, step, values.get("job_type") or job_type)
        if facts.contract is None:  # interface layout: the .step.yaml is contract and spec
            if interfaces is None:
                from .interface_facts import InterfaceIndex

                interfaces = InterfaceIndex(repo_root)
            classic = facts
            facts = step_facts[node] = _interface_facts(interfaces, step, values.get("job_type") or job_type,
                                                        values) or facts
            facts.builder_file = facts.builder_file or classic.builder_file  # a repo mid-migration keeps both
        refs[node] = StepRef(node, facts.spec_type, values.get("job_type") or job_type)
        entry, reason = _entry_point(values, name, config_path, repo_root)
        if entry is None:
            plans[node] = NodePlan(node, "skipped", reason)
            continue
        if source_root is not None and not entry.script_exists:
            entry = _from_source_root(entry, configs, config_path, repo_root, source_root)
        outside = outside_repo(entry, repo_root, source_root)
        if outside is not None:
            plans[node] = NodePlan(node, "error", outside, entry.script)
            continue
        if not entry.script_exists:
            where = f" (source dir {entry.source_dir_field}={entry.source_dir!r})" if entry.source_dir_field else ""
            plans[node] = NodePlan(node, "error", f"entry point {entry.field}={entry.value!r}{where}: "
                                                  f"script file {_rel(entry.script, repo_root)} does not exist",
                                   entry.script)
            continue
        if facts.contract is None or facts.contract_file is None:
            plans[node] = NodePlan(node, "error", f"no script contract found for step '{step}' "
                                                  f"(script {_rel(entry.script, repo_root)})", entry.script)
            continue
        script_facts = extract_script(load_source(entry.script))
        has_main = bool(script_facts.main is not None and script_facts.main.testable)
        plans[node] = NodePlan(node, "script", script=entry.script, requirements=ScriptRequirements(
            node=node, step=step, job_type=values.get("job_type") or job_type,
            script=_rel(entry.script, repo_root), entry_point_field=entry.field, has_main=has_main,
            contract=_rel(facts.contract_file, repo_root),
            spec=_rel(facts.spec_file, repo_root) if facts.spec_file else None,
            env_vars=_env_requirements(facts, values), job_args=_job_args(facts, values)))
    for node in order:
        plan = plans[node]
        if plan.kind == "script":
            _wire(plan, dag, step_facts, refs, plans)
            _builder_defaults(plan, step_facts[node], configs[config_of[node]], repo_root, source_root)
    return plans


def _env_requirements(facts: _StepFacts, values: dict[str, Any]) -> list[EnvVarRequirement]:
    contract = facts.contract
    mapping = facts.env_mapping if facts.env_mapping is not None else builder_env_mapping(facts.builder_file)
    out: list[EnvVarRequirement] = []
    names = [(item.name, True, None) for item in contract.required_env_vars]
    names += [(n, False, e.value) for n, e in contract.optional_env_vars.items()]
    for name, required, default in names:
        kind, what, as_str = mapping.get(name, ("attr", name.lower(), False))
        value: str | None = None
        source: str | None = None
        if kind == "literal":
            value, source = what, "literal in builder"
        elif kind == "attr" and values.get(what) is not None:
            raw = values[what]
            value, source = (str(raw) if as_str and not isinstance(raw, bool) else env_value(raw)), f"config.{what}"
        if value is None and default is not None:
            value, source = str(default), "contract default"
        out.append(EnvVarRequirement(name=name, required=required, value=value, source=source))
    return out


def _job_args(facts: _StepFacts, values: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for flag, source in facts.job_arguments or ():  # interface layout: [{flag, source}], None drops the flag
        if values.get(source) is not None:
            args += [flag, env_value(values[source])]
    for name, entry in facts.contract.expected_arguments.items():
        value = values.get(name.replace("-", "_"))
        args += [f"--{name}", entry.value if value is None else env_value(value)]
    # what the builder itself passes from the config (the job runs with these, declared or not)
    given = {a.replace("-", "_") for a in args if a.startswith("--")}
    for flag, attr in builder_job_args(facts.builder_file):
        if flag.replace("-", "_") not in given and values.get(attr) is not None:
            args += [flag, env_value(values[attr])]
    return args


def _wire(plan: NodePlan, dag: PipelineDAG, step_facts: dict[str, _StepFacts], refs: dict[str, StepRef],
          plans: dict[str, NodePlan]) -> None:
    """The compiler's wiring: each spec dependency takes the best upstream output (resolver)."""
    req = plan.requirements
    assert req is not None
    facts = step_facts[plan.node]
    deps = {d.logical_name: d for d in (facts.spec.dependencies if facts.spec else ()) if d.logical_name}
    upstream = [u for u in dag.get_dependencies(plan.node) if u in step_facts and step_facts[u].spec is not None]
    providers = [Provider(refs[u], out, (u, out.logical_name)) for u in upstream
                 for out in step_facts[u].spec.outputs if out.logical_name]
    for logical, entry in facts.contract.inputs.items():
        dep = deps.get(logical)
        required = True if dep is None or dep.required is None else bool(dep.required)
        item = PathRequirement(logical_name=logical, container_path=str(entry.value), required=required)
        if dep is not None:
            res = resolve(dep, providers, threshold=WIRING_THRESHOLD, consumer=refs[plan.node])
            if res.best is not None and not (res.ambiguous and required):
                up, out_name = res.best.provider.ref
                if plans[up].kind == "script":
                    plan.wiring[logical] = (up, out_name)
                    item.upstream = f"{up}.{out_name}"
                else:
                    item.note = f"wired to {up}.{out_name}, which has no script: configure a local path"
            else:
                item.note = "no upstream script provides it"
        else:
            item.note = "not a dependency in the specification"
        req.inputs.append(item)
    for logical, entry in facts.contract.outputs.items():
        req.outputs.append(PathRequirement(logical_name=logical, container_path=str(entry.value)))
