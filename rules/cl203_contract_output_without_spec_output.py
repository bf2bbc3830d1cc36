"""CL203 contract-output-without-spec-output: a contract output no spec variant output names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cursus_lint.diagnostic import Diagnostic, Location, Severity
from cursus_lint.model import ProjectModel, SpecVariant, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import BASE, edit, line_of, repo
from ._level2 import contract_names_missing_in_spec, resolve_contract, spec_label

if TYPE_CHECKING:  # pragma: no cover
    from cursus_lint.fix.context import Context
    from cursus_lint.fix.planned import Planned
    from cursus_lint.fix.shape import ShapeContext

_BAD_CONTRACT = edit("contract", 'expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},',
                     'expected_output_paths={\n        "clean_data": "/opt/ml/processing/output/clean",\n'
                     '        "report": "/opt/ml/processing/output/report",\n    },')

# the "Use instead" of the docs: the spec declares the output
_FIXED_SPEC = edit("spec", "        ),\n    ],\n)\n", '''        ),
        OutputSpec(
            logical_name="report",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri",
        ),
    ],
)
''')

RULE = Rule(
    code="CL203",
    name="contract-output-without-spec-output",
    summary="The script contract declares an output that the step specification has no output for.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every logical name in the contract's `expected_output_paths` must be the `logical_name` of an
`OutputSpec` in the step specification, for every job-type variant spec that references the
contract.

## Why it matters
Builders create one `ProcessingOutput` per spec output, uploading the contract's container path
for the same logical name. Whatever the script writes to an output the spec does not declare is
never uploaded, and no downstream step can depend on it.

## Example
```python
# steps/contracts/clean_contract.py
expected_output_paths={
    "clean_data": "/opt/ml/processing/output/clean",
    "report": "/opt/ml/processing/output/report",      # no OutputSpec named 'report'
}
# steps/specs/clean_spec.py
outputs=[OutputSpec(logical_name="clean_data", ...)]   # CL203
```
Use instead:
```python
outputs=[
    OutputSpec(logical_name="clean_data", ...),
    OutputSpec(logical_name="report", output_type=DependencyType.PROCESSING_OUTPUT,
               property_path="properties.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri"),
]
```

## How to fix
Add an output with the same logical name to each spec variant, or drop the path from the
contract if the script no longer writes it.

## Fix safety
Safe: the fix adds an `OutputSpec` for an output the script already writes, shaped like the
spec's other outputs (`PROCESSING_OUTPUT` with the Processing property path), so the builder
starts uploading it. It is offered only for Processing steps whose spec has a literal `outputs`
list or dict and is neither a sink nor singular, and not when the spec imports another step's
contract (the contract, not the spec, may be the one to change then).
In a `.step.yaml` the fix adds `spec.outputs.<name>` with `type: processing_output` and the
Processing `property_path`, indented like the other outputs (adding `outputs:` under `spec`
when there is none); every job-type variant inherits it. The rest of the file, its comments,
key order and quoting stay byte for byte.
''',
    bad=(Example(repo(contract=_BAD_CONTRACT),
                 expect=(("steps/specs/clean_spec.py", line_of(BASE["spec"], "outputs=[")),)),),
    good=(Example(repo()),
          Example(repo(contract=_BAD_CONTRACT, spec=_FIXED_SPEC))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    for variant, resolved, name, entry, where in contract_names_missing_in_spec(step, project, "output"):
        yield RULE.report(
            variant.path, where,
            f"contract output '{name}' of '{resolved.label}' has no output in spec '{spec_label(variant)}'",
            step=step.name,
            related=[(resolved.path, entry.key_span, f"'{resolved.label}' declares output '{name}' here")],
        )


def _variant_at(step: StepModel, loc: Location, keyword: str) -> SpecVariant | None:
    from cursus_lint.fix.shape import at

    for v in step.specs:
        if v.path == loc.path and at(loc, v.spec.keyword_spans.get(keyword) or v.spec.span):
            return v
    return None


def _missing_output(d: Diagnostic, step: StepModel | None,
                    project: ProjectModel) -> tuple[SpecVariant, str] | None:
    """The spec variant to add to and the contract output's name, from the facts alone."""
    from cursus_lint.fix.shape import at

    if step is None or step.sagemaker_step_type != "Processing" or not d.related:
        return None
    variant = _variant_at(step, d.location, "outputs")
    if variant is None or variant.spec.node_type in ("sink", "singular"):
        return None
    resolved = resolve_contract(step, variant, project, quiet=True)
    if resolved is None or resolved.foreign_owner is not None:
        return None
    want = d.related[0].location
    name = next((n for n, e in resolved.facts.outputs.items()
                 if want.path == resolved.path and at(want, e.key_span)), None)
    return (variant, name) if name is not None else None


