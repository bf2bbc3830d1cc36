"""The language server end to end: a real LSP client (pytest-lsp) drives ``python -m cursus_lint.lsp``
over stdio against a temporary copy of the two-step example repo."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from cursus_lint.rules import _examples

pytestmark = pytest.mark.asyncio(loop_scope="module")

DEBUG_LINE = '    debug = os.getenv("DEBUG_MODE")\n'
BAD_SCRIPT = _examples.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                            '    sep = environ_vars.get("SEPARATOR", ",")\n' + DEBUG_LINE)
ROW = _examples.line_of(BAD_SCRIPT, "DEBUG_MODE") - 1  # 0-based line of the read (10)
CL103_MESSAGE = "script reads env var 'DEBUG_MODE' that contract 'CLEAN_CONTRACT' does not declare"
CL103_RANGE = types.Range(types.Position(ROW, 12), types.Position(ROW, 35))  # os.getenv("DEBUG_MODE")
ENV_ROW = _examples.line_of(_examples.CONTRACT, "required_env_vars") - 1
OPT_ROW = _examples.line_of(_examples.CONTRACT, "optional_env_vars") - 1


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "cursus_lint.lsp"]))
async def client(lsp_client: LanguageClient):
    """One server for the module (each test works in its own temporary repo)."""
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": 20}))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for rel, text in _examples.repo(script=BAD_SCRIPT).items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


async def published(client: LanguageClient, uri: str, timeout: float = 8.0) -> list[types.Diagnostic]:
    """The next diagnostics published for ``uri`` (callers pop the old entry before acting)."""
    async def arrive() -> list[types.Diagnostic]:
        while uri not in client.diagnostics:
            await asyncio.sleep(0.01)
        return list(client.diagnostics[uri])

    return await asyncio.wait_for(arrive(), timeout)


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=uri, language_id="python", version=version, text=path.read_text() if text is None else text)))
    return uri


def change(client: LanguageClient, uri: str, version: int, *changes) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version), list(changes)))


def whole(text: str) -> types.TextDocumentContentChangeWholeDocument:
    return types.TextDocumentContentChangeWholeDocument(text=text)


async def test_open_publishes_exact_cl103(client: LanguageClient, repo: Path) -> None:
    uri = open_doc(client, repo / "steps/scripts/clean.py")
    [d] = await published(client, uri)
    assert (d.code, d.range, d.message) == ("CL103", CL103_RANGE, CL103_MESSAGE)
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.source == "cursus-lint"
    [rel] = d.related_information
    assert rel.location.uri == (repo / "steps/contracts/clean_contract.py").as_uri()
    assert rel.location.range == types.Range(types.Position(ENV_ROW, 4), types.Position(ENV_ROW, 37))
    assert rel.message == "'CLEAN_CONTRACT' declares its env vars here"
    assert d.data == {"code": "CL103", "name": "undeclared-env-var", "step": "Clean", "fix": {
        "message": "declare 'DEBUG_MODE' in optional_env_vars of 'CLEAN_CONTRACT' (default '')", "safe": True,
        "edits": [{"path": str(repo / "steps/contracts/clean_contract.py"), "line": 9, "column": 40,
                   "end_line": 9, "end_column": 40, "new_text": ', "DEBUG_MODE": ""'}]}}


async def test_unsaved_edits_are_linted_not_the_disk(client: LanguageClient, repo: Path) -> None:
    script = repo / "steps/scripts/clean.py"
    uri = open_doc(client, script)
    assert [d.code for d in await published(client, uri)] == ["CL103"]
    # incremental change deleting the offending line: the file on disk still has it
    change(client, uri, 2, types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(ROW, 0), types.Position(ROW + 1, 0)), text=""))
    assert await published(client, uri) == []
    assert DEBUG_LINE in script.read_text()
    # back to a second undeclared read, two lines lower, via a whole-document change
    moved = BAD_SCRIPT.replace(DEBUG_LINE, "").replace("    return label",
                                                       '    x = os.environ["OTHER"]\n    return label')
    change(client, uri, 3, whole(moved))
    [d] = await published(client, uri)
    row = _examples.line_of(moved, "OTHER") - 1
    assert (d.code, d.range.start, d.message) == (
        "CL103", types.Position(row, 8), "script reads env var 'OTHER' that contract 'CLEAN_CONTRACT' does not declare")


async def test_noqa_code_action_then_applied_edit_silences(client: LanguageClient, repo: Path) -> None:
    uri = open_doc(client, repo / "steps/scripts/clean.py")
    diagnostics = await published(client, uri)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=CL103_RANGE,
        context=types.CodeActionContext(diagnostics=diagnostics, only=[types.CodeActionKind.QuickFix])))
    [noqa] = [a for a in actions if "noqa" in a.title]
    assert noqa.title == "Suppress CL103 on this line (# noqa: CL103)"
    assert noqa.kind == types.CodeActionKind.QuickFix
    line = DEBUG_LINE.rstrip("\n")
    [edit] = noqa.edit.changes[uri]
    assert edit.range == types.Range(types.Position(ROW, 0), types.Position(ROW, len(line)))
    assert edit.new_text == line + "  # noqa: CL103"
    change(client, uri, 2, types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text))
    assert await published(client, uri) == []


async def test_quick_fix_is_the_servers_own_never_the_clients_data(client: LanguageClient, repo: Path) -> None:
    script = repo / "steps/scripts/clean.py"
    contract_uri = (repo / "steps/contracts/clean_contract.py").as_uri()
    uri = open_doc(client, script)
    [d] = await published(client, uri)
    # a client (or a stale cache) sends back a "fix" that rewrites /etc/passwd: it is ignored
    d.data = {"code": "CL103", "fix": {"message": "Own the box", "safe": True, "edits": [
        {"path": "/etc/passwd", "line": 1, "column": 1, "end_line": 1, "end_column": 1, "new_text": "x::0:0::/:\n"}]}}
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=d.range,
        context=types.CodeActionContext(diagnostics=[d])))
    fixes = [a for a in actions if a.is_preferred]
    assert [a.title for a in fixes] == [
        "declare 'DEBUG_MODE' in optional_env_vars of 'CLEAN_CONTRACT' (default '') (CL103)"]
    assert {k: list(v) for k, v in fixes[0].edit.changes.items()} == {contract_uri: [types.TextEdit(
        types.Range(types.Position(OPT_ROW, 39), types.Position(OPT_ROW, 39)), ', "DEBUG_MODE": ""')]}
    assert all("/etc/passwd" not in str(a.edit) for a in actions)
    # a diagnostic the server never published gets no fix at all
    forged = types.Diagnostic(range=types.Range(types.Position(0, 0), types.Position(0, 1)), message="forged",
                              code="CL103", source="cursus-lint", data=d.data)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=forged.range,
        context=types.CodeActionContext(diagnostics=[forged], only=[types.CodeActionKind.QuickFix])))
    assert [a.title for a in actions] == ["Suppress CL103 on this line (# noqa: CL103)"]
    # and a document that is not open (here: outside the repo) gets no action
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier("file:///etc/passwd"), range=forged.range,
        context=types.CodeActionContext(diagnostics=[forged])))
    assert not actions


async def test_change_to_an_unopened_document_is_ignored(client: LanguageClient, repo: Path) -> None:
    never_opened = (repo / "steps/scripts/other.py").as_uri()
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=never_opened, version=2), [whole("x = 1\n")]))
    uri = open_doc(client, repo / "steps/scripts/clean.py")
    assert [d.code for d in await published(client, uri)] == ["CL103"]
    assert not [m for m in client.messages if "KeyError" in m.message or "Error" in m.message]
    assert not [m for m in client.log_messages if m.type == types.MessageType.Error]
    assert never_opened not in client.diagnostics


async def test_editing_the_contract_republishes_the_script(client: LanguageClient, repo: Path) -> None:
    script_uri = open_doc(client, repo / "steps/scripts/clean.py")
    assert [d.code for d in await published(client, script_uri)] == ["CL103"]
    contract = repo / "steps/contracts/clean_contract.py"
    contract_uri = open_doc(client, contract)
    assert await published(client, contract_uri) == []
    client.diagnostics.pop(script_uri, None)
    declared = contract.read_text().replace('{"SEPARATOR": ","}', '{"SEPARATOR": ",", "DEBUG_MODE": "false"}')
    change(client, contract_uri, 2, whole(declared))
    assert await published(client, script_uri) == []
    assert await published(client, contract_uri) == []
    # and closing the contract (its unsaved declaration is gone) brings the finding back
    client.diagnostics.pop(script_uri, None)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(contract_uri)))
    assert [d.code for d in await published(client, script_uri)] == ["CL103"]


async def test_close_clears_and_hover_shows_rule_docs(client: LanguageClient, repo: Path) -> None:
    uri = open_doc(client, repo / "steps/scripts/clean.py")
    await published(client, uri)
    info = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(ROW, 20)))
    assert info.range == CL103_RANGE
    assert info.contents.kind == types.MarkupKind.Markdown
    assert info.contents.value.startswith("**CL103 undeclared-env-var** · error · safe autofix\n\n"
                                          "The script reads an environment variable")
    assert "## How to fix" in info.contents.value
    assert await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(0, 0))) is None
    client.diagnostics.pop(uri)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    assert await published(client, uri) == []


async def test_bad_documents_do_not_stop_the_server(client: LanguageClient, repo: Path, tmp_path: Path) -> None:
    # a syntax error is a CL901 finding from the column where parsing failed to the line's end
    broken = repo / "steps/scripts/clean.py"
    uri = open_doc(client, broken, text="import os\ndef main(:\n    pass\n")
    [d] = await published(client, uri)
    assert (d.code, d.range) == ("CL901", types.Range(types.Position(1, 9), types.Position(1, 10)))
    assert d.message.startswith("cannot parse: ")
    # outside any step repo: nothing to report; a non-Python file: never linted
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.py").write_text("x = 1\n")
    (elsewhere / "README.md").write_text("# notes\n")
    outside = open_doc(client, elsewhere / "notes.py")
    assert await published(client, outside) == []
    markdown = open_doc(client, elsewhere / "README.md")
    # a lone surrogate in one buffer is a CL902 on that buffer; the rest of the repo still lints
    contract = repo / "steps/contracts/clean_contract.py"
    with_surrogate = contract.read_text().replace('entry_point="clean.py",', 'entry_point="clean.py",  # \ud800')
    contract_uri = open_doc(client, contract, text=with_surrogate)
    [bad] = await published(client, contract_uri)
    col = len('    entry_point="clean.py",  # ')
    assert (bad.code, bad.range) == ("CL902", types.Range(types.Position(1 + 2, col), types.Position(1 + 2, col + 1)))
    assert bad.message == ("the buffer holds a lone surrogate (U+D800), which no file can store; "
                           "linted with U+FFFD in its place")
    assert markdown not in client.diagnostics
    assert not [m for m in client.log_messages if m.type == types.MessageType.Error]
    # still serving: fixing the script's text lints again
    change(client, uri, 2, whole(BAD_SCRIPT))
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(contract_uri)))
    assert [d.code for d in await published(client, uri)] == ["CL103"]


CONSOLE_SCRIPT = str(Path(sys.executable).with_name("cursus-lint"))


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[CONSOLE_SCRIPT, "lsp"]))
async def slow_client(lsp_client: LanguageClient):
    """The console script, with a debounce long enough that only a save can trigger a lint."""
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": 60000}))
    yield
    await lsp_client.shutdown_session()


async def test_changes_wait_for_the_debounce_but_save_lints_now(slow_client: LanguageClient, repo: Path) -> None:
    uri = open_doc(slow_client, repo / "steps/scripts/clean.py")
    assert [d.code for d in await published(slow_client, uri)] == ["CL103"]
    change(slow_client, uri, 2, whole(BAD_SCRIPT.replace(DEBUG_LINE, "")))
    with pytest.raises(asyncio.TimeoutError):
        await published(slow_client, uri, timeout=0.5)
    slow_client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
    assert await published(slow_client, uri) == []
