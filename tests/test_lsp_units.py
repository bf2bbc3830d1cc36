"""The language server's pure parts in-process: position conversion, fix data, code actions,
hover text, the lint runner and the ``lsp`` command's argument handling."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from cursus_lint.cli import main
from cursus_lint.diagnostic import Diagnostic, Edit, Fix, Location, Related, Severity
from cursus_lint.lsp import parse_address
from cursus_lint.lsp.actions import FIX_ALL, fix_all, hover, noqa_actions, quick_fixes, wanted
from cursus_lint.lsp.convert import (TextIndex, code_points, fix_from_data, fix_to_data, line_edits, to_lsp,
                                     units, workspace_edit)
from cursus_lint.lsp.linting import lint_documents
from cursus_lint.rules import _examples
from cursus_lint.rules_index import all_rules

P = Path("/repo/steps/scripts/clean.py")
U16, U8 = types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8


def pos(line: int, character: int) -> types.Position:
    return types.Position(line, character)


def rng(a: int, b: int, c: int, d: int) -> types.Range:
    return types.Range(pos(a, b), pos(c, d))


def test_columns_are_code_points_converted_to_client_units() -> None:
    text = 'x = "😋"; y = os.getenv("A")\r\nz = 1\n'
    index = TextIndex({P: text}, U16)
    # column 23 (1-based code points) is 'o' of os.getenv; the emoji takes two UTF-16 units
    assert index.range(P, 1, 14, 1, 28) == rng(0, 14, 0, 28)
    assert TextIndex({P: text}, U8).position(P, 1, 14) == pos(0, 16)
    assert index.offset_of(P, pos(0, 14)) == (1, 14)
    assert code_points('"😋"', 3, U16) == 2


def test_unknown_end_runs_to_line_end_and_positions_clamp() -> None:
    index = TextIndex({P: "import os\ndef main(:\n"}, U16)
    assert index.range(P, 2, 10, None, None) == rng(1, 9, 1, 10)
    assert index.range(P, 1, 1, None, None) == rng(0, 0, 0, 9)
    assert index.position(P, 40, 1) == pos(2, 0)  # past the end: the last (empty) line
    assert index.range(P, 2, 5, 1, 1) == rng(1, 4, 1, 4)  # inverted end collapses to the start


def test_files_that_are_not_open_are_read_from_disk(tmp_path: Path) -> None:
    other = tmp_path / "c.py"
    other.write_text("é = 1\n")
    assert TextIndex({}, U8).position(other, 1, 2) == pos(0, 2)
    assert TextIndex({}, U16).position(tmp_path / "missing.py", 3, 4) == pos(2, 3)


def test_diagnostic_to_lsp_with_related_and_fix_data() -> None:
    contract = Path("/repo/steps/contracts/clean_contract.py")
    fix = Fix("Declare it", (Edit(contract, 2, 5, 2, 5, '"A", '),), safe=False)
    d = Diagnostic("CL103", "undeclared-env-var", Severity.WARNING, Location(P, 1, 5, 1, 8), "msg", "Clean",
                   (Related(Location(contract, 2, 5, 2, 9), "declared here"),), fix)
    out = to_lsp(d, TextIndex({P: "abc defgh\n", contract: "X = [\n    'a', 'b',\n]\n"}, U16))
    assert (out.code, out.source, out.severity, out.range, out.message) == (
        "CL103", "cursus-lint", types.DiagnosticSeverity.Warning, rng(0, 4, 0, 7), "msg")
    assert out.related_information == [types.DiagnosticRelatedInformation(
        types.Location(contract.as_uri(), rng(1, 4, 1, 8)), "declared here")]
    assert out.data == {"code": "CL103", "name": "undeclared-env-var", "step": "Clean", "fix": {
        "message": "Declare it", "safe": False, "edits": [{"path": str(contract), "line": 2, "column": 5,
                                                           "end_line": 2, "end_column": 5, "new_text": '"A", '}]}}
    assert fix_from_data(out.data) == fix
    assert fix_from_data({"fix": {"message": "m", "edits": [{"path": "x"}]}}) is None
    assert fix_from_data({"fix": None}) is None and fix_from_data("nope") is None
    assert fix_to_data(fix)["edits"][0]["new_text"] == '"A", '


def test_workspace_edit_groups_by_file_and_drops_overlaps() -> None:
    other = Path("/repo/b.py")
    index = TextIndex({P: "abcdef\n", other: "xyz\n"}, U16)
    edit = workspace_edit([Edit(P, 1, 3, 1, 5, "Z"), Edit(other, 1, 1, 1, 2, "Q"), Edit(P, 1, 4, 1, 6, "lost"),
                           Edit(P, 1, 1, 1, 2, "A")], index)
    assert {k: list(v) for k, v in edit.changes.items()} == {
        other.as_uri(): [types.TextEdit(rng(0, 0, 0, 1), "Q")],
        P.as_uri(): [types.TextEdit(rng(0, 0, 0, 1), "A"), types.TextEdit(rng(0, 2, 0, 4), "Z")]}
    assert workspace_edit([], index) is None


def test_line_edits_touch_only_changed_lines() -> None:
    assert line_edits("a\nb\nc\n", "a\nb  # x\nc\n") == [types.TextEdit(rng(1, 0, 1, 1), "b  # x")]
    assert line_edits("a\n", "a\nb\n") == [types.TextEdit(rng(0, 0, 1, 0), "a\nb\n")]


def lsp_diag(code: str, line: int, data: object = None, source: str = "cursus-lint") -> types.Diagnostic:
    return types.Diagnostic(rng(line, 0, line, 3), "m", code=code, source=source, data=data)


def test_noqa_actions_extend_existing_lists_and_skip_what_cannot_be_silenced() -> None:
    text = "a = 1\nb = 2  # noqa: CL104\nc = 3  # noqa\n"
    uri = P.as_uri()
    diags = [lsp_diag("CL103", 0), lsp_diag("CL103", 0), lsp_diag("CL103", 1), lsp_diag("CL103", 2),
             lsp_diag("CL903", 0), lsp_diag("E501", 0, source="flake8")]
    actions = noqa_actions(uri, text, diags)
    assert [(a.title, list(a.edit.changes[uri])) for a in actions] == [
        ("Suppress CL103 on this line (# noqa: CL103)", [types.TextEdit(rng(0, 0, 0, 5), "a = 1  # noqa: CL103")]),
        ("Suppress CL103 on this line (# noqa: CL103)",
         [types.TextEdit(rng(1, 0, 1, 20), "b = 2  # noqa: CL104, CL103")]),
    ]


def test_quick_fix_is_the_servers_finding_and_marks_unsafe() -> None:
    fix = Fix("Rewrite", (Edit(P, 1, 1, 1, 4, "xyz"),), safe=False)
    index = TextIndex({P: "abc\n"}, U16)
    ours = [Diagnostic("CL702", "n", Severity.ERROR, Location(P, 1, 1, 1, 4), "m", fix=fix)]
    # the client's data is neither needed nor believed: here it claims another fix entirely
    lying = fix_to_data(Fix("Lie", (Edit(Path("/etc/passwd"), 1, 1, 1, 1, "x"),), safe=True))
    with_fix = lsp_diag("CL702", 0, {"code": "CL702", "fix": lying})
    [action] = quick_fixes([with_fix, lsp_diag("CL103", 0, {"code": "CL103", "fix": None})], ours, index)
    assert action.title == "Rewrite (unsafe: review the change) (CL702)"
    assert action.is_preferred is False and action.kind == types.CodeActionKind.QuickFix
    assert list(action.edit.changes) == [P.as_uri()]
    # a fix editing a path outside what the server allows is not offered
    assert quick_fixes([with_fix], ours, index, allowed=lambda path: path != P) == []
    # a client diagnostic that is not one of ours (other message or range) gets nothing
    moved = types.Diagnostic(rng(0, 1, 0, 3), "m", code="CL702", source="cursus-lint")
    assert quick_fixes([moved, types.Diagnostic(rng(0, 0, 0, 3), "other", code="CL702", source="cursus-lint")],
                       ours, index) == []


def test_lone_surrogate_in_a_buffer_is_a_cl902_and_the_rest_still_lints(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for rel, text in _examples.repo().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    contract = root / "steps/contracts/clean_contract.py"
    script = root / "steps/scripts/clean.py"
    buffer = "# \ud83d\r" + contract.read_text()
    found = lint_documents([contract, script], {contract: buffer})
    assert [(d.code, d.location.line, d.location.column, d.location.end_column) for d in found[contract]] == [
        ("CL902", 1, 3, 4)]
    assert found[script] == []
    assert units("\ud83d", U16) == 1 and units("\ud83d", U8) == 3  # positions of such a buffer convert


def test_fix_all_takes_safe_fixes_located_in_the_document() -> None:
    other = Path("/repo/other.py")
    index = TextIndex({P: "abc def\n", other: "x\n"}, U16)

    def finding(path: Path, edit: Edit, safe: bool) -> Diagnostic:
        return Diagnostic("CL703", "n", Severity.ERROR, Location(path, 1, 1), "m", fix=Fix("f", (edit,), safe))

    found = [finding(P, Edit(P, 1, 1, 1, 4, "ABC"), True), finding(P, Edit(P, 1, 5, 1, 8, "no"), False),
             finding(other, Edit(other, 1, 1, 1, 2, "y"), True), Diagnostic("CL103", "n", Severity.ERROR,
                                                                            Location(P), "no fix")]
    action = fix_all(P, found, index)
    assert (action.kind, action.title) == (FIX_ALL, "Fix all safe cursus-lint problems")
    assert {k: list(v) for k, v in action.edit.changes.items()} == {P.as_uri(): [types.TextEdit(rng(0, 0, 0, 3),
                                                                                                 "ABC")]}
    assert fix_all(P, found[1:2], index) is None


def test_kind_filter() -> None:
    assert wanted(FIX_ALL, ["source.fixAll"]) and wanted(FIX_ALL, None) and wanted(FIX_ALL, ["source"])
    assert not wanted(FIX_ALL, [types.CodeActionKind.QuickFix]) and not wanted("quickfix", ["quick"])


def test_hover_joins_rule_docs_once_per_code() -> None:
    rules = all_rules()
    published = [lsp_diag("CL103", 2), lsp_diag("CL103", 2), lsp_diag("CL999", 2), lsp_diag("CL103", 5)]
    info = hover(published, pos(2, 1), rules)
    parts = info.contents.value.split("\n\n---\n\n")
    assert len(parts) == 2 and parts[1] == "**CL999**"
    assert parts[0].startswith("**CL103 undeclared-env-var** · error · safe autofix\n\n" + rules["CL103"].summary)
    assert info.range == rng(2, 0, 2, 3)
    assert hover(published, pos(3, 0), rules) is None


BAD_SCRIPT = _examples.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                            '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    for rel, text in _examples.repo().items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def test_lint_documents_uses_overlay_and_reports_each_open_file(repo: Path) -> None:
    script, contract = repo / "steps/scripts/clean.py", repo / "steps/contracts/clean_contract.py"
    notes = repo / "notes.txt"
    found = lint_documents([script, contract, notes], {script: BAD_SCRIPT})
    assert sorted(found) == [contract, script]  # a non-Python document is not linted at all
    assert found[contract] == []
    [d] = found[script]
    assert (d.code, d.location.line, d.location.column, d.step) == ("CL103", 11, 13, "Clean")
    assert lint_documents([script], {})[script] == []  # the disk copy is clean


def test_syntax_errors_show_even_outside_steps_unless_suppressed(repo: Path, tmp_path: Path) -> None:
    loose = tmp_path / "elsewhere" / "scratch.py"
    loose.parent.mkdir()
    [d] = lint_documents([loose], {loose: "x = (\n"})[loose]
    assert (d.code, d.name, d.severity, d.location.line) == ("CL901", "syntax-error", Severity.ERROR, 1)
    assert d.message.startswith("cannot parse: ")
    assert lint_documents([loose], {loose: "x = (  # noqa: CL901\n"})[loose] == []
    assert lint_documents([loose], {loose: "x = (  # noqa\n"})[loose] == []
    other = lint_documents([loose], {loose: "x = (  # noqa: CL103\n"})[loose]
    assert sorted((d.code, d.message.split(":")[0]) for d in other) == [
        ("CL901", "cannot parse"), ("CL903", "unused suppression")]


def test_config_error_becomes_cl904_on_each_document(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.cursus-lint]\nselect = ["CL1"]\nbogus = 1\n')
    script = repo / "steps/scripts/clean.py"
    [d] = lint_documents([script], {})[script]
    assert (d.code, d.name, d.location.line) == ("CL905", "configuration-error", 1)
    assert d.message.startswith("configuration error: ") and "bogus" in d.message
    assert d.related[0].location.path == repo / "pyproject.toml"


def test_parse_address_and_lsp_command_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_address("localhost:2087") == ("localhost", 2087)
    assert parse_address(":2087") == ("127.0.0.1", 2087)
    for bad in ("2087", "host:port", "h:0", "h:70000"):
        with pytest.raises(ValueError, match="expected HOST:PORT"):
            parse_address(bad)
    assert main(["lsp", "--tcp", "nowhere"]) == 2
    assert capsys.readouterr().err == "cursus-lint: error: expected HOST:PORT, got 'nowhere'\n"
    assert main(["lsp", "--help"]) == 0
    assert "--tcp HOST:PORT" in capsys.readouterr().out
