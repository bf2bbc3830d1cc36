"""CL106 unread-required-env-var: the contract requires an env var the script never reads."""

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

_BAD_CONTRACT = edit("contract", 'required_env_vars=["LABEL_FIELD"]', 'required_env_vars=["LABEL_FIELD", "ID_FIELD"]')
_BAD_BUILDER = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n',
                    '        env_vars["SEPARATOR"] = self.config.separator\n'
                    '        env_vars["ID_FIELD"] = self.config.label_name\n')

# Known limits: a script that copies the whole environment may read ID_FIELD under any name
_COPIES_ENVIRON = edit("script", "    label = environ_vars[\"LABEL_FIELD\"]\n",
                       "    label = environ_vars[\"LABEL_FIELD\"]\n    settings = dict(environ_vars)\n")

RULE = Rule(
    code="CL106",
    name="unread-required-env-var",
    summary="The script contract requires an environment variable that the script never reads.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every name in the contract's `required_env_vars` must be read by the script: `os.environ["X"]`,
`os.environ.get("X")`, `os.getenv("X")`, `"X" in os.environ`, a helper called with the literal
name, or `environ_vars["X"]` / `environ_vars.get("X")` in the testable `main`.

Variables that libraries or the runtime read on the script's behalf are never reported:
`AWS_*` (boto3), `OMP_*`, `MKL_*`, `CUDA_*`, `NCCL_*`, `HF_*`, `TORCH_*`, `PYTHON*`, `LC_*`,
`TOKENIZERS_PARALLELISM`, `TRANSFORMERS_CACHE`, `TZ`, `LANG` and `PATH`.

## Why it matters
A required variable makes the builder fail when its config value is missing, so a pipeline is
blocked on a setting nothing uses. Usually the script renamed the variable and the contract kept
the old name, so the value the operator sets is silently ignored.

## Example
```python
# steps/contracts/clean_contract.py
required_env_vars=["LABEL_FIELD", "ID_FIELD"],   # CL106: clean.py never reads ID_FIELD
```
Use instead:
```python
required_env_vars=["LABEL_FIELD"],
```

## How to fix
Read the variable in the script (through `environ_vars` in `main`), or remove it from
`required_env_vars` and from the builder's `_get_environment_variables`.


## Known limits
The rule stays silent when the script reads env names computed at run time, iterates or copies
`os.environ` / `environ_vars`, or hands them to a helper under another name.
## Fix safety
Unsafe (applied only with `--unsafe-fixes`): removing a required variable changes what the
builder must pass and what every config has to provide. When the script reads the variable in a
way static analysis cannot see (a library reading it on the script's behalf under a name not in
the list above, a subprocess), the removal breaks the step at run time. The builder's
`_get_environment_variables` is not edited; remove the variable there too.

In a `.step.yaml` the fix removes the item from `contract.env_vars.required`: from a flow list
with its comma, from a block list with its whole line (and that line's comment). The last item of
a block list is left alone (the empty key would read as null; write `required: []`). The rest of
the file stays byte for byte.
''',
    bad=(Example(repo(contract=_BAD_CONTRACT, builder=_BAD_BUILDER),
                 expect=(("steps/contracts/clean_contract.py", line_of(_BAD_CONTRACT, "required_env_vars")),)),),
    good=(Example(repo()),
          Example(repo(contract=_BAD_CONTRACT, script=_COPIES_ENVIRON))),
)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    found = unread_env_vars(step, project, "required_env_vars")
    if found is None:
        return
    p, unread = found
    for name, span in unread:
        yield RULE.report(
            p.contract_path, span,
            f"contract '{p.label}' requires env var '{name}' but script '{p.script_name}' never reads it",
            step=step.name,
            related=[script_side(p, "env")],
        )


@RULE.fixer(safety="unsafe", edits="removes the variable from the contract's required_env_vars "
                                   "(contract.env_vars.required in a .step.yaml)")
def remove_required_env_var(d: Diagnostic, ctx: Context) -> Planned | None:
    from cursus_lint.fix.interface import is_interface, undeclare_env_var

    if is_interface(d.location.path):
        return undeclare_env_var(d, ctx, "required")
    from cursus_lint.fix.context import remove_env_var

    return remove_env_var(d, ctx, "required_env_vars")


@RULE.fix_probe
def can_remove(d: Diagnostic, ctx: ShapeContext) -> bool:
    from cursus_lint.fix.shape import can_remove_env_var

    return can_remove_env_var(d, ctx, "required_env_vars")
