"""CL902 unreadable-file: a step file cannot be read as UTF-8 text (or at all, or is too large).

Reported by the engine (``Engine._problem_diagnostics``) from the file's ``SourceProblem``;
the rule has no check of its own.
"""

from __future__ import annotations

from cursus_lint.diagnostic import Severity
from cursus_lint.rule import Example, Rule

from ._examples import SCRIPT, line_of, repo

_AUTHOR = 'MAINTAINER = "Jos\u00e9 Mart\u00ednez"  # data platform\n'
_SCRIPT_TEXT = SCRIPT.replace("import argparse\n", "import argparse\n" + _AUTHOR, 1)
#: the same script saved by an editor set to Latin-1: '\xe9' is a lone byte, not UTF-8
_LATIN1_SCRIPT = _SCRIPT_TEXT.encode("latin-1")

RULE = Rule(
    code="CL902",
    name="unreadable-file",
    summary="A step file cannot be read: not in its declared encoding, not a regular file, or too large.",
    severity=Severity.ERROR,
    emitted_by="engine",
    docs='''
## What it checks
Every file that belongs to a step or a registry must be a readable regular file of at most
5 MB that decodes as CPython decodes it: UTF-8 (a byte order mark is fine) unless a PEP 263
coding declaration (`# -*- coding: latin-1 -*-` on line 1 or 2) names another encoding.
Like CPython, undecodable bytes inside a comment are tolerated. Otherwise the file is reported
once and not analysed:

- `file is not valid UTF-8 (byte 0xe9 at offset 42)` — at the line of the first bad byte;
- `unknown encoding 'klingon' in the coding declaration` — at the declaration;
- `cannot read file: Permission denied` — permissions, a dangling symlink, a directory named
  like a module;
- `not a regular file (a FIFO); not read` — a FIFO, socket or device (`/dev/zero`) named `*.py`
  is never opened for reading, so it cannot block or stream forever;
- `file is 6291456 bytes, larger than the 5242880 byte limit; not analysed` — generated code or
  data pasted into a `.py` file.

## Why it matters
Python 3 reads source as UTF-8 unless a coding cookie says otherwise; a Latin-1 file imports on
one machine (with a cookie, or in Python 2 habits) and fails with `SyntaxError: (unicode error)`
on another, typically inside the processing container. The linter cannot see into the file
either, so its step is only partly checked. The rest of the repository is still linted.

## Example
```python
# steps/scripts/clean.py, saved as Latin-1
MAINTAINER = "José Martínez"        # CL902: byte 0xe9 is not UTF-8
```
Use instead: the same file saved as UTF-8 (or declare `# -*- coding: latin-1 -*-` on line 1).

## How to fix
Re-save the file as UTF-8 (`iconv -f latin1 -t utf-8 in.py > out.py`, or the editor's
"save with encoding"). Fix permissions or broken links for unreadable files. Move data out of
`.py` files that are too large (a JSON/CSV next to the code), or exclude generated files
(`extend-exclude`).
''',
    bad=(Example({**repo(), "steps/scripts/clean.py": _LATIN1_SCRIPT},
                 expect=(("steps/scripts/clean.py", line_of(_SCRIPT_TEXT, "MAINTAINER")),)),),
    good=(Example(repo(script=_SCRIPT_TEXT)),),
)
