"""What a classic builder says about its template route, read from its syntax tree.

A ``.step.yaml`` has no builder: a template picked by SageMaker step type x ``patterns.step_assembly``
x ``compute.kind`` builds the step from the config. The classic builder's code tells which one fits:
the SDK class it instantiates (``SKLearnProcessor`` -> ``sklearn``, ``XGBoost`` -> ``estimator`` with
``sdk_class: XGBoost``, ...), whether ``ProcessingStep`` gets ``step_args=`` or ``code=``, and which
config attribute feeds ``framework_version=`` / ``py_version=`` / ``image_uri=``. Whatever the code
does that a template does not (container paths written in ``_get_inputs``, destinations not under
the base output path, computed job arguments) is reported, never translated. Nothing is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cursus_core.facts._index import TreeIndex, index_for, last_name
from cursus_core.literals import call_name, module_constants
from cursus_core.source import load_source

#: SDK class -> (compute.kind, compute.sdk_class or None)
RouteTable = dict[str, tuple[str, "str | None"]]
PROCESSORS: RouteTable = {"SKLearnProcessor": ("sklearn", None), "XGBoostProcessor": ("xgboost", None),
              "FrameworkProcessor": ("framework", None), "ScriptProcessor": ("script", None),
              "Processor": ("byo_container", None)}
ESTIMATORS: RouteTable = {"XGBoost": ("estimator", "XGBoost"), "PyTorch": ("estimator", "PyTorch"),
              "SKLearn": ("estimator", "SKLearn"), "Estimator": ("byo_container", None)}
MODELS: RouteTable = {"XGBoostModel": ("model", "XGBoostModel"), "PyTorchModel": ("model", "PyTorchModel"),
          "Model": ("model", None)}
TRANSFORMERS: RouteTable = {"Transformer": ("transformer", None)}
KINDS_BY_STEP_TYPE: dict[str, RouteTable] = {"Processing": PROCESSORS, "Training": ESTIMATORS, "CreateModel": MODELS,
                      "Transform": TRANSFORMERS}
#: SDK constructor keyword -> compute key naming the config attribute that feeds it
FIELD_KEYWORDS = {"framework_version": "framework_version_field", "py_version": "py_version_field",
                  "image_uri": "image_uri_field"}
#: the methods a template implements itself; others are helpers whose logic a template does not run
STANDARD_METHODS = frozenset({
    "__init__", "validate_configuration", "_get_environment_variables", "_get_inputs", "_get_outputs",
    "_get_job_arguments", "create_step", "_create_processor", "_create_estimator", "_create_model",
    "_create_transformer", "_get_processor", "_get_estimator", "_get_model", "_get_image_uri", "_image_uri",
    "_vpc_config",
})


@dataclass(frozen=True)
class Finding:
    """Something the builder does that no ``.step.yaml`` key expresses (``line`` in the builder)."""

    line: int
    message: str


@dataclass
class BuilderRoute:
    """The template route a builder's code points at; empty fields were not knowable."""

    kind: str | None = None
    sdk_class: str | None = None
    step_assembly: str | None = None
    #: compute key (``framework_version_field``) -> config attribute
    fields: dict[str, str] = field(default_factory=dict)
    framework_name: str | None = None
    container_entrypoint: list[str] | None = None
    #: input logical name -> training channels the builder fans it out into
    channels: dict[str, list[str]] = field(default_factory=dict)
    #: channel names a helper builds from one base path (``{"train": TrainingInput(...), ...}``)
    channel_names: list[str] = field(default_factory=list)
    #: the builder runs the pipeline-variable circular-reference guard (contract.circular_ref_check)
    circular_ref_check: bool = False
    #: env var -> the config attribute ``_get_environment_variables`` sets it from (None: something else)
    env_sources: dict[str, tuple[str | None, int]] = field(default_factory=dict)
    #: ``--flag`` -> config attribute (None when the value is not ``self.config.<attr>``)
    job_arguments: list[tuple[str, str | None, int]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: why nothing was inferred (an empty string when something was)
    unknown: str = ""


def _config_attr(node: ast.AST | None) -> str | None:
    """``self.config.x`` / ``config.x`` / ``getattr(self.config, "x", d)`` / ``str(<one of those>)`` -> ``x``."""
    if isinstance(node, ast.Attribute) and last_name(node.value) == "config":
        return node.attr
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "getattr" and len(node.args) >= 2 and last_name(node.args[0]) == "config":
            return _str(node.args[1])
        if node.func.id == "str" and len(node.args) == 1:
            return _config_attr(node.args[0])
    return None


def _str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _builder_class(idx: TreeIndex, name: str | None) -> ast.ClassDef | None:
    classes = [c for c in idx.nodes(ast.ClassDef) if c.name.endswith("StepBuilder") or c.name == name]
    for cls in classes:
        if cls.name == name:
            return cls
    return classes[0] if classes else None


def read_builder_route(path: Path, sagemaker_step_type: str | None, class_name: str | None = None) -> BuilderRoute:
    """The route of the builder class in ``path`` for a step of ``sagemaker_step_type``."""
    route = BuilderRoute()
    sf = load_source(path)
    if not sf.ok:
        route.unknown = "the builder file does not parse"
        return route
    idx = index_for(sf)
    cls = _builder_class(idx, class_name)
    if cls is None:
        route.unknown = "the builder file defines no *StepBuilder class"
        return route
    table = KINDS_BY_STEP_TYPE.get(sagemaker_step_type or "", {})
    methods = {f.name: f for f in cls.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for call in (n for n in ast.walk(cls) if isinstance(n, ast.Call)):
        name = (call_name(call) or "").rsplit(".", 1)[-1]
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        if name in table and route.kind is None:
            route.kind, route.sdk_class = table[name]
            for keyword, key in FIELD_KEYWORDS.items():
                value = kw.get(keyword)
                attr = _local_config_attr(cls, value.id) if isinstance(value, ast.Name) else _config_attr(value)
                if attr:
                    route.fields[key] = attr
            if name == "FrameworkProcessor":
                route.sdk_class = last_name(kw["estimator_cls"]) if "estimator_cls" in kw else None
            entry = kw.get("entrypoint")
            if isinstance(entry, ast.List) and all(_str(e) is not None for e in entry.elts):
                route.container_entrypoint = [str(e.value) for e in entry.elts if isinstance(e, ast.Constant)]
        elif name == "ProcessingStep":
            route.step_assembly = "step_args" if "step_args" in kw else "code" if "code" in kw else None
        elif name == "retrieve" and _str(kw.get("framework")):
            route.framework_name = _str(kw.get("framework"))
    if route.kind is None:
        known = ", ".join(sorted(table)) if table else "none for this SageMaker step type"
        route.unknown = (f"the builder instantiates no SDK class a template uses (known: {known}); "
                         "compute.kind and patterns.step_assembly were not guessed")
    job_fn = methods.get("_get_job_arguments")
    called = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "_get_job_arguments"
                 for n in ast.walk(cls))
    if job_fn is not None and not called:
        if any(isinstance(r, ast.Return) and r.value is not None and not _is_none(r.value) for r in ast.walk(job_fn)):
            route.findings.append(Finding(job_fn.lineno, (
                "_get_job_arguments is defined but nothing in the builder calls it (its arguments never reach the "
                "script); job_arguments were not converted")))
    else:
        _job_arguments(idx, job_fn, route)
    _ports(idx, methods, route)
    _env_sources(methods.get("_get_environment_variables"), route)
    _channels(sf.tree, methods.get("_get_inputs"), route)
    _input_defaults(methods.get("_get_inputs"), route)
    route.channel_names = _channel_helper(methods)
    route.circular_ref_check = "_detect_circular_references" in methods
    covered = {"_detect_circular_references", "_is_pipeline_variable"} if route.circular_ref_check else set()
    if route.channel_names:
        covered.add("_create_data_channels_from_source")
    helpers = sorted(m for m in methods if m not in STANDARD_METHODS and m not in covered)
    if helpers:
        route.findings.append(Finding(methods[helpers[0]].lineno, (
            f"builder helper method(s) {', '.join(helpers)} hold logic no template runs; check it is "
            "covered by the config or the interface")))
    return route


def _job_arguments(idx: TreeIndex, fn: ast.AST | None, route: BuilderRoute) -> None:
    """``["--flag", self.config.x, ...]`` returned, assigned or ``.extend``-ed: each flag with the config
    attribute after it, in source order."""
    if fn is None:
        return
    elts: list[ast.expr] = []
    guard: dict[int, str] = {}  # id(element) -> config attribute of an ``if self.config.x:`` around it
    for node in ast.walk(fn):
        if not isinstance(node, ast.If):
            continue
        attr = _config_attr(node.test)
        if attr:
            for sub in (n for stmt in node.body for n in ast.walk(stmt)):
                guard.setdefault(id(sub), attr)
    for node in ast.walk(fn):
        if isinstance(node, (ast.Return, ast.Assign)) and isinstance(node.value, ast.List):
            elts.extend(node.value.elts)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args
              and node.func.attr in ("extend", "append")):
            arg = node.args[0]
            elts.extend(arg.elts if node.func.attr == "extend" and isinstance(arg, ast.List) else [arg])
    elts.sort(key=lambda e: (e.lineno, e.col_offset))
    if not elts:
        if any(isinstance(r, ast.Return) and r.value is not None and not _is_none(r.value) for r in ast.walk(fn)):
            route.findings.append(Finding(getattr(fn, "lineno", 1), "_get_job_arguments builds its list at run "
                                          "time; job_arguments were not converted"))
        return
    i = 0
    while i < len(elts):
        flag = _str(elts[i])
        if flag is None or not flag.startswith("-"):
            route.findings.append(Finding(elts[i].lineno, "_get_job_arguments holds a value that is not a literal "
                                          "--flag; job_arguments may be incomplete"))
            i += 1
            continue
        nxt = elts[i + 1] if i + 1 < len(elts) else None
        nxt_text = _str(nxt)
        if nxt is None or (nxt_text is not None and nxt_text.startswith("-")):
            cond = guard.get(id(elts[i]))
            route.findings.append(Finding(elts[i].lineno, (
                f"job argument {flag} is a bare flag" + (f" passed when config.{cond} is true; written with source "
                f"{cond}, so the template passes '{flag} <value of {cond}>'" if cond else
                "; the template passes '--flag value' pairs only, so it is written with an empty source "
                "(the template drops it)"))))
            route.job_arguments.append((flag, cond or "", elts[i].lineno))
            i += 1
            continue
        attr = _config_attr(nxt)
        if attr is None and isinstance(nxt, ast.Name):
            attr = _local_config_attr(fn, nxt.id)
        if attr is None:
            route.findings.append(Finding(nxt.lineno, f"job argument {flag} gets a value that is not a config "
                                          "attribute; the template passes config attributes only"))
        route.job_arguments.append((flag, attr, elts[i].lineno))
        i += 2


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _local_config_attr(fn: ast.AST, name: str) -> str | None:
    """``job_type = self.config.job_type`` earlier in the method -> ``job_type``."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return _config_attr(node.value)
    return None


def _ports(idx: TreeIndex, methods: Mapping[str, ast.AST], route: BuilderRoute) -> None:
    """Container paths written in ``_get_inputs``/``_get_outputs`` (directly or through a module
    constant) instead of read from the contract."""
    consts = module_constants(idx.sf.tree) if idx.sf.tree is not None else {}
    for name in ("_get_inputs", "_get_outputs"):
        fn = methods.get(name)
        if fn is None:
            continue
        for node in ast.walk(fn):
            text = _str(node)
            where = f"the container path '{text}'"
            if not (text and text.startswith("/opt/ml/")) and isinstance(node, ast.Name):
                value = consts.get(node.id)
                paths = [v for v in (value.values() if isinstance(value, dict) else [value])
                         if isinstance(v, str) and v.startswith("/opt/ml/")]
                text = paths[0] if paths else None
                where = f"container paths from its constant {node.id}"
            if text and text.startswith("/opt/ml/"):
                route.findings.append(Finding(getattr(node, "lineno", 1), (
                    f"{name} uses {where}; the template takes container paths from the contract "
                    "only: declare them in contract.inputs/outputs")))
                break


def _channels(tree: ast.Module | None, fn: ast.AST | None, route: BuilderRoute) -> None:
    """``for channel in CHANNELS: ... inputs["input_path"] ...``: the input fans out into CHANNELS."""
    if fn is None or tree is None:
        return
    consts = module_constants(tree)
    for loop in (n for n in ast.walk(fn) if isinstance(n, ast.For)):
        names = consts.get(loop.iter.id) if isinstance(loop.iter, ast.Name) else None
        if not (isinstance(names, (list, tuple)) and names and all(isinstance(x, str) for x in names)):
            continue
        for node in ast.walk(loop):
            if isinstance(node, ast.Subscript) and _str(node.slice) is not None:
                route.channels.setdefault(_str(node.slice), list(names))  # type: ignore[arg-type]
                break


def _channel_helper(methods: Mapping[str, ast.AST]) -> list[str]:
    """Keys of a ``{"train": TrainingInput(...), ...}`` dict a helper returns (training channel fan-out)."""
    for fn in methods.values():
        for node in ast.walk(fn):
            if isinstance(node, ast.Dict) and len(node.keys) > 1 and all(
                    _str(k) is not None for k in node.keys) and all(
                    isinstance(v, ast.Call) and (call_name(v) or "").endswith("TrainingInput") for v in node.values):
                return [str(_str(k)) for k in node.keys]
    return []


def _first_config_attr(node: ast.AST) -> str | None:
    for sub in ast.walk(node):
        attr = _config_attr(sub)
        if attr:
            return attr
    return None


def _env_sources(fn: ast.AST | None, route: BuilderRoute) -> None:
    """``env["X"] = str(self.config.y)`` and ``{"X": self.config.y}``: which config attribute feeds X."""
    if fn is None:
        return
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            name = _str(node.targets[0].slice)
            if name:
                route.env_sources[name] = (_first_config_attr(node.value), node.lineno)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                name = _str(key)
                if name:
                    route.env_sources[name] = (_first_config_attr(value), getattr(key, "lineno", node.lineno))
    if not route.env_sources:
        returns = [r.value for r in ast.walk(fn) if isinstance(r, ast.Return) and r.value is not None
                   and not _is_none(r.value) and not isinstance(r.value, ast.Dict)]
        if returns:
            attr = _first_config_attr(returns[0])
            where = f"config.{attr}" if attr else "a value"
            route.findings.append(Finding(returns[0].lineno, (
                f"_get_environment_variables returns {where} built at run time; its env var names are not "
                "knowable statically: declare them in contract.env_vars")))


def _input_defaults(fn: ast.AST | None, route: BuilderRoute) -> None:
    """``inputs = {"X": self.config.y, **inputs}``: an input taken from the config unless a step wires it."""
    if fn is None:
        return
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Dict) and None in node.keys):  # a ``**spread`` with literal keys
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            name, attr = _str(key), _config_attr(value)
            if name and attr:
                route.findings.append(Finding(getattr(key, "lineno", 1), (
                    f"_get_inputs takes input '{name}' from config.{attr} when no step provides it; "
                    f"contract.input_source_overrides would take it from the config always: not converted")))
