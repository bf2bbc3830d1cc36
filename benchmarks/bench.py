"""Benchmark: wall time and peak memory of `cursus-lint check` on generated repos.

Generates aligned step repos of N steps from the rule examples' two-step repo (one DataLoad
provider plus N-1 renamed copies of the Clean step, five files each), then measures, each in a
fresh interpreter (so figures include start-up):

* full run, cold: first run in a new process over the whole repo;
* full run, warm: the second run in the same process (parsed files memoised);
* CLI cold: `cursus-lint check REPO --no-cache` (interpreter start included);
* CLI warm: `cursus-lint check REPO` with the on-disk facts cache filled by a previous run;
* one file: `check <one contract file>` as a pre-commit hook would run it (cache warm).

Usage: python benchmarks/bench.py [--steps 50 500] [--repeat 5]
Figures are medians; peak memory is the child's max RSS. Not a test: budgets live in the README.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def suffix(k: int) -> str:
    letters = ""
    k += 26
    while k:
        k, r = divmod(k, 26)
        letters = chr(ord("a") + r) + letters
    return letters


def generate(dest: Path, steps: int) -> Path:
    from cursus_lint.rules import _examples as ex

    files: dict[str, str] = {}
    registry_entries = []
    for k in range(steps - 1):
        s = suffix(k)
        sub = {"Clean": "Clean" + s.capitalize(), "clean": "clean_" + s, "CLEAN": "CLEAN_" + s.upper()}

        def rename(text: str, sub: dict[str, str] = sub) -> str:
            for old, new in sub.items():
                text = text.replace(old, new)
            return text

        for key in ("script", "contract", "spec", "builder", "config"):
            files[rename(ex.PATHS[key])] = rename(ex.BASE[key])
        registry_entries.append(rename(ex.REGISTRY.split('    "Clean": ')[1].rsplit("}", 1)[0].rstrip().rstrip(",")))
    for key in ("load_spec", "load_builder", "load_config"):
        files[ex.PATHS[key]] = ex.BASE[key]
    head = ex.REGISTRY.split('    "Clean": ')[0]
    body = "".join(f'    "Clean{e.split(chr(34))[3][len("Clean"):-len("Config")]}": {e},\n' for e in registry_entries)
    files[ex.PATHS["registry"]] = head + body + "}\n"
    for rel, text in files.items():
        p = dest / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    for d in ["steps", *(f"steps/{x}" for x in ("scripts", "contracts", "specs", "builders", "configs"))]:
        (dest / d / "__init__.py").touch()
    return dest


RUNNER = r'''
import json, resource, sys, time
t0 = time.perf_counter()
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules_index import all_rules
from pathlib import Path
target = Path(sys.argv[1]); repeat = int(sys.argv[2])
rules = all_rules()
times, counts = [], []
for _ in range(repeat):
    t = time.perf_counter()
    settings = load_config(target, set(rules))
    res = Engine(settings, rules).run([target])
    times.append((time.perf_counter() - t) * 1000)
    counts.append(len(res.diagnostics))
print(json.dumps({"startup_ms": (time.perf_counter() - t0) * 1000 - sum(times), "runs_ms": times,
                  "findings": counts, "files": res.files, "steps": res.steps,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


#: as installed for real: bytecode caches allowed (some shells export PYTHONDONTWRITEBYTECODE,
#: which would make every run compile ~120 modules and measure the compiler, not the linter)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def child(target: Path, repeat: int) -> dict:
    out = subprocess.run([sys.executable, "-c", RUNNER, str(target), str(repeat)], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=ENV)
    return json.loads(out.stdout)


def wall(cmd: list[str], cwd: Path | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False, env=ENV, cwd=cwd)
    return (time.perf_counter() - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, nargs="+", default=[50, 500])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    exe = Path(sys.executable).with_name("cursus-lint")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.steps:
            repo = generate(Path(tmp) / f"repo{n}", n)
            cold, warm, rss = [], [], []
            for _ in range(args.repeat):
                r = child(repo, 2)
                cold.append(r["runs_ms"][0])
                warm.append(r["runs_ms"][1])
                rss.append(r["rss_mb"])
                assert r["findings"] == [0, 0], f"generated repo is not clean: {r}"
            one_file = next((repo / "steps" / "contracts").glob("clean_*_contract.py"))
            wall([str(exe), "--version"])  # bytecode compiled once, as after an install
            cli_cold = [wall([str(exe), "check", str(repo), "-q", "--no-cache"], cwd=repo) for _ in range(args.repeat)]
            cli_full = [wall([str(exe), "check", str(repo), "-q"], cwd=repo) for _ in range(args.repeat + 1)][1:]
            cli_one = [wall([str(exe), "check", str(one_file), "-q"], cwd=repo) for _ in range(args.repeat)]
            rows.append({
                "steps": n, "files": r["files"],
                "full_cold_ms": statistics.median(cold), "full_warm_ms": statistics.median(warm),
                "cli_cold_ms": statistics.median(cli_cold), "cli_full_ms": statistics.median(cli_full),
                "cli_one_file_ms": statistics.median(cli_one),
                "peak_rss_mb": max(rss),
            })
    print(f"{'steps':>6} {'files':>6} {'engine cold':>12} {'engine warm':>12} {'CLI cold':>10} {'CLI warm':>10} "
          f"{'CLI 1 file':>11} {'peak MB':>8}")
    for row in rows:
        print(f"{row['steps']:>6} {row['files']:>6} {row['full_cold_ms']:>10.0f}ms {row['full_warm_ms']:>10.0f}ms "
              f"{row['cli_cold_ms']:>8.0f}ms {row['cli_full_ms']:>8.0f}ms {row['cli_one_file_ms']:>9.0f}ms "
              f"{row['peak_rss_mb']:>8.1f}")
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        print(f"scaling {a['steps']}->{b['steps']} steps: cold x{b['full_cold_ms'] / a['full_cold_ms']:.1f} "
              f"for x{b['steps'] / a['steps']:.0f} steps")


if __name__ == "__main__":
    main()
