"""CL303 ambiguous-provider: outputs of different steps tie for a dependency nobody chose between."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_core.deps import source_matches
from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._dependencies import dependency_readable, index, resolution
from ._examples import LOAD_SPEC, edit, line_of, repo

# A second source step whose output is named like DataLoad's: with no compatible_sources, the
# resolver has no reason to prefer either.
_EXPORT_SPEC = '''\
from cursus_core.base import DependencyType, NodeType, OutputSpec, StepSpecification

DATA_EXPORT_SPEC = StepSpecification(
    step_type="DataExport",
    node_type=NodeType.SOURCE,
    outputs=[
        OutputSpec(
            logical_name="raw_data",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['raw_data'].S3Output.S3Uri",
            data_type="S3Uri",
        ),
    ],
)
'''
_UNLISTED = edit("spec", 'compatible_sources=["DataLoad"]', "compatible_sources=[]")
_BOTH_LISTED = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["DataLoad", "DataExport"]')
_EXTRA = {"steps/specs/data_export_spec.py": _EXPORT_SPEC}
# DataLoad gains a second output that also answers to "raw_data": the two outputs tie, but both
# belong to one step, so whichever the resolver takes, the wiring is DataLoad -> Clean.
_SAME_STEP = {"steps/specs/data_load_spec.py": LOAD_SPEC.replace('''            data_type="S3Uri",
        ),
    ],''', '''            data_type="S3Uri",
        ),
        OutputSpec(
            logical_name="raw_sample",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['raw_sample'].S3Output.S3Uri",
            aliases=["raw_data"],
            data_type="S3Uri",
        ),
    ],''')}

RULE = Rule(
    code="CL303",
    name="ambiguous-provider",
    summary="Outputs of two or more steps match a dependency equally well and compatible_sources does not choose.",
    severity=Severity.INFO,
    docs='''
## What it checks
For every dependency, the resolver ranks the outputs of the other specs in the project. When
outputs of two or more *different* steps reach the threshold and score within the tie margin
of the top (`[tool.cursus-lint.resolver] tie-margin`, default 0.05), and not all of those steps
are listed in the dependency's `compatible_sources`, the wiring depends on which of them a DAG
happens to contain. A step in a workspace only sees the core steps and its own workspace.

## Why it matters
With two equally good providers in one DAG, the resolver takes the first by name, and an
optional dependency is left unwired altogether. Either way the result can change when a step
is added elsewhere, which is hard to debug.

## Example
```python
# DataLoad and DataExport both produce OutputSpec(logical_name="raw_data", ...)
DependencySpec(
    logical_name="raw_data",                # CL303: DataExport.raw_data (0.80), DataLoad.raw_data (0.80)
    dependency_type=DependencyType.PROCESSING_OUTPUT,
    compatible_sources=[],
)
```
Use instead:
```python
DependencySpec(
    logical_name="raw_data",
    dependency_type=DependencyType.PROCESSING_OUTPUT,
    compatible_sources=["DataLoad"],
)
```

## How to fix
List the intended provider(s) in `compatible_sources`, or give the dependency a name or
semantic keywords that only the intended output matches.

## Known limits
The rule stays silent when the tie is not a choice between steps:
- alternatives the author listed on purpose (`compatible_sources=["DataLoad", "DataExport"]`);
- two outputs of the *same* step that tie (`raw_data` and `raw_sample` with `aliases=["raw_data"]`):
  whichever the resolver takes, the dependency is wired to that step.
''',
    bad=(Example(repo(spec=_UNLISTED, extra=_EXTRA),
                 expect=(("steps/specs/clean_spec.py", line_of(_UNLISTED, '"raw_data"')),)),),
    good=(Example(repo(extra=_EXTRA)), Example(repo(spec=_BOTH_LISTED, extra=_EXTRA)),
          Example(repo(spec=_UNLISTED, extra=_SAME_STEP))),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    ix = index(project)
    settings = project.settings.resolver
    for consumer in ix.consumers:
        for dep in consumer.spec.dependencies:
            if not dependency_readable(dep) or dep.non_literal:
                continue
            result = resolution(ix, consumer, dep, settings.threshold, settings.tie_margin)
            if not result.ambiguous or result.candidates[0].total < settings.threshold:
                continue
            top = result.candidates[0]
            tied = [top, *(c for c in result.rivals if c.provider.step.name != top.provider.step.name)]
            if len({c.provider.step.name for c in tied}) < 2:
                continue
            if all(any(source_matches(s, c.provider.step) for s in dep.compatible_sources) for c in tied):
                continue  # alternatives the author listed on purpose
            listing = ", ".join(f"{c.label} ({c.total:.2f})" for c in tied)
            outcome = ("the resolver takes the first by name" if dep.required
                       else "the optional dependency is left unwired")
            message = (f"dependency '{dep.logical_name}' of {consumer.spec_name} matches outputs of "
                       f"{len(tied)} steps equally well ({listing}); {outcome}")
            related = [(c.provider.ref.path, c.provider.ref.span, f"candidate {c.label} scores {c.total:.2f}")
                       for c in tied]
            yield RULE.report(consumer.path, dep.keyword_spans.get("logical_name", dep.span), message,
                              step=consumer.step.name, related=related)
