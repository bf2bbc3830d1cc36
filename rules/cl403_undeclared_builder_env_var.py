"""CL403 undeclared-builder-env-var: the builder sets an env var its contract does not declare."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel, contract_label
from cursus_lint.rule import Example, Rule

from ._env_route import env_route
from ._examples import INTERFACE_CONFIG, edit, interface_repo, line_of, repo

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
# interface layout: the config's own env collector is what the template builder sets
_IFACE_EXTRA = INTERFACE_CONFIG.replace('"SEPARATOR": self.separator}',
                                        '"SEPARATOR": self.separator,\n                "DROP_DUPLICATES": "true"}')
# ... but a name the script reads is CL103's finding (the script and the collector agree)
_IFACE_READ = _IFACE_EXTRA
_READ_SCRIPT = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                    '    sep = environ_vars.get("SEPARATOR", ",")\n    dedup = os.environ.get("DROP_DUPLICATES")\n')

RULE = Rule(
    code="CL403",
    name="undeclared-builder-env-var",
    summary="The builder sets an environment variable that the step's script contract does not declare.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Every env var the builder sets in `_get_environment_variables` (item assignment, `update`, dict
literal) must be declared in the contract's `required_env_vars` or `optional_env_vars`.

In the interface layout the template builder sets what the config's own env collector
(`get_environment_variables` or the `environment_variables` property of the step's config class)
returns, so every name that collector emits must be declared in `contract.env_vars` of the
`.step.yaml`; the finding points at the name in the config file. A name the step's script also
reads is left to CL103 (one drift, one finding, at the read).

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
        Example(interface_repo(config=_IFACE_EXTRA),
                expect=(("steps/configs/config_clean_step.py", line_of(_IFACE_EXTRA, '"DROP_DUPLICATES"')),)),
    ),
    good=(Example(repo()), Example(repo(builder=_PLATFORM)), Example(repo(builder=_FRAMEWORK)),
          Example(interface_repo()), Example(interface_repo(config=_IFACE_READ, script=_READ_SCRIPT))),
)


def _exempt(name: str, project: ProjectModel) -> bool:
    """Set for the container or framework, not the script (documented names, the repo's list)."""
    return name.startswith(PLATFORM_PREFIXES) or name in FRAMEWORK_NAMES or project.settings.is_framework_env_var(name)


def _collector(step: StepModel, project: ProjectModel, declared: set[str]) -> Iterator[Diagnostic]:
    """Interface layout: what the config's own env collector emits is what the template sets."""
    route = env_route(step, project)
    if route is None or route.collector is None or step.contract_file is None:
        return
    own = route.collector
    script = step.script.script if step.script is not None else None
    read = {r.name for r in script.env_reads} if script is not None else set()
    for env, (path, span) in sorted(route.sets.items(), key=lambda kv: (str(kv[1][0]), kv[1][1].line)):
        if env in declared or _exempt(env, project):
            continue
        if env in read:
            continue  # the script reads it too: one drift, reported once by CL103 at the read
        yield RULE.report(
            path, span,
            f"{own.owner}.{own.facts.member} (the config's env collector) emits env var '{env}' that the "
            f"interface of '{step.name}' does not declare",
            step=step.name,
            related=[(step.contract_file.path, _env_key(step), "the interface declares its env vars here")])


def _env_key(step: StepModel) -> object:
    contract = step.contract
    assert contract is not None
    return contract.keyword_spans.get("required_env_vars") or contract.keyword_spans.get("optional_env_vars") \
        or contract.span


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    builder, contract = step.builder, step.contract
    if builder is not None and builder.synthesized and contract is not None:
        if "required_env_vars" in contract.non_literal or "optional_env_vars" in contract.non_literal:
            return
        yield from _collector(step, project, {i.name for i in contract.required_env_vars} |
                              set(contract.optional_env_vars))
        return
    if builder is None or contract is None or not builder.env_vars_set:
        return
    assert step.builder_file is not None  # builder facts come from the builder file
    assert step.contract_file is not None  # contract facts come from the contract file
    if "required_env_vars" in contract.non_literal or "optional_env_vars" in contract.non_literal:
        project.count_unknown("non-literal-contract-env")
        return
    declared = {item.name for item in contract.required_env_vars} | set(contract.optional_env_vars)
    name = contract_label(contract, step.contract_file.path, by_function=False)
    where = contract.keyword_spans.get("required_env_vars") or contract.keyword_spans.get("optional_env_vars") \
        or contract.span
    reported: set[str] = set()
    for env in builder.env_vars_set:
        if env.name in declared or env.name in reported or _exempt(env.name, project):
            continue
        reported.add(env.name)
        yield RULE.report(
            step.builder_file.path, env.span,
            f"builder {builder.name} sets env var '{env.name}' that contract '{name}' does not declare",
            step=step.name,
            related=[(step.contract_file.path, where, f"'{name}' declares its env vars here")],
        )
