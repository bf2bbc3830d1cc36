"""Benchmark: the offline dry-run build (`cursus-lint build`) of the bundled example pipeline.

Reports, as medians over --repeat runs, the wall time of: importing sagemaker alone (the floor
of any dry run), the whole `cursus-lint build` command (child process, sagemaker import,
config load, 10 builders, definition()), and the compile + definition() part measured in-process
after the import. Each command's CPU time (user + system, with its children: the build child
and its supervisor) is reported too: on a shared machine it moves far less than wall time.
With --phases, where the command's wall time goes, as medians: the parent before it starts the
child, the parent's own checks (while the child imports sagemaker), the child's remaining import
after its order, loading the configs, creating and building the steps, rendering, writing and
ending the child, and the parent's findings and files after it.
Usage: python benchmarks/bench_build.py [--repeat 3] [--phases]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example_repo"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"

IN_PROCESS = r'''
import sys, time
from pathlib import Path
t = time.perf_counter()
from cursus_core.compiler import dry_run, require_build_extra
require_build_extra()
imported = time.perf_counter()
root = Path(sys.argv[1])
result = dry_run(root / "pipeline" / "dag.json", root / "pipeline" / "config.json", root)
done = time.perf_counter()
assert result.definition is not None and not result.problems, result.problems
print(f"{(imported - t) * 1000:.0f} {(done - imported) * 1000:.0f}")
'''


#: runs `cursus-lint build` in this process, timing the hand-offs between parent and child (the child's
#: own phases from its progress lines, read as they appear)
PHASES = r'''
import json, sys, time
t0 = time.perf_counter()
import cursus_core.sandbox as sandbox
import cursus_lint.build as build
marks = {}
real_init, real_send, real_wait = sandbox.Sandboxed.__init__, sandbox.Sandboxed.send, sandbox.Sandboxed.wait
def init(self, *a, **k):
    marks["spawn"] = time.perf_counter(); real_init(self, *a, **k)
def send(self, order):
    marks["order"] = time.perf_counter(); real_send(self, order)
def wait(self, *a, **k):
    done = real_wait(self, *a, **k); marks["child ended"] = time.perf_counter(); return done
sandbox.Sandboxed.__init__, sandbox.Sandboxed.send, sandbox.Sandboxed.wait = init, send, wait
lines = []
real_poll = build.ProgressTail.poll
def poll(self):
    seen = self.on_line
    self.on_line = lambda text: (lines.append((time.perf_counter(), text)), seen(text))
    try:
        real_poll(self)
    finally:
        self.on_line = seen
build.ProgressTail.poll = poll
from cursus_lint.cli import main
code = main(sys.argv[1:])
end = time.perf_counter()
assert code == 0, code
first = lambda prefix: next(t for t, text in lines if text.startswith(prefix))
print(json.dumps({"parent before the child starts": marks["spawn"] - t0,
                  "parent checks (child imports sagemaker)": marks["order"] - marks["spawn"],
                  "child: rest of the import after the order": first("loading") - marks["order"],
                  "child: load configs": first("[1/") - first("loading"),
                  "child: create and build the steps": first("rendering") - first("[1/"),
                  "child: render, write, end (+ 0.1 s poll)": marks["child ended"] - first("rendering"),
                  "parent after the child": end - marks["child ended"], "total": end - t0}))
'''


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cpu: list[float] | None = None) -> tuple[float, str]:
    """Wall ms and stdout of ``cmd``; its CPU ms (with its children) appended to ``cpu``."""
    t, c = time.perf_counter(), _children_cpu()
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    if cpu is not None:
        cpu.append((_children_cpu() - c) * 1000)
    return (time.perf_counter() - t) * 1000, out.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--phases", action="store_true", help="only the phase breakdown of the command")
    args = ap.parse_args()
    if args.phases:
        phases(args.repeat)
        return
    exe = Path(sys.executable).with_name("cursus-lint")
    imports, builds, commands, cpu = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            _, out = run([sys.executable, "-c", IN_PROCESS, str(EXAMPLE)])
            imp, build = (float(x) for x in out.split())
            imports.append(imp)
            builds.append(build)
            ms, _ = run([str(exe), "build", "--dag", str(EXAMPLE / "pipeline" / "dag.json"),
                         "--config", str(EXAMPLE / "pipeline" / "config.json"), "--repo", str(EXAMPLE),
                         "--definition", str(Path(tmp) / "definition.json")], cpu)
            commands.append(ms)
    print(f"sagemaker + compiler import: {statistics.median(imports):.0f} ms")
    print(f"compile + definition() of the 10-node example: {statistics.median(builds):.0f} ms")
    print(f"`cursus-lint build` end to end (child process): {statistics.median(commands):.0f} ms")
    print(f"`cursus-lint build` CPU time, with its children: {statistics.median(cpu):.0f} ms")


def phases(repeat: int) -> None:
    """Median seconds of each phase of `cursus-lint build` (see PHASES)."""
    import json

    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            _, out = run([sys.executable, "-c", PHASES, "build", "--dag", str(EXAMPLE / "pipeline" / "dag.json"),
                          "--config", str(EXAMPLE / "pipeline" / "config.json"), "--repo", str(EXAMPLE),
                          "--definition", str(Path(tmp) / "definition.json"), "--progress"])
            runs.append(json.loads(out.strip().splitlines()[-1]))
    for phase in runs[0]:
        print(f"{phase:<45} {statistics.median(r[phase] for r in runs) * 1000:>7.0f} ms")


if __name__ == "__main__":
    main()
