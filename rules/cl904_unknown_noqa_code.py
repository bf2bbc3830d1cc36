"""CL904 unknown-noqa-code: a ``# noqa`` comment names a CL code that is no rule.

Reported by the engine (``Engine._unknown_noqa_codes``, from the parsed noqa maps of
``cursus_lint.suppress``); the rule has no check of its own.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_TYPO = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
             '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")  # noqa: CL1033\n')
_FILE_LEVEL = edit("builder", "from sagemaker.processing import ProcessingInput, ProcessingOutput\n",
                   "# cursus-lint: noqa: CL999\nfrom sagemaker.processing import ProcessingInput, ProcessingOutput\n")
_KNOWN = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
              '    sep = environ_vars.get("SEPARATOR", ",")\n'
              '    debug = os.getenv("DEBUG_MODE")  # noqa: CL103, E501\n')

RULE = Rule(
    code="CL904",
    name="unknown-noqa-code",
    summary="A `# noqa` comment names a `CL` code that no cursus-lint rule has.",
    severity=Severity.WARNING,
    emitted_by="engine",
    docs='''
## What it checks
Every `CL` code written in a `# noqa: ...` or `# cursus-lint: noqa: ...` comment must be the
code of a cursus-lint rule (`cursus-lint rules` lists them). A code that is none — a typo such
as `CL1033`, a retired number, a prefix such as `CL1` — is reported at its column, with
the real codes one keystroke away when there are any. Codes of other tools (`E501`, `F401`)
are left alone. An unknown code is reported here and not again as CL903.

## Why it matters
A misspelt code silences nothing: the finding it was meant to silence is still reported (or,
under a bare `# noqa` habit, someone "fixes" it by deleting the code and silencing everything
on the line). It also tells readers that a rule exists which does not.

## Example
```python
debug = os.getenv("DEBUG_MODE")  # noqa: CL1033        # CL904: did you mean 'CL103'?
```
Use instead:
```python
debug = os.getenv("DEBUG_MODE")  # noqa: CL103
```

## How to fix
Correct the code (noqa takes full codes, not prefixes), or delete it. To silence this finding in
a file on purpose, put `# cursus-lint: noqa: CL904` on a line of its own.
''',
    bad=(
        Example(repo(script=_TYPO), expect=(("steps/scripts/clean.py", line_of(_TYPO, "CL1033")),)),
        Example(repo(builder=_FILE_LEVEL), expect=(("steps/builders/builder_clean_step.py", 1),)),
    ),
    good=(Example(repo(script=_KNOWN)),),
)
