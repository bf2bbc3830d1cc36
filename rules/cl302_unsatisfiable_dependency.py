"""CL302 unsatisfiable-dependency: no step's output can feed a required dependency."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._dependencies import dependency_readable, index, resolution, sources_without_specs
from ._examples import REMOTE_REGISTRY, edit, line_of, repo

_RENAMED = edit("spec", '''            logical_name="raw_data",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
            required=True,
            compatible_sources=["DataLoad"],
            semantic_keywords=["raw", "data"],''', '''            logical_name="training_table",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
            required=True,
            compatible_sources=[],
            semantic_keywords=["table"],''')
_WRONG_TYPE = edit("spec", "            dependency_type=DependencyType.PROCESSING_OUTPUT,\n            required=True,",
                   "            dependency_type=DependencyType.MODEL_ARTIFACTS,\n            required=True,")
_OPTIONAL = _RENAMED.replace("            required=True,\n            compatible_sources=[]",
                             "            required=False,\n            compatible_sources=[]")
# Known limits: a provider spec whose outputs are not literal, and a listed source that is
# registered but has no spec in the repo, may supply the dependency
_TEMPLATE_OUTPUTS = edit("load_spec", "    outputs=[\n", "    outputs=TEMPLATE_OUTPUTS + [\n").replace(
    "from cursus_core.base import DependencyType, NodeType, OutputSpec, StepSpecification\n",
    "from cursus_core.base import DependencyType, NodeType, OutputSpec, StepSpecification\n\n"
    "from .templates import TEMPLATE_OUTPUTS\n")
_FROM_REMOTE = _RENAMED.replace("            compatible_sources=[],", '            compatible_sources=["Remote"],')

RULE = Rule(
    code="CL302",
    name="unsatisfiable-dependency",
    summary="A required dependency that no step's output in the project can satisfy.",
    severity=Severity.ERROR,
    docs='''
## What it checks
For every *required* `DependencySpec` of every spec (each job-type variant on its own), the
dependency resolver scores every output of every other spec in the project: type compatibility
(`training_data` accepts `processing_output`, ...), equal data type, logical name and alias
similarity, semantic keywords and `compatible_sources`. If no output reaches the configured
threshold (`[tool.cursus-lint.resolver] threshold`, default 0.5) the dependency can never be
wired; the message lists the best candidates and their scores. A step in a workspace only sees
the core steps and its own workspace.



## Why it matters
The pipeline compiler wires dependencies with the same resolver. A required input nobody can
provide fails the DAG compilation, usually after a provider's output was renamed or its type
changed.

## Example
```python
# the only producer writes OutputSpec(logical_name="raw_data", output_type=PROCESSING_OUTPUT, ...)
DependencySpec(
    logical_name="training_table",          # CL302: best candidate DataLoad.raw_data (0.30)
    dependency_type=DependencyType.PROCESSING_OUTPUT,
    compatible_sources=[],
    semantic_keywords=["table"],
)
```
Use instead:
```python
DependencySpec(
    logical_name="raw_data",
    dependency_type=DependencyType.PROCESSING_OUTPUT,
    compatible_sources=["DataLoad"],
    semantic_keywords=["raw", "data"],
)
```

## How to fix
Name the producing step in `compatible_sources`, align the logical name with the producer's
output (or give the output an alias), and check that the dependency and output types are
compatible. If the input really is optional, say `required=False`.

## Known limits
The rule stays silent when it cannot see every candidate: a spec whose outputs are not literal
or do not parse, or a listed compatible source that is registered but whose spec is not in the
repo.
''',
    bad=(Example(repo(spec=_RENAMED), expect=(("steps/specs/clean_spec.py", line_of(_RENAMED, "training_table")),)),
         Example(repo(spec=_WRONG_TYPE), expect=(("steps/specs/clean_spec.py", line_of(_WRONG_TYPE, '"raw_data"')),))),
    good=(Example(repo()), Example(repo(spec=_OPTIONAL)),
          Example(repo(spec=_RENAMED, load_spec=_TEMPLATE_OUTPUTS)),
          Example(repo(spec=_FROM_REMOTE, registry=REMOTE_REGISTRY))),
)


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    ix = index(project)
    settings = project.settings.resolver
    for consumer in ix.consumers:
        for dep in consumer.spec.dependencies:
            if not dependency_readable(dep) or dep.non_literal:
                project.count_unknown("dependency-not-literal")
                continue
            if not dep.required:
                continue
            if ix.opaque_steps or sources_without_specs(ix, dep):
                project.count_unknown("dependency-providers-unknown")
                continue
            result = resolution(ix, consumer, dep, settings.threshold, settings.tie_margin)
            passing = [c for c in result.candidates if c.total >= settings.threshold]
            if passing:
                continue
            where = f"required dependency '{dep.logical_name}' of {consumer.spec_name}"
            if result.candidates:
                best = ", ".join(f"{c.label} ({c.total:.2f})" for c in result.candidates[:3])
                message = (f"{where} cannot be satisfied: no step's output scores at least "
                           f"{settings.threshold:.2f}; best candidates: {best}")
            else:
                message = (f"{where} cannot be satisfied: no step has an output whose type can feed "
                           f"'{dep.dependency_type}'")
            related = [(c.provider.ref.path, c.provider.ref.span, f"candidate {c.label} scores {c.total:.2f}")
                       for c in result.candidates[:3]]
            yield RULE.report(consumer.path, dep.keyword_spans.get("logical_name", dep.span), message,
                              step=consumer.step.name, related=related)
