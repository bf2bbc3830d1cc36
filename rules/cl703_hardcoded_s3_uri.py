"""CL703 hardcoded-s3-uri: a builder, or a config field default, names a fixed ``s3://`` location."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts, Span
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._portability import defines_step_builder, inside

_BAD_BUILDER = edit(
    "builder", 'destination=Join(on="/", values=[self._get_base_output_path(), "clean", name]),',
    'destination="s3://ml-team-bucket/clean/" + name,',
)
_BAD_CONFIG = edit(
    "config", '    separator: str = ","\n',
    '    separator: str = ","\n    reference_data: str = Field(default="s3://ml-team-bucket/reference/v3",'
    ' description="Lookup table")\n',
)
_GOOD_BUILDER = edit(
    "builder", "    def validate_configuration(self):\n",
    '    def validate_configuration(self):\n        """Outputs go below s3://<bucket>/<pipeline>/clean/."""\n'
    '        if not str(self.config.source_dir).startswith("s3://"):\n            pass\n',
)
_GOOD_CONFIG = edit(
    "config", '    separator: str = ","\n',
    '    separator: str = ","\n    reference_data: str = Field(description="Lookup table, e.g. s3://bucket/ref")\n',
)
# Known limits: a helper module next to the builders (no step builder class) and a script are not checked
_HELPER = 'REFERENCE_DATA = "s3://ml-team-bucket/reference/v3"\n'
_S3_SCRIPT = edit("script", 'INPUT_DIR = "/opt/ml/processing/input/data"\n',
                  'INPUT_DIR = "/opt/ml/processing/input/data"\nSOURCE = "s3://ml-team-bucket/raw/"  # for the docs\n')

RULE = Rule(
    code="CL703",
    name="hardcoded-s3-uri",
    summary="A builder or a config field default hard-codes an `s3://` URI.",
    severity=Severity.ERROR,
    docs='''
## What it checks
String literals that are `s3://bucket/...` URIs, and S3 paths assembled from strings whose
bucket is written out (`f"s3://ml-team-bucket/{key}"`, `"s3://ml-team-bucket/x/" + name`):

- anywhere in a **builder** file (module constants, methods, keyword arguments) — a file that
  defines a step builder class;
- in the **default value of a config or hyperparameter field** (`x: str = "s3://..."`,
  `Field(default="s3://...")`, a module constant used as the default, or a literal inside a
  list/dict default).

Docstrings, comments, log and exception messages are not locations and never count; neither
does a bare scheme such as `uri.startswith("s3://")`.

## Why it matters
A hard-coded bucket ties the step to one account, region and environment: the pipeline writes
to (or reads from) the same place in development and production, fails with `AccessDenied` in
another account, and ignores the pipeline's execution prefix, so runs overwrite each other.

## Example
```python
# steps/builders/builder_clean_step.py
destination="s3://ml-team-bucket/clean/" + name,               # CL703

# steps/configs/config_clean_step.py
reference_data: str = Field(default="s3://ml-team-bucket/reference/v3", ...)   # CL703
```
Use instead:
```python
destination=Join(on="/", values=[self._get_base_output_path(), "clean", name]),

reference_data: str = Field(description="Lookup table, e.g. s3://bucket/ref")   # no default: set per environment
```

## How to fix
In builders, derive locations from the base output path (`self._get_base_output_path()`, which
honours the execution prefix) with `Join`. In configs, make the field required (tier 1) or
derive it from `pipeline_s3_loc` in a property, so every environment supplies its own bucket.

## Known limits
Helper modules next to the builders (files that define no step builder class) are not checked.
Scripts, contracts and specifications are not checked either (scripts see container paths,
contracts and specs name logical inputs and outputs).
''',
    bad=(
        Example(repo(builder=_BAD_BUILDER),
                expect=(("steps/builders/builder_clean_step.py", line_of(_BAD_BUILDER, "s3://ml-team")),)),
        Example(repo(config=_BAD_CONFIG),
                expect=(("steps/configs/config_clean_step.py", line_of(_BAD_CONFIG, "s3://ml-team")),)),
    ),
    good=(Example(repo(builder=_GOOD_BUILDER, config=_GOOD_CONFIG)),
          Example(repo(extra={"steps/builders/s3_defaults.py": _HELPER})),
          Example(repo(script=_S3_SCRIPT))),
)

_CONFIG_ROLES = ("config", "hyperparams")


def is_location(value: str) -> bool:
    """``s3://bucket...``: a bare scheme (``"s3://"``, used in prefix checks) names no location."""
    return value.startswith("s3://") and len(value) > len("s3://") and value[5] != "/"


def fixed_bucket(text: str) -> str | None:
    """The bucket of an assembled ``s3://`` path when it is written out, not filled in."""
    if not is_location(text):
        return None
    bucket = text[5:].split("/", 1)[0]
    return None if any(c in bucket for c in "{}%") else bucket


def _hits(module, where: Span | None = None):
    """(span, text, built) for every hard-coded location, optionally only inside ``where``."""
    for lit in module.s3_literals:
        if is_location(lit.value) and (where is None or inside(lit.span, where)):
            yield lit.span, lit.value, False
    for build in module.s3_builds:
        if fixed_bucket(build.text) and (where is None or inside(build.span, where)):
            yield build.span, build.text, True


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    module = facts.module
    if module is None:
        return
    if defines_step_builder(facts):
        for span, text, built in _hits(module):
            what = f"the bucket '{fixed_bucket(text)}' in '{text}'" if built else f"the S3 URI '{text}'"
            yield RULE.report(
                facts.path, span,
                f"builder hard-codes {what}; derive it from the base output path "
                f"(Join over self._get_base_output_path()) or take it from the config",
            )
    if not any(role in facts.roles for role in _CONFIG_ROLES):
        return
    for cfg in facts.configs + facts.hyperparams:
        for fld in cfg.fields.values():
            where = fld.default_span
            if where is None:
                continue
            inside = list(_hits(module, where))
            for span, text, built in inside:
                what = f"the bucket '{fixed_bucket(text)}' in '{text}'" if built else f"the S3 URI '{text}'"
                yield RULE.report(
                    facts.path, span,
                    f"default of config field '{cfg.name}.{fld.name}' hard-codes {what}; "
                    f"make the field required or derive it from pipeline_s3_loc",
                )
            if not inside and fld.default_is_literal and isinstance(fld.default, str) and is_location(fld.default):
                yield RULE.report(
                    facts.path, where,
                    f"default of config field '{cfg.name}.{fld.name}' is the hard-coded S3 URI "
                    f"'{fld.default}' (from a module constant); make the field required or derive it "
                    f"from pipeline_s3_loc",
                )
