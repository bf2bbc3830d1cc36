"""Step specifications: ``X_SPEC = StepSpecification(...)`` with dependencies and outputs.

The ``script_contract`` reference is resolved statically to the import it came from,
following ``_get_contract()`` helper functions into their body.
"""

from __future__ import annotations

import ast
from collections import Counter

from cursus_core.literals import call_name, dotted_name
from cursus_core.source import SourceFile

from ._index import TreeIndex, index_for
from ._values import Values, wrong_type
from .contract import is_contract_call
from .model import ContractRef, DependencyFacts, OutputFacts, SpecFacts, Span, StepTypeRef

UNKNOWN_KIND = "non-literal-spec-field"
STEP_TYPE_CALLS = {"spec_type_with_job_type", "get_spec_step_type", "get_spec_step_type_with_job_type"}


def extract_specs(sf: SourceFile, stats: Counter[str] | None = None,
                  index: TreeIndex | None = None) -> list[SpecFacts]:
    if not sf.ok:
        return []
    idx = index or index_for(sf)
    calls = [c for c in idx.nodes(ast.Call) if (call_name(c) or "").endswith("StepSpecification")]
    if not calls:
        return []
    values = Values(idx, stats if stats is not None else Counter(), UNKNOWN_KIND)
    out = [_spec(values, call) for call in calls]
    out.sort(key=lambda s: (s.span.line, s.span.column))
    return out


def _enum_value(values: Values, node: ast.AST, label: str, non_literal: dict[str, Span]) -> str | None:
    """``DependencyType.PROCESSING_OUTPUT`` / ``"processing_output"`` -> ``"processing_output"``."""
    node = values.deref(node)
    if isinstance(node, ast.Attribute):
        return node.attr.lower()
    text = values.string(node)
    if text is None:
        values.unknown(non_literal, label, node)
        return None
    return text.lower()


def _spec(values: Values, call: ast.Call) -> SpecFacts:
    idx = values.idx
    variable, variable_span = None, None
    parent = idx.parent(call)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        target = parent.targets[0] if isinstance(parent, ast.Assign) else parent.target
        if isinstance(target, ast.Name):
            variable, variable_span = target.id, idx.span(target)
    non_literal: dict[str, Span] = {}
    keyword_spans: dict[str, Span] = {}
    step_type: StepTypeRef | None = None
    node_type: str | None = None
    node_type_span: Span | None = None
    contract = ContractRef("none", None, None)
    deps: tuple[DependencyFacts, ...] = ()
    outs: tuple[OutputFacts, ...] = ()
    deps_shape = outs_shape = "none"
    for arg in call.args:
        values.unknown(non_literal, "*args", arg)
    for kw in call.keywords:
        if kw.arg is None:
            values.unknown(non_literal, "**", kw.value)
            continue
        keyword_spans[kw.arg] = idx.span(kw)
        if kw.arg == "step_type":
            step_type = _step_type(values, kw.value, non_literal)
        elif kw.arg == "node_type":
            node_type = _enum_value(values, kw.value, "node_type", non_literal)
            node_type_span = idx.span(kw.value)
        elif kw.arg == "script_contract":
            contract = _contract_ref(values, kw.value)
            if contract.kind == "dynamic":
                values.unknown(non_literal, "script_contract", kw.value)
        elif kw.arg == "dependencies":
            deps_shape, items = _items(values, kw.value, "DependencySpec", "dependencies", non_literal)
            deps = tuple(_dependency(values, c, key) for key, c in items)
        elif kw.arg == "outputs":
            outs_shape, items = _items(values, kw.value, "OutputSpec", "outputs", non_literal)
            outs = tuple(_output(values, c, key) for key, c in items)
    return SpecFacts(
        variable=variable, span=idx.span(call), step_type=step_type, node_type=node_type,
        node_type_span=node_type_span, script_contract=contract, dependencies=deps, outputs=outs,
        dependencies_shape=deps_shape, outputs_shape=outs_shape, keyword_spans=keyword_spans,
        non_literal=non_literal, variable_span=variable_span,
        wrong_types=_wrong_types(values, {k.arg: k.value for k in call.keywords if k.arg},
                                 {"step_type": "str", "dependencies": "list", "outputs": "list"}),
    )


