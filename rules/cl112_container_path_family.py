"""CL112 container-path-family: a contract path of the wrong job family, or one path under two names."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel, contract_label
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._script_contract import env_path, is_platform_path, is_under, norm

#: where each job type mounts its channels; a path of the other family is never mounted
_TRAINING_ONLY = ("/opt/ml/input/data", "/opt/ml/model")
#: what a training job alone manages: CL102 lets a script use these without a contract entry
_MANAGED_TRAINING = (*_TRAINING_ONLY, "/opt/ml/checkpoints")
_PROCESSING_ONLY = ("/opt/ml/processing",)

_WRONG_FAMILY = edit("contract", '"raw_data": "/opt/ml/processing/input/data"', '"raw_data": "/opt/ml/input/data/raw"')
_SHARED = edit("contract", 'expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},',
               'expected_output_paths={\n        "clean_data": "/opt/ml/processing/output/clean",\n'
               '        "rejects": "/opt/ml/processing/output/clean",\n    },')
_SEPARATE = edit("contract", 'expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},',
                 'expected_output_paths={"clean_data": "/opt/ml/processing/output/clean",\n'
                 '                           "rejects": "/opt/ml/processing/output/rejects"},')
_TRAINING_REGISTRY = edit("registry", '"sagemaker_step_type": "Processing",\n        "description": "Cleans',
                          '"sagemaker_step_type": "Training",\n        "description": "Cleans')
# a processing script falling back to the training toolkit's model dir: SM_MODEL_DIR is never set
# in a processing job, and /opt/ml/model is never uploaded (CL102 exempts SM_* fallbacks)
_SM_FALLBACK = edit("script", '    return label, sep, src, dst\n',
                    '    model_dir = os.environ.get("SM_MODEL_DIR", "/opt/ml/model")\n'
                    '    return label, sep, src, dst, model_dir\n')
_TRAINING_CONTRACT = edit("contract", '"raw_data": "/opt/ml/processing/input/data"',
                          '"raw_data": "/opt/ml/input/data/train"').replace(
    '"clean_data": "/opt/ml/processing/output/clean"', '"clean_data": "/opt/ml/model"')

RULE = Rule(
    code="CL112",
    name="container-path-family",
    summary="A contract path belongs to the other job family, or two logical names share one container path.",
    severity=Severity.ERROR,
    docs='''
## What it checks
For a step whose registry `sagemaker_step_type` is `Processing`, no contract input or output path
may lie under the training container's `/opt/ml/input/data` or `/opt/ml/model`; for a
`Training` step, none may lie under `/opt/ml/processing`. And within one contract, no two logical
names of the inputs (or of the outputs) may name the same container path.

A step's script is held to the same families where CL102 does not look: a Processing script
using a path the training job alone manages (`/opt/ml/model`, `/opt/ml/input/data/...`,
`/opt/ml/checkpoints`), typically as the fallback of a training toolkit variable
(`os.environ.get("SM_MODEL_DIR", "/opt/ml/model")`), which no processing job sets or uploads.

## Why it matters
A processing job mounts its inputs and outputs only under `/opt/ml/processing`; a training job
fills `/opt/ml/input/data/<channel>` and uploads `/opt/ml/model`. A path of the other family is
never filled or never uploaded (SageMaker even rejects processing destinations outside
`/opt/ml/processing`) — the usual trace of a contract copied from a step of the other kind. Two
logical names on one path make two channels write into (or read from) one directory: the second
mount hides the first.

## Example
```python
# a Processing step's contract
expected_input_paths={"raw_data": "/opt/ml/input/data/raw"}          # CL112: a training path
expected_output_paths={"clean_data": "/opt/ml/processing/output/clean",
                       "rejects": "/opt/ml/processing/output/clean"}  # CL112: shared path
```
Use instead:
```python
expected_input_paths={"raw_data": "/opt/ml/processing/input/data"},
expected_output_paths={"clean_data": "/opt/ml/processing/output/clean",
                       "rejects": "/opt/ml/processing/output/rejects"},
```

## How to fix
Move the path into the step's own family, or give each logical name its own directory.

## Known limits
Steps of other types (or unregistered ones) get only the shared-path check; other paths the
script uses but the contract does not declare are CL102's business (so one path is reported once).
''',
    bad=(Example(repo(script=_SM_FALLBACK),
                 expect=(("steps/scripts/clean.py", line_of(_SM_FALLBACK, "SM_MODEL_DIR")),)),
         Example(repo(contract=_WRONG_FAMILY),
                 expect=(("steps/contracts/clean_contract.py", line_of(_WRONG_FAMILY, "/opt/ml/input/data/raw")),)),
         Example(repo(contract=_SHARED),
                 expect=(("steps/contracts/clean_contract.py", line_of(_SHARED, '"rejects"')),))),
    good=(Example(repo()), Example(repo(contract=_SEPARATE)),
          Example(repo(contract=_TRAINING_CONTRACT, registry=_TRAINING_REGISTRY))),
)


def _foreign(step_type: str | None, path: str) -> str | None:
    """The family a path belongs to when it is not the step's own, else None."""
    if step_type == "Processing" and any(is_under(path, root) for root in _TRAINING_ONLY):
        return "training"
    if step_type == "Training" and any(is_under(path, root) for root in _PROCESSING_ONLY):
        return "processing"
    return None


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    contract = step.contract
    if contract is None or step.contract_file is None:
        return
    yield from _script_paths(step)
    label = contract_label(contract, step.contract_file.path, by_function=False)
    for kind, entries in (("input", contract.inputs), ("output", contract.outputs)):
        seen: dict[str, str] = {}
        for name, entry in entries.items():
            if not isinstance(entry.value, str):
                continue
            path = norm(entry.value)
            family = _foreign(step.sagemaker_step_type, path)
            if family is not None:
                yield RULE.report(
                    step.contract_file.path, entry.value_span,
                    f"{kind} '{name}' of '{label}' is at '{entry.value}', a {family}-job path, but step "
                    f"'{step.name}' is a {step.sagemaker_step_type} step; SageMaker never mounts it there",
                    step=step.name)
            if path in seen:
                yield RULE.report(
                    step.contract_file.path, entry.key_span,
                    f"{kind}s '{seen[path]}' and '{name}' of '{label}' share the container path '{entry.value}'",
                    step=step.name)
            else:
                seen[path] = name


def _script_paths(step: StepModel) -> Iterator[Diagnostic]:
    """Training-managed paths a Processing script uses where CL102 stays silent (SageMaker-managed
    paths and the fallbacks of ``SM_*`` variables)."""
    facts = step.script.script if step.script is not None else None
    if step.sagemaker_step_type != "Processing" or facts is None or step.script is None:
        return
    seen: set[str] = set()
    for use in facts.paths:
        full = norm(use.full)
        managed = is_platform_path(full) or (use.env_default is not None and use.env_default.startswith("SM_")
                                             and env_path(use.env_default) is not None)
        if not managed or full in seen or not any(is_under(full, root) for root in _MANAGED_TRAINING):
            continue
        seen.add(full)
        via = f" (the fallback of {use.env_default})" if use.env_default else ""
        yield RULE.report(
            step.script.path, use.span,
            f"script of Processing step '{step.name}' uses '{full}'{via}, a path only a training job "
            f"manages: a processing job never fills or uploads it", step=step.name)
