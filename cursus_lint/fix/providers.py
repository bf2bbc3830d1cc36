"""One fix provider per rule code: from a diagnostic and the facts to the fixed text of one file.

A provider finds what the rule reported by the diagnostic's location (and related location),
never by parsing its message, reads the other side from the facts, and edits the target file
with libcst. It returns None whenever the fix is not fully determined (a non-literal field,
a default computed at run time, a spec whose outputs are not a literal list): precision
before recall holds for fixes too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import libcst as cst

from cursus_core.source import load_source

from ..diagnostic import Diagnostic, Location
from ..facts import FileFacts
from ..model import ProjectModel, SpecVariant, StepModel
from . import SAFETY
from .cst import Parsed, _bare, append, keyword_arg, new_keyword, quote_of, remove_item, string

PROCESSING_PROPERTY_PATH = "properties.ProcessingOutputConfig.Outputs[{q}{name}{q}].S3Output.S3Uri"


@dataclass(frozen=True)
class Planned:
    """A provider's answer: the whole new text of ``path``; the caller turns it into an Edit."""

    message: str
    path: Path
    new_text: str


class Context:
    """What providers read: the project model and the current text of files (editor overlay
    first), parsed at most once per run."""

    def __init__(self, project: ProjectModel, overlay: dict[Path, str] | None = None) -> None:
        self.project = project
        self.overlay = overlay or {}
        self._parsed: dict[Path, Parsed | None] = {}

    def text(self, path: Path) -> str | None:
        return load_source(path, self.overlay).text

    def parsed(self, path: Path) -> Parsed | None:
        if path not in self._parsed:
            text = self.text(path)
            self._parsed[path] = Parsed.of(text) if text is not None else None
        return self._parsed[path]

    def step(self, d: Diagnostic) -> StepModel | None:
        """The step a diagnostic belongs to (the one holding its file when names repeat)."""
        named = [s for s in self.project.steps if s.name == d.step]
        holding = [s for s in named if d.location.path in s.files]
        return (holding or named or [None])[0]


Provider = Callable[[Diagnostic, Context], "Planned | None"]


def _at(loc: Location, span: Any) -> bool:
    return span is not None and (loc.line, loc.column, loc.end_line, loc.end_column) == \
        (span.line, span.column, span.end_line, span.end_column)


def _contract_label(step: StepModel) -> str:
    c = step.contract
    return (c.variable or (f"{c.function}()" if c.function else "the contract")) if c else "the contract"


def _add_to_contract(step: StepModel, ctx: Context, keyword: str, item: cst.Element | cst.DictElement,
                     message: str) -> Planned | None:
    """Append ``item`` to the contract's ``keyword`` list/dict, adding the keyword when absent."""
    if step.contract is None or step.contract_file is None:
        return None
    path = step.contract_file.path
    parsed = ctx.parsed(path)
    call = parsed.at(step.contract.span, cst.Call) if parsed else None
    if call is None:
        return None
    quote = quote_of(call)
    item = _requote(item, quote)
    arg = keyword_arg(call, keyword)
    if arg is None:
        empty: cst.BaseExpression = cst.Dict([]) if isinstance(item, cst.DictElement) else cst.List([])
        new_call = append(call, new_keyword(call, keyword, append(empty, item)))
        return Planned(message, path, parsed.replace(call, new_call))
    wanted = cst.Dict if isinstance(item, cst.DictElement) else cst.List
    if not isinstance(arg.value, wanted):
        return None  # a constant or an expression: not ours to rewrite
    if isinstance(item, cst.DictElement):
        model = next((e for e in arg.value.elements if isinstance(e, cst.DictElement)), None)
        if model is not None:
            item = item.with_changes(whitespace_before_colon=model.whitespace_before_colon,
                                     whitespace_after_colon=model.whitespace_after_colon)
    return Planned(message, path, parsed.replace(arg.value, append(arg.value, item)))


def _requote(item: cst.Element | cst.DictElement, quote: str) -> cst.Element | cst.DictElement:
    def re(node: cst.BaseExpression) -> cst.BaseExpression:
        return string(node.evaluated_value, quote) if isinstance(node, cst.SimpleString) else node

    if isinstance(item, cst.DictElement):
        return item.with_changes(key=re(item.key), value=re(item.value))
    return item.with_changes(value=re(item.value))


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


# ----------------------------------------------------------------------------- CL103


