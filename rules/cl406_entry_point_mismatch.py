"""CL406 entry-point-mismatch: the config's default entry point is not the contract's script."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel, contract_label
from cursus_lint.rule import Example, Rule

from ._classes import iter_field_chain, step_config_class
from ._examples import edit, line_of, repo

#: entry-point fields by SageMaker step type, most specific first
FIELDS_BY_TYPE = {
    "Processing": ("processing_entry_point", "entry_point"),
    "Training": ("training_entry_point", "entry_point"),
}
ALL_FIELDS = ("processing_entry_point", "training_entry_point", "entry_point", "inference_entry_point")

_DRIFT = edit("config", '    processing_entry_point: str = "clean.py"',
              '    processing_entry_point: str = "cleaning.py"')
_SUBDIR = edit("config", '    processing_entry_point: str = "clean.py"',
               '    processing_entry_point: str = "scripts/clean.py"')
_BASE = '''\
from cursus_core.base import ProcessingStepConfigBase


class CleanBase(ProcessingStepConfigBase):
    processing_entry_point: str = "clean_v1.py"
'''
_INHERITED = edit("config", '    processing_entry_point: str = "clean.py"\n', "")
_INHERITED = _INHERITED.replace("class CleanConfig(ProcessingStepConfigBase):", "class CleanConfig(CleanBase):") \
    .replace("from cursus_core.base import ProcessingStepConfigBase\n", "from .config_clean_base import CleanBase\n")

RULE = Rule(
    code="CL406",
    name="entry-point-mismatch",
    summary="The config's default entry point names a different script than the contract's entry_point.",
    severity=Severity.ERROR,
    docs='''
## What it checks
The default of the config's entry-point field — `processing_entry_point` for Processing steps,
`training_entry_point` for Training steps, else `entry_point` / `inference_entry_point` — defined on
the config class or inherited from a repo-local base, must name the same file as the contract's
`entry_point` (compared by base name, so `scripts/clean.py` matches `clean.py`). Fields without a
literal default are not judged.

## Why it matters
The builder uploads and runs the config's entry point, while validation, the alignment checks and
the dry run follow the contract's. When they differ, the step runs a script nobody checked — or a
file that does not exist.

## Example
```python
# steps/configs/config_clean_step.py
processing_entry_point: str = "cleaning.py"     # CL406

# steps/contracts/clean_contract.py
CLEAN_CONTRACT = ScriptContract(entry_point="clean.py", ...)
```
Use instead:
```python
processing_entry_point: str = "clean.py"
```

## How to fix
Make the config default and the contract's `entry_point` name the same script; rename whichever
one is stale.
''',
    bad=(
        Example(repo(config=_DRIFT),
                expect=(("steps/configs/config_clean_step.py", line_of(_DRIFT, "processing_entry_point")),)),
        Example(repo(config=_INHERITED, extra={"steps/configs/config_clean_base.py": _BASE}),
                expect=(("steps/configs/config_clean_base.py", line_of(_BASE, "processing_entry_point")),)),
    ),
    good=(Example(repo()), Example(repo(config=_SUBDIR))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    contract = step.contract
    if contract is None or contract.entry_point is None or not isinstance(contract.entry_point.value, str):
        return
    assert step.contract_file is not None  # contract facts come from the contract file
    name = step_config_class(step, project)
    near = step.config_file.path if step.config_file else None
    if name is None:
        return
    for field_name in FIELDS_BY_TYPE.get(step.sagemaker_step_type or "", ALL_FIELDS):
        found = next(((path, cfg) for path, cfg in iter_field_chain(project, name, near)
                      if field_name in cfg.fields), None)
        if found is None:
            continue
        path, owner = found
        field = owner.fields[field_name]
        if not field.has_default or not field.default_is_literal or not isinstance(field.default, str):
            if field.has_default and not field.default_is_literal:
                project.count_unknown("non-literal-entry-point")
            return
        mine = PurePosixPath(field.default.replace("\\", "/")).name
        theirs = PurePosixPath(contract.entry_point.value.replace("\\", "/")).name
        if mine != theirs:
            cname = contract_label(contract, step.contract_file.path, by_function=False)
            inherited = f" (inherited from {owner.name})" if owner.name != name else ""
            yield RULE.report(
                path, field.span,
                f"{name}.{field_name}{inherited} defaults to '{field.default}' but contract '{cname}' has "
                f"entry_point '{contract.entry_point.value}'",
                step=step.name,
                related=[(step.contract_file.path, contract.entry_point.value_span,
                          f"'{cname}' entry_point here")],
            )
        return
