"""CL209 node-type-inconsistent: a spec's node_type contradicts its dependencies and outputs."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._level2 import spec_label

_BAD_LOAD = edit("load_spec", "NodeType.SOURCE", "NodeType.INTERNAL")
_BAD_CLEAN = edit("spec", "NodeType.INTERNAL", "NodeType.SOURCE")

#: node type -> (dependencies allowed, dependencies required, outputs allowed, outputs required)
SHAPES: dict[str, tuple[bool, bool, bool, bool]] = {
    "source": (False, False, True, True),
    "internal": (True, True, True, True),
    "sink": (True, True, False, False),
    "singular": (False, False, False, False),
}

RULE = Rule(
    code="CL209",
    name="node-type-inconsistent",
    summary="A spec's node_type does not fit its dependencies and outputs.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Each spec variant's `node_type` must agree with what it declares:

| node_type | dependencies | outputs |
| --- | --- | --- |
| `SOURCE` | none | at least one |
| `INTERNAL` | at least one | at least one |
| `SINK` | at least one | none |
| `SINGULAR` | none | none |

Lists or dicts built at run time are not counted.

## Why it matters
`StepSpecification` rejects these combinations when the module is imported, so the whole
pipeline fails to build; DAG tools also use the node type to decide where a step may stand.

## Example
```python
DATA_LOAD_SPEC = StepSpecification(
    step_type="DataLoad",
    node_type=NodeType.INTERNAL,     # CL209: no dependencies, so this is a SOURCE
    outputs=[OutputSpec(logical_name="raw_data", ...)],
)
```
Use instead:
```python
DATA_LOAD_SPEC = StepSpecification(step_type="DataLoad", node_type=NodeType.SOURCE, outputs=[...])
```

## How to fix
Pick the node type that matches the spec, or add/remove the dependencies or outputs the step
really has.
''',
    bad=(Example(repo(load_spec=_BAD_LOAD),
                 expect=(("steps/specs/data_load_spec.py", line_of(_BAD_LOAD, "node_type=")),)),
         Example(repo(spec=_BAD_CLEAN), expect=(("steps/specs/clean_spec.py", line_of(_BAD_CLEAN, "node_type=")),))),
    good=(Example(repo()),),
)


def _count(spec, field: str) -> tuple[int, bool]:
    """(items read, whether that is all of them)."""
    items = spec.dependencies if field == "dependencies" else spec.outputs
    shape = spec.dependencies_shape if field == "dependencies" else spec.outputs_shape
    partial = {field, f"{field}[]", f"{field}.key", "*args", "**"} & set(spec.non_literal)
    return len(items), shape != "dynamic" and not partial


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    for variant in step.specs:
        spec = variant.spec
        node = spec.node_type
        if node is None:
            continue
        if node not in SHAPES or "node_type" in spec.non_literal:
            project.count_unknown("spec-node-type")
            continue
        deps_ok, deps_needed, outs_ok, outs_needed = SHAPES[node]
        problems: list[str] = []
        related = []
        for field, ok, needed, noun, nouns in (("dependencies", deps_ok, deps_needed, "dependency", "dependencies"),
                                               ("outputs", outs_ok, outs_needed, "output", "outputs")):
            count, complete = _count(spec, field)
            if not ok and count:
                problems.append(f"{node.upper()} nodes have no {nouns}, but it declares {count}")
            elif needed and count == 0 and complete:
                problems.append(f"{node.upper()} nodes need at least one {noun}, but it declares none")
            elif needed and count == 0:
                project.count_unknown("spec-node-type")
                continue
            else:
                continue
            span = spec.keyword_spans.get(field)
            if span is not None:
                related.append((variant.path, span, f"'{spec_label(variant)}' declares its {nouns} here"))
        if not problems:
            continue
        where = spec.node_type_span or spec.keyword_spans.get("node_type") or spec.span
        yield RULE.report(
            variant.path, where,
            f"spec '{spec_label(variant)}' has node_type {node.upper()}: " + "; ".join(problems),
            step=step.name, related=related,
        )
