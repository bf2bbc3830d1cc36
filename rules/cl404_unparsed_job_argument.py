"""CL404 unparsed-job-argument: the builder passes a ``--x`` argument the script's argparse lacks."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_EXTRA = edit("builder", '        return ["--job_type", self.config.job_type]\n',
              '        return ["--job_type", self.config.job_type, "--drop-na", "true"]\n')
_DASHES = edit("builder", '        return ["--job_type", self.config.job_type]\n',
               '        return ["--job-type", self.config.job_type]\n')


def _normal(raw: str) -> str:
    return raw.lstrip("-").replace("-", "_")


# the "Use instead" of the docs: the script parses what the builder passes
_PARSED = edit("script", '    parser.add_argument("--job_type", required=True)\n',
               '    parser.add_argument("--job_type", required=True)\n'
               '    parser.add_argument("--drop-na", default="false")\n')

RULE = Rule(
    code="CL404",
    name="unparsed-job-argument",
    summary="The builder passes a command-line argument that the script's argparse parser does not define.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every `--name` string the builder's `_get_job_arguments` passes must be defined by the script's
`parser.add_argument(...)` (by flag or `dest`; dashes and underscores count as the same). The rule
only judges scripts that parse their arguments with `argparse` and whose argument names are all
literal.

In the interface layout there is no builder: a `.step.yaml`'s `job_arguments` is both the contract
and what the synthesized builder passes, so the same misalignment is reported as CL109
(unparsed-argument) on that file, and CL404 applies to classic builders only.

## Why it matters
`parse_args()` exits with "unrecognized arguments" on a flag it does not know — the processing job
fails at start-up, after the pipeline already spent time on upstream steps. With
`parse_known_args()` the value is silently ignored instead.

## Example
```python
# steps/builders/builder_clean_step.py
def _get_job_arguments(self):
    return ["--job_type", self.config.job_type, "--drop-na", "true"]   # CL404: --drop-na

# steps/scripts/clean.py
parser.add_argument("--job_type", required=True)
```
Use instead:
```python
parser.add_argument("--job_type", required=True)
parser.add_argument("--drop-na", default="false")
```

## How to fix
Add the argument to the script's parser (and to the contract's `expected_arguments`), or stop
passing it from the builder.
''',
    bad=(Example(repo(builder=_EXTRA),
                 expect=(("steps/builders/builder_clean_step.py", line_of(_EXTRA, '"--drop-na"')),)),),
    good=(Example(repo()), Example(repo(builder=_DASHES)),
          Example(repo(builder=_EXTRA, script=_PARSED))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    builder, script_file = step.builder, step.script
    if builder is None or not builder.job_arguments or script_file is None or script_file.script is None:
        return
    assert step.builder_file is not None  # builder facts come from the builder file
    script = script_file.script
    if not script.uses_argparse or script_file.unknown.get("dynamic-argument"):
        project.count_unknown("script-arguments-unknown")
        return
    defined = {a.name for a in script.arg_defs} | {_normal(f) for a in script.arg_defs for f in a.flags}
    where = script.arg_defs[0].span if script.arg_defs else None
    reported: set[str] = set()
    for arg in builder.job_arguments:
        if arg.name in defined or arg.name in reported:
            continue
        reported.add(arg.name)
        known = ", ".join(f"'{a.raw}'" for a in script.arg_defs) or "none"
        yield RULE.report(
            step.builder_file.path, arg.span,
            f"builder {builder.name} passes '{arg.raw}' but script '{script_file.path.name}' does not define "
            f"it with argparse (defined: {known})",
            step=step.name,
            related=[(script_file.path, where, "the script's arguments are defined here")],
        )
