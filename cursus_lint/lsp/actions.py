"""Code actions and hover text, built from the server's findings and document text (pure functions)."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable, Iterable, Sequence

from lsprotocol import types

from ..diagnostic import Diagnostic
from ..rule import Rule
from ..suppress import add_noqa_edits
from .convert import SOURCE, TextIndex, line_edits, workspace_edit

QUICKFIX = types.CodeActionKind.QuickFix
FIX_ALL = "source.fixAll.cursus-lint"
KINDS = [QUICKFIX, FIX_ALL]


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """LSP kind filtering: ``only=["source.fixAll"]`` admits ``source.fixAll.cursus-lint``."""
    return only is None or any(kind == o or kind.startswith(f"{o}.") for o in only)


def code_of(diagnostic: types.Diagnostic) -> str | None:
    data = diagnostic.data
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        return data["code"]
    return str(diagnostic.code) if diagnostic.code is not None else None


def ours(diagnostics: Iterable[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.source == SOURCE and code_of(d)]


def _everywhere(path: Path) -> bool:
    return True


def own_finding(client: types.Diagnostic, findings: Sequence[Diagnostic], index: TextIndex) -> Diagnostic | None:
    """The server's finding a client diagnostic stands for: same code, message and range.

    A client may send anything in a diagnostic (its ``data`` included); only this lookup decides
    which fix, if any, a quick fix applies.
    """
    code = code_of(client)
    for f in findings:
        loc = f.location
        if f.code == code and f.message == client.message and \
                index.range(loc.path, loc.line, loc.column, loc.end_line, loc.end_column) == client.range:
            return f
    return None


def quick_fixes(diagnostics: Iterable[types.Diagnostic], findings: Sequence[Diagnostic], index: TextIndex,
                allowed: Callable[[Path], bool] = _everywhere) -> list[types.CodeAction]:
    """The rule's own fix for each client diagnostic that is one of the server's ``findings``
    (recomputed for the document's current text), when every path it edits is ``allowed``."""
    actions = []
    for d in ours(diagnostics):
        finding = own_finding(d, findings, index)
        fix = finding.fix if finding is not None else None
        if fix is None or not all(allowed(Path(e.path)) for e in fix.edits):
            continue
        edit = workspace_edit(fix.edits, index)
        if edit is None:
            continue
        title = fix.message if fix.safe else f"{fix.message} (unsafe: review the change)"
        actions.append(types.CodeAction(title=f"{title} ({code_of(d)})", kind=QUICKFIX, diagnostics=[d],
                                        edit=edit, is_preferred=fix.safe))
    return actions


def noqa_actions(uri: str, text: str, diagnostics: Iterable[types.Diagnostic],
                 encoding: str = types.PositionEncodingKind.Utf16) -> list[types.CodeAction]:
    """"Suppress CODE with noqa": the edit ``cursus-lint --add-noqa`` would make on that line."""
    actions = []
    seen: set[tuple[int, str]] = set()
    for d in ours(diagnostics):
        code = code_of(d) or ""
        line = d.range.start.line + 1
        if (line, code) in seen:
            continue
        seen.add((line, code))
        new = add_noqa_edits(text, {line: {code}})
        if new == text:
            continue  # already suppressed there, or a code a line noqa cannot silence (CL903)
        edits = line_edits(text, new, encoding)
        actions.append(types.CodeAction(title=f"Suppress {code} on this line (# noqa: {code})", kind=QUICKFIX,
                                        diagnostics=[d], edit=types.WorkspaceEdit(changes={uri: edits})))
    return actions


def fix_all(path: Path, findings: Iterable[Diagnostic], index: TextIndex,
            allowed: Callable[[Path], bool] = _everywhere) -> types.CodeAction | None:
    """Every safe fix of the findings located in this document, as one edit (a fix that would
    edit a path not ``allowed`` is left out whole)."""
    edits = [e for d in findings if d.fix is not None and d.fix.safe and d.location.path == path
             and all(allowed(Path(x.path)) for x in d.fix.edits) for e in d.fix.edits]
    edit = workspace_edit(edits, index)
    if edit is None:
        return None
    return types.CodeAction(title="Fix all safe cursus-lint problems", kind=FIX_ALL, edit=edit)


def rule_markdown(rule: Rule) -> str:
    fix = {"no": "not fixable", "safe": "safe autofix", "unsafe": "unsafe autofix"}.get(rule.fixable, "")
    return (f"**{rule.code} {rule.name}** · {rule.severity.value} · {fix}\n\n{rule.summary}\n\n"
            f"{rule.docs.strip()}")


def contains(rng: types.Range, pos: types.Position) -> bool:
    return (rng.start.line, rng.start.character) <= (pos.line, pos.character) <= (rng.end.line, rng.end.character)


def hover(published: Iterable[types.Diagnostic], pos: types.Position, rules: dict[str, Rule]) -> types.Hover | None:
    """The docs of every rule whose diagnostic covers ``pos`` (once per code)."""
    parts: list[str] = []
    first: types.Range | None = None
    for d in published:
        code = code_of(d)
        if not contains(d.range, pos) or code is None:
            continue
        first = first or d.range
        rule = rules.get(code)
        text = rule_markdown(rule) if rule is not None else f"**{code}**"
        if text not in parts:
            parts.append(text)
    if not parts:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(parts)), first)
