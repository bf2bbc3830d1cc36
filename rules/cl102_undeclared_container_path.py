"""CL102 undeclared-container-path: the script uses an /opt/ml path its contract does not declare."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._script_contract import declared_paths, env_path, is_platform_path, norm, pair, unknown_field

_BAD_SCRIPT = edit("script", '    return label, sep, src, dst\n',
                   '    stats = os.path.join("/opt/ml/processing/output/stats", "summary.json")\n'
                   '    return label, sep, src, dst, stats\n')
# SageMaker-managed: a checkpoint dir, the fallback of a declared SM_* variable, an unused table entry
_MANAGED_SCRIPT = edit("script", '    return label, sep, src, dst\n',
                       '    ckpt = os.environ.get("SM_CHECKPOINT_DIR", "/opt/ml/checkpoints")\n'
                       '    model = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")\n'
                       '    return label, sep, src, dst, ckpt, model, TABLE["IN"]\n').replace(
    'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n',
    'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n'
    'TABLE = {"IN": "/opt/ml/processing/input/data", "PLOTS": "/opt/ml/processing/output/plots"}\n')
_GOOD_SCRIPT = edit("script", '    return label, sep, src, dst\n',
                    '    part = "/opt/ml/processing/input/data/part-0.csv"\n'
                    '    code = "/opt/ml/code/requirements.txt"\n'
                    '    return label, sep, src, dst, part, code\n')

# the "Use instead" of the docs: the contract declares the path the script writes
_FIXED_CONTRACT = edit("contract", 'expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},',
                       'expected_output_paths={\n        "clean_data": "/opt/ml/processing/output/clean",\n'
                       '        "stats": "/opt/ml/processing/output/stats",\n    },')

RULE = Rule(
    code="CL102",
    name="undeclared-container-path",
    summary="The script uses a container path under /opt/ml/ that its script contract does not declare.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every path under `/opt/ml/` the script uses — a literal, a module constant, `os.path.join`,
`pathlib` or an f-string over one — must lie at, below or above one of the contract's
`expected_input_paths` / `expected_output_paths`. Below is fine (declared
`/opt/ml/processing/input/data`, used `/opt/ml/processing/input/data/part.csv`), and so is
above (a script listing `/opt/ml/processing/input`). A path with a run-time tail only needs
its known prefix to fit.

Locations SageMaker provides that are not data channels need no declaration: `/opt/ml/code`
(the uploaded source directory), `/opt/ml/config` (the processing job description),
`/opt/ml/input/config/{resourceconfig,inputdataconfig,trainingjobconfig}.json`,
`/opt/ml/output/failure` and `/opt/ml/checkpoints` (the local checkpoint directory SageMaker syncs).
Neither does the fallback of a SageMaker `SM_*` variable the contract declares or SageMaker
documents (`os.environ.get("SM_MODEL_DIR", "/opt/ml/model")`), nor a path that only sits in an
entry of a constant table no code looks up (`PATHS = {"PLOTS": "/opt/ml/..."}` with
`PATHS["PLOTS"]` nowhere). `/opt/ml/input/config/hyperparameters.json` is *not* exempt: a
training script that reads it must declare it (or a directory above it) in its contract.

## Why it matters
Builders mount exactly the contract's paths. A path the contract does not declare is never
filled (an input) or never uploaded (an output): the job reads an empty directory or its results
vanish when the container stops.

## Example
```python
# steps/scripts/clean.py
stats = os.path.join("/opt/ml/processing/output/stats", "summary.json")   # CL102

# steps/contracts/clean_contract.py
expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"}
```
Use instead:
```python
expected_output_paths={
    "clean_data": "/opt/ml/processing/output/clean",
    "stats": "/opt/ml/processing/output/stats",
}
```

## How to fix
Declare the location under a logical name in the contract (and give it a matching dependency or
output in the specification), or write below a path the contract already declares.
''',
    bad=(Example(repo(script=_BAD_SCRIPT),
                 expect=(("steps/scripts/clean.py", line_of(_BAD_SCRIPT, "/stats\"")),)),),
    good=(Example(repo()), Example(repo(script=_GOOD_SCRIPT)), Example(repo(script=_MANAGED_SCRIPT)),
          Example(repo(script=_BAD_SCRIPT, contract=_FIXED_CONTRACT))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    p = pair(step)
    if p is None:
        return
    if unknown_field(p.contract, "expected_input_paths") or unknown_field(p.contract, "expected_output_paths"):
        project.count_unknown("non-literal-contract-paths")
        return
    declared = [path for _, _, path in declared_paths(p.contract)]
    related = [(p.contract_path, p.contract.keyword_spans[k], f"'{p.label}' declares its {what} paths here")
               for k, what in (("expected_input_paths", "input"), ("expected_output_paths", "output"))
               if k in p.contract.keyword_spans] or [(p.contract_path, p.contract.span, f"'{p.label}' is here")]
    from ._path_index import PathIndex  # lookups instead of a scan per use: linear in the uses
    index, reported = PathIndex(declared), PathIndex()
    env_declared = {item.name for item in p.contract.required_env_vars} | set(p.contract.optional_env_vars)
    for use in p.script.paths:
        full = norm(use.full)
        if is_platform_path(full) or index.related(full, use.complete):
            continue
        if use.env_default is not None and use.env_default.startswith("SM_") and (
                use.env_default in env_declared or env_path(use.env_default) is not None):
            continue  # the fallback of a variable SageMaker sets: SageMaker manages the path
        if reported.has_ancestor_or_self(full):
            continue  # a deeper use of a path already reported
        reported.add(full)
        shown = f"'{full}'" if use.complete else f"'{full}' (plus a run-time part)"
        yield RULE.report(
            p.script_file.path, use.span,
            f"script uses container path {shown} that contract '{p.label}' does not declare "
            f"(it is not at, below or above any expected input or output path)",
            step=step.name, related=related,
        )
