"""CL901 syntax-error: a step file cannot be parsed, so none of its facts are known.

Reported by the engine (``Engine._problem_diagnostics``) from the file's ``SourceProblem``;
the rule has no check of its own.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_BAD_CONTRACT = edit("contract", '    required_env_vars=["LABEL_FIELD"],\n', '    required_env_vars=["LABEL_FIELD"]\n')

RULE = Rule(
    code="CL901",
    name="syntax-error",
    summary="A step file cannot be parsed as Python, so it was not analysed.",
    severity=Severity.ERROR,
    emitted_by="engine",
    docs='''
## What it checks
Every file that belongs to a step (script, contract, specification, builder, config,
hyperparameters) or to a registry is parsed with Python's own parser, without running it. A file
that does not parse is reported once, at the position the parser gives, with its message
(`cannot parse: invalid syntax. Perhaps you forgot a comma?`). Null bytes and absurdly deep
nesting are reported the same way.

## Why it matters
A file that does not parse would fail on import in the pipeline, too. The linter also knows
nothing about it: the other rules skip it, so its step may look cleaner than it is. The rest of
the repository is still linted.

## Example
```python
# steps/contracts/clean_contract.py
CLEAN_CONTRACT = ScriptContract(
    entry_point="clean.py",
    required_env_vars=["LABEL_FIELD"]          # CL901: missing comma
    optional_env_vars={"SEPARATOR": ","},
)
```
Use instead:
```python
    required_env_vars=["LABEL_FIELD"],
    optional_env_vars={"SEPARATOR": ","},
```

## How to fix
Fix the syntax error at the reported line (run `python -m py_compile <file>` for the
interpreter's view). The file's other findings appear on the next run. For files that are
deliberately not Python 3 (templates, fixtures), exclude them (`extend-exclude`) or list CL901
in `per-file-ignores`.
''',
    bad=(Example(repo(contract=_BAD_CONTRACT),
                 expect=(("steps/contracts/clean_contract.py",
                          line_of(_BAD_CONTRACT, 'required_env_vars=["LABEL')),)),),
    good=(Example(repo()),),
)
