"""CL903 unused-noqa: a ``# noqa`` comment that silences nothing.

Reported by the engine (``Engine._postprocess``) from ``suppress.apply_suppressions``; the
rule has no check of its own.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

#: CL103 is reported for DEBUG_MODE (undeclared), so this noqa is used
_USED = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
             '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")  # noqa: CL103\n')
#: SEPARATOR is declared, so nothing on the line needs silencing
_STALE = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
              '    sep = environ_vars.get("SEPARATOR", ",")  # noqa: CL103\n')
_FILE_LEVEL = edit("contract", "from cursus_core.base import ScriptContract\n",
                   "# cursus-lint: noqa: CL501\nfrom cursus_core.base import ScriptContract\n")
_SHARED_BARE = edit("contract", '    entry_point="clean.py",\n', '    entry_point="clean.py",  # noqa\n')
_FOREIGN = edit("script", "import argparse\n", "import argparse  # noqa: F401, E501\n")
_WITH_CL103 = {"extend-select": ["CL103"]}

RULE = Rule(
    code="CL903",
    name="unused-noqa",
    summary="A `# noqa` comment suppresses no finding on its line.",
    severity=Severity.WARNING,
    emitted_by="engine",
    docs='''
## What it checks
After all rules ran, every `# noqa` comment in the linted files is matched against the
findings it could silence:

- `# noqa: CL103` (or several codes) must silence a CL103 finding on its line (a finding on a
  line that cannot hold a comment, inside a multi-line string or after a `\\`, belongs to the
  next line that can); each unused code is reported at its own column;
- a bare `# noqa` is left alone: flake8, ruff and pycodestyle read it too, so it may be there
  for them (and a bare file-level `# cursus-lint: noqa` silences everything, CL903 included);
- a file-level `# cursus-lint: noqa: CL103` must silence a CL103 finding somewhere in the file.

Codes of other tools (`# noqa: E501, F401`) are left alone, and so are codes of rules that are
switched off by `select`/`ignore`/`per-file-ignores` (the rule could not report there). Codes
that name no rule at all are CL904, not CL903.

## Why it matters
A stale `noqa` hides the next real problem on that line: the code drifted back into alignment,
someone edits the line again, and the new mismatch is silenced without anyone deciding so.

## Example
```python
# steps/scripts/clean.py — SEPARATOR is declared in the contract
sep = environ_vars.get("SEPARATOR", ",")  # noqa: CL103          # CL903
```
Use instead:
```python
sep = environ_vars.get("SEPARATOR", ",")
```

## How to fix
Delete the comment (or the unused codes in it). A line noqa cannot silence CL903 itself —
it would be unused in turn; to keep stale directives in a file on purpose, put
`# cursus-lint: noqa: CL903` on a line of its own.
''',
    bad=(
        Example(repo(script=_STALE), expect=(("steps/scripts/clean.py", line_of(_STALE, "# noqa")),),
                config=_WITH_CL103),
        Example(repo(contract=_FILE_LEVEL), config={"extend-select": ["CL501"]},
                expect=(("steps/contracts/clean_contract.py", line_of(_FILE_LEVEL, "# cursus-lint: noqa")),)),
    ),
    good=(
        Example(repo(script=_USED), config=_WITH_CL103),
        Example(repo(script=_FOREIGN)),
        Example(repo(contract=_SHARED_BARE)),
    ),
)
