"""CL701 src-import: a step file imports through the repository's ``src`` directory."""

from __future__ import annotations

from collections.abc import Iterator

from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.facts import FileFacts
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._examples import edit, line_of, repo

_BAD_BUILDER = edit("builder", "from ..configs.config_clean_step import CleanConfig\n",
                    "from src.steps.configs.config_clean_step import CleanConfig\n")
_BAD_SCRIPT = edit("script", "import os\n", "import os\n\nimport src.steps.utils\n")

RULE = Rule(
    code="CL701",
    name="src-import",
    summary="A step file imports a module through the repository's `src` directory.",
    severity=Severity.ERROR,
    docs='''
## What it checks
Every file of a step (script, contract, specification, builder, config, hyperparameters,
registry) is searched for absolute imports whose first package is `src`:
`from src.x import y`, `from src import x`, `import src.x`. Relative imports and imports of the
installed package (`from cursus.steps.configs import ...`) are fine.

## Why it matters
`src` is a directory of the source checkout, not a package anyone installs. Such an import only
works when the repository root happens to be on `sys.path` — in a notebook started from the
root, say. In the processing container, in the installed wheel and under pytest started
elsewhere it raises `ModuleNotFoundError`, often only when the pipeline runs.

## Example
```python
# steps/builders/builder_clean_step.py
from src.steps.configs.config_clean_step import CleanConfig   # CL701
```
Use instead:
```python
from ..configs.config_clean_step import CleanConfig
```

## How to fix
Import through the package name (`from cursus.steps.configs... import ...`, the name the
distribution installs) or, inside the step package, with a relative import. Scripts that need a
helper module should ship it next to the script (same source directory) and import it by name.
''',
    bad=(
        Example(repo(builder=_BAD_BUILDER),
                expect=(("steps/builders/builder_clean_step.py", line_of(_BAD_BUILDER, "from src.")),)),
        Example(repo(script=_BAD_SCRIPT),
                expect=(("steps/scripts/clean.py", line_of(_BAD_SCRIPT, "import src.")),)),
    ),
    good=(Example(repo(script=edit("script", "import os\n", "import os\n\nimport srcutils\nfrom source import x\n"))),),
)


def _suggestion(module: str) -> str:
    rest = module[len("src."):] if module.startswith("src.") else ""
    return f"import '{rest}' from the installed package or use a relative import" if rest \
        else "import the package by its installed name or use a relative import"


@RULE.file
def check(facts: FileFacts, project: ProjectModel) -> Iterator[Diagnostic]:
    if facts.module is None:
        return
    for imp in facts.module.imports:
        if imp.level != 0 or not (imp.module == "src" or imp.module.startswith("src.")):
            continue
        written = f"from {imp.module} import {', '.join(imp.names)}" if imp.is_from else f"import {imp.module}"
        yield RULE.report(
            facts.path, imp.span,
            f"'{written}' imports through the repository's 'src' directory, which only works when the "
            f"repo root is on sys.path; {_suggestion(imp.module)}",
        )