@RULE.fixer(safety="safe", edits="adds a Processing OutputSpec for the contract output to the spec's outputs, "
                                 "shaped like the spec's other outputs (spec.outputs.<name> in a .step.yaml)")
def add_spec_output(d: Diagnostic, ctx: Context) -> Planned | None:
    """Add a Processing ``OutputSpec`` for a contract output, shaped like the spec's other outputs."""
    import libcst as cst

    from cursus_lint.fix.context import output_call
    from cursus_lint.fix.planned import Planned
    from cursus_lint.fix.shape import bound_names
    from cursus_lint.fix.cst import append, keyword_arg, quote_of, string

    step = ctx.step(d)
    target = _missing_output(d, step, ctx.project)
    if step is not None and target is not None and target[0].path.name.endswith(".step.yaml"):
        return _add_in_interface(step, ctx, *target)
    variant, name = target if target is not None else (None, None)
    parsed = ctx.parsed(variant.path) if variant is not None else None
    call = parsed.at(variant.spec.span, cst.Call) if parsed and variant is not None else None
    arg = keyword_arg(call, "outputs") if call is not None else None
    if variant is None or name is None or parsed is None or arg is None or \
            not isinstance(arg.value, (cst.List, cst.Dict)):
        return None
    outputs = arg.value
    template = next((e.value for e in reversed(outputs.elements)
                     if isinstance(e.value, cst.Call) and keyword_arg(e.value, "logical_name") is not None
                     and all(a.keyword is not None for a in e.value.args)), None)
    made = output_call(template, name, bound_names(variant.file))
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


def _add_in_interface(step: StepModel, ctx: ShapeContext, variant: SpecVariant, name: str) -> Planned | None:
    """The interface's own spec gets the output (its contract is in the same file)."""
    from cursus_lint.fix.interface import add_processing_output, interface_path

    if interface_path(step) != variant.path:
        return None
    return add_processing_output(step, ctx, name, f"add output '{name}' to spec.outputs")


@RULE.fix_probe
def can_add_spec_output(d: Diagnostic, ctx: ShapeContext) -> bool:
    """The provider's shape checks over the stdlib ast: a literal outputs list or dict, and
    either another OutputSpec to copy or the names a new one needs bound in the module."""
    import ast

    from cursus_lint.fix.shape import bound_names, keyword_value

    step = ctx.step(d)
    target = _missing_output(d, step, ctx.project)
    if step is None or target is None:
        return False
    variant = target[0]
    if variant.path.name.endswith(".step.yaml"):
        return _add_in_interface(step, ctx, *target) is not None
    outputs = keyword_value(ctx.node_at(variant.path, variant.spec.span, ast.Call), "outputs")
    if not isinstance(outputs, (ast.List, ast.Dict)):
        return False
    items = outputs.elts if isinstance(outputs, ast.List) else outputs.values
    values = [e.value if isinstance(e, ast.Starred) else e for e in items]
    template = next((v for v in reversed(values) if isinstance(v, ast.Call) and not v.args
                     and all(k.arg is not None for k in v.keywords) and keyword_value(v, "logical_name") is not None),
                    None)
    if template is not None and isinstance(keyword_value(template, "output_type"), ast.Attribute):
        return True
    bound = bound_names(variant.file)
    return "DependencyType" in bound and (template is not None or "OutputSpec" in bound)
