"""``cursus-lint mcp``: the linter as tools for coding agents, over the Model Context Protocol.

:mod:`.tools` holds what each tool does (no SDK needed, testable as plain methods); :mod:`.server`
registers them on the official MCP SDK's server, which only ``cursus-lint mcp`` imports.
"""

from __future__ import annotations

__all__ = ["MISSING_SDK"]

#: the one-line error of ``cursus-lint mcp`` when the SDK is not installed
MISSING_SDK = "the MCP server needs the 'mcp' extra: pip install '.[mcp]' in a clone of cursus-lint"
