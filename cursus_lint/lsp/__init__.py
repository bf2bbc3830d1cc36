"""cursus-lint as a language server (pygls): diagnostics as you type, quick fixes, rule docs on hover.

Start it with ``cursus-lint lsp`` or ``python -m cursus_lint.lsp`` (stdio; ``--tcp HOST:PORT``
to listen on a socket instead).
"""

from __future__ import annotations

from .server import CursusLanguageServer, create_server, parse_address, serve

__all__ = ["CursusLanguageServer", "create_server", "parse_address", "serve"]
