"""CL407 optional-env-var-ignored: the config carries a value for a declared optional env var,
but the builder (or the config's own env collector) never passes it on."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._env_route import env_route
from ._examples import CLEAN_INTERFACE, CONFIG, INTERFACE_CONFIG, edit, interface_repo, line_of, repo

_DROPPED = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n', "")
_INHERITED = edit("builder", '''    def _get_environment_variables(self):
        env_vars = {}
        env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars["SEPARATOR"] = self.config.separator
        return env_vars
''', '''    def _get_environment_variables(self):
        env_vars = super()._get_environment_variables()
        env_vars["LABEL_FIELD"] = self.config.label_name
        return env_vars
''')
_NO_FIELD_CONFIG = CONFIG.replace('    separator: str = ","\n', "")
_NO_FIELD_BUILDER = _DROPPED
_IFACE_DROPPED = INTERFACE_CONFIG.replace(', "SEPARATOR": self.separator', "")
_IFACE_COMPUTED = CONFIG + '''
    def get_environment_variables(self):
        env = {"LABEL_FIELD": self.label_name}
        for key in self.extra_env_names:
            env[key] = getattr(self, key.lower())
        return env
'''

RULE = Rule(
    code="CL407",
    name="optional-env-var-ignored",
    summary="The config has a value for an optional env var the contract declares, but the builder never sets it.",
    severity=Severity.WARNING,
    docs='''
## What it checks
For each `optional_env_vars` name of the contract (or `contract.env_vars.optional` of a step
interface) for which the config class carries a value — a field or property named like the
variable in lower case (`SEPARATOR` → `separator`), through the whole inheritance chain — the
builder must set the variable:

- classic layout: a builder that overrides `_get_environment_variables` without calling `super()`
  must set it there (the base class would have copied `config.separator`);
- interface layout: when the config class has its own env collector (`get_environment_variables`
  or an `environment_variables` property), that collector must emit it; the template builder
  calls only the collector and then fills optional names with the interface default.

## Why it matters
The script then always runs with the contract's default: whatever a user writes into the config
field is silently ignored. Nothing fails; the job just does something else than configured.

## Example
```python
# config: separator: str = ","      contract: optional_env_vars={"SEPARATOR": ","}
def _get_environment_variables(self):          # CL407: config.separator never reaches the script
    env_vars = {}
    env_vars["LABEL_FIELD"] = self.config.label_name
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
Set the variable from the config field in the builder (or emit it from the config's collector),
or call `super()._get_environment_variables()` first; or drop the field when the default is all
the step ever needs.

## Known limits
Silent when the builder or collector sets env vars under computed names (a loop over a list,
a dict from a helper), when the config's bases are outside the repo and unknown, and for steps
an SDK step class runs (their env is not built by the builder). Classic builders that only
inherit `_get_environment_variables` always pass optional variables on.
''',
    bad=(Example(repo(builder=_DROPPED),
                 expect=(("steps/builders/builder_clean_step.py",
                          line_of(_DROPPED, "def _get_environment_variables")),)),
         Example(interface_repo(config=_IFACE_DROPPED),
                 expect=(("steps/interfaces/clean.step.yaml", line_of(CLEAN_INTERFACE, "SEPARATOR:")),))),
    good=(Example(repo()), Example(repo(builder=_INHERITED)),
          Example(repo(builder=_NO_FIELD_BUILDER, config=_NO_FIELD_CONFIG)),
          Example(interface_repo()),
          Example(interface_repo(config=_IFACE_COMPUTED))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    contract, builder = step.contract, step.builder
    if contract is None or builder is None or not contract.optional_env_vars or step.config is None:
        return
    if "optional_env_vars" in contract.non_literal:
        return
    route = env_route(step, project)
    if route is None or route.convention:
        return  # names resolve from same-named config attributes: the value is passed on
    assert step.contract_file is not None and step.builder_file is not None and step.config_file is not None
    cfg = step.config.name
    for name, entry in contract.optional_env_vars.items():
        if name in contract.computed_env_vars or route.config_has(name) is not True:
            continue
        known = route.sets_name(name)
        if known is None:
            project.count_unknown("env-supply-unknown")
        if known is not False:
            continue
        attr = name.lower()
        related = [(step.config_file.path, step.config.name_span, f"{cfg} (or a base) defines '{attr}'")]
        if route.interface:
            own = route.collector
            assert own is not None  # no collector means convention
            yield RULE.report(
                step.contract_file.path, entry.key_span,
                f"{cfg} has a value for optional env var '{name}' ('{attr}'), but its env collector "
                f"{own.owner}.{own.facts.member} never emits it: the script always gets the interface default",
                step=step.name, related=[*related, (own.path, own.facts.span, "the collector")])
        else:
            where = builder.methods.get("_get_environment_variables", builder.name_span)
            yield RULE.report(
                step.builder_file.path, where,
                f"{cfg} has a value for optional env var '{name}' ('{attr}'), but "
                f"{builder.name}._get_environment_variables never sets it: the script always gets the default",
                step=step.name,
                related=[*related, (step.contract_file.path, entry.key_span, f"'{name}' is declared here")])
