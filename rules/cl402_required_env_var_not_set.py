"""CL402 required-env-var-not-set: the builder's env never sets a contract's required env var."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_FORGOT = edit("builder", '        env_vars["LABEL_FIELD"] = self.config.label_name\n', "")
_SUPER = edit("builder", "        env_vars = {}\n        env_vars[\"LABEL_FIELD\"] = self.config.label_name\n",
              "        env_vars = super()._get_environment_variables()\n")
_NO_OVERRIDE = edit("builder", '''    def _get_environment_variables(self):
        env_vars = {}
        env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars["SEPARATOR"] = self.config.separator
        return env_vars

''', "")

# Known limits: a builder that sets env vars under computed names may set LABEL_FIELD
_COMPUTED = edit("builder", '        env_vars["LABEL_FIELD"] = self.config.label_name\n',
                 "        for name in self.config.env_names:\n"
                 "            env_vars[name] = getattr(self.config, name)\n")

RULE = Rule(
    code="CL402",
    name="required-env-var-not-set",
    summary="The builder overrides _get_environment_variables but never sets an env var the contract requires.",
    severity=Severity.ERROR,
    docs='''
## What it checks
When a step builder overrides `_get_environment_variables`, every name in its contract's
`required_env_vars` must be set there (`env_vars["X"] = ...`, `env_vars.update({"X": ...})`, or a
returned dict literal). A builder that calls `super()._get_environment_variables()` or does not
override the method at all is fine: the base class copies the contract's env vars from the config.

## Why it matters
The script reads a required env var with `os.environ["X"]`; when the builder does not set it the
container fails with a `KeyError` after the job has been scheduled and the instance started.

## Example
```python
# steps/contracts/clean_contract.py
CLEAN_CONTRACT = ScriptContract(..., required_env_vars=["LABEL_FIELD"], ...)

# steps/builders/builder_clean_step.py
def _get_environment_variables(self):          # CL402: LABEL_FIELD is never set
    env_vars = {}
    env_vars["SEPARATOR"] = self.config.separator
    return env_vars
```
Use instead:
```python
def _get_environment_variables(self):
    env_vars = {}
    env_vars["LABEL_FIELD"] = self.config.label_name
    env_vars["SEPARATOR"] = self.config.separator
    return env_vars
```

## How to fix
Set the variable in `_get_environment_variables` from the config, start from
`super()._get_environment_variables()`, or — when the script no longer needs it — remove it from
the contract's `required_env_vars`.

## Known limits
The rule stays silent when the builder sets env vars under names computed at run time
(`env_vars[name] = ...`).
''',
    bad=(Example(repo(builder=_FORGOT),
                 expect=(("steps/builders/builder_clean_step.py",
                          line_of(_FORGOT, "def _get_environment_variables")),)),),
    good=(Example(repo()), Example(repo(builder=_SUPER)), Example(repo(builder=_NO_OVERRIDE)),
          Example(repo(builder=_COMPUTED))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    builder, contract = step.builder, step.contract
    if builder is None or contract is None or not contract.required_env_vars:
        return
    assert step.builder_file is not None  # builder facts come from the builder file
    assert step.contract_file is not None  # contract facts come from the contract file
    if not builder.has_env_method or builder.calls_super_env:
        return  # the base class copies the contract's env vars
    if "required_env_vars" in contract.non_literal:
        project.count_unknown("non-literal-contract-env")
        return
    if not builder.env_vars_set or step.builder_file.unknown.get("dynamic-builder-env-name"):
        project.count_unknown("dynamic-builder-env")  # env built from names we cannot read
        return
    set_names = {e.name for e in builder.env_vars_set}
    where = builder.methods.get("_get_environment_variables", builder.name_span)
    name = contract.variable or "the contract"
    for item in contract.required_env_vars:
        if item.name in set_names:
            continue
        yield RULE.report(
            step.builder_file.path, where,
            f"contract '{name}' requires env var '{item.name}' but "
            f"{builder.name}._get_environment_variables never sets it",
            step=step.name,
            related=[(step.contract_file.path, item.span, f"'{name}' requires '{item.name}' here")],
        )
