"""CL403 undeclared-builder-env-var: the builder sets an env var its contract does not declare."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

#: names the SageMaker platform itself reads; builders may set them without a contract entry
#: names SageMaker, the AWS SDKs and the Python runtime read themselves, as they document them
PLATFORM_PREFIXES = ("SAGEMAKER_", "SM_", "AWS_", "PIP_")
FRAMEWORK_NAMES = frozenset({"PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONHASHSEED", "PYTHONIOENCODING",
                             "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NCCL_DEBUG", "CUDA_VISIBLE_DEVICES"})

_EXTRA = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n',
              '        env_vars["SEPARATOR"] = self.config.separator\n'
              '        env_vars["DROP_DUPLICATES"] = "true"\n')
_DROPPED = edit("contract", '    optional_env_vars={"SEPARATOR": ","},\n', "")
_DROPPED_SCRIPT = '''\
import argparse
import os

INPUT_DIR = "/opt/ml/processing/input/data"
OUTPUT_DIR = "/opt/ml/processing/output/clean"


def main(input_paths, output_paths, environ_vars, job_args):
    label = environ_vars["LABEL_FIELD"]
    src = os.path.join(input_paths["raw_data"], "part.csv")
    dst = os.path.join(output_paths["clean_data"], f"{job_args.job_type}.csv")
    return label, src, dst


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", required=True)
    args = parser.parse_args()
    main(
        {"raw_data": INPUT_DIR},
        {"clean_data": OUTPUT_DIR},
        {"LABEL_FIELD": os.environ["LABEL_FIELD"]},
        args,
    )
'''
_PLATFORM = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n',
                 '        env_vars["SEPARATOR"] = self.config.separator\n'
                 '        env_vars["SAGEMAKER_PROGRAM"] = "clean.py"\n')
_FRAMEWORK = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n',
                  '        env_vars["SEPARATOR"] = self.config.separator\n'
                  '        env_vars["AWS_DEFAULT_REGION"] = self.config.aws_region\n'
                  '        env_vars["PYTHONUNBUFFERED"] = "1"\n')
_BUILDER = repo()["steps/builders/builder_clean_step.py"]

RULE = Rule(
    code="CL403",
    name="undeclared-builder-env-var",
    summary="The builder sets an environment variable that the step's script contract does not declare.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Every env var the builder sets in `_get_environment_variables` (item assignment, `update`, dict
literal) must be declared in the contract's `required_env_vars` or `optional_env_vars`.

Variables for the container or framework rather than the script are exempt: names the platform
documents and reads itself (SageMaker `SAGEMAKER_*` / `SM_*`, the AWS SDKs' `AWS_*`, pip's
`PIP_*`, `PYTHONPATH`, `PYTHONUNBUFFERED`, `PYTHONHASHSEED`, `PYTHONIOENCODING`,
`OMP_NUM_THREADS`, `MKL_NUM_THREADS`, `NCCL_DEBUG`, `CUDA_VISIBLE_DEVICES`), and the names a repo
lists in `framework-env-vars` of `[tool.cursus-lint]` (exact names or `PREFIX*`), for variables
its own container tooling reads (a package-index credential, a platform id).

## Why it matters
The contract is the script's interface. A variable only the builder knows about is either dead
(the script stopped reading it when the contract dropped it) or read by the script behind the
contract's back, so validation and the other alignment checks cannot see it.

## Example
```python
# steps/contracts/clean_contract.py
CLEAN_CONTRACT = ScriptContract(..., required_env_vars=["LABEL_FIELD"])   # SEPARATOR was dropped

# steps/builders/builder_clean_step.py
env_vars["SEPARATOR"] = self.config.separator          # CL403
```
Use instead:
```python
def _get_environment_variables(self):
    env_vars = {}
    env_vars["LABEL_FIELD"] = self.config.label_name
    return env_vars
```

## How to fix
Stop setting the variable in the builder, or declare it in the contract (`optional_env_vars` with
a default when the script copes without it).
''',
    bad=(
        Example(repo(builder=_EXTRA),
                expect=(("steps/builders/builder_clean_step.py", line_of(_EXTRA, '"DROP_DUPLICATES"')),)),
        Example(repo(contract=_DROPPED, script=_DROPPED_SCRIPT),
                expect=(("steps/builders/builder_clean_step.py", line_of(_BUILDER, 'env_vars["SEPARATOR"]')),)),
    ),
    good=(Example(repo()), Example(repo(builder=_PLATFORM)), Example(repo(builder=_FRAMEWORK))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    builder, contract = step.builder, step.contract
    if builder is None or contract is None or not builder.env_vars_set:
        return
    assert step.builder_file is not None  # builder facts come from the builder file
    assert step.contract_file is not None  # contract facts come from the contract file
    if "required_env_vars" in contract.non_literal or "optional_env_vars" in contract.non_literal:
        project.count_unknown("non-literal-contract-env")
        return
    declared = {item.name for item in contract.required_env_vars} | set(contract.optional_env_vars)
    name = contract.variable or "the contract"
    where = contract.keyword_spans.get("required_env_vars") or contract.keyword_spans.get("optional_env_vars") \
        or contract.span
    reported: set[str] = set()
    for env in builder.env_vars_set:
        if env.name in declared or env.name in reported or env.name.startswith(PLATFORM_PREFIXES) \
                or env.name in FRAMEWORK_NAMES or project.settings.is_framework_env_var(env.name):
            continue
        reported.add(env.name)
        yield RULE.report(
            step.builder_file.path, env.span,
            f"builder {builder.name} sets env var '{env.name}' that contract '{name}' does not declare",
            step=step.name,
            related=[(step.contract_file.path, where, f"'{name}' declares its env vars here")],
        )
