"""The pygls server: documents in, diagnostics / code actions / hover out.

Every lint runs on one worker thread (the engine is not shared between runs, and one thread
keeps the event loop free to take the next keystroke). Anything a rule or the engine raises
is logged to the client (``window/logMessage``) and nothing new is published, so a bug in
one rule never takes the editor's linting down.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from collections.abc import Callable, Iterator, Mapping, Sequence
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from cursus_core.catalog import find_repo_root

from .._version import __version__
from ..diagnostic import Diagnostic
from ..rules_index import all_rules
from .actions import FIX_ALL, KINDS, QUICKFIX, fix_all, hover, noqa_actions, quick_fixes, wanted
from .convert import TextIndex, path_of, to_lsp
from .guard import EditGuard
from .linting import lint_documents, lintable

log = logging.getLogger(__name__)
DEFAULT_DEBOUNCE_MS = 300
LintFn = Callable[[Sequence[Path], Mapping[Path, str]], dict[Path, list[Diagnostic]]]


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, except that a change to a document never opened is ignored (and logged)
    instead of surfacing as a ``KeyError`` in the user's editor."""

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Iterator:
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            log.warning("didChange for %s, which is not open: ignored", params.text_document.uri)
            return
        yield from super().lsp_text_document__did_change(params)


class CursusLanguageServer(LanguageServer):
    """Holds the per-document state: pending debounced lints and what was last published."""

    def __init__(self, lint: LintFn = lint_documents) -> None:
        super().__init__("cursus-lint", __version__, protocol_cls=_Protocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.lint_fn = lint
        self.debounce = DEFAULT_DEBOUNCE_MS / 1000
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cursus-lint")
        self.pending: dict[str, asyncio.Task] = {}
        self.lock = asyncio.Lock()
        #: repo root -> uris to publish, for a lint that waits for the lock (not yet reading text)
        self.waiting: dict[Path, set[str]] = {}
        self.published: dict[str, list[types.Diagnostic]] = {}
        #: uri -> (document version linted, findings): reused by "fix all" while still current
        self.findings: dict[str, tuple[int | None, list[Diagnostic]]] = {}

    # -- documents ------------------------------------------------------------------------
    def open_documents(self) -> dict[Path, tuple[str, str, int | None]]:
        """path -> (uri, text, version) of every open ``file:`` document."""
        out = {}
        for doc in list(self.workspace.text_documents.values()):
            path = path_of(doc.uri)
            if path is not None:
                out[path] = (doc.uri, doc.source, doc.version)
        return out

    def guard(self) -> EditGuard:
        """Which paths a code action may edit: inside the workspace folders (or, without any,
        inside the repos of the open documents)."""
        folders = [path_of(f.uri) for f in self.workspace.folders.values()]
        root = self.workspace.root_uri
        roots = [p for p in (*folders, path_of(root) if root else None) if p is not None]
        if not roots:
            roots = [find_repo_root(p) for p in self.open_documents() if lintable(p)]
        return EditGuard(roots)

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_codec.encoding or types.PositionEncodingKind.Utf16
        return getattr(encoding, "value", encoding)

    def log_error(self, what: str, exc: BaseException) -> None:
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error("%s: %s", what, detail)
        self.window_log_message(types.LogMessageParams(types.MessageType.Error,
                                                       f"cursus-lint: {what}: {type(exc).__name__}: {exc}\n{detail}"))

    # -- linting --------------------------------------------------------------------------
    def schedule(self, uri: str, delay: float | None = None) -> None:
        """(Re)start the debounce timer of ``uri``: only the last change in a burst is linted."""
        self.cancel(uri)
        self.pending[uri] = asyncio.ensure_future(self._after(uri, self.debounce if delay is None else delay))

    def cancel(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()

    async def _after(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        if self.pending.get(uri) is asyncio.current_task():
            del self.pending[uri]
        await self.lint(uri)

    async def lint(self, uri: str, *, publish_target: bool = True) -> None:
        """Lint ``uri`` with every open document of its repo and publish what changed.

        ``uri`` itself is always published (a client may wait for it); the other documents only
        when their list differs from the last one sent. Lints run one at a time; a request for a
        repo whose lint is already waiting joins that lint (which reads the text when it starts),
        so a slow repo never builds up a queue of stale runs.
        """
        path = path_of(uri)
        if path is None or not lintable(path):
            return
        root = find_repo_root(path)
        waiting = self.waiting.get(root)
        if waiting is not None:
            if publish_target:
                waiting.add(uri)
            return
        force = self.waiting[root] = {uri} if publish_target else set()
        async with self.lock:
            del self.waiting[root]
            docs = self.open_documents()
            targets = [p for p in docs if lintable(p) and find_repo_root(p) == root]
            if not targets:
                return
            overlay = {p: text for p, (_, text, _) in docs.items()}
            loop = asyncio.get_running_loop()
            try:
                results = await loop.run_in_executor(self.worker, self._run, targets, overlay, self.encoding)
            except Exception as exc:  # a rule or the engine failed: keep serving, publish nothing new
                self.log_error(f"linting {path} failed", exc)
                return
        now = self.open_documents()
        for p, (findings, diagnostics) in results.items():
            doc_uri, _, version = docs[p]
            if p not in now or now[p][0] != doc_uri:
                continue  # closed meanwhile
            self.findings[doc_uri] = (version, findings)
            if self.published.get(doc_uri) == diagnostics and doc_uri not in force:
                continue
            self.published[doc_uri] = diagnostics
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=doc_uri, diagnostics=diagnostics, version=version))

    def _run(self, targets: list[Path], overlay: dict[Path, str],
             encoding: str) -> dict[Path, tuple[list[Diagnostic], list[types.Diagnostic]]]:
        """On the worker thread: lint, then convert ranges against the same text snapshot."""
        found = self.lint_fn(targets, overlay)
        index = TextIndex(overlay, encoding)
        return {p: (found.get(p, []), [to_lsp(d, index) for d in found.get(p, [])]) for p in targets}

    def clear(self, uri: str) -> None:
        self.cancel(uri)
        self.findings.pop(uri, None)
        self.published.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def current_findings(self, uri: str, path: Path) -> list[Diagnostic]:
        """This document's findings for its current text (cached when the version still matches)."""
        docs = self.open_documents()
        version = docs[path][2] if path in docs else None
        cached = self.findings.get(uri)
        if cached is not None and cached[0] == version:
            return cached[1]
        overlay = {p: text for p, (_, text, _) in docs.items()}
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(self.worker, self.lint_fn, [path], overlay)
        return found.get(path, [])


def create_server(lint: LintFn = lint_documents) -> CursusLanguageServer:
    """A server with every feature registered (tests may pass their own ``lint``)."""
    server = CursusLanguageServer(lint)

    @server.feature(types.INITIALIZE)
    def initialize(ls: CursusLanguageServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict):
            value = options.get("debounceMs", options.get("debounce_ms"))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                ls.debounce = value / 1000

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: CursusLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.cancel(params.text_document.uri)
        await ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CursusLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    async def did_save(ls: CursusLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.cancel(params.text_document.uri)
        await ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: CursusLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.clear(uri)
        path = path_of(uri)
        if path is None or not lintable(path):
            return
        root = find_repo_root(path)
        # the closed buffer's unsaved text no longer counts: refresh the rest of its repo
        rest = [u for p, (u, _, _) in ls.open_documents().items() if lintable(p) and find_repo_root(p) == root]
        if rest:
            await ls.lint(rest[0], publish_target=False)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=KINDS, resolve_provider=False))
    async def code_action(ls: CursusLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        only = params.context.only
        try:
            docs = ls.open_documents()
            path = path_of(uri)
            guard = ls.guard()
            # only an open, lintable document inside the workspace; fixes come from our own
            # findings for its current text, never from what the client echoes in ``data``
            if path is None or path not in docs or docs[path][0] != uri or not lintable(path) \
                    or not guard.allows(path):
                return []
            index = TextIndex({p: text for p, (_, text, _) in docs.items()}, ls.encoding)
            findings = await ls.current_findings(uri, path)
            actions: list[types.CodeAction] = []
            if wanted(QUICKFIX, only):
                actions += quick_fixes(params.context.diagnostics, findings, index, guard.allows)
                actions += noqa_actions(uri, docs[path][1], params.context.diagnostics, ls.encoding)
            if wanted(FIX_ALL, only):
                action = fix_all(path, findings, index, guard.allows)
                if action is not None:
                    actions.append(action)
            return actions
        except Exception as exc:
            ls.log_error(f"code actions for {uri} failed", exc)
            return []

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: CursusLanguageServer, params: types.HoverParams) -> types.Hover | None:
        return hover(ls.published.get(params.text_document.uri, []), params.position, all_rules())

    return server


def serve(tcp: tuple[str, int] | None = None) -> None:
    """Run until the client says exit: on stdio, or on ``tcp=(host, port)``."""
    server = create_server()
    if tcp is None:
        server.start_io()
    else:
        logging.getLogger("asyncio").addFilter(_disconnect_as_one_line)
        server.start_tcp(*tcp)


def _disconnect_as_one_line(record: logging.LogRecord) -> bool:
    """A TCP client that goes away mid-read is normal editor behaviour, not a crash: asyncio would
    log it with a traceback; say it in one line instead."""
    exc = record.exc_info[1] if record.exc_info else None
    if isinstance(exc, ConnectionError):
        record.msg, record.args, record.exc_info = f"cursus-lint lsp: the client disconnected ({exc})", (), None
    return True


def parse_address(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``:PORT`` for localhost) -> (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host or "127.0.0.1", int(port)
