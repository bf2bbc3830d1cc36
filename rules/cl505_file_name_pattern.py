"""CL505 file-name-pattern: step component files follow the house naming patterns."""

from __future__ import annotations

from collections.abc import Iterator
import re

from cursus_core.registry.names import pascal_to_snake
from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._classes import is_shared_base_file
from ._examples import edit, repo

_SNAKE = r"[a-z0-9]+(?:_[a-z0-9]+)*"
PATTERNS = {
    "builder": (re.compile(rf"builder_{_SNAKE}_step\.py"), "builder_<snake_name>_step.py", "builder_{}_step.py"),
    "config": (re.compile(rf"config_{_SNAKE}_step\.py"), "config_<snake_name>_step.py", "config_{}_step.py"),
    "contract": (re.compile(rf"{_SNAKE}_contract\.py"), "<snake_name>_contract.py", "{}_contract.py"),
    "spec": (re.compile(rf"{_SNAKE}_spec\.py"), "<snake_name>_spec.py", "{}_spec.py"),
}

_MOVED_BUILDER = {k.replace("steps/builders/builder_clean_step.py", "steps/builders/CleanBuilder.py"): v
                  for k, v in repo().items()}
_MOVED_VARIANT = {k.replace("steps/specs/clean_spec.py", "steps/specs/clean_train_spec.py"): v
                  for k, v in repo().items()}
_MOVED_VARIANT["steps/specs/clean_train_spec.py"] = _MOVED_VARIANT["steps/specs/clean_train_spec.py"].replace(
    'step_type="Clean",', 'step_type="Clean_Training",').replace("CLEAN_SPEC", "CLEAN_TRAINING_SPEC")
_MOVED_VARIANT["steps/builders/builder_clean_step.py"] = _MOVED_VARIANT["steps/builders/builder_clean_step.py"] \
    .replace("from ..specs.clean_spec import CLEAN_SPEC", "from ..specs.clean_train_spec import CLEAN_TRAINING_SPEC") \
    .replace("spec=CLEAN_SPEC", "spec=CLEAN_TRAINING_SPEC")
_VARIANT = {k.replace("steps/specs/clean_spec.py", "steps/specs/clean_training_spec.py"): v
            for k, v in _MOVED_VARIANT.items() if k != "steps/specs/clean_train_spec.py"}
_VARIANT["steps/specs/clean_training_spec.py"] = _MOVED_VARIANT["steps/specs/clean_train_spec.py"]
_VARIANT["steps/builders/builder_clean_step.py"] = _MOVED_VARIANT["steps/builders/builder_clean_step.py"].replace(
    "specs.clean_train_spec", "specs.clean_training_spec")

# a shared base config registered as the abstract "Processing" entry (as cursus does)
_SHARED_BASE = repo(
    registry=edit("registry", "STEP_NAMES = {\n",
                  'STEP_NAMES = {\n    "Processing": {\n        "config_class": "ProcessingBaseConfigBase",\n'
                  '        "builder_step_name": "ProcessingStepBuilder",\n        "spec_type": "Processing",\n'
                  '        "sagemaker_step_type": "Processing",\n    },\n'),
    extra={"steps/configs/config_processing_step_base.py":
           "from cursus_core.base import ProcessingStepConfigBase\n\n\n"
           "class ProcessingBaseConfigBase(ProcessingStepConfigBase):\n    shared_flag: bool = False\n"},
)

RULE = Rule(
    code="CL505",
    name="file-name-pattern",
    summary="A step component file does not follow the naming pattern for its kind.",
    severity=Severity.WARNING,
    docs='''
## What it checks
The files the catalog assigned to a step follow the house patterns: builders
`builder_<snake_name>_step.py`, configs `config_<snake_name>_step.py`, contracts
`<snake_name>_contract.py`, specifications `<snake_name>_spec.py`, and a job-type variant spec
`<snake_name>_<job_type>_spec.py` (ending in its own job type). Names are lower-case snake case.
A shared base module (every class in it a base: a `Base`/`Mixin`/`ABC` suffix or inherited by a
repo class, like `config_processing_step_base.py` under the abstract `Processing` entry) is not a
step's own file and keeps its name.

## Why it matters
Catalogs, workspace tooling and people find a step's five files by these patterns. A file named
otherwise is only found through weaker evidence (class names, imports) and is easy to miss when a
step is copied, renamed or reviewed.

## Example
```text
steps/builders/CleanBuilder.py           # CL505
steps/specs/clean_train_spec.py          # CL505: the spec's job type is "training"
```
Use instead:
```text
steps/builders/builder_clean_step.py
steps/specs/clean_training_spec.py
```

## How to fix
Rename the file (`git mv`) and update the relative imports that name its module.
''',
    bad=(
        Example(_MOVED_BUILDER, expect=(("steps/builders/CleanBuilder.py", 1),)),
        Example(_MOVED_VARIANT, expect=(("steps/specs/clean_train_spec.py", 1),)),
    ),
    good=(Example(repo()), Example(_VARIANT), Example(_SHARED_BASE)),
)


def _report(step, kind: str, path, wanted: str, example: str):
    return RULE.report(
        path, None,
        f"{kind} file '{path.name}' of step '{step.name}' does not follow the pattern '{wanted}' "
        f"(e.g. '{example}')",
        step=step.name,
    )


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    snake = pascal_to_snake(step.name)
    for kind, path in (("builder", step.info.builder), ("config", step.info.config),
                       ("contract", step.info.contract)):
        if path is None:
            continue
        pattern, wanted, example = PATTERNS[kind]
        if kind != "contract" and is_shared_base_file(project, project.files.get(path)):
            continue  # a shared base module (config_processing_step_base.py), not this step's own file
        if not pattern.fullmatch(path.name):
            yield _report(step, kind, path, wanted, example.format(snake))
    pattern, wanted, example = PATTERNS["spec"]
    for job_type, path in sorted(step.info.specs.items(), key=lambda kv: kv[0] or ""):
        if job_type is None:
            if not pattern.fullmatch(path.name):
                yield _report(step, "spec", path, wanted, example.format(snake))
            continue
        tail = f"_{job_type.lower()}_spec.py"
        if not (pattern.fullmatch(path.name) and path.name.endswith(tail) and len(path.name) > len(tail)):
            yield _report(step, "spec", path, f"<snake_name>_{job_type.lower()}_spec.py",
                          f"{snake}{tail}")
