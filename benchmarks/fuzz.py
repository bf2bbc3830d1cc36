"""Fuzz campaign: thousands of mutated real-shaped repos through `cursus-lint check --format json`.

Usage: python benchmarks/fuzz.py [--count 3000] [--seed 16] [--subprocess-every 50] [--small]
                                 [--mutators truncate,flip,...] [--time-limit 20] [--json]
Prints counts (inputs tried, outcomes by exit code, bad outcomes with their reproducer:
``tests.fuzzing.run_one(seed, index)``). Exit status 1 when any outcome was bad.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzzing import MUTATORS, campaign  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--subprocess-every", type=int, default=50)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--mutators", default=",".join(sorted(MUTATORS)))
    parser.add_argument("--small", action="store_true", help="only the two-step repo (about 10x faster per input)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    chosen = [m for m in args.mutators.split(",") if m]
    unknown = sorted(set(chosen) - set(MUTATORS))
    if unknown:
        parser.error(f"unknown mutators {unknown}; choose from {sorted(MUTATORS)}")
    start = time.perf_counter()

    def progress(i: int, so_far) -> None:
        if so_far.bad and so_far.bad[-1].index == i:  # a partial run still shows what it found
            print(f"  bad #{i}: {so_far.bad[-1].mutations}: {so_far.bad[-1].problems}", file=sys.stderr)
        if (i + 1) % 250 == 0:
            print(f"  {i + 1}/{args.count} ({time.perf_counter() - start:.0f} s), exit codes "
                  f"{dict(so_far.by_exit)}, {len(so_far.bad)} bad", file=sys.stderr)

    result = campaign(args.seed, args.count, subprocess_every=args.subprocess_every, time_limit=args.time_limit,
                      mutators=chosen, progress=progress, small=args.small)
    summary = {"seed": result.seed, "tried": result.tried,
               "by_exit": {str(k): v for k, v in sorted(result.by_exit.items(), key=lambda kv: str(kv[0]))},
               "bad": [{"index": o.index, "mutations": o.mutations, "exit": o.exit_code, "problems": o.problems}
                       for o in result.bad],
               "slowest_s": round(result.slowest, 2), "elapsed_s": round(time.perf_counter() - start, 1)}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"seed {summary['seed']}: {summary['tried']} inputs, exit codes {summary['by_exit']}, "
              f"{len(result.bad)} bad, slowest {summary['slowest_s']} s, total {summary['elapsed_s']} s")
        for b in summary["bad"]:
            print(f"  #{b['index']} {b['mutations']}: {b['problems']}")
    return 1 if result.bad else 0


if __name__ == "__main__":
    sys.exit(main())
