"""The language server on the interface layout: ``.step.yaml`` documents are linted from their
unsaved text like Python ones, get quick fixes that edit the YAML, and are re-published when the
script or config class they go with changes (and the other way round).

A real LSP client (pytest-lsp) drives ``python -m cursus_lint.lsp`` over stdio against a copy of
``fixtures/interface_repo``.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "interface_repo"
TP = "steps/interfaces/tabular_preprocessing.step.yaml"
SCRIPT = "steps/scripts/tabular_preprocessing.py"
CONFIG = "steps/configs/config_tabular_preprocessing_step.py"
ORIGINAL = (FIXTURE / TP).read_text(encoding="utf-8")
WRONG_PATH = ORIGINAL.replace("Outputs['processed_data']", "Outputs['model_data']", 1)


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "cursus_lint.lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": 20}))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    return root


def where(text: str, needle: str, length: int | None = None) -> types.Range:
    """The 0-based range of the first ``needle`` in ``text`` (``length`` characters long)."""
    before = text[:text.index(needle)]
    row, col = before.count("\n"), len(before) - (before.rfind("\n") + 1)
    return types.Range(types.Position(row, col), types.Position(row, col + (length or len(needle))))


async def published(client: LanguageClient, uri: str, timeout: float = 15.0) -> list[types.Diagnostic]:
    async def arrive() -> list[types.Diagnostic]:
        while uri not in client.diagnostics:
            await asyncio.sleep(0.01)
        return list(client.diagnostics[uri])

    return await asyncio.wait_for(arrive(), timeout)


async def until(client: LanguageClient, uri: str, codes: list[str], timeout: float = 15.0) -> list[types.Diagnostic]:
    """The diagnostics of ``uri`` once they have exactly ``codes``: a lint started before the last
    change may still publish the state before it, so wait for the state, not the next message."""
    async def arrive() -> list[types.Diagnostic]:
        while uri not in client.diagnostics or [d.code for d in client.diagnostics[uri]] != codes:
            await asyncio.sleep(0.01)
        return list(client.diagnostics[uri])

    try:
        return await asyncio.wait_for(arrive(), timeout)
    except TimeoutError:
        raise AssertionError(f"{uri}: wanted {codes}, last published {client.diagnostics.get(uri)}") from None


def open_doc(client: LanguageClient, path: Path, text: str | None = None, language: str = "yaml") -> str:
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=uri, language_id=language, version=1, text=path.read_text() if text is None else text)))
    return uri


def change(client: LanguageClient, uri: str, version: int, text: str, *others: str) -> None:
    for u in (uri, *others):
        client.diagnostics.pop(u, None)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [types.TextDocumentContentChangeWholeDocument(text=text)]))


def close(client: LanguageClient, *uris: str) -> None:
    for uri in uris:
        client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))


async def test_unsaved_interface_gets_exact_findings_and_its_quick_fix_clears_them(
        client: LanguageClient, repo: Path) -> None:
    uri = open_doc(client, repo / TP, WRONG_PATH)  # the disk still holds the good file
    value = "properties.ProcessingOutputConfig.Outputs['model_data'].S3Output.S3Uri"
    [d] = await published(client, uri)
    assert (d.code, d.range) == ("CL205", where(WRONG_PATH, value))
    assert d.message == ("property_path of output 'processed_data' in spec 'tabular_preprocessing.step.yaml' reads "
                         "output 'model_data'; expected \"properties.ProcessingOutputConfig.Outputs['processed_data']"
                         ".S3Output.S3Uri\"")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=d.range,
        context=types.CodeActionContext(diagnostics=[d], only=[types.CodeActionKind.QuickFix])))
    [fix] = [a for a in actions if a.is_preferred]
    assert fix.title == "read output 'processed_data' in property_path (CL205)"
    [edit] = fix.edit.changes[uri]
    assert edit == types.TextEdit(where(WRONG_PATH, "model_data", len("model")), "processed")  # the minimal edit
    # "fix all" in the YAML document offers the same edit
    [every] = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=d.range,
        context=types.CodeActionContext(diagnostics=[d], only=[types.CodeActionKind.SourceFixAll])))
    assert (every.kind, list(every.edit.changes[uri])) == ("source.fixAll.cursus-lint", [edit])
    start = WRONG_PATH.index("model_data")
    fixed = WRONG_PATH[:start] + "processed" + WRONG_PATH[start + len("model"):]
    assert fixed == ORIGINAL
    change(client, uri, 2, fixed)
    assert await published(client, uri) == []
    # a YAML syntax error in the buffer is shown where it is (not the file on disk's findings)
    broken = ORIGINAL.replace("required: [LABEL_FIELD]", "required: [LABEL_FIELD", 1)
    change(client, uri, 3, broken)
    [d] = await published(client, uri)
    colon = where(broken, "optional:").start  # where the parser met ':' inside the open list
    assert (d.code, d.range.start) == ("CL008", types.Position(colon.line, colon.character + len("optional")))
    assert d.message.startswith("YAML syntax error: while parsing a flow sequence")
    close(client, uri)


async def test_script_and_interface_republish_each_other(client: LanguageClient, repo: Path) -> None:
    script_text = (repo / SCRIPT).read_text()
    script_uri = open_doc(client, repo / SCRIPT, language="python")
    yaml_uri = open_doc(client, repo / TP)
    assert await published(client, yaml_uri) == []
    # the interface stops declaring LABEL_FIELD: the script's read is re-published as CL103
    undeclared = ORIGINAL.replace("required: [LABEL_FIELD]", "required: []", 1)
    change(client, yaml_uri, 2, undeclared, script_uri)
    [d] = await until(client, script_uri, ["CL103"])
    assert (d.code, d.range) == ("CL103", where(script_text, 'environ_vars["LABEL_FIELD"]'))
    assert await published(client, yaml_uri) == []
    # its quick fix edits the interface buffer, not the script
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(script_uri), range=d.range,
        context=types.CodeActionContext(diagnostics=[d], only=[types.CodeActionKind.QuickFix])))
    [fix] = [a for a in actions if a.is_preferred]
    assert fix.title == "declare 'LABEL_FIELD' in contract.env_vars.required (CL103)"
    inside = where(undeclared, "required: []").end  # just before the closing bracket
    point = types.Position(inside.line, inside.character - 1)
    assert {u: list(e) for u, e in fix.edit.changes.items()} == {
        yaml_uri: [types.TextEdit(types.Range(point, point), "LABEL_FIELD")]}
    # the script stops reading TEST_VAL_RATIO: the interface gets CL107 on its declaration
    change(client, yaml_uri, 3, ORIGINAL, script_uri)
    assert await until(client, script_uri, []) == []
    no_read = script_text.replace('float(environ_vars.get("TEST_VAL_RATIO", "0.5"))', "0.5") \
        .replace('        "TEST_VAL_RATIO": os.environ.get("TEST_VAL_RATIO", "0.5"),\n', "")
    change(client, script_uri, 2, no_read, yaml_uri)
    [d] = await until(client, yaml_uri, ["CL107"])
    assert (d.code, d.range) == ("CL107", where(ORIGINAL, "TEST_VAL_RATIO"))
    assert d.message == ("contract 'tabular_preprocessing.step.yaml' declares optional env var 'TEST_VAL_RATIO' "
                         "but script 'tabular_preprocessing.py' never reads it")
    close(client, script_uri, yaml_uri)


async def test_config_class_change_republishes_the_interface(client: LanguageClient, repo: Path) -> None:
    config_text = (repo / CONFIG).read_text()
    config_uri = open_doc(client, repo / CONFIG, language="python")
    yaml_uri = open_doc(client, repo / TP)
    assert await published(client, yaml_uri) == []
    change(client, config_uri, 2, config_text.replace("    job_type: str =", "    job_kind: str =", 1), yaml_uri)
    [d] = await until(client, yaml_uri, ["CL401"])
    key = where(ORIGINAL, "source: job_type").start  # the value after the key
    row, col = key.line, key.character + len("source: ")
    assert (d.code, d.range) == ("CL401", types.Range(types.Position(row, col), types.Position(row, col + 8)))
    assert d.message.startswith("interface key 'contract.job_arguments[].source' names config attribute 'job_type' "
                                "but TabularPreprocessingConfig")
    change(client, config_uri, 3, config_text, yaml_uri)
    assert await until(client, yaml_uri, []) == []
    close(client, config_uri, yaml_uri)
