"""The MCP server: every tool of :mod:`.tools` registered on the SDK's ``MCPServer``, over stdio.

Only this module imports the MCP SDK, and only ``cursus-lint mcp`` imports this module, so the
check path never pays for it. Each tool runs on a worker thread (the SDK's way with sync tools),
one at a time (the engine is not meant to be shared by concurrent runs). A failure is a tool
error with one sentence, never a dead server: :class:`~.tools.ToolFailure` keeps its message, any
other exception (a crashing rule) becomes "internal error: Type: message".
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from .._version import __version__
from .tools import TOOLS, LintTools, ToolFailure

INSTRUCTIONS = (
    "cursus-lint checks SageMaker pipeline step repos (script, contract, spec, builder, config, registry) for "
    "misalignment. Use `check` for findings (the JSON output contract), `rule` to explain a code, `step` and "
    "`wiring` to understand a step and how its inputs are fed, `fix_preview` for the diff of the fixes, `build` "
    "for a dry-run build of a pipeline. Paths are relative to the server root."
)


def _guarded(method: Callable[..., Any], lock: threading.Lock) -> Callable[..., Any]:
    """``method`` with the same signature (the SDK reads the schema from it), run under ``lock``,
    its failures turned into tool errors with one clear sentence."""

    @functools.wraps(method)
    def call(**kwargs: Any) -> Any:
        with lock:
            try:
                return method(**kwargs)
            except ToolFailure as exc:
                raise ToolError(str(exc)) from None
            except Exception as exc:  # a crash in a rule or the engine: an error for this call only
                if os.environ.get("CURSUS_LINT_DEBUG"):  # as in the CLI: the traceback on stderr (never stdout)
                    traceback.print_exc(file=sys.stderr)
                text = str(exc).splitlines()[0] if str(exc) else ""
                raise ToolError(f"internal error: {type(exc).__name__}{': ' + text if text else ''} "
                                "(the server keeps running; please report this as a cursus-lint bug)") from exc

    call.__signature__ = inspect.signature(method, eval_str=True)  # type: ignore[attr-defined]
    return call


def create_server(root: Path, *, allow_write: bool = False) -> MCPServer:
    """An MCP server over the step repo at ``root``; write tools only with ``allow_write``."""
    tools = LintTools(root)
    tools.warm()  # import the rules and the engine now, so the first call answers as fast as the next
    server = MCPServer("cursus-lint", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")
    lock = threading.Lock()
    for spec in TOOLS:
        if spec.write and not allow_write:
            continue
        method = getattr(tools, spec.method)
        hints = ToolAnnotations(read_only_hint=not spec.write, destructive_hint=spec.write,
                                idempotent_hint=True, open_world_hint=False)
        server.add_tool(_guarded(method, lock), name=spec.name, description=inspect.cleandoc(method.__doc__ or ""),
                        annotations=hints, structured_output=True)
    return server


def serve(root: Path, *, allow_write: bool = False) -> None:
    """Run the server on stdin/stdout until the client closes the connection."""
    create_server(root, allow_write=allow_write).run("stdio")
