"""CL705 output-destination-not-from-base-path: ``_get_outputs`` writes somewhere of its own."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_BASE_DEST = 'destination=Join(on="/", values=[self._get_base_output_path(), "clean", name]),'
_BAD_LITERAL = edit("builder", _BASE_DEST, 'destination="s3://ml-team-bucket/clean",')
_BAD_FSTRING = edit("load_builder",
                    'destination=Join(on="/", values=[self._get_base_output_path(), "data_load", "raw_data"]),',
                    'destination=f"{self.config.output_root}/data_load/raw_data",')
_GOOD_VARIABLE = edit(
    "builder", "        contract = self.spec.script_contract\n        return [\n            ProcessingOutput(",
    "        contract = self.spec.script_contract\n        base_output_path = self._get_base_output_path()\n"
    "        return [\n            ProcessingOutput(",
).replace(_BASE_DEST, 'destination=outputs.get(name, Join(on="/", values=[base_output_path, "clean", name])),')

_WHAT = {"literal": "a string literal", "fstring": "an f-string", "concat": "a string expression"}

RULE = Rule(
    code="CL705",
    name="output-destination-not-from-base-path",
    summary="An output destination in a builder's `_get_outputs` is not derived from the base output path.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every output destination a builder's `_get_outputs` sets (`destination=`, `output_path=`,
`s3_output_path=`, `output_uri=`, or a variable named `*dest*` / `*output_path` passed there)
must come from the pipeline's base output path: a `Join` over
`self._get_base_output_path()` / `pipeline_s3_loc` / a `base_output_path` variable, or a
destination the caller passed in through `outputs`. A string literal, or an f-string or
concatenation that does not start from the base output path, is reported.

Destinations the linter cannot follow (a helper's return value, a config attribute) are not
reported; they are counted under `output-destination` in `--statistics`. F-strings *over* the
base path are CL704's business.

## Why it matters
The base output path carries the pipeline's execution prefix, so each run, each environment
and each pipeline gets its own outputs. A destination of its own makes runs overwrite each
other, makes the step write into a bucket the pipeline's role may not own, and breaks the
dependency wiring that expects outputs below the pipeline's prefix.

## Example
```python
def _get_outputs(self, outputs):
    contract = self.spec.script_contract
    return [
        ProcessingOutput(
            output_name=name,
            source=contract.expected_output_paths[name],
            destination="s3://ml-team-bucket/clean",        # CL705
        )
        for name in self.spec.outputs
    ]
```
Use instead:
```python
def _get_outputs(self, outputs):
    contract = self.spec.script_contract
    base_output_path = self._get_base_output_path()
    return [
        ProcessingOutput(
            output_name=name,
            source=contract.expected_output_paths[name],
            destination=outputs.get(name, Join(on="/", values=[base_output_path, "clean", name])),
        )
        for name in self.spec.outputs
    ]
```

## How to fix
Build every default destination with `Join(on="/", values=[self._get_base_output_path(),
"<step>", logical_name])` and let an explicit `outputs[logical_name]` win over it.
''',
    bad=(
        Example(repo(builder=_BAD_LITERAL),
                expect=(("steps/builders/builder_clean_step.py", line_of(_BAD_LITERAL, "s3://ml-team")),)),
        Example(repo(load_builder=_BAD_FSTRING),
                expect=(("steps/builders/builder_data_load_step.py", line_of(_BAD_FSTRING, "destination=f")),)),
    ),
    good=(Example(repo(builder=_GOOD_VARIABLE)),),
)


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    if "builder" not in facts.roles:
        return
    for builder in facts.builders:
        where = builder.methods.get("_get_outputs")
        for dest in builder.output_destinations:
            if dest.kind in ("base", "input") or (dest.kind in ("fstring", "concat") and dest.uses_base):
                continue
            if dest.kind not in _WHAT:
                project.count_unknown("output-destination")
                continue
            yield RULE.report(
                facts.path, dest.span,
                f"output destination in '{builder.name}._get_outputs' is {_WHAT[dest.kind]}, not derived from "
                f"the base output path; use Join(on=\"/\", values=[self._get_base_output_path(), ...])",
                related=[(facts.path, where, f"'{builder.name}._get_outputs' defined here")] if where else (),
            )
