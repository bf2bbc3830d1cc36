"""Running the engine over the editor's open documents (their unsaved text, not the disk).

All open documents of one repo are linted in one engine run: the engine indexes the whole repo
anyway, and naming every open file makes it keep each file's own findings plus the findings of
every step those files belong to, so each open document gets a complete, fresh list.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from collections.abc import Mapping, Sequence

from cursus_core.catalog import find_repo_root
from cursus_core.source import load_source

from ..config import ConfigError, load_config
from ..diagnostic import Diagnostic, Location, Related, Severity
from ..engine import SOURCE_PROBLEM_CODES, Engine
from ..rule import Rule
from ..rules_index import all_rules
from ..suppress import parse_noqa

#: names used when a CL9xx rule module is not installed (the finding must still be shown)
_TOOL_NAMES = {"CL901": "syntax-error", "CL902": "unreadable-file", "CL905": "configuration-error"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def encodable(text: str) -> tuple[str, tuple[int, int, str] | None]:
    """An editor buffer as text the engine can encode, and where it was not.

    A buffer may hold a lone surrogate (a broken paste, a client bug); no file can hold one, so
    the document gets a CL902 at that spot and is linted with U+FFFD in its place, which keeps
    every column and every other document of the repo linted as usual.
    """
    found = _SURROGATE.search(text)
    if found is None:
        return text, None
    breaks = list(_LINE_BREAK.finditer(text, 0, found.start()))
    line = len(breaks) + 1
    column = found.start() - (breaks[-1].end() if breaks else 0) + 1
    return _SURROGATE.sub("\ufffd", text), (line, column, f"U+{ord(found.group()):04X}")


#: what an interface-layout step file is called (cursus >= 2.5: contract + spec + registry row)
INTERFACE_SUFFIX = ".step.yaml"


def lintable(path: Path) -> bool:
    """Python files and ``.step.yaml`` interfaces are components; anything else an editor opens
    is left alone."""
    return path.suffix == ".py" or is_interface(path)


def is_interface(path: Path) -> bool:
    return path.name.endswith(INTERFACE_SUFFIX)


def lint_documents(paths: Sequence[Path], overlay: Mapping[Path, str],
                   rules: dict[str, Rule] | None = None) -> dict[Path, list[Diagnostic]]:
    """Findings per open document (every lintable path in ``paths`` gets a key, maybe empty).

    Raises whatever the engine raises; the server turns that into a log message.
    """
    rules = rules if rules is not None else all_rules()
    wanted = [Path(os.path.abspath(p)) for p in paths if lintable(Path(p))]
    out: dict[Path, list[Diagnostic]] = {p: [] for p in wanted}
    groups: dict[Path, list[Path]] = {}
    for p in wanted:
        groups.setdefault(find_repo_root(p), []).append(p)
    texts: dict[Path, str] = {}
    broken: dict[Path, tuple[int, int, str]] = {}
    for p, t in overlay.items():
        key = Path(os.path.abspath(p))
        texts[key], where = encodable(t)
        if where is not None:
            broken[key] = where
    for group in groups.values():
        try:
            settings = load_config(group[0], set(rules))
        except ConfigError as exc:
            for p in group:
                out[p].append(_config_problem(p, exc, rules))
            continue
        result = Engine(settings, rules, overlay=dict(texts)).run(group)
        for d in result.diagnostics:
            key = Path(os.path.abspath(d.location.path))
            if key in out:
                out[key].append(d)
        for p in group:
            if p in broken and settings.enabled("CL902"):
                out[p].append(_surrogate_problem(p, broken[p], rules))
            if not is_interface(p) and (settings.enabled("CL901") or settings.enabled("CL902")):
                _add_source_problem(p, texts, out[p], rules, settings)
    return out


def _surrogate_problem(path: Path, where: tuple[int, int, str], rules: dict[str, Rule]) -> Diagnostic:
    line, column, char = where
    rule = rules.get("CL902")
    return Diagnostic("CL902", rule.name if rule else _TOOL_NAMES["CL902"], rule.severity if rule else Severity.ERROR,
                      Location(path, line, column, line, column + 1),
                      f"the buffer holds a lone surrogate ({char}), which no file can store; "
                      f"linted with U+FFFD in its place")


def _config_problem(path: Path, exc: ConfigError, rules: dict[str, Rule]) -> Diagnostic:
    """A broken ``[tool.cursus-lint]`` table, shown on the document with a link to the table."""
    rule = rules.get("CL905")
    related: tuple[Related, ...] = ()
    if exc.path is not None:
        related = (Related(Location(Path(exc.path), exc.line or 1), "configuration read from here"),)
    return Diagnostic("CL905", rule.name if rule else _TOOL_NAMES["CL905"], rule.severity if rule else Severity.ERROR,
                      Location(path), f"configuration error: {exc}", related=related)


def _add_source_problem(path: Path, texts: Mapping[Path, str], found: list[Diagnostic],
                        rules: dict[str, Rule], settings) -> None:
    """A document that does not parse always shows why, even outside any step (CL901/CL902)."""
    source = load_source(path, dict(texts))
    problem = source.problem
    if problem is None:
        return
    code = SOURCE_PROBLEM_CODES.get(problem.kind, "CL902")
    if not settings.enabled(code) or any(d.code == code for d in found) or settings.is_excluded(path) \
            or settings.ignored_for_path(code, path):
        return
    if source.text is not None:
        noqa = parse_noqa(source.text)
        if noqa.suppresses(code, problem.line):
            # honoured here, so the engine's "unused suppression" for that directive is wrong
            line = noqa.comment_line(problem.line)
            found[:] = [d for d in found if not (d.code == "CL903" and d.location.line == line and (
                f"'{code}'" in d.message or "bare 'noqa'" in d.message))]
            return
    rule = rules.get(code)
    found.append(Diagnostic(code, rule.name if rule else _TOOL_NAMES[code], rule.severity if rule else Severity.ERROR,
                            Location(path, problem.line, problem.column), problem.message))
    found.sort(key=Diagnostic.sort_key)
