"""Script contracts: ``X = ScriptContract(...)`` / ``TrainingScriptContract(...)``, also when
returned from a function such as ``def _get_contract(): return ScriptContract(...)``.

Recognised by the call name's tail (``...ScriptContract``), never by resolving imports.
"""

from __future__ import annotations

import ast
from collections import Counter

from cursus_core.literals import call_name
from cursus_core.source import SourceFile

from ._index import TreeIndex, index_for
from ._values import Values, wrong_type
from .model import ContractFacts, Entry, NamedItem, Span

UNKNOWN_KIND = "non-literal-contract-field"


def is_contract_call(node: ast.AST) -> bool:
    name = call_name(node) if isinstance(node, ast.Call) else None
    return bool(name and name.endswith("ScriptContract"))


def extract_contracts(sf: SourceFile, stats: Counter[str] | None = None,
                      index: TreeIndex | None = None) -> list[ContractFacts]:
    if not sf.ok:
        return []
    idx = index or index_for(sf)
    calls = [c for c in idx.nodes(ast.Call) if is_contract_call(c)]
    if not calls:
        return []
    values = Values(idx, stats if stats is not None else Counter(), UNKNOWN_KIND)
    out = [_contract(values, call) for call in calls]
    out.sort(key=lambda c: (c.span.line, c.span.column))
    return out


def _contract(values: Values, call: ast.Call) -> ContractFacts:
    idx = values.idx
    class_name = call_name(call) or "ScriptContract"
    variable, variable_span = None, None
    parent = idx.parent(call)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        target = parent.targets[0] if isinstance(parent, ast.Assign) else parent.target
        if isinstance(target, ast.Name):
            variable, variable_span = target.id, idx.span(target)
    fn = idx.enclosing_function(call)
    non_literal: dict[str, Span] = {}
    keyword_spans: dict[str, Span] = {}
    value_spans: dict[str, Span] = {}
    entry_point: Entry | None = None
    wrong: dict[str, str] = {}
    inputs: dict[str, Entry] = {}
    outputs: dict[str, Entry] = {}
    required: tuple[NamedItem, ...] = ()
    optional: dict[str, Entry] = {}
    arguments: dict[str, Entry] = {}
    for arg in call.args:
        values.unknown(non_literal, "*args", arg)
    for kw in call.keywords:
        if kw.arg is None:
            values.unknown(non_literal, "**", kw.value)
            continue
        keyword_spans[kw.arg] = idx.span(kw)
        value_spans[kw.arg] = idx.span(kw.value)
        if kw.arg == "entry_point":
            text = values.string(values.deref(kw.value))
            if text is None:
                values.unknown(non_literal, "entry_point", kw.value)
                found = wrong_type(values.deref(kw.value), "str")
                if found is not None:
                    wrong["entry_point"] = found
            entry_point = Entry(text, idx.span(kw), idx.span(kw.value))
        elif kw.arg == "expected_input_paths":
            inputs = values.dict_entries(kw.value, kw.arg, non_literal)
        elif kw.arg == "expected_output_paths":
            outputs = values.dict_entries(kw.value, kw.arg, non_literal)
        elif kw.arg == "required_env_vars":
            required = values.list_items(kw.value, kw.arg, non_literal)
        elif kw.arg == "optional_env_vars":
            optional = values.dict_entries(kw.value, kw.arg, non_literal)
        elif kw.arg == "expected_arguments":
            arguments = values.dict_entries(kw.value, kw.arg, non_literal)
    return ContractFacts(
        variable=variable,
        function=fn.name if fn is not None else None,
        class_name=class_name,
        is_training=class_name.endswith("TrainingScriptContract"),
        span=idx.span(call),
        entry_point=entry_point,
        inputs=inputs,
        outputs=outputs,
        required_env_vars=tuple(required),
        optional_env_vars=optional,
        expected_arguments=arguments,
        keyword_spans=keyword_spans,
        value_spans=value_spans,
        non_literal=non_literal,
        variable_span=variable_span,
        wrong_types=wrong,
    )
