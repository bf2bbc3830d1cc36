"""CL103 undeclared-env-var: the script reads an env var its contract does not declare."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import ScriptFacts
from cursus_lint.model import ProjectModel, StepModel, contract_label
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

if TYPE_CHECKING:  # pragma: no cover
    from cursus_lint.fix.context import Context
    from cursus_lint.fix.planned import Planned
    from cursus_lint.fix.shape import ShapeContext

_BAD_SCRIPT = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                   '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')

# Env-var lists built at run time: which names they hold is not knowable statically, so the
# script's read of DEBUG_MODE (not in any literal list) is not reported.
_SHARED_REQUIRED = edit("contract", 'required_env_vars=["LABEL_FIELD"],',
                        'required_env_vars=["LABEL_FIELD", *SHARED_ENV_VARS],')
_SHARED_OPTIONAL = edit("contract", 'optional_env_vars={"SEPARATOR": ","},',
                        'optional_env_vars=shared_defaults(SEPARATOR=","),')

# the "Use instead" of the docs: the contract declares the variable with a default
_FIXED_CONTRACT = edit("contract", 'optional_env_vars={"SEPARATOR": ","},',
                       'optional_env_vars={"SEPARATOR": ",", "DEBUG_MODE": "false"},')

# a debug dump of the environment: the value is only printed
_DUMP_SCRIPT = edit("script", '    args = parser.parse_args()\n',
                    '    args = parser.parse_args()\n'
                    '    print(f"SM_MODEL_DIR: {os.environ.get(\'SM_MODEL_DIR\', \'not set\')}")\n')
# the __main__ block fills environ_vars["WORK_DIR"] from a constant: no environment read
_FIXED_KEY_SCRIPT = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                         '    sep = environ_vars.get("SEPARATOR", ",")\n'
                         '    work = environ_vars.get("WORK_DIR", "/tmp/work")\n').replace(
    '"SEPARATOR": os.environ.get("SEPARATOR", ",")}', '"SEPARATOR": os.environ.get("SEPARATOR", ","), '
    '"WORK_DIR": "/tmp/work"}')

#: names SageMaker itself sets in every job container (the job's region): the script reads the
#: platform, not its step interface, and no builder or config supplies them
PLATFORM_PROVIDED = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION"})

# the region SageMaker puts into every container: not part of the step's interface
_REGION_SCRIPT = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                      '    sep = environ_vars.get("SEPARATOR", ",")\n'
                      '    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")\n')

RULE = Rule(
    code="CL103",
    name="undeclared-env-var",
    summary="The script reads an environment variable that its script contract does not declare.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every environment variable the script reads — `os.environ["X"]`, `os.environ.get("X")`,
`os.getenv("X")`, `"X" in os.environ`, or `environ_vars["X"]` / `environ_vars.get("X")` in the
testable `main` — must appear in the contract's `required_env_vars` or `optional_env_vars`.

## Why it matters
Builders set a step's environment from its contract. A variable the contract does not declare is
never set in the container, so the script falls back to a default silently or fails with a
`KeyError` hours into the pipeline run.

## Example
```python
# steps/scripts/clean.py
debug = os.getenv("DEBUG_MODE")          # CL103: not in CLEAN_CONTRACT

# steps/contracts/clean_contract.py
CLEAN_CONTRACT = ScriptContract(..., required_env_vars=["LABEL_FIELD"], optional_env_vars={"SEPARATOR": ","})
```
Use instead:
```python
CLEAN_CONTRACT = ScriptContract(
    ...,
    required_env_vars=["LABEL_FIELD"],
    optional_env_vars={"SEPARATOR": ",", "DEBUG_MODE": "false"},
)
```

Not reads: a value that only goes into a `print(...)` / logging call (a debug dump of the
environment), and an `environ_vars` key the `__main__` block fills from a literal or constant
rather than from `os.environ` (the container's environment is never consulted for it). Any other
read of the same variable still counts. Nor are the variables SageMaker itself sets in every job
container, `AWS_REGION` and `AWS_DEFAULT_REGION`: no builder or config supplies them, so the
contract has nothing to declare.

## How to fix
Declare the variable in the contract: in `optional_env_vars` with a default when the script
copes without it, in `required_env_vars` otherwise. If the read is dead code, remove it.

## Known limits
When `required_env_vars` or `optional_env_vars` is not a literal list or dict — built from a
constant imported from elsewhere or computed at run time
(`required_env_vars=["LABEL_FIELD", *SHARED_ENV_VARS]`) — the names it holds are not knowable
statically, and the rule stays silent for the whole contract.

## Fix safety
Safe: the fix only adds a declaration the script already relies on. A read with a literal
default (`environ_vars.get("X", ",")`) is declared in `optional_env_vars` with that default. A
read that tolerates absence without a default (`os.getenv("X")`, `os.environ.get("X")`,
`"X" in os.environ`) is declared in `optional_env_vars` with the default `""`. Only a read that
fails without the variable (`os.environ["X"]`, `environ_vars["X"]`) is declared in
`required_env_vars`, and only when the builder already sets it (or leaves its env vars to the
base class): otherwise declaring it would make CL402 report the unchanged builder, so no fix is
offered and the builder needs a hand edit. No fix is offered when the script's default is
computed at run time, or when the contract's env-var field is not a literal list or dict.
In a `.step.yaml` the same choice edits `contract.env_vars`: a new `NAME: default` key under
`optional` (quoted like the other defaults there) or a new item of the `required` list (in its
own flow `[...]` or block `- ` style), adding `env_vars:` / `optional:` / `required:` when the
contract has none. The rest of the file, its comments, key order and quoting stay byte for byte.
''',
    bad=(Example(repo(script=_BAD_SCRIPT), expect=(("steps/scripts/clean.py", line_of(_BAD_SCRIPT, "DEBUG_MODE")),)),),
    good=(Example(repo()),
          Example(repo(script=_BAD_SCRIPT, contract=_SHARED_REQUIRED)),
          Example(repo(script=_BAD_SCRIPT, contract=_SHARED_OPTIONAL)),
          Example(repo(script=_BAD_SCRIPT, contract=_FIXED_CONTRACT)),
          Example(repo(script=_DUMP_SCRIPT)), Example(repo(script=_FIXED_KEY_SCRIPT)),
          Example(repo(script=_REGION_SCRIPT))),
)


def _set_by_main_block(facts: ScriptFacts) -> frozenset[str]:
    """Keys of the env dict the ``__main__`` block fills with a literal or constant rather than from
    ``os.environ``, and that the script never reads from the real environment anywhere."""
    from_env = {r.name for r in facts.env_reads if not r.how.startswith("environ_vars")}
    fixed = {e.key for name, items in facts.main_dicts.items() if name in ("environ_vars", "env_vars")
             for e in items if e.value is not None}
    return frozenset(fixed - from_env)


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    script, contract = step.script, step.contract
    if script is None or script.script is None or contract is None:
        return
    assert step.contract_file is not None  # contract facts come from the contract file
    if "required_env_vars" in contract.non_literal or "optional_env_vars" in contract.non_literal:
        return  # not knowable statically: stay silent
    declared = {item.name for item in contract.required_env_vars} | set(contract.optional_env_vars)
    where = contract.keyword_spans.get("required_env_vars") or contract.keyword_spans.get("optional_env_vars") \
        or contract.span
    name = contract_label(contract, step.contract_file.path, by_function=False)
    reported: set[str] = set()
    fixed = _set_by_main_block(script.script)
    for read in script.script.env_reads:
        if read.name in declared or read.name in reported:
            continue
        if read.name in PLATFORM_PROVIDED:
            project.count_unknown("env-read-platform-provided")
            continue  # SageMaker sets it in every container
        if read.debug_only:
            project.count_unknown("env-read-only-logged")
            continue  # only shown in a debug dump of the environment
        if read.how.startswith("environ_vars") and read.name in fixed:
            continue  # the __main__ block fills this key from a constant: the environment is not read
        reported.add(read.name)
        yield RULE.report(
            script.path, read.span,
            f"script reads env var '{read.name}' that contract '{name}' does not declare",
            step=step.name,
            related=[(step.contract_file.path, where, f"'{name}' declares its env vars here")],
        )


# reads that fail when the variable is absent; every other kind of read tolerates absence
_REQUIRING_READS = frozenset({"subscript", "environ_vars"})


def _declaration(d: Diagnostic, step: StepModel | None) -> tuple[str, str, str | None] | None:
    """Where and how to declare the read variable: (keyword, name, default or None for a
    required one), or None when no declaration is right (decided from the facts alone)."""
    from cursus_lint.fix.shape import as_text, at

    if step is None or step.script is None or step.script.script is None:
        return None
    reads = step.script.script.env_reads
    here = [r for r in reads if at(d.location, r.span)]
    here = [r for r in here if f"'{r.name}'" in d.message] or here
    if not here:
        return None
    name = here[0].name
    same = [r for r in reads if r.name == name]
    literal = next((r for r in same if r.has_default and r.default_is_literal and r.default is not None), None)
    if literal is not None:
        return "optional_env_vars", name, as_text(literal.default)
    if any(r.has_default for r in same):
        return None  # a default the script computes at run time: neither "" nor required is right
    if any(r.how in _REQUIRING_READS for r in same):
        builder = step.builder
        if builder is not None and builder.has_env_method and not builder.calls_super_env \
                and name not in {e.name for e in builder.env_vars_set}:
            return None  # required would make CL402 report the builder: a hand edit, not a safe fix
        return "required_env_vars", name, None
    return "optional_env_vars", name, ""


def _declare_in_interface(step: StepModel, ctx: ShapeContext, name: str, value: str | None) -> Planned | None:
    from cursus_lint.fix.interface import declare_env_var

    where = "contract.env_vars." + ("required" if value is None else "optional")
    return declare_env_var(step, ctx, name, value,
                           f"declare '{name}' in {where}" + ("" if value is None else f" (default {value!r})"))


@RULE.fixer(safety="safe", edits="adds the variable to the contract's optional_env_vars (with the script's literal "
                                 "default, or \"\" for a read that tolerates absence) or, when the script reads "
                                 "it with os.environ[...], to required_env_vars (contract.env_vars.optional / "
                                 ".required in a .step.yaml)")
def add_env_var(d: Diagnostic, ctx: Context) -> Planned | None:
    """Declare a read env var: optional unless every read fails without it (then required)."""
    from cursus_lint.fix.interface import interface_path

    step = ctx.step(d)
    decided = _declaration(d, step)
    if step is None or decided is None:
        return None
    keyword, name, value = decided
    if interface_path(step) is not None:
        return _declare_in_interface(step, ctx, name, value)
    import libcst as cst

    from cursus_lint.fix.context import add_to_contract, contract_label

    label = contract_label(step)
    if value is None:
        return add_to_contract(step, ctx, keyword, cst.Element(cst.SimpleString(repr(name))),
                               f"declare '{name}' in required_env_vars of '{label}'")
    item = cst.DictElement(cst.SimpleString(repr(name)), cst.SimpleString(repr(value)))
    return add_to_contract(step, ctx, keyword, item,
                           f"declare '{name}' in optional_env_vars of '{label}' (default {value!r})")


@RULE.fix_probe
def can_add_env_var(d: Diagnostic, ctx: ShapeContext) -> bool:
    import ast

    from cursus_lint.fix.shape import contract_accepts, interface_path

    step = ctx.step(d)
    decided = _declaration(d, step)
    if step is None or decided is None:
        return False
    if interface_path(step) is not None:
        from cursus_lint.fix.interface import contract_editable

        return contract_editable(step, ctx)
    return contract_accepts(step, ctx, decided[0], ast.List if decided[2] is None else ast.Dict)
