"""What fix providers share: the context they read, their answer, and the edits several rules make.

A provider lives in its rule's file (``@RULE.fixer``). It finds what the rule reported by the
diagnostic's location (and related location), never by parsing its message, reads the other
side from the facts, and edits the target file with libcst through these helpers. It returns
None whenever the fix is not fully determined (a non-literal field, a default computed at run
time, a spec whose outputs are not a literal list): precision before recall holds for fixes too.

This module imports libcst; rule files import it inside their provider, so a check without
fixes never loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import libcst as cst


from ..diagnostic import Diagnostic
from ..model import ProjectModel, StepModel
from ..model import contract_label as _contract_label
from .planned import Planned
from .shape import ShapeContext, env_var_entry
from .cst import Parsed, _bare, append, keyword_arg, new_keyword, quote_of, remove_item, string

PROCESSING_PROPERTY_PATH = "properties.ProcessingOutputConfig.Outputs[{q}{name}{q}].S3Output.S3Uri"


class Context(ShapeContext):
    """What providers read: the project model and the current text of files (editor overlay
    first), parsed at most once per run."""

    def __init__(self, project: ProjectModel, overlay: dict[Path, str] | None = None) -> None:
        super().__init__(project, overlay)
        self._parsed: dict[Path, Parsed | None] = {}

    def parsed(self, path: Path) -> Parsed | None:
        if path not in self._parsed:
            text = self.text(path)
            self._parsed[path] = Parsed.of(text) if text is not None else None
        return self._parsed[path]


def contract_label(step: StepModel) -> str:
    c = step.contract
    if c is None:
        return "the contract"
    return _contract_label(c, step.contract_file.path if step.contract_file is not None else None)


# ----------------------------------------------------------------------------- contract edits


def add_to_contract(step: StepModel, ctx: Context, keyword: str, item: cst.Element | cst.DictElement,
                    message: str) -> Planned | None:
    """Append ``item`` to the contract's ``keyword`` list/dict, adding the keyword when absent."""
    if step.contract is None or step.contract_file is None:
        return None
    path = step.contract_file.path
    parsed = ctx.parsed(path)
    call = parsed.at(step.contract.span, cst.Call) if parsed else None
    if parsed is None or call is None:
        return None
    quote = quote_of(call)
    item = _requote(item, quote)
    arg = keyword_arg(call, keyword)
    if arg is None:
        empty: cst.List | cst.Dict = cst.Dict([]) if isinstance(item, cst.DictElement) else cst.List([])
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
        if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
            return string(node.evaluated_value, quote)
        return node

    if isinstance(item, cst.DictElement):
        return item.with_changes(key=re(item.key), value=re(item.value))
    return item.with_changes(value=re(item.value))


def remove_env_var(d: Diagnostic, ctx: Context, field: str) -> Planned | None:
    """Remove the env var ``d`` points at from the contract's ``required_env_vars`` list or
    ``optional_env_vars`` dict (with its own lines and comment)."""
    step = ctx.step(d)
    name = env_var_entry(d, step, field)
    parsed = ctx.parsed(d.location.path) if step is not None and name is not None else None
    node = parsed.at(d.location, cst.SimpleString) if parsed else None
    if step is None or parsed is None or node is None or node.evaluated_value != name:
        return None
    item = parsed.parent(node)
    container = parsed.parent(item) if item is not None else None
    kinds = (cst.Element, cst.List) if field == "required_env_vars" else (cst.DictElement, cst.Dict)
    if not isinstance(item, kinds[0]) or not isinstance(container, kinds[1]):
        return None
    if isinstance(item, cst.DictElement) and item.key is not node:
        return None
    return Planned(f"remove '{name}' from {field} of '{contract_label(step)}'", d.location.path,
                   remove_item(parsed, container, item))


# ----------------------------------------------------------------------------- spec edits


def output_call(template: cst.Call | None, name: str, bound: set[str]) -> cst.Call | None:
    """``OutputSpec(logical_name=..., output_type=...PROCESSING_OUTPUT, property_path=...)``,
    laid out like ``template`` (another output of the spec) when there is one."""
    kinds: cst.BaseExpression | None = None
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
    values: dict[str, cst.BaseExpression] = {
        "logical_name": string(name, q),
        "output_type": output_type,
        "property_path": string(PROCESSING_PROPERTY_PATH.format(q=inner, name=name), q),
    }
    if template is None:
        if "OutputSpec" not in bound:
            return None
        call: cst.Call = cst.Call(cst.Name("OutputSpec"))
        for key, value in values.items():
            call = cast(cst.Call, append(call, new_keyword(call, key, value)))
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
        call = cast(cst.Call, append(call, new_keyword(call, key, values[key])))
    return call
