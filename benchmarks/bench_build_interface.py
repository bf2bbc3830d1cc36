"""Benchmark: `cursus-lint build` (or `check`) of the example pipeline in both layouts (classic vs interface).

The classic fixture (fixtures/example_repo: builder classes) and the interface fixture
(fixtures/interface_repo: `.step.yaml` + template builders) build the same pipeline (10 nodes
each). Reports the median wall time over --repeat runs of the whole command (child process,
sagemaker import, config load, builders, definition()) and of the in-process compile +
definition() after the import, and the interface/classic ratio of each.
With --migrated, the interface side is instead the classic fixture migrated by `cursus-lint migrate`
(the config properties migrate asked for added, the Python registry removed), and both layouts build
the example DAG without Registration (a RegisterModel step has no template).
With --check, it times `cursus-lint check REPO --no-cache` of both instead (issue 10: the interface
layout lints at least as fast as the classic one for the same steps; with --migrated both have the
same 12 steps; with --generated N, a generated N-step classic repo and its migrated copy): the
median wall time and the median CPU time of the child (user + sys, which load on a shared machine
inflates less), the Python function calls of one run under cProfile (the same on any load), each
with its interface/classic ratio.
Usage: python benchmarks/bench_build_interface.py [--repeat 5] [--migrated] [--check [--generated N]]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPOS = {"classic": ROOT / "fixtures" / "example_repo", "interface": ROOT / "fixtures" / "interface_repo"}
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"

#: config attributes the migrated templates read, as migrate reported them: file -> (class, {new: classic})
FEEDS = {
    "config_tabular_preprocessing_step.py": ("TabularPreprocessingConfig", {"label_field": "label_name"}),
    "config_risk_table_mapping_step.py": ("RiskTableMappingConfig", {"label_field": "label_name",
                                                                     "categorical_columns": "categorical_columns_env"}),
    "config_xgboost_model_eval_step.py": ("XGBoostModelEvalConfig", {"id_field": "id_name",
                                                                     "label_field": "label_name"}),
    "config_xgboost_training_step.py": ("XGBoostTrainingConfig", {"xgb_nthread": "nthread_env"}),
    "config_pytorch_training_step.py": ("PyTorchTrainingConfig", {"training_seed": "seed"}),
}


def _migrated(tmp: Path) -> dict[str, Path]:
    """The classic fixture and its migrated copy, each with a pipeline/ holding the DAG without Registration."""
    from cursus_core.migrate import migrate

    classic, migrated = tmp / "classic", tmp / "migrated"
    shutil.copytree(REPOS["classic"], classic)
    shutil.copytree(REPOS["classic"], migrated)
    migrate(migrated, delete_sources=True)
    (migrated / "registry" / "step_names.py").unlink()
    for name, (cls, attrs) in FEEDS.items():
        path = migrated / "steps" / "configs" / name
        path.write_text(path.read_text() + "".join(f"\n{cls}.{a} = property(lambda self: self.{b})\n"
                                                   for a, b in attrs.items()))
    dag = json.loads((classic / "pipeline" / "dag.json").read_text())
    dag["nodes"].remove("Registration")
    dag["edges"] = [e for e in dag["edges"] if "Registration" not in e]
    config = json.loads((classic / "pipeline" / "config.json").read_text())
    for section in (config["configuration"]["specific"], config["metadata"]["config_types"],
                    config["metadata"]["derived"]):
        del section["Registration"]
    for repo in (classic, migrated):
        (repo / "pipeline" / "dag.json").write_text(json.dumps(dag))
        (repo / "pipeline" / "config.json").write_text(json.dumps(config))
    return {"classic": classic, "interface": migrated}


def _generated(tmp: Path, steps: int) -> dict[str, Path]:
    """A generated classic repo (benchmarks/bench.py) and its migrated copy (sources deleted, the
    Python registry removed: the interfaces are the registry): fixed costs such as imports weigh
    less than on the 12-step example."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench import generate

    from cursus_core.migrate import migrate

    classic, migrated = tmp / "classic", tmp / "migrated"
    generate(classic, steps)
    shutil.copytree(classic, migrated)
    migrate(migrated, delete_sources=True)
    (migrated / "registry" / "step_names.py").unlink()
    # the generated builders set LABEL_FIELD from config.label_name; a template reads the config
    # field named after the env var (as migrate reports), so both layouts lint clean. Each generated
    # config file ends with its one class's body.
    for path in (migrated / "steps" / "configs").glob("config_*.py"):
        text = path.read_text()
        if "label_name" in text and len(re.findall(r"^class ", text, re.M)) == 1:
            path.write_text(text.rstrip("\n") + '\n    label_field: str = "label"\n')
    return {"classic": classic, "interface": migrated}


IN_PROCESS = r'''
import sys, time
from pathlib import Path
from cursus_core.compiler import dry_run, require_build_extra
require_build_extra()
t = time.perf_counter()
repo = Path(sys.argv[1])
result = dry_run(repo / "pipeline" / "dag.json", repo / "pipeline" / "config.json", repo)
assert result.definition is not None and not result.problems, result.problems
print(f"{(time.perf_counter() - t) * 1000:.0f}")
'''


