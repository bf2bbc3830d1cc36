"""CL402 required-env-var-not-set: the builder's env never sets a contract's required env var."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel, contract_label
from cursus_lint.rule import Example, Rule

from ._env_route import env_route
from ._examples import CLEAN_INTERFACE, CONFIG, INTERFACE_CONFIG, edit, interface_repo, line_of, repo

_FORGOT = edit("builder", '        env_vars["LABEL_FIELD"] = self.config.label_name\n', "")
_SUPER = edit("builder", "        env_vars = {}\n        env_vars[\"LABEL_FIELD\"] = self.config.label_name\n",
              "        env_vars = super()._get_environment_variables()\n"
              "        env_vars[\"LABEL_FIELD\"] = self.config.label_name\n")
_NO_OVERRIDE = edit("builder", '''    def _get_environment_variables(self):
        env_vars = {}
        env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars["SEPARATOR"] = self.config.separator
        return env_vars

''', "")
# the base builder takes LABEL_FIELD from config.label_field: a config with that field is fine
_LABEL_FIELD_CONFIG = edit("config", "    label_name: str = Field(description=\"Target column\")\n",
                           "    label_name: str = Field(description=\"Target column\")\n"
                           "    label_field: str = \"label\"\n")
# interface layout: the config's own collector forgets LABEL_FIELD; or there is no collector and
# no field label_field
_IFACE_FORGOT = INTERFACE_CONFIG.replace('"LABEL_FIELD": self.label_name, ', "")
_IFACE_NO_COLLECTOR = CONFIG
_IFACE_OVERRIDES = CONFIG + '''
    def _env_overrides(self):
        return {"LABEL_FIELD": self.label_name}
'''

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
Every name in the contract's `required_env_vars` must really be set in the container env:

- a builder that overrides `_get_environment_variables` must set it there (`env_vars["X"] = ...`,
  `env_vars.update({"X": ...})`, or a returned dict literal);
- a builder that does not override it, or calls `super()._get_environment_variables()` and does
  not set the name itself, leaves it to the base builder, which takes `X` from the config
  attribute `x` (the name in lower case): the config class (through its whole inheritance chain)
  must have that field or property;
- in the interface layout (no builder file) the template builder asks the config: its own env
  collector (`get_environment_variables`, else an `environment_variables` property, defined on
  the step's config class rather than a shared base) must emit the name; without one, the name
  must be an `_env_overrides` key or a config attribute `x`. The finding then points at the
  name in `contract.env_vars.required` of the `.step.yaml`.

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
`super()._get_environment_variables()` with a config field named like the variable, emit it from
the config's env collector (interface layout), or — when the script no longer needs it — remove
it from the contract's `required_env_vars`.

## Known limits
The rule stays silent when the builder or the config's collector sets env vars under names
computed at run time (`env_vars[name] = ...`, a dict returned by a helper), when a config base
class lies outside the repo and is unknown, when the config has a `hyperparameters` field (the
base builder also looks there), and for steps an SDK step class runs (Cradle/Redshift data
loading, MIMS registration, builders that wrap an SDK step).
''',
    bad=(Example(repo(builder=_FORGOT),
                 expect=(("steps/builders/builder_clean_step.py",
                          line_of(_FORGOT, "def _get_environment_variables")),)),
         Example(repo(builder=_NO_OVERRIDE),
                 expect=(("steps/builders/builder_clean_step.py", line_of(_NO_OVERRIDE, "class CleanStepBuilder")),)),
         Example(interface_repo(config=_IFACE_FORGOT),
                 expect=(("steps/interfaces/clean.step.yaml", line_of(CLEAN_INTERFACE, "required: [LABEL_FIELD]")),)),
         Example(interface_repo(config=_IFACE_NO_COLLECTOR),
                 expect=(("steps/interfaces/clean.step.yaml", line_of(CLEAN_INTERFACE, "required: [LABEL_FIELD]")),))),
    good=(Example(repo()), Example(repo(builder=_SUPER)),
          Example(repo(builder=_NO_OVERRIDE, config=_LABEL_FIELD_CONFIG)),
          Example(repo(builder=_COMPUTED)), Example(interface_repo()),
          Example(interface_repo(config=_IFACE_OVERRIDES))),
)


def _config_label(step: StepModel) -> str:
    return step.config.name if step.config is not None else "the config"


def _inherited(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    """Classic builder that leaves env vars to the base class: it reads ``config.<name.lower()>``."""
    route, builder, contract = env_route(step, project), step.builder, step.contract
    if route is None or builder is None or contract is None or step.config is None:
        return
    assert step.builder_file is not None and step.config_file is not None and step.contract_file is not None
    for item in contract.required_env_vars:
        known = route.sets_name(item.name)
        if known is None:
            project.count_unknown("env-supply-unknown")
        if known is not False:
            continue
        yield RULE.report(
            step.builder_file.path, builder.name_span,
            f"{builder.name} leaves required env var '{item.name}' to the base builder, which takes it from "
            f"config attribute '{item.name.lower()}', but {_config_label(step)} (and its bases) has none; "
            f"the container starts without '{item.name}'",
            step=step.name,
            related=[(step.contract_file.path, item.span, f"'{item.name}' is required here"),
                     (step.config_file.path, step.config.name_span, f"{_config_label(step)} is defined here")])


def _interface(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    """Template builder: the config's own collector, else ``_env_overrides`` / same-named attributes."""
    route, contract = env_route(step, project), step.contract
    if route is None or contract is None or step.config is None:
        return
    assert step.contract_file is not None and step.config_file is not None
    cfg = _config_label(step)
    for item in contract.required_env_vars:
        known = route.sets_name(item.name)
        if known is None:
            project.count_unknown("env-supply-unknown")
        if known is not False:
            continue
        own = route.collector
        if own is not None:
            how = f"{own.owner}.{own.facts.member} (the config's own env collector) never emits it"
            related = [(own.path, own.facts.span, f"{own.owner}.{own.facts.member} is defined here")]
        else:
            how = (f"{cfg} has no attribute '{item.name.lower()}' and no env collector or _env_overrides "
                   f"entry supplies it")
            related = [(step.config_file.path, step.config.name_span, f"{cfg} is defined here")]
        yield RULE.report(
            step.contract_file.path, item.span,
            f"the interface requires env var '{item.name}' but the template builder never sets it: {how}",
            step=step.name, related=related)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    builder, contract = step.builder, step.contract
    if builder is None or contract is None or not contract.required_env_vars:
        return
    assert step.builder_file is not None  # builder facts come from the builder file
    assert step.contract_file is not None  # contract facts come from the contract file
    if "required_env_vars" in contract.non_literal:
        project.count_unknown("non-literal-contract-env")
        return
    if builder.synthesized:
        yield from _interface(step, project)
        return
    if not builder.has_env_method or builder.calls_super_env:
        yield from _inherited(step, project)  # the base class copies the contract's env vars
        return
    if not builder.env_vars_set or step.builder_file.unknown.get("dynamic-builder-env-name"):
        project.count_unknown("dynamic-builder-env")  # env built from names we cannot read
        return
    set_names = {e.name for e in builder.env_vars_set}
    where = builder.methods.get("_get_environment_variables", builder.name_span)
    name = contract_label(contract, step.contract_file.path, by_function=False)
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