def _step_type(values: Values, node: ast.AST, non_literal: dict[str, Span]) -> StepTypeRef:
    span = values.idx.span(node)
    target = values.deref(node)
    if isinstance(target, ast.Call) and call_name(target) in STEP_TYPE_CALLS:
        args = list(target.args)
        kw = {k.arg: k.value for k in target.keywords if k.arg}
        base_node = args[0] if args else kw.get("base_step_type", kw.get("step_name"))
        job_node = args[1] if len(args) > 1 else kw.get("job_type")
        base = values.string(base_node) if base_node is not None else None
        job = values.string(job_node) if job_node is not None else None
        if base is None or (job_node is not None and job is None):
            values.unknown(non_literal, "step_type", node)
        return StepTypeRef(base, job, call_name(target) or "dynamic", span)
    text = values.string(target)
    if text is not None:
        return StepTypeRef(text, None, "literal", span)
    values.unknown(non_literal, "step_type", node)
    return StepTypeRef(None, None, "dynamic", span)


def _wrong_types(values: Values, keywords: dict[str, ast.AST], expected: dict[str, str]) -> dict[str, str]:
    """keyword -> the literal type it was given, for keywords whose type cannot be right."""
    out: dict[str, str] = {}
    for name, want in expected.items():
        if name in keywords:
            found = wrong_type(values.deref(keywords[name]), want)
            if found is not None:
                out[name] = found
    return out


def _import_of(values: Values, name: str, scope: ast.AST | None) -> tuple[str, int, str] | None:
    """Where ``name`` is imported from: inside ``scope`` (a function) first, then the module."""
    if scope is not None:
        for node in ast.walk(scope):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        return node.module or "", node.level or 0, alias.name
    hit = values.idx.import_map().get(name)
    if hit is None:
        return None
    module, level, original = hit
    return module, level, original or name


def _contract_ref(values: Values, node: ast.AST) -> ContractRef:
    idx = values.idx
    span = idx.span(node)
    if isinstance(node, ast.Constant) and node.value is None:
        return ContractRef("none", None, span)
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = dotted_name(node)
        if name is None:
            return ContractRef("dynamic", None, span)
        head = name.split(".")[0]
        imp = _import_of(values, head, None)
        if imp is not None:
            module, level, original = imp
            if "." in name:  # import pkg.contracts as c; c.X_CONTRACT
                return ContractRef("name", name, span, module, level, name.split(".")[-1])
            return ContractRef("name", name, span, module, level, original)
        return ContractRef("name", name, span, local=head in values.assigns)
    if isinstance(node, ast.Call):
        if is_contract_call(node):
            return ContractRef("call", call_name(node), span, local=True)
        fname = dotted_name(node.func)
        fn = next((s for s in idx.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and s.name == fname), None)
        if fn is None:
            return ContractRef("call", fname, span)
        returned = next((s.value for s in ast.walk(fn) if isinstance(s, ast.Return) and s.value is not None), None)
        if returned is not None and is_contract_call(returned):
            return ContractRef("call", fname, span, local=True)
        if isinstance(returned, ast.Name):
            imp = _import_of(values, returned.id, fn)
            if imp is not None:
                return ContractRef("call", fname, span, imp[0], imp[1], imp[2])
            return ContractRef("call", fname, span, imported_name=returned.id,
                               local=returned.id in values.assigns)
        return ContractRef("call", fname, span)
    return ContractRef("dynamic", None, span)


