"""CL409 compute-kind-missing-field: the config gives the template nothing for a value its
``compute.kind`` needs (a framework version, an image URI, ...)."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import INTERFACE_CONFIG, interface_edit, interface_repo, line_of
from ._template_routes import NEEDS

# the config's base (ProcessingStepConfigBase) has processing_framework_version: a kind that needs
# an image URI finds none
_SCRIPT_KIND = interface_edit("clean", "  kind: sklearn\n", "  kind: script\n")
_IMAGE_FIELD = interface_edit("clean", "  kind: sklearn\n", "  kind: script\n  image_uri_field: cleaning_image\n")
_IMAGE_CONFIG = INTERFACE_CONFIG.replace('    separator: str = ","\n',
                                         '    separator: str = ","\n    cleaning_image: str = "repo/clean:1"\n')
_CONVENTIONAL = INTERFACE_CONFIG.replace('    separator: str = ","\n',
                                         '    separator: str = ","\n    image_uri: str = "repo/clean:1"\n')

RULE = Rule(
    code="CL409",
    name="compute-kind-missing-field",
    summary="The interface's compute.kind needs a value (framework version, image URI, ...) the config cannot give.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Each `compute.kind` makes the template builder read some values from the config:

- Processing `sklearn` / `xgboost` / `framework`: a framework version — `compute.framework_version_field`
  or `compute.framework_version_default`, else a config attribute `processing_framework_version` or
  `framework_version`;
- Processing `script` / `byo_container`, Training `byo_container`: an image URI —
  `compute.image_uri_field`, else `image_uri`;
- Training `estimator`: a framework version — `compute.framework_version_field`, else
  `framework_version`; and an entry point — `compute.entry_point_field`, else `training_entry_point`;
- CreateModel `model`: a framework version (as for the estimator) and a framework name —
  `compute.framework_name` or `compute.sdk_class`;
- Transform `transformer`: an instance type — `compute.instance_type_field`, else
  `transform_instance_type`.

When the interface writes none of the `compute` keys, the config class (through its whole
inheritance chain) must have one of the conventional attributes. (When a `*_field` key is
written, CL401 checks that the attribute it names exists.)

## Why it matters
The template raises when it builds the step (`... has no value for framework_version`): the
pipeline cannot be compiled, though the interface and the config each look fine on their own.

## Example
```yaml
compute:
  kind: script            # CL409: CleanConfig has no image_uri and no image_uri_field is given
```
Use instead:
```yaml
compute:
  kind: script
  image_uri_field: cleaning_image
```

## How to fix
Name the config attribute with the `compute.*_field` key, add the conventional field to the
config class, or choose the kind the step really is.

## Known limits
Silent when a base class of the config lies outside the repo and is unknown.
''',
    bad=(Example(interface_repo(clean=_SCRIPT_KIND), expect=(("steps/interfaces/clean.step.yaml",
                                                             line_of(_SCRIPT_KIND, "kind: script")),)),),
    good=(Example(interface_repo()), Example(interface_repo(clean=_IMAGE_FIELD, config=_IMAGE_CONFIG)),
          Example(interface_repo(clean=_SCRIPT_KIND, config=_CONVENTIONAL))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    builder, reg = step.builder, step.registry
    if builder is None or not builder.synthesized or reg is None or step.builder_file is None:
        return
    kind = builder.template_keys.get("compute.kind")
    if kind is None or not isinstance(kind.value, str):
        return
    needs = NEEDS.get((reg.sagemaker_step_type or "", kind.value))
    if not needs or step.config is None or step.config_file is None:
        return
    members = project.config_members(step.config.name, step.config_file.path)
    for need in needs:
        if any(f"compute.{k}" in builder.template_keys for k in need.compute_keys):
            continue
        if any(a in members.names for a in need.attrs):
            continue
        if not members.complete:
            project.count_unknown("config-chain-unknown")
            continue
        where = " or ".join(f"compute.{k}" for k in need.compute_keys)
        attrs = f"; {step.config.name} has no {' or '.join(repr(a) for a in need.attrs)}" if need.attrs else ""
        yield RULE.report(
            step.builder_file.path, kind.value_span,
            f"compute.kind '{kind.value}' of a {reg.sagemaker_step_type} step needs {need.what}, but the "
            f"interface writes no {where}{attrs}", step=step.name,
            related=[(step.config_file.path, step.config.name_span, f"{step.config.name} is defined here")])
