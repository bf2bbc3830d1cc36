"""CL205 property-path-wrong-output: a Processing property_path names another output."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._level2 import (PROPERTY_SCHEMAS, ResolvedContract, output_name, processing_output_key, resolve_contract,
                      spec_label)

if TYPE_CHECKING:  # pragma: no cover
    from cursus_lint.facts import OutputFacts
    from cursus_lint.fix.context import Context
    from cursus_lint.fix.planned import Planned
    from cursus_lint.fix.shape import ShapeContext
    from cursus_lint.model import SpecVariant

_BAD_SPEC = edit("spec", "Outputs['clean_data']", "Outputs['raw_data']")
_INDEX_SPEC = edit("spec", "Outputs['clean_data']", "Outputs[0]")

RULE = Rule(
    code="CL205",
    name="property-path-wrong-output",
    summary="A Processing output's property_path reads another output's S3 URI.",
    severity=Severity.ERROR,
    docs='''
## What it checks
For an output whose `property_path` has the Processing form
`properties.ProcessingOutputConfig.Outputs['<name>'].S3Output.S3Uri`, `<name>` must be the
output's own `logical_name` (builders name each `ProcessingOutput` after its logical name).
The index form `Outputs[0]` cannot be checked statically and is left alone. Steps whose
registry `sagemaker_step_type` is a known non-Processing type are left to CL206.

## Why it matters
The property path is how downstream steps receive this output at run time. A copy-pasted path
that names a sibling output silently wires the wrong S3 prefix into the next step, or fails the
pipeline definition when no output of that name exists.

## Example
```python
OutputSpec(
    logical_name="clean_data",
    property_path="properties.ProcessingOutputConfig.Outputs['raw_data'].S3Output.S3Uri",  # CL205
)
```
Use instead:
```python
OutputSpec(
    logical_name="clean_data",
    property_path="properties.ProcessingOutputConfig.Outputs['clean_data'].S3Output.S3Uri",
)
```

## How to fix
Replace the name inside `Outputs[...]` with the output's own logical name; the message shows the
expected path text.

## Fix safety
Safe: the fix replaces only the name inside `Outputs['...']` with the output's own logical name,
which is the name builders give the `ProcessingOutput`; the rest of the string, its quotes and
escapes stay as written. In a `.step.yaml` it edits the `property_path` value where it is written
(the base `spec.outputs` or a variant's), as text: the rest of the file, its comments and
quoting stay byte for byte (a value whose raw text does not hold the name plainly is re-quoted
whole, in its own quote style).
''',
    bad=(Example(repo(spec=_BAD_SPEC), expect=(("steps/specs/clean_spec.py", line_of(_BAD_SPEC, "property_path=")),)),),
    good=(Example(repo()), Example(repo(spec=_INDEX_SPEC))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    sm_type = step.sagemaker_step_type
    if sm_type in PROPERTY_SCHEMAS and sm_type != "Processing":
        return  # a Processing-shaped path on another step type is CL206's finding
    for variant in step.specs:
        contract: ResolvedContract | Literal[False] | None = None  # False: looked for, none found
        for out in variant.spec.outputs:
            name = output_name(out)
            if out.property_path is None or name is None:
                continue
            found = processing_output_key(out.property_path)
            if found is None or found[1] == name:
                continue
            quote, named = found
            expected = out.property_path.replace(f"[{quote}{named}{quote}]", f"[{quote}{name}{quote}]", 1)
            if contract is None:
                contract = resolve_contract(step, variant, project, quiet=True) or False
            related = []
            if contract and contract.foreign_owner is None and name in contract.facts.outputs:
                related.append((contract.path, contract.facts.outputs[name].key_span,
                                f"'{contract.label}' declares output '{name}' here"))
            sibling = next((o for o in variant.spec.outputs if output_name(o) == named and o is not out), None)
            if sibling is not None:
                related.append((variant.path, sibling.span, f"output '{named}' is declared here"))
            yield RULE.report(
                variant.path, out.property_path_span or out.span,
                f"property_path of output '{name}' in spec '{spec_label(variant)}' reads output '{named}'; "
                f"expected \"{expected}\"",
                step=step.name, related=related,
            )


def _rewrite(d: Diagnostic, step: StepModel | None) -> tuple[SpecVariant, OutputFacts, str, str, str] | None:
    """The variant and output ``d`` is about, the output's own name and the quote and name
    its property_path uses now, from the facts alone."""
    from cursus_lint.fix.shape import at

    if step is None:
        return None
    for variant in step.specs:
        if variant.path != d.location.path:
            continue
        for out in variant.spec.outputs:
            if not at(d.location, out.property_path_span or out.span) or out.property_path is None:
                continue
            name, found = output_name(out), processing_output_key(out.property_path)
            if name is None or found is None or out.property_path_span is None:
                return None
            return variant, out, name, found[0], found[1]
    return None


@RULE.fixer(safety="safe", edits="rewrites the output name inside the property_path string to the output's own "
                                 "logical name (in a Python string or a .step.yaml value)")
def fix_property_path(d: Diagnostic, ctx: Context) -> Planned | None:
    """Point a Processing property_path at its own output."""
    import ast

    import libcst as cst

    from cursus_lint.fix.planned import Planned
    from cursus_lint.fix.cst import string

    target = _rewrite(d, ctx.step(d))
    if target is None:
        return None
    variant, out, name, quote, named = target
    if variant.path.name.endswith(".step.yaml"):
        return _replace_in_interface(ctx, target)
    assert out.property_path is not None
    expected = out.property_path.replace(f"[{quote}{named}{quote}]", f"[{quote}{name}{quote}]", 1)
    parsed = ctx.parsed(variant.path)
    node = parsed.at(out.property_path_span, cst.SimpleString) if parsed else None
    if parsed is None or node is None or node.evaluated_value != out.property_path:
        return None
    raw = node.value.replace(f"[{quote}{named}{quote}]", f"[{quote}{name}{quote}]", 1)
    try:
        same = ast.literal_eval(raw) == expected
    except (SyntaxError, ValueError):
        same = False
    new = node.with_changes(value=raw) if same else string(expected, node.quote[0])
    return Planned(f"read output '{name}' in property_path", variant.path, parsed.replace(node, new))


def _replace_in_interface(ctx: ShapeContext, target: tuple[SpecVariant, OutputFacts, str, str, str]) -> Planned | None:
    from cursus_lint.fix.interface import replace_scalar

    variant, out, name, quote, named = target
    assert out.property_path is not None
    expected = out.property_path.replace(f"[{quote}{named}{quote}]", f"[{quote}{name}{quote}]", 1)
    return replace_scalar(ctx, variant.path, out.property_path_span, f"[{quote}{named}{quote}]",
                          f"[{quote}{name}{quote}]", expected, f"read output '{name}' in property_path")


@RULE.fix_probe
def can_fix_property_path(d: Diagnostic, ctx: ShapeContext) -> bool:
    import ast

    target = _rewrite(d, ctx.step(d))
    if target is None:
        return False
    if target[0].path.name.endswith(".step.yaml"):
        return _replace_in_interface(ctx, target) is not None
    variant, out = target[0], target[1]
    node = ctx.node_at(variant.path, out.property_path_span, ast.Constant)
    return node is not None and node.value == out.property_path and ctx.plain_string(variant.path, node)
