"""CL301 unknown-compatible-source: ``compatible_sources`` names a step nobody registered or wrote."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from msgspec.structs import replace
import difflib
import re

from cursus_core.deps import strip_job_suffix
from cursus_core.text_similarity import ratio_may_reach
from cursus_core.registry.core_table import VALID_SAGEMAKER_STEP_TYPES
from cursus_lint.diagnostic import Diagnostic, Severity
from cursus_lint.model import ProjectModel
from cursus_lint.rule import Example, Rule

from ._dependencies import index
from ._examples import edit, line_of, repo

_TYPO = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["DataLoader", "DataLoad"]')
#: how close a name must be to a step's to be reported as its misspelling
TYPO_CUTOFF = 0.8

_CASE = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["Dataload"]')
_GENERIC = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["DataLoad", "ProcessingStep"]')
_SPEC_TYPE = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["DataLoad", "Clean_Training"]')

RULE = Rule(
    code="CL301",
    name="unknown-compatible-source",
    summary="A dependency's compatible_sources names a step that is neither registered nor found in the repo.",
    severity=Severity.WARNING,
    docs='''
## What it checks
Every string in a `DependencySpec(compatible_sources=[...])` must name a step the project knows:
a key of the registry (`STEP_NAMES`, any workspace's `WORKSPACE_STEPS` / `STEP_OVERRIDES`, or the
built-in core table), a registered `spec_type` (a job-type suffix such as `_Training` is
ignored), or a step the catalog found in the repo. The finding points at the string itself.

Three cases, worst first. A name with the letters of a known step but another case or
separators (`PytorchModel` for `PyTorchModel`, `Clean-Training` for `Clean_Training`): the
resolver compares names exactly, so it never matches — a warning with a did-you-mean. A
close misspelling (similarity at least 0.8): a warning with a did-you-mean. A name close to no step
(`ProcessingStep`, `ModelTraining`; abstract entries named after a SageMaker step type, such as
`Processing`, are not offered as matches): a generic placeholder that earns no bonus, reported at `info`
severity so it does not bury the typos; list the ones a repo uses on purpose in
`compatible-source-placeholders` of `[tool.cursus-lint]` to silence them.

## Why it matters
The resolver gives a strong bonus to outputs of the steps a dependency lists as compatible
sources. A misspelled or renamed step earns no bonus, so the dependency is wired by weaker
evidence, to the wrong output or to nothing at all, and nothing says why.

## Example
```python
DependencySpec(
    logical_name="raw_data",
    dependency_type=DependencyType.PROCESSING_OUTPUT,
    compatible_sources=["DataLoader", "DataLoad"],      # CL301: no step is called DataLoader
)
```
Use instead:
```python
DependencySpec(
    logical_name="raw_data",
    dependency_type=DependencyType.PROCESSING_OUTPUT,
    compatible_sources=["DataLoad"],
)
```

## How to fix
Use the registry key of the providing step (its canonical name). If the step was renamed,
update every spec that lists it; if it was removed, drop the entry.

## Where the names come from
A computed registry (`STEP_NAMES = get_step_names()` merging a literal table of another module, as
cursus's `step_names.py` does over `step_names_original.py`) is read through the literal table
the catalog finds in the repo; when no literal table exists, the names the catalog knows (the
readable registry entries, the built-in table and the steps found in the repo) are used. The rule
never turns off; `--statistics` says which source was used
(`compatible-sources-checked-against-{literal,followed,catalog,builtin}-registry`).
''',
    bad=(Example(repo(spec=_TYPO), expect=(("steps/specs/clean_spec.py", line_of(_TYPO, "DataLoader")),)),
         Example(repo(spec=_CASE), expect=(("steps/specs/clean_spec.py", line_of(_CASE, "Dataload")),)),
         Example(repo(spec=_GENERIC), expect=(("steps/specs/clean_spec.py", line_of(_GENERIC, "ProcessingStep")),))),
    good=(Example(repo()), Example(repo(spec=_SPEC_TYPE))),
)


def registry_source(project: ProjectModel) -> str:
    """Where the known step names come from, for ``--statistics``: ``literal`` (the core registry
    is a literal table), ``followed`` (``STEP_NAMES = get_step_names()`` beside the literal table
    it merges, which the catalog reads instead), ``catalog`` (no literal table: the registered
    names the catalog could read plus the steps it found), ``builtin`` (no registry file)."""
    files = project.registry_files
    core = project.catalog.core_registry_file
    if core is None:
        return "builtin"
    rf = files.get(core)
    table = rf.table("STEP_NAMES") if rf is not None else None
    if table is None or table.opaque or any(t.opaque for f in files.values() for t in f.tables.values()
                                            if f.path != core and t.name != "STEP_NAMES"):
        return "catalog"
    proxies = [f for p, f in files.items() if p != core and (t := f.table("STEP_NAMES")) is not None and t.opaque]
    return "followed" if proxies else "literal"


def _split(name: str) -> tuple[str, str]:
    """(base, job-type suffix) with ``-`` read as ``_``: ``Clean-Training`` -> (``Clean``, ``_Training``)."""
    under = name.replace("-", "_")
    base = strip_job_suffix(under)
    return base, under[len(base):]


@lru_cache(maxsize=4096)
def _spelled(name: str) -> str:
    """A name with case and ``-``/``_``/space ignored (``Pytorch-Model`` ~ ``PyTorchModel``);
    memoised, since every unknown source is compared with every candidate name."""
    return re.sub(r"[-_ ]", "", name).lower()


def _hint(source: str, candidates: list[str]) -> tuple[str | None, str]:
    """(did-you-mean, kind): ``spelling`` (same letters, other case or separators), ``typo`` (a
    close match), or ``placeholder`` (close to no step: a generic name)."""
    base, suffix = _split(source)
    wanted = _spelled(base)
    same = [c for c in candidates if _spelled(c) == wanted]
    if same:
        return same[0] + suffix, "spelling"
    # names whose ratio cannot reach the cutoff are left out before difflib sees them: they
    # could never be its answer, and most names of a repo are far from any one source
    near = [c for c in candidates if ratio_may_reach(c, source, TYPO_CUTOFF)]
    close = difflib.get_close_matches(source, near, n=1, cutoff=TYPO_CUTOFF)
    return (close[0], "typo") if close else (None, "placeholder")


@RULE.project
def check(project: ProjectModel) -> Iterator[Diagnostic]:
    ix = index(project)
    project.count_unknown(f"compatible-sources-checked-against-{registry_source(project)}-registry")
    known = ix.known_names
    allowed = set(project.settings.compatible_source_placeholders)
    # abstract registry entries named after a SageMaker step type ("Processing", "Base") are no
    # provider anyone means: "ProcessingStep" is a generic placeholder, not a typo of "Processing"
    candidates = sorted((ix.registered | {s.name for s in project.steps}) - VALID_SAGEMAKER_STEP_TYPES)
    registry_file = project.catalog.core_registry_file
    hints: dict[str, tuple[str | None, str]] = {}  # by source: specs repeat the same few names
    for consumer in ix.consumers:
        for dep in consumer.spec.dependencies:
            for source, span in zip(dep.compatible_sources, dep.compatible_source_spans, strict=False):
                if source in known or strip_job_suffix(source) in known or source in allowed:
                    continue
                found = hints.get(source)
                if found is None:
                    found = hints[source] = _hint(source, candidates)
                hint, kind = found
                where = f"dependency '{dep.logical_name}' of {consumer.spec_name}" if dep.logical_name \
                    else consumer.spec_name
                if kind == "placeholder":
                    message = (f"compatible source '{source}' of {where} names no registered step or step of "
                               f"this repo (a generic placeholder earns no resolver bonus)")
                else:
                    message = (f"compatible source '{source}' of {where} is not a registered step or a step of "
                               f"this repo; did you mean '{hint}'?"
                               + (" (names match exactly: case and separators count)" if kind == "spelling"
                                  else ""))
                related = [(registry_file, None, "steps are registered here")] if registry_file else []
                d = RULE.report(consumer.path, span, message, step=consumer.step.name, related=related)
                yield replace(d, severity=Severity.INFO) if kind == "placeholder" else d
