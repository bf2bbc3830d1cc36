"""``python -m cursus_lint.lsp [--tcp HOST:PORT]``: what editors spawn when no console script is on PATH."""

from __future__ import annotations

import argparse
import sys

from .server import parse_address, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cursus_lint.lsp", description="cursus-lint language server")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead of stdio")
    parser.add_argument("--stdio", action="store_true", help="use stdio (the default; accepted for editors)")
    args = parser.parse_args(argv)
    try:
        address = parse_address(args.tcp) if args.tcp else None
    except ValueError as exc:
        parser.error(str(exc))
    serve(address)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
