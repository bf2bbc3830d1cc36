"""CL101 missing-entry-point-script: the contract's entry_point names no script in the repo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cursus_core.catalog.scan import entry_point_stem
from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel, contract_label
from cursus_lint.rule import Example, Rule

from ._examples import (BASE, INTERFACE_PATHS, SDK_BUILDER, edit, interface_edit, interface_repo, line_of,
                        repo)
from ._script_steps import runs_script

_BAD_CONTRACT = edit("contract", 'entry_point="clean.py"', 'entry_point="clean_data.py"')

# Known limits: an entry point that is not a literal, or not a Python file, is not checked
_NOT_LITERAL = edit("contract", 'entry_point="clean.py"', "entry_point=ENTRY_POINT")
_NOT_PYTHON = edit("contract", 'entry_point="clean.py"', 'entry_point="clean.sh"')

# an SDK-run step: a non-script SageMaker type, or a builder wrapping an SDK step class
_PLACEHOLDER = edit("contract", 'entry_point="clean.py"', 'entry_point="scripts.py"')
_SDK_TYPE = edit("registry", '"sagemaker_step_type": "Processing",\n        "description": "Cleans',
                 '"sagemaker_step_type": "CradleDataLoading",\n        "description": "Cleans')

# the interface layout: the same drift in a .step.yaml, and a script-less step type there
_BAD_INTERFACE = interface_edit("clean", "entry_point: clean.py", "entry_point: clean_data.py")
_SDK_INTERFACE = interface_edit("clean", "sagemaker_step_type: Processing", "sagemaker_step_type: CradleDataLoading")
_DELEGATED_INTERFACE = interface_edit("clean", "step_assembly: code\n  direct", "step_assembly: delegation\n  direct")

RULE = Rule(
    code="CL101",
    name="missing-entry-point-script",
    summary="The script contract's entry_point names a script that does not exist in the step repo.",
    severity=Severity.ERROR,
    docs='''
## What it checks
A step with a script contract must have a script file named like the contract's `entry_point`
(`clean.py` -> `steps/scripts/clean.py`) in the scripts directory next to the contract, or, for
a workspace step, in the core repo's scripts directory. A directory prefix in `entry_point`
(`scripts/clean.py`) and a missing `.py` are tolerated.

In the interface layout the contract is the `contract:` section of a `.step.yaml`
(`steps/interfaces/clean.step.yaml`), and its `contract.entry_point` must name a script in the
scripts directory next to the interfaces directory (`steps/scripts/`); the finding points at the
`entry_point` value in the YAML.

## Why it matters
The builder uploads `entry_point` from the source directory and SageMaker runs it. If no such file
exists the pipeline fails at upload or at container start, and every other script/contract check
compares the contract with a script that will never run.

## Example
```python
# steps/contracts/clean_contract.py
CLEAN_CONTRACT = ScriptContract(entry_point="clean_data.py", ...)   # CL101
# steps/scripts/ holds clean.py only
```
Use instead:
```python
CLEAN_CONTRACT = ScriptContract(entry_point="clean.py", ...)
```

## How to fix
Rename the script or correct `entry_point` so the two agree; when the step really has no script
of its own (it runs a prebuilt image), it should not carry a script contract.

A step SageMaker runs without a script of the repo is skipped when the catalog found no script for
it: its registry `sagemaker_step_type` is not `Processing` or `Training` (`CradleDataLoading`,
`MimsModelRegistrationProcessing`, ...), or its builder wraps an external SDK step (no SageMaker
processor, estimator or job step class imported, no job factory method; in the interface layout:
`patterns.step_assembly: delegation`). Its `entry_point` is a placeholder.

## Known limits
A non-literal `entry_point` (`entry_point=ENTRY_POINT` from elsewhere), or one that is not a
Python file (`clean.sh`), is not checked: the rule stays silent.
''',
    bad=(Example(repo(contract=_BAD_CONTRACT),
                 expect=(("steps/contracts/clean_contract.py", line_of(_BAD_CONTRACT, "entry_point=")),)),
         Example(repo(drop=("script",)),
                 expect=(("steps/contracts/clean_contract.py", line_of(BASE["contract"], "entry_point=")),)),
         Example(interface_repo(clean=_BAD_INTERFACE),
                 expect=((INTERFACE_PATHS["clean"], line_of(_BAD_INTERFACE, "entry_point:")),))),
    good=(Example(repo()),
          Example(repo(contract=edit("contract", 'entry_point="clean.py"', 'entry_point="scripts/clean"'))),
          Example(repo(contract=_NOT_LITERAL)), Example(repo(contract=_NOT_PYTHON)),
          Example(repo(drop=("script",), contract=_PLACEHOLDER, registry=_SDK_TYPE)),
          Example(repo(drop=("script",), contract=_PLACEHOLDER, builder=SDK_BUILDER)),
          Example(interface_repo()),
          Example(interface_repo(drop=("script",), clean=_SDK_INTERFACE)),
          Example(interface_repo(drop=("script",), clean=_DELEGATED_INTERFACE))),
)


def _own_step_dir(path: Path, project: ProjectModel):
    """The step directory a contract at ``path`` belongs to: the one whose contracts directory
    holds it or, for a ``.step.yaml``, the one next to its interfaces directory
    (``steps/interfaces/x.step.yaml`` -> ``steps/``, where ``steps/scripts/`` is)."""
    for d in project.catalog.step_dirs:
        if path.parent in d.role_dirs.get("contracts", ()):
            return d
    if path.name.endswith(".step.yaml"):
        return next((d for d in project.catalog.step_dirs if d.path == path.parent.parent), None)
    return None


def _scripts_dirs(step: StepModel, project: ProjectModel) -> list[Path] | None:
    """The scripts directories the contract's entry_point may live in, or None if unknown."""
    assert step.contract_file is not None
    own = _own_step_dir(step.contract_file.path, project)
    if own is None:
        return None
    dirs = list(own.role_dirs.get("scripts", ()))
    if own.workspace_id is not None:
        for d in project.catalog.step_dirs:
            if d.workspace_id is None:
                dirs.extend(x for x in d.role_dirs.get("scripts", ()) if x not in dirs)
    return dirs


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    contract = step.contract
    if contract is None or contract.entry_point is None:
        return
    assert step.contract_file is not None  # contract facts come from the contract file
    entry = contract.entry_point
    if not isinstance(entry.value, str) or not entry.value.strip():
        project.count_unknown("non-literal-entry-point")
        return
    stem = entry_point_stem(entry.value)
    if "." in stem:  # not a Python entry point (a shell script, a binary): not ours to find
        project.count_unknown("non-python-entry-point")
        return
    if step.script is not None and step.script.path.stem == stem:
        return
    if step.script is None and not runs_script(step, project):
        project.count_unknown("entry-point-of-script-less-step")
        return  # a placeholder: SageMaker runs no script of the repo for this step
    dirs = _scripts_dirs(step, project)
    if dirs is None:
        project.count_unknown("entry-point-outside-step-dirs")
        return
    wanted = {d / f"{stem}.py" for d in dirs}
    if any(p in project.files for p in wanted):
        return
    if any(project.settings.is_excluded(p) for p in wanted):
        project.count_unknown("entry-point-script-excluded")
        return
    name = contract_label(contract, step.contract_file.path, by_function=False)
    related = [(d, None, f"no '{stem}.py' in this scripts directory") for d in dirs]
    hint = ""
    if step.script is not None:
        hint = f" (the step's script is '{step.script.path.name}')"
        related.insert(0, (step.script.path, None, f"script '{step.script.path.name}' the catalog gave to this step"))
    yield RULE.report(
        step.contract_file.path, entry.value_span,
        f"contract '{name}' entry_point '{entry.value}' names no existing script '{stem}.py'{hint}",
        step=step.name, related=related,
    )
