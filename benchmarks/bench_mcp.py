"""Benchmark: how fast `cursus-lint mcp` answers `check` once started, over stdio.

Starts `cursus-lint mcp --root REPO` with the MCP SDK's stdio client and measures:

* start: process start to a finished `initialize` handshake (imports, rules loaded);
* first check: the first `check` call (whole repo);
* check: the median and the slowest of --repeat further `check` calls;
* step check: the median of `check` for one step (what an agent runs after editing a step).

Usage: python benchmarks/bench_mcp.py [--root fixtures/example_repo] [--repeat 20]
Needs the mcp extra. Not a test (tests/test_mcp.py bounds the median generously).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


async def measure(root: Path, repeat: int, step: str | None) -> dict[str, float]:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # see DESIGN.md
    params = StdioServerParameters(command=sys.executable, args=["-m", "cursus_lint.cli", "mcp", "--root", str(root)],
                                   cwd=str(root), env=env)
    out: dict[str, float] = {}
    start = time.perf_counter()
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        out["start"] = time.perf_counter() - start

        async def timed(args: dict) -> float:
            t = time.perf_counter()
            result = await session.call_tool("check", args)
            if result.is_error:
                raise SystemExit(f"check failed: {result.content[0].text}")
            return time.perf_counter() - t

        out["first check"] = await timed({})
        times = [await timed({}) for _ in range(repeat)]
        out["check (median)"], out["check (max)"] = statistics.median(times), max(times)
        if step:
            out[f"check step {step} (median)"] = statistics.median([await timed({"step": step})
                                                                    for _ in range(repeat)])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT / "fixtures" / "example_repo")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--step", default="CurrencyConversion", help="a step to check alone ('' to skip)")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.root.resolve(), args.repeat, args.step or None))
    for name, seconds in figures.items():
        print(f"{name:<40} {seconds * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