def _items(values: Values, node: ast.AST, cls: str, label: str,
           non_literal: dict[str, Span]) -> tuple[str, list[tuple[str | None, ast.Call]]]:
    target = values.deref(node)
    pairs: list[tuple[str | None, ast.AST]]
    if isinstance(target, (ast.List, ast.Tuple)):
        shape, pairs = "list", [(None, e) for e in target.elts]
    elif isinstance(target, ast.Dict):
        shape, pairs = "dict", []
        for k, v in zip(target.keys, target.values, strict=True):
            key = values.string(k) if k is not None else None
            if key is None:
                values.unknown(non_literal, f"{label}.key", k if k is not None else v)
                continue
            pairs.append((key, v))
    else:
        values.unknown(non_literal, label, node)
        return "dynamic", []
    out: list[tuple[str | None, ast.Call]] = []
    for key, elt in pairs:
        item = values.deref(elt)
        if isinstance(item, ast.Call) and (call_name(item) or "").endswith(cls):
            out.append((key, item))
        else:
            values.unknown(non_literal, f"{label}[]", elt)
    return shape, out


def _dependency(values: Values, call: ast.Call, key: str | None) -> DependencyFacts:
    idx = values.idx
    nl: dict[str, Span] = {}
    kw = {k.arg: k for k in call.keywords if k.arg}
    for arg in call.args:
        values.unknown(nl, "*args", arg)
    logical = values.string(kw["logical_name"].value) if "logical_name" in kw else None
    if logical is None and "logical_name" in kw:
        values.unknown(nl, "logical_name", kw["logical_name"].value)
    dep_type = _enum_value(values, kw["dependency_type"].value, "dependency_type", nl) \
        if "dependency_type" in kw else None
    required: bool | None = True
    if "required" in kw:
        ok, value = values.literal(kw["required"].value)
        required = value if ok and isinstance(value, bool) else None
        if required is None:
            values.unknown(nl, "required", kw["required"].value)
    sources = values.list_items(kw["compatible_sources"].value, "compatible_sources", nl) \
        if "compatible_sources" in kw else ()
    return DependencyFacts(
        logical_name=logical,
        dependency_type=dep_type,
        required=required,
        compatible_sources=tuple(item.name for item in sources),
        compatible_source_spans=tuple(item.span for item in sources),
        semantic_keywords=values.strings(kw["semantic_keywords"].value, "semantic_keywords", nl)
        if "semantic_keywords" in kw else (),
        data_type=values.string(kw["data_type"].value) if "data_type" in kw else None,
        span=idx.span(call),
        keyword_spans={name: idx.span(k) for name, k in kw.items()},
        dict_key=key,
        non_literal=nl,
        wrong_types=_wrong_types(values, {k: v.value for k, v in kw.items()}, {"logical_name": "str"}),
    )


def _output(values: Values, call: ast.Call, key: str | None) -> OutputFacts:
    idx = values.idx
    nl: dict[str, Span] = {}
    kw = {k.arg: k for k in call.keywords if k.arg}
    for arg in call.args:
        values.unknown(nl, "*args", arg)
    logical = values.string(kw["logical_name"].value) if "logical_name" in kw else None
    if logical is None and "logical_name" in kw:
        values.unknown(nl, "logical_name", kw["logical_name"].value)
    prop = values.string(kw["property_path"].value) if "property_path" in kw else None
    if prop is None and "property_path" in kw:
        values.unknown(nl, "property_path", kw["property_path"].value)
    return OutputFacts(
        logical_name=logical,
        output_type=_enum_value(values, kw["output_type"].value, "output_type", nl)
        if "output_type" in kw else None,
        property_path=prop,
        aliases=values.strings(kw["aliases"].value, "aliases", nl) if "aliases" in kw else (),
        data_type=values.string(kw["data_type"].value) if "data_type" in kw else None,
        span=idx.span(call),
        property_path_span=idx.span(kw["property_path"].value) if "property_path" in kw else None,
        keyword_spans={name: idx.span(k) for name, k in kw.items()},
        dict_key=key,
        non_literal=nl,
        wrong_types=_wrong_types(values, {k: v.value for k, v in kw.items()}, {"logical_name": "str"}),
    )