def add_env_var(d: Diagnostic, ctx: Context) -> Planned | None:
    """Declare a read env var: optional with the script's literal default, else required."""
    step = ctx.step(d)
    if step is None or step.script is None or step.script.script is None:
        return None
    reads = step.script.script.env_reads
    here = [r for r in reads if _at(d.location, r.span)]
    here = [r for r in here if f"'{r.name}'" in d.message] or here
    if not here:
        return None
    name = here[0].name
    same = [r for r in reads if r.name == name]
    literal = next((r for r in same if r.has_default and r.default_is_literal and r.default is not None), None)
    label = _contract_label(step)
    if literal is not None:
        value = _as_text(literal.default)
        item = cst.DictElement(cst.SimpleString(repr(name)), cst.SimpleString(repr(value)))
        return _add_to_contract(step, ctx, "optional_env_vars", item,
                                f"declare '{name}' in optional_env_vars of '{label}' (default {value!r})")
    if any(r.has_default for r in same):
        return None  # a default the script computes at run time: required would be wrong
    return _add_to_contract(step, ctx, "required_env_vars", cst.Element(cst.SimpleString(repr(name))),
                            f"declare '{name}' in required_env_vars of '{label}'")


# ----------------------------------------------------------------------------- CL106 / CL107


def _remove(d: Diagnostic, ctx: Context, field: str) -> Planned | None:
    step = ctx.step(d)
    contract = step.contract if step is not None else None
    if contract is None or step.contract_file is None or d.location.path != step.contract_file.path:
        return None
    if field == "required_env_vars":
        names = [i.name for i in contract.required_env_vars if _at(d.location, i.span)]
    else:
        names = [n for n, e in contract.optional_env_vars.items() if _at(d.location, e.key_span)]
    parsed = ctx.parsed(d.location.path)
    node = parsed.at(d.location, cst.SimpleString) if parsed and names else None
    if node is None or node.evaluated_value != names[0]:
        return None
    item = parsed.parent(node)
    container = parsed.parent(item) if item is not None else None
    kinds = (cst.Element, cst.List) if field == "required_env_vars" else (cst.DictElement, cst.Dict)
    if not isinstance(item, kinds[0]) or not isinstance(container, kinds[1]):
        return None
    if isinstance(item, cst.DictElement) and item.key is not node:
        return None
    return Planned(f"remove '{names[0]}' from {field} of '{_contract_label(step)}'", d.location.path,
                   remove_item(parsed, container, item))


def remove_required_env_var(d: Diagnostic, ctx: Context) -> Planned | None:
    return _remove(d, ctx, "required_env_vars")


def remove_optional_env_var(d: Diagnostic, ctx: Context) -> Planned | None:
    return _remove(d, ctx, "optional_env_vars")


# ----------------------------------------------------------------------------- CL108


def add_argument(d: Diagnostic, ctx: Context) -> Planned | None:
    """Declare an argparse option in ``expected_arguments`` with its literal default (else "")."""
    step = ctx.step(d)
    if step is None or step.script is None or step.script.script is None:
        return None
    arg = next((a for a in step.script.script.arg_defs if _at(d.location, a.span)), None)
    if arg is None or not arg.raw.startswith("-"):
        return None  # positional arguments are not passed as --key value
    key = arg.raw.lstrip("-")
    value = _as_text(arg.default) if arg.default_is_literal and arg.default is not None else ""
    item = cst.DictElement(cst.SimpleString(repr(key)), cst.SimpleString(repr(value)))
    return _add_to_contract(step, ctx, "expected_arguments", item,
                            f"declare '{key}' in expected_arguments of '{_contract_label(step)}'")


# ----------------------------------------------------------------------------- CL203


def _bound_names(facts: FileFacts) -> set[str]:
    names: set[str] = set()
    if facts.module is None:
        return names
    for imp in facts.module.imports:
        aliases = imp.aliases or (None,) * len(imp.names)
        names.update(a or n for n, a in zip(imp.names, aliases))
    names.update(facts.module.definitions)
    return names


def _variant_at(step: StepModel, loc: Location, keyword: str) -> SpecVariant | None:
    for v in step.specs:
        if v.path == loc.path and _at(loc, v.spec.keyword_spans.get(keyword) or v.spec.span):
            return v
    return None


