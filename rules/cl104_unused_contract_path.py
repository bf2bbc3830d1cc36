"""CL104 unused-contract-path: the contract declares an input/output path the script never uses."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._script_contract import env_path, pair, related_paths, script_side, unknown_field, used_elsewhere

_BAD_CONTRACT = edit("contract", '    expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},\n',
                     '    expected_output_paths={\n'
                     '        "clean_data": "/opt/ml/processing/output/clean",\n'
                     '        "report": "/opt/ml/processing/output/report",\n'
                     '    },\n')
_BAD_SPEC = edit("spec", "    ],\n)\n", '''\
        OutputSpec(
            logical_name="report",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri",
            data_type="S3Uri",
        ),
    ],
)
''')
# Known limits: the script may use 'report' through a computed name, a loop over the dict or a helper
_DST = '    dst = os.path.join(output_paths["clean_data"], f"{job_args.job_type}.csv")\n'
_COMPUTED_NAME = edit("script", _DST, _DST + "    extra = output_paths[job_args.extra_output]\n")
_LOOPED = edit("script", _DST,
               _DST + "    for path in output_paths.values():\n        os.makedirs(path, exist_ok=True)\n")
_HELPER = edit("script", _DST, _DST + "    write_manifest(output_paths)\n").replace(
    "\ndef main(", "\ndef write_manifest(paths):\n    return sorted(paths)\n\n\ndef main(")

RULE = Rule(
    code="CL104",
    name="unused-contract-path",
    summary="The script contract declares an input or output path that the script never uses.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Each `expected_input_paths` / `expected_output_paths` entry must be used by the script: through
its logical name (`input_paths["raw_data"]`, `output_paths.get(...)`, `"x" in input_paths`, or a
key of the dicts the `__main__` block hands to `main`), or as a path — the declared path itself,
a path below it, or a directory above it. SageMaker's `SM_MODEL_DIR`, `SM_OUTPUT_DATA_DIR` and
`SM_CHANNEL_<NAME>` variables count as uses of the paths they stand for.

## Why it matters
A declared input is still downloaded into the container and a declared output is still uploaded
(empty) after the job — time and storage for nothing. More often the entry is stale: the
script renamed the location and the contract, specification and pipeline wiring still point at
the old one.

## Example
```python
# steps/contracts/clean_contract.py
expected_output_paths={
    "clean_data": "/opt/ml/processing/output/clean",
    "report": "/opt/ml/processing/output/report",     # CL104: clean.py never writes it
},
```
Use instead: write the report in `clean.py`, or drop the entry (and the spec output with it).

## How to fix
Use the path in the script through `output_paths["report"]` (or `input_paths[...]`), or remove
the entry from the contract together with its dependency or output in the specification.

## Known limits
When the script reads logical names computed at run time, iterates the path dicts or hands them
to a helper under another name, the rule stays silent for that kind: any name may be used there.
''',
    bad=(Example(repo(contract=_BAD_CONTRACT, spec=_BAD_SPEC),
                 expect=(("steps/contracts/clean_contract.py", line_of(_BAD_CONTRACT, '"report"')),)),),
    good=(Example(repo()),
          Example(repo(contract=_BAD_CONTRACT, spec=_BAD_SPEC, script=_COMPUTED_NAME)),
          Example(repo(contract=_BAD_CONTRACT, spec=_BAD_SPEC, script=_LOOPED)),
          Example(repo(contract=_BAD_CONTRACT, spec=_BAD_SPEC, script=_HELPER))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    p = pair(step)
    if p is None or used_elsewhere(p, project):
        return
    script, unknown = p.script, p.script_file.unknown
    path_uses = [(u.full, u.complete) for u in script.paths] + [(u.value, True) for u in script.paths]
    path_uses += [(path, True) for r in script.env_reads if (path := env_path(r.name))]
    if unknown.get("ambiguous-path-constant"):
        project.count_unknown("unused-path-ambiguous-constant")
        return
    dicts = {"input": script.main_dicts.get("input_paths", ()), "output": script.main_dicts.get("output_paths", ())}
    for kind, field, entries in (("input", "expected_input_paths", p.contract.inputs),
                                 ("output", "expected_output_paths", p.contract.outputs)):
        if unknown_field(p.contract, field):
            project.count_unknown("non-literal-contract-paths")
            continue
        keys = {k.key for k in script.key_uses if k.kind == kind} | {e.key for e in dicts[kind]}
        dynamic = unknown.get("dynamic-logical-name") or unknown.get("dynamic-main-dict-key") \
            or kind in script.dict_escapes
        for name, entry in entries.items():
            path = entry.value
            if not isinstance(path, str) or name in keys:
                continue
            if any(related_paths(u, complete, path) for u, complete in path_uses):
                continue
            if dynamic:
                project.count_unknown("unused-path-dynamic-use")
                continue
            yield RULE.report(
                p.contract_path, entry.key_span,
                f"contract '{p.label}' declares {kind} '{name}' ('{path}') but script '{p.script_name}' never "
                f"uses it (no {kind}_paths['{name}'] and no path at, below or above it)",
                step=step.name,
                related=[script_side(p, kind)],
            )