def _timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stdout[-400:]}{proc.stderr[-400:]}")
    return elapsed * 1000, proc.stdout


def _child_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


#: one `check --no-cache` under cProfile: its Python function calls, a load-independent measure of work
CALLS = r'''
import cProfile, pstats, sys
from cursus_lint.cli import main
sys.argv = ["cursus-lint", "check", sys.argv[1], "--no-cache", "--format", "json"]
profile = cProfile.Profile()
profile.enable()
try:
    main()
except SystemExit:
    pass
profile.disable()
sys.stderr.write(f"calls {pstats.Stats(profile).total_calls}\n")
'''


def _calls(repo: Path) -> int:
    proc = subprocess.run([sys.executable, "-c", CALLS, str(repo)], cwd=ROOT, env=ENV, capture_output=True, text=True)
    return int(proc.stderr.rsplit("calls ", 1)[-1].split()[0])


def _check(repos: dict[str, Path], repeat: int, cli: str, what: str) -> None:
    """Medians of `check --no-cache` per layout (wall and child CPU), runs interleaved, the Python
    function calls of one run, and the interface/classic ratios."""
    wall: dict[str, list[float]] = {k: [] for k in repos}
    cpu: dict[str, list[float]] = {k: [] for k in repos}
    steps: dict[str, int] = {}
    for _ in range(repeat):
        for name, repo in repos.items():
            before = _child_cpu_ms()
            ms, out = _timed([cli, "check", str(repo), "--no-cache", "--format", "json"], ok=(0, 1))
            cpu[name].append(_child_cpu_ms() - before)
            wall[name].append(ms)
            steps[name] = json.loads(out)["summary"]["steps"]
    print(f"check --no-cache of {what}, medians over {repeat} runs (ms)")
    calls = {name: _calls(repo) for name, repo in repos.items()}
    print(f"{'layout':<10} {'steps':>6} {'wall':>8} {'cpu':>8} {'calls':>10}")
    for name in repos:
        print(f"{name:<10} {steps[name]:>6} {statistics.median(wall[name]):>8.0f} {statistics.median(cpu[name]):>8.0f}"
              f" {calls[name]:>10}")
    ratio_wall = statistics.median(wall["interface"]) / statistics.median(wall["classic"])
    ratio_cpu = statistics.median(cpu["interface"]) / statistics.median(cpu["classic"])
    ratio_calls = calls["interface"] / calls["classic"]
    print(f"interface/classic: wall {ratio_wall:.2f}, cpu {ratio_cpu:.2f}, calls {ratio_calls:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--migrated", action="store_true",
                        help="interface side = the classic fixture migrated by `cursus-lint migrate`")
    parser.add_argument("--check", action="store_true", help="time `cursus-lint check --no-cache` instead of build")
    parser.add_argument("--generated", type=int, metavar="STEPS",
                        help="with --check: a generated classic repo of STEPS steps against its migrated copy")
    args = parser.parse_args()
    cli = os.path.join(os.path.dirname(sys.executable), "cursus-lint")
    if args.check and args.generated:
        with tempfile.TemporaryDirectory() as tmp:
            _check(_generated(Path(tmp), args.generated), args.repeat, cli,
                   f"a generated {args.generated}-step repo, interface = migrated classic")
        return
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            repos = _migrated(Path(tmp)) if args.migrated else REPOS
            _check(repos, args.repeat, cli, "the example steps, interface = migrated classic" if args.migrated
                   else "the example repos")
        return
    command: dict[str, list[float]] = {k: [] for k in REPOS}
    compiled: dict[str, list[float]] = {k: [] for k in REPOS}
    with tempfile.TemporaryDirectory() as tmp:
        repos = _migrated(Path(tmp)) if args.migrated else REPOS
        for _ in range(args.repeat):
            for name, repo in repos.items():  # interleaved, so load on the machine hits both alike
                ms, _ = _timed([cli, "build", "--dag", str(repo / "pipeline" / "dag.json"), "--config",
                                str(repo / "pipeline" / "config.json"), "--repo", str(repo),
                                "--definition", str(Path(tmp) / f"{name}.json")])
                command[name].append(ms)
                _, out = _timed([sys.executable, "-c", IN_PROCESS, str(repo)])
                compiled[name].append(float(out.split()[-1]))
    what = "the example pipeline minus Registration, interface = migrated classic" if args.migrated else \
        "the example pipeline"
    print(f"build of {what}, medians over {args.repeat} runs (ms)")
    print(f"{'layout':<10} {'cursus-lint build':>18} {'compile+definition':>20}")
    for name in REPOS:
        print(f"{name:<10} {statistics.median(command[name]):>18.0f} {statistics.median(compiled[name]):>20.0f}")
    ratio_cmd = statistics.median(command["interface"]) / statistics.median(command["classic"])
    ratio_compile = statistics.median(compiled["interface"]) / statistics.median(compiled["classic"])
    print(f"interface/classic: command {ratio_cmd:.2f}, compile+definition {ratio_compile:.2f}")


if __name__ == "__main__":
    main()
