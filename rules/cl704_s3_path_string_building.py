"""CL704 s3-path-string-building: a builder (or config default) assembles an S3 path from strings."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._portability import defines_step_builder, inside

_BAD_BUILDER = edit(
    "builder", 'destination=Join(on="/", values=[self._get_base_output_path(), "clean", name]),',
    'destination=f"{self._get_base_output_path()}/clean/{name}",',
)
_BAD_CONFIG = edit(
    "config", "from pydantic import Field\n",
    'from pydantic import Field\n\nTEAM_BUCKET = "ml-team-bucket"\n',
).replace(
    '    separator: str = ","\n',
    '    separator: str = ","\n    archive_path: str = "s3://%s/archive/clean" % TEAM_BUCKET\n',
)
_GOOD_CONFIG = edit(
    "config", '    processing_entry_point: str = "clean.py"\n',
    '    processing_entry_point: str = "clean.py"\n\n    @property\n    def archive_path(self) -> str:\n'
    '        return f"{self.pipeline_s3_loc}/archive/clean"\n',
)
# Known limits: a helper module next to the builders, and a log message in a builder, are not checked
_HELPER = 'def s3_uri(bucket: str, key: str) -> str:\n    return f"s3://{bucket}/{key}"\n'
_LOGGING_BUILDER = edit(
    "builder", "    def validate_configuration(self):\n",
    '    def validate_configuration(self):\n        print(f"outputs go below s3://{self.config.bucket}/clean")\n',
)

_HOW = {"fstring": "an f-string", "concat": "'+'", "percent": "'%' formatting", "format": "str.format()",
        "join": "a string join"}

RULE = Rule(
    code="CL704",
    name="s3-path-string-building",
    summary="A builder assembles an S3 path with f-strings, `+`, `%`, `.format` or `os.path.join` instead of `Join`.",
    severity=Severity.ERROR,
    docs='''
## What it checks
S3 paths assembled from strings at pipeline-build time:

- anywhere in a **builder** file (one that defines a step builder class): f-strings, `+`, `%`,
  `.format()`, `os.path.join` and
  `"/".join` whose text starts with `s3://` or that combine, with a `/`, a value whose name
  marks an S3 location (`pipeline_s3_loc`, `self._get_base_output_path()`, `*_prefix`,
  `*bucket*`, `*s3*`);
- in the **default value of a config or hyperparameter field**
  (`archive: str = "s3://%s/archive" % BUCKET`).

## Why it matters
In a builder, the base output path may be a pipeline variable — the execution prefix, a
`ParameterString` — that only gets its value when the pipeline runs. SageMaker pipeline
variables refuse `+` and `str()` (`TypeError: Pipeline variables do not support concatenation`),
so the f-string either fails at build time or, with a plain-string base, silently ignores the
execution prefix and every run writes to the same place. `os.path.join` additionally uses the
local separator. Only `Join(on="/", values=[...])` is rendered into the pipeline definition and
resolved at run time. A config field whose default is assembled from a constant bakes one
environment's bucket into every config file.

## Example
```python
# steps/builders/builder_clean_step.py
destination=f"{self._get_base_output_path()}/clean/{name}",      # CL704
```
Use instead:
```python
destination=Join(on="/", values=[self._get_base_output_path(), "clean", name]),
```

## How to fix
Replace the string operation with `Join(on="/", values=[base, "part", name])` from
`sagemaker.workflow.functions`, starting from `self._get_base_output_path()`. In configs, make
the field required or turn it into a derived property over `pipeline_s3_loc`.

## Known limits
Helper modules next to the builders, such as an `s3_utils.py` that normalises plain URI strings,
are not checked. Log, `print` and exception messages are text for people and are not checked.
Derived config properties such as `return f"{self.pipeline_s3_loc}/hyperparameters/params.json"`
are not flagged: they run on plain strings when the config is built (the usual tier-3 pattern).
''',
    bad=(
        Example(repo(builder=_BAD_BUILDER),
                expect=(("steps/builders/builder_clean_step.py", line_of(_BAD_BUILDER, 'destination=f"')),)),
        Example(repo(config=_BAD_CONFIG),
                expect=(("steps/configs/config_clean_step.py", line_of(_BAD_CONFIG, "archive_path")),)),
    ),
    good=(Example(repo(config=_GOOD_CONFIG)),
          Example(repo(extra={"steps/builders/s3_utils.py": _HELPER})),
          Example(repo(builder=_LOGGING_BUILDER))),
)

_CONFIG_ROLES = ("config", "hyperparams")


def _message(build, where: str) -> str:
    source = f" from {', '.join(repr(v) for v in build.variables)}" if build.variables else ""
    return (f"{where} builds the S3 path '{build.text}' with {_HOW.get(build.kind, 'string operations')}"
            f"{source}; use Join(on=\"/\", values=[...]) so pipeline variables such as the execution "
            f"prefix are resolved when the pipeline runs")


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    module = facts.module
    if module is None:
        return
    if defines_step_builder(facts):
        for build in module.s3_builds:
            yield RULE.report(facts.path, build.span, _message(build, "builder"))
    if not any(role in facts.roles for role in _CONFIG_ROLES):
        return
    for cfg in facts.configs + facts.hyperparams:
        for fld in cfg.fields.values():
            if fld.default_span is None:
                continue
            for build in module.s3_builds:
                if inside(build.span, fld.default_span):
                    yield RULE.report(facts.path, build.span,
                                      _message(build, f"default of config field '{cfg.name}.{fld.name}'"))
