"""CL107 unread-optional-env-var: the contract declares an optional env var the script never reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._script_contract import script_side, unread_env_vars

if TYPE_CHECKING:  # pragma: no cover
    from cursus_lint.fix.context import Context, Planned
    from cursus_lint.fix.shape import ShapeContext

_BAD_CONTRACT = edit("contract", 'optional_env_vars={"SEPARATOR": ","}',
                     'optional_env_vars={"SEPARATOR": ",", "ENCODING": "utf-8"}')

# Known limits: a script that reads env names computed at run time may read ENCODING
_COMPUTED_NAME = edit("script", "    label = environ_vars[\"LABEL_FIELD\"]\n",
                      "    label = environ_vars[\"LABEL_FIELD\"]\n"
                      "    extra = {k: os.environ.get(k) for k in job_args.env_names}\n")

RULE = Rule(
    code="CL107",
    name="unread-optional-env-var",
    summary="The script contract declares an optional environment variable that the script never reads.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Every key of the contract's `optional_env_vars` must be read by the script, in any of the forms
CL106 accepts (`os.environ`, `os.getenv`, `environ_vars` in `main`, a helper called with the
literal name).

Variables that libraries or the runtime read on the script's behalf are never reported:
`AWS_*` (boto3), `OMP_*`, `MKL_*`, `CUDA_*`, `NCCL_*`, `HF_*`, `TORCH_*`, `PYTHON*`, `LC_*`,
`TOKENIZERS_PARALLELISM`, `TRANSFORMERS_CACHE`, `TZ`, `LANG` and `PATH`.

## Why it matters
An optional variable documents a knob of the script, and its default is what the builder sets.
If the script never reads it, turning the knob does nothing — typically the script renamed the
variable or dropped the feature and the contract was not updated.

## Example
```python
# steps/contracts/clean_contract.py
optional_env_vars={"SEPARATOR": ",", "ENCODING": "utf-8"},   # CL107: clean.py never reads ENCODING
```
Use instead:
```python
optional_env_vars={"SEPARATOR": ","},
```

## How to fix
Read the variable in the script (`environ_vars.get("ENCODING", "utf-8")`), or remove it from
`optional_env_vars` and from the builder.


## Known limits
The rule stays silent when the script reads env names computed at run time or passes the
environment around as a whole (iterating or copying `os.environ` / `environ_vars`).
## Fix safety
Unsafe (applied only with `--unsafe-fixes`): removing an optional variable also removes the
default the builder sets for it. When something the linter cannot see reads it (a library, a
subprocess), the step silently changes behaviour. The builder is not edited.

In a `.step.yaml` the fix removes the key and its default from `contract.env_vars.optional`:
from a flow mapping with its comma, from a block mapping with its whole line (and that line's
comment). The last key of a block mapping is left alone (the empty key would read as null; write
`optional: {}`), and so are names declared by `computed_env_paths`. The rest of the file stays
byte for byte.
''',
    bad=(Example(repo(contract=_BAD_CONTRACT),
                 expect=(("steps/contracts/clean_contract.py", line_of(_BAD_CONTRACT, "ENCODING")),)),),
    good=(Example(repo()),
          Example(repo(contract=_BAD_CONTRACT, script=_COMPUTED_NAME))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    found = unread_env_vars(step, project, "optional_env_vars")
    if found is None:
        return
    p, unread = found
    for name, span in unread:
        yield RULE.report(
            p.contract_path, span,
            f"contract '{p.label}' declares optional env var '{name}' but script '{p.script_name}' never reads it",
            step=step.name,
            related=[script_side(p, "env")],
        )


@RULE.fixer(safety="unsafe", edits="removes the variable and its default from the contract's optional_env_vars "
                                   "(contract.env_vars.optional in a .step.yaml)")
def remove_optional_env_var(d: Diagnostic, ctx: Context) -> Planned | None:
    from cursus_lint.fix.interface import is_interface, undeclare_env_var

    if is_interface(d.location.path):
        return undeclare_env_var(d, ctx, "optional")
    from cursus_lint.fix.context import remove_env_var

    return remove_env_var(d, ctx, "optional_env_vars")


@RULE.fix_probe
def can_remove(d: Diagnostic, ctx: ShapeContext) -> bool:
    from cursus_lint.fix.shape import can_remove_env_var

    return can_remove_env_var(d, ctx, "optional_env_vars")
