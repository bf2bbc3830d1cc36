"""CL105 unknown-logical-name: the script uses an input/output logical name its contract lacks."""

from __future__ import annotations

from collections.abc import Iterator
from difflib import get_close_matches

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel, StepModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo
from ._script_contract import pair, unknown_keys

_BAD_SCRIPT = edit("script", 'input_paths["raw_data"]', 'input_paths["raw"]')
_BAD_MAIN = edit("script", '{"clean_data": OUTPUT_DIR}', '{"cleaned_data": OUTPUT_DIR}')

RULE = Rule(
    code="CL105",
    name="unknown-logical-name",
    summary="The script uses an input or output logical name that its script contract does not declare.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Keys the script reads from the path dicts — `input_paths["X"]`, `input_paths.get("X")`,
`"X" in output_paths` — and the keys of the `input_paths` / `output_paths` dicts the `__main__`
block passes to `main` must be logical names of the contract: `expected_input_paths` keys for
inputs, `expected_output_paths` keys for outputs. The message suggests the closest declared name.

A fallback chain such as `input_paths.get("model_input", input_paths.get("model_dir"))` keeps a
legacy name alive on purpose: it is fine when any name in the chain is declared, and reported
once, at its outermost read, when none is.

## Why it matters
The builder builds the container's inputs and outputs from the contract's logical names. A name
the contract does not know is never mounted: `input_paths["raw"]` raises `KeyError` in a test
harness that passes the contract's dicts, or points at a directory nothing fills.

## Example
```python
# steps/scripts/clean.py
src = os.path.join(input_paths["raw"], "part.csv")   # CL105: the contract says "raw_data"

# steps/contracts/clean_contract.py
expected_input_paths={"raw_data": "/opt/ml/processing/input/data"}
```
Use instead:
```python
src = os.path.join(input_paths["raw_data"], "part.csv")
```

## How to fix
Use the contract's logical name in the script, or rename the entry in the contract (and the
matching dependency or output in the specification) if the script's name is the right one.
''',
    bad=(Example(repo(script=_BAD_SCRIPT), expect=(("steps/scripts/clean.py", line_of(_BAD_SCRIPT, '"raw"')),)),
         Example(repo(script=_BAD_MAIN), expect=(("steps/scripts/clean.py", line_of(_BAD_MAIN, '"cleaned_data"')),))),
    good=(Example(repo()),),
)


def _inside(inner, outer) -> bool:
    a, b = inner.span, outer.span
    return inner is not outer and (b.line, b.column) <= (a.line, a.column) \
        and (a.end_line, a.end_column) <= (b.end_line, b.end_column)


def _chain_heads(key_uses, contract):
    """Key uses minus fallbacks: in ``input_paths.get("model_input", input_paths.get("model_dir"))``
    the inner name is a legacy alternative. A chain is fine when any of its names is declared;
    otherwise only its outermost read is reported."""
    gets = [k for k in key_uses if k.how == "get"]
    heads = []
    for k in key_uses:
        if any(_inside(k, g) and g.dict_name == k.dict_name for g in gets):
            continue  # a fallback: judged with its chain
        chain = [k] + [g for g in gets if _inside(g, k) and g.dict_name == k.dict_name]
        declared = contract.inputs if k.kind == "input" else contract.outputs
        if k.how != "get" or not any(c.key in declared for c in chain):
            heads.append(k)
    return heads


@RULE.step
def check(step: StepModel, project: ProjectModel) -> Iterator[Diagnostic]:
    p = pair(step)
    if p is None:
        return
    uses = [(k.kind, k.key, k.span, f"{k.dict_name}[...]") for k in _chain_heads(p.script.key_uses, p.contract)]
    for kind in ("input", "output"):
        uses += [(kind, e.key, e.key_span, f"the {kind}_paths dict passed to main")
                 for e in p.script.main_dicts.get(f"{kind}_paths", ())]
    uses.sort(key=lambda u: (u[2].line, u[2].column))
    reported: set[tuple[str, str]] = set()
    for kind, key, span, how in uses:
        field = f"expected_{kind}_paths"
        if unknown_keys(p.contract, field):
            project.count_unknown("non-literal-contract-paths")
            continue
        entries = p.contract.inputs if kind == "input" else p.contract.outputs
        if key in entries or (kind, key) in reported:
            continue
        reported.add((kind, key))
        close = get_close_matches(key, list(entries), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        declared = ", ".join(f"'{n}'" for n in entries) or "none"
        yield RULE.report(
            p.script_file.path, span,
            f"script uses {kind} logical name '{key}' ({how}) that contract '{p.label}' does not declare "
            f"(declared {kind}s: {declared}){hint}",
            step=step.name,
            related=[(p.contract_path, p.where(field), f"'{p.label}' declares its {kind} logical names here")],
        )
