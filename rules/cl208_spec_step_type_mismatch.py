"""CL208 spec-step-type-mismatch: a spec's step_type disagrees with its step's registry entry or file."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_core.registry.names import JOB_TYPE_SUFFIXES, split_words
from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._level2 import registry_span, spec_label

_BAD_CASE = edit("spec", 'step_type="Clean"', 'step_type="CLean"')


def _variant(job_in_file: str, job_declared: str) -> str:
    return (edit("spec", 'step_type="Clean"', f'step_type=spec_type_with_job_type("Clean", "{job_declared}")')
            .replace("StepSpecification\n", "StepSpecification, spec_type_with_job_type\n", 1)
            .replace("CLEAN_SPEC =", f"CLEAN_{job_in_file.upper()}_SPEC =", 1))


_BAD_VARIANT = _variant("calibration", "validation")
_GOOD_VARIANT = _variant("calibration", "calibration")
_VARIANT_PATH = "steps/specs/clean_calibration_spec.py"
# Known limits: a step type computed at run time, and the spec of a step the registry does not list
_COMPUTED = edit("spec", 'step_type="Clean"', 'step_type=step_type_for("CLean")')
_UNREGISTERED = edit("registry", '''    "Clean": {
        "config_class": "CleanConfig",
        "builder_step_name": "CleanStepBuilder",
        "spec_type": "Clean",
        "sagemaker_step_type": "Processing",
        "description": "Cleans raw data",
    },
''', "")

RULE = Rule(
    code="CL208",
    name="spec-step-type-mismatch",
    summary="A spec's step_type does not match its step's registry spec_type or its file's job type.",
    severity=Severity.ERROR,
    docs='''
## What it checks
For every spec variant of a registered step:

- the base of `step_type` (`"X"`, `"X_Training"`, `spec_type_with_job_type("X", "training")`)
  must equal the registry's `spec_type` for the step, spelled exactly (`get_spec_step_type("X")`
  takes the registry key and must name the step itself);
- when the file name carries a job type (`x_calibration_spec.py`), the `step_type` must carry the
  same one (`X_Calibration`).



## Why it matters
The specification registry and the dependency resolver look specs up by `step_type`. A base that
differs from the registry (even in letter case) makes the spec invisible to its own step, and a
job-type suffix copied from a sibling variant makes two variants claim the same slot, so one of
them silently replaces the other.

## Example
```python
# steps/specs/clean_calibration_spec.py
CLEAN_CALIBRATION_SPEC = StepSpecification(
    step_type=spec_type_with_job_type("Clean", "validation"),   # CL208: the file is the calibration variant
    ...)
```
Use instead:
```python
CLEAN_CALIBRATION_SPEC = StepSpecification(
    step_type=spec_type_with_job_type("Clean", "calibration"),
    ...)
```

## How to fix
Use the registry's `spec_type` as the base and the job type the file name announces; if the file
is the one that is wrong, rename it.

## Known limits
Specs of unregistered steps and step types computed at run time are not checked.
''',
    bad=(Example(repo(spec=_BAD_CASE), expect=(("steps/specs/clean_spec.py", line_of(_BAD_CASE, "step_type=")),)),
         Example(repo(extra={_VARIANT_PATH: _BAD_VARIANT}),
                 expect=((_VARIANT_PATH, line_of(_BAD_VARIANT, "step_type=")),))),
    good=(Example(repo()), Example(repo(extra={_VARIANT_PATH: _GOOD_VARIANT})),
          Example(repo(spec=_COMPUTED)), Example(repo(spec=_BAD_CASE, registry=_UNREGISTERED))),
)


def file_job_type(file_stem: str, step_name: str) -> str | None:
    """The job type a spec file name announces (``clean_calibration_spec`` -> ``calibration``);
    a step name that itself ends in a job word (``XGBoostTraining``) is not a job type."""
    words = [w.lower() for w in split_words(file_stem)]
    if words and words[-1] == "spec":
        words = words[:-1]
    if len(words) < 2 or words[-1] not in JOB_TYPE_SUFFIXES:
        return None
    step_words = [w.lower() for w in split_words(step_name)]
    if step_words and step_words[-1] == words[-1] and len(words) <= len(step_words):
        return None
    return words[-1]


def declared(step_type, registry_spec_type: str) -> tuple[str, str | None]:
    """(base, job type or None) of a spec's step_type as written."""
    if step_type.raw_kind == "literal":
        text = step_type.base
        if text == registry_spec_type:
            return text, None
        if text.startswith(registry_spec_type + "_"):  # spec types may contain underscores themselves
            return registry_spec_type, text[len(registry_spec_type) + 1:]
        base, _, job = text.partition("_")
        return base, job or None
    return step_type.base, step_type.job_type


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    reg = step.registry
    for variant in step.specs:
        st = variant.spec.step_type
        if st is None:
            continue
        if reg is None or st.base is None or "step_type" in variant.spec.non_literal:
            project.count_unknown("spec-step-type")
            continue
        base, job = declared(st, reg.spec_type)
        by_key = st.raw_kind in ("get_spec_step_type", "get_spec_step_type_with_job_type")
        expected = step.name if by_key else reg.spec_type
        related = []
        where = registry_span(step)
        if where is not None:
            related.append((where[0], where[1],
                            f"step '{step.name}' is registered with spec_type '{reg.spec_type}' here"))
        label = spec_label(variant)
        if base != expected:
            what = "registry key" if by_key else "registry spec_type"
            yield RULE.report(
                variant.path, st.span,
                f"spec '{label}' declares step_type base '{base}', but step '{step.name}' has {what} '{expected}'",
                step=step.name, related=related,
            )
        in_file = file_job_type(variant.path.stem, step.name)
        if in_file is None or (job is not None and job.lower() == in_file):
            continue
        if job is None:
            message = (f"spec file {variant.path.name} is the '{in_file}' variant, but spec '{label}' declares "
                       f"step_type '{base}' without a job-type suffix")
        else:
            message = (f"spec file {variant.path.name} is the '{in_file}' variant, but spec '{label}' declares "
                       f"job type '{job}' in its step_type")
        yield RULE.report(variant.path, st.span, message, step=step.name, related=related)
