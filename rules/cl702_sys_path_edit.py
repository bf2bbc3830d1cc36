"""CL702 sys-path-edit: a step file changes ``sys.path`` (or calls ``site.addsitedir``)."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_BAD_SCRIPT = edit(
    "script", "import argparse\nimport os\n",
    "import argparse\nimport os\nimport sys\n\n"
    "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\nfrom helpers import load_frame\n",
)
_BAD_CONTRACT = edit(
    "contract", "from cursus_core.base import ScriptContract\n",
    "import site\nimport sys\n\nsys.path += [\"/opt/shared\"]\nsite.addsitedir(\"/opt/more\")\n\n"
    "from cursus_core.base import ScriptContract\n",
)

#: how each kind of edit is written, for messages
_WRITTEN = {
    "append": "sys.path.append(...)", "insert": "sys.path.insert(...)", "extend": "sys.path.extend(...)",
    "remove": "sys.path.remove(...)", "assign": "sys.path = ...", "augassign": "sys.path += ...",
    "item-assign": "sys.path[...] = ...", "addsitedir": "site.addsitedir(...)",
}

# the "Use instead" of the docs: a plain import of a module shipped next to the script
_PLAIN_IMPORT = edit("script", "import os\n", "import os\n\nfrom helpers import load_frame\n")

RULE = Rule(
    code="CL702",
    name="sys-path-edit",
    summary="A step file edits `sys.path` or calls `site.addsitedir` to make its imports work.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Every file of a step is searched for run-time edits of the import path:
`sys.path.append/insert/extend/remove(...)`, `sys.path = ...`, `sys.path += ...`,
`sys.path[...] = ...` and `site.addsitedir(...)`, wherever they are written (module level,
functions, `if __name__ == "__main__":` blocks).

## Why it matters
A path edit makes an import depend on where the file sits on one machine: the checkout layout,
the container's working directory, the notebook's start directory. It works where it was
written and fails with `ModuleNotFoundError` (or, worse, imports a stale copy) in the processing
container, the installed package or CI. It also hides missing packaging: the module that needed
the edit is not part of what gets shipped.

The rule is a **warning**, not an error: an edit is not wrong on every machine — it works in the
layout it was written for — but it is a portability hazard that should be removed or justified
with a `# noqa: CL702`.

## Example
```python
# steps/scripts/clean.py
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # CL702
from helpers import load_frame
```
Use instead:
```python
# helpers.py ships in the same source_dir as the script; the container runs the script from
# there, so a plain import finds it
from helpers import load_frame
```

## How to fix
Import through the installed package (or a relative import inside the step package). For a
processing script, put its helper modules in the script's `source_dir`, which SageMaker uploads
and puts on the path, or install them in the image. Remove the `sys.path` edit.
''',
    bad=(
        Example(repo(script=_BAD_SCRIPT),
                expect=(("steps/scripts/clean.py", line_of(_BAD_SCRIPT, "sys.path.insert")),)),
        Example(repo(contract=_BAD_CONTRACT),
                expect=(("steps/contracts/clean_contract.py", line_of(_BAD_CONTRACT, "sys.path +=")),
                        ("steps/contracts/clean_contract.py", line_of(_BAD_CONTRACT, "site.addsitedir")))),
    ),
    good=(Example(repo(script=edit("script", "import os\n",
                                   "import os\nimport sys\n\nARGV = list(sys.argv)\nPATHS = list(sys.path)\n"))),
          Example(repo(script=_PLAIN_IMPORT))),
)


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    if facts.module is None:
        return
    for edit_ in facts.module.sys_path_edits:
        written = _WRITTEN.get(edit_.kind, "sys.path edit")
        yield RULE.report(
            facts.path, edit_.span,
            f"'{written}' changes the import path at run time, so imports depend on this machine's "
            f"layout; package the module and import it normally",
        )
