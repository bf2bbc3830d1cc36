"""Config and hyperparameter classes: fields, private attrs, properties and methods.

Only what a class declares itself is recorded; the inheritance chain (possibly outside the
repo) is the rules' business, through ``bases``.
"""

from __future__ import annotations

import ast
from collections import Counter

from cursus_core.literals import NotLiteral, call_name, dotted_name, literal_value, module_constants
from cursus_core.source import SourceFile

from ._index import TreeIndex, index_for
from ._unknown import at_node as _at
from ._unknown import note
from .env_collector import COLLECTOR_MEMBERS, env_collector
from .model import ConfigFacts, EnvCollector, FieldFacts, Span


def extract_configs(sf: SourceFile, stats: Counter[str] | None = None,
                    index: TreeIndex | None = None) -> list[ConfigFacts]:
    if not sf.ok:
        return []
    idx = index or index_for(sf)
    classes = idx.nodes(ast.ClassDef)
    if not classes:
        return []
    st = stats if stats is not None else Counter()
    consts = module_constants(idx.tree)
    out = [_config(idx, cls, consts, st) for cls in classes]
    out.sort(key=lambda c: (c.span.line, c.span.column))
    return out


def _segment(idx: TreeIndex, node: ast.expr | None) -> str | None:
    """Source text of a one-line annotation (cheaper than ``ast.unparse``)."""
    if node is None:
        return None
    if node.lineno == node.end_lineno and 0 < node.lineno <= len(idx.lines):
        span = idx.span(node)
        return idx.lines[node.lineno - 1][span.column - 1:span.end_column - 1]
    return ast.unparse(node)


def _literal(node: ast.AST, consts: dict) -> tuple[bool, object]:
    try:
        return True, literal_value(node, consts)
    except (NotLiteral, TypeError, RecursionError):
        return False, None


def _decorators(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for d in fn.decorator_list:
        name = dotted_name(d.func if isinstance(d, ast.Call) else d)
        if name:
            names.add(name)
            names.add(name.split(".")[-1])
    return names


def _config(idx: TreeIndex, cls: ast.ClassDef, consts: dict, stats: Counter[str]) -> ConfigFacts:
    bases = []
    for base in cls.bases:
        name = dotted_name(base)
        if name is None:
            note(stats, "dynamic-base-class", base, *_at(idx, base))
            name = "<dynamic>"
        bases.append(name)
    fields: dict[str, FieldFacts] = {}
    private: dict[str, Span] = {}
    class_attrs: dict[str, Span] = {}
    properties: dict[str, Span] = {}
    methods: dict[str, Span] = {}
    classmethods: dict[str, Span] = {}
    staticmethods: dict[str, Span] = {}
    collectors: dict[str, EnvCollector] = {}
    functions = {s.name: s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            span = idx.span(stmt.target)
            value = stmt.value
            if name.startswith("_") or (isinstance(value, ast.Call) and call_name(value) == "PrivateAttr"):
                private[name] = span
                continue
            annotation = _segment(idx, stmt.annotation)
            fields[name] = _field(name, annotation, span, value, consts, stats, idx)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    is_private = target.id.startswith("_") or (
                        isinstance(stmt.value, ast.Call) and call_name(stmt.value) == "PrivateAttr")
                    (private if is_private else class_attrs)[target.id] = idx.span(target)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            decorators = _decorators(stmt)
            span = idx.name_span(stmt)
            if stmt.name in COLLECTOR_MEMBERS and not any(d.endswith((".setter", ".deleter")) for d in decorators):
                collectors[stmt.name] = env_collector(idx, stmt, functions)
            if "property" in decorators or "cached_property" in decorators:
                properties[stmt.name] = span
            elif any(d.endswith(".setter") or d.endswith(".deleter") for d in decorators):
                continue
            elif "classmethod" in decorators:
                classmethods[stmt.name] = span
            elif "staticmethod" in decorators:
                staticmethods[stmt.name] = span
            else:
                methods[stmt.name] = span
    return ConfigFacts(
        name=cls.name, bases=tuple(bases), span=idx.span(cls), name_span=idx.name_span(cls),
        fields=fields, private_attrs=private, class_attrs=class_attrs, properties=properties,
        methods=methods, classmethods=classmethods, staticmethods=staticmethods, env_collectors=collectors,
    )


def _field(name: str, annotation: str | None, span: Span, value: ast.AST | None, consts: dict,
           stats: Counter[str], idx: TreeIndex | None = None) -> FieldFacts:
    class_var = annotation is not None and annotation.split("[")[0].split(".")[-1] == "ClassVar"
    if value is None:
        return FieldFacts(name, annotation, span, required=not class_var, has_default=False,
                          class_var=class_var)
    if isinstance(value, ast.Call) and call_name(value) == "Field":
        kw = {k.arg: k.value for k in value.keywords if k.arg}
        default = value.args[0] if value.args else kw.get("default")
        if default is None:
            has_factory = "default_factory" in kw
            return FieldFacts(name, annotation, span, required=not has_factory, has_default=has_factory,
                              via_field=True, class_var=class_var)
        if isinstance(default, ast.Constant) and default.value is Ellipsis:
            return FieldFacts(name, annotation, span, required=True, has_default=False, via_field=True,
                              class_var=class_var)
        ok, literal = _literal(default, consts)
        if not ok:
            note(stats, "non-literal-field-default", default, *_at(idx, default))
        return FieldFacts(name, annotation, span, required=False, has_default=True, default=literal,
                          default_is_literal=ok, via_field=True, class_var=class_var,
                          default_span=idx.span(default) if idx is not None else None)
    ok, literal = _literal(value, consts)
    if not ok:
        note(stats, "non-literal-field-default", value, *_at(idx, value))
    return FieldFacts(name, annotation, span, required=False, has_default=True, default=literal,
                      default_is_literal=ok, class_var=class_var,
                      default_span=idx.span(value) if idx is not None else None)