def add_spec_output(d: Diagnostic, ctx: Context) -> Planned | None:
    """Add a Processing ``OutputSpec`` for a contract output, shaped like the spec's other outputs."""
    from ..rules._level2 import resolve_contract

    step = ctx.step(d)
    if step is None or step.sagemaker_step_type != "Processing" or not d.related:
        return None
    variant = _variant_at(step, d.location, "outputs")
    if variant is None or variant.spec.node_type in ("sink", "singular"):
        return None
    resolved = resolve_contract(step, variant, ctx.project, quiet=True)
    if resolved is None or resolved.foreign_owner is not None:
        return None
    want = d.related[0].location
    name = next((n for n, e in resolved.facts.outputs.items()
                 if want.path == resolved.path and _at(want, e.key_span)), None)
    parsed = ctx.parsed(variant.path)
    call = parsed.at(variant.spec.span, cst.Call) if parsed and name is not None else None
    arg = keyword_arg(call, "outputs") if call is not None else None
    if arg is None or not isinstance(arg.value, (cst.List, cst.Dict)):
        return None
    outputs = arg.value
    template = next((e.value for e in reversed(outputs.elements)
                     if isinstance(e.value, cst.Call) and keyword_arg(e.value, "logical_name") is not None
                     and all(a.keyword is not None for a in e.value.args)), None)
    bound = _bound_names(variant.file)
    made = _output_call(template, name, bound)
    if made is None:
        return None
    q = quote_of(outputs)
    item: cst.Element | cst.DictElement = cst.Element(made)
    if isinstance(outputs, cst.Dict):
        model = next((e for e in outputs.elements if isinstance(e, cst.DictElement)), None)
        item = cst.DictElement(string(name, q), made)
        if model is not None:
            item = item.with_changes(whitespace_before_colon=model.whitespace_before_colon,
                                     whitespace_after_colon=model.whitespace_after_colon)
    return Planned(f"add output '{name}' to spec '{variant.spec.variable or variant.path.name}'", variant.path,
                   parsed.replace(outputs, append(outputs, item)))


def _output_call(template: cst.Call | None, name: str, bound: set[str]) -> cst.Call | None:
    """``OutputSpec(logical_name=..., output_type=...PROCESSING_OUTPUT, property_path=...)``."""
    kinds = None
    if template is not None:
        kind_arg = keyword_arg(template, "output_type")
        if kind_arg is not None and isinstance(kind_arg.value, cst.Attribute):
            kinds = kind_arg.value.value
    if kinds is None:
        if "DependencyType" not in bound:
            return None
        kinds = cst.Name("DependencyType")
    output_type = cst.Attribute(kinds, cst.Name("PROCESSING_OUTPUT"))
    q = quote_of(template)
    inner = "'" if q == '"' else '"'
    values = {
        "logical_name": string(name, q),
        "output_type": output_type,
        "property_path": string(PROCESSING_PROPERTY_PATH.format(q=inner, name=name), q),
    }
    if template is None:
        if "OutputSpec" not in bound:
            return None
        call = cst.Call(cst.Name("OutputSpec"))
        for key, value in values.items():
            call = append(call, new_keyword(call, key, value))
        return call
    # the new call keeps the template's opening and closing layout; append() spaces the rest
    last = template.args[-1]
    first = (keyword_arg(template, "logical_name") or last).with_changes(
        value=values["logical_name"], keyword=cst.Name("logical_name"),
        comma=last.comma.with_changes(whitespace_after=_bare(last.comma.whitespace_after))
        if isinstance(last.comma, cst.Comma) else last.comma,
        whitespace_after_arg=_bare(last.whitespace_after_arg))
    call = template.with_changes(args=[first])
    for key in ("output_type", "property_path"):
        call = append(call, new_keyword(call, key, values[key]))
    return call


# ----------------------------------------------------------------------------- CL205


def fix_property_path(d: Diagnostic, ctx: Context) -> Planned | None:
    """Point a Processing property_path at its own output."""
    from ..rules._level2 import output_name, processing_output_key

    step = ctx.step(d)
    if step is None:
        return None
    for variant in step.specs:
        if variant.path != d.location.path:
            continue
        for out in variant.spec.outputs:
            if not _at(d.location, out.property_path_span or out.span) or out.property_path is None:
                continue
            name, found = output_name(out), processing_output_key(out.property_path)
            if name is None or found is None or out.property_path_span is None:
                return None
            quote, named = found
            expected = out.property_path.replace(f"[{quote}{named}{quote}]", f"[{quote}{name}{quote}]", 1)
            parsed = ctx.parsed(variant.path)
            node = parsed.at(out.property_path_span, cst.SimpleString) if parsed else None
            if node is None or node.evaluated_value != out.property_path:
                return None
            raw = node.value.replace(f"[{quote}{named}{quote}]", f"[{quote}{name}{quote}]", 1)
            try:
                same = ast.literal_eval(raw) == expected
            except (SyntaxError, ValueError):
                same = False
            new = node.with_changes(value=raw) if same else string(expected, node.quote[0])
            return Planned(f"read output '{name}' in property_path", variant.path, parsed.replace(node, new))
    return None


_FUNCTIONS: dict[str, Provider] = {
    "CL103": add_env_var,
    "CL106": remove_required_env_var,
    "CL107": remove_optional_env_var,
    "CL108": add_argument,
    "CL203": add_spec_output,
    "CL205": fix_property_path,
}

#: code -> (safety, provider); safety comes from :data:`cursus_lint.fix.SAFETY`
PROVIDERS: dict[str, tuple[str, Provider]] = {code: (SAFETY[code], fn) for code, fn in _FUNCTIONS.items()}
