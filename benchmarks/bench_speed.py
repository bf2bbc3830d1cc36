"""Speed benchmark: the rows of issue 13's table, each beside ruff on the same tree in the same run.

Rows (medians of --repeat runs, every run a fresh `cursus-lint` process, as a user gets it):

* one file, facts cache only: `check <one contract>` with the facts cache warm and the result cache off
  (`CURSUS_LINT_RESULT_CACHE=0`), the row stop 11 measured as "one file";
* one file after an edit: the same, but before each timed run a distinct comment line is appended
  to that file, so its facts and the stored result miss while everything else is warm: what a
  pre-commit hook meets on every commit that changed the file (the file's bytes are restored after);
* tree cold: `check TREE --no-cache`; tree warm: `check TREE` with the cache filled (a result-cache
  hit), and with the facts cache only (`CURSUS_LINT_RESULT_CACHE=0`, what a run after an edit reads);
* one file unchanged: `check <one contract>` again with nothing changed (a result-cache hit);
* Jun-2026 size (309 files, 125k lines, generated) cold, with the child's peak RSS;
* build: `cursus-lint build` of the bundled 10-node example (skip with --no-build);
* imports: `-X importtime` of `check <one file>`: total, the heaviest packages, and which of the
  modules the static path must not load were loaded, against IMPORT_BUDGET_MS; and the
  dataclasses it creates (each costs ~2 ms at import; the static path uses msgspec Structs);
* growth: cold checks of generated repos of 50, 500 and 5,000 steps and the ratio per 10x;
* language server: re-lint after a didChange of one contract, timed in-process around the server's
  lint function (`lint_documents`, what the server runs on its worker thread) after a warm first
  lint in the same process, so it excludes JSON-RPC and the debounce delay.

The yardstick is `ruff check --select F,E --no-cache` on the same tree. Trees are generated
(bench.generate, scripts padded with plain functions to the line count of the real tree they
stand for); `--real PATH ...` adds the same rows for checkouts (PATH/src/cursus when present).
Usage: python benchmarks/bench_speed.py [--repeat 3] [--real CHECKOUT ...] [--no-build] [--growth-max 500]
       python benchmarks/bench_speed.py --imports-only
       python benchmarks/bench_speed.py --lsp-only [--real CHECKOUT ...]   (language-server rows only)
       python benchmarks/bench_speed.py --one-file-only [--real CHECKOUT ...]   (the one-file rows only)
The one-file-after-an-edit row appends a comment to one contract of each tree (a real checkout's
too) and puts the file's bytes back when the row is done.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import ENV, ROOT, generate  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.probes import COUNT_DATACLASSES  # noqa: E402

BIN = Path(sys.executable).parent
#: the budget for importing everything `check <one file>` needs (interpreter start excluded)
IMPORT_BUDGET_MS = 250
#: never on the static path of a classic-layout check (DESIGN.md, issue 13)
HEAVY = ("pydantic", "pydantic_core", "libcst", "sagemaker", "boto3", "botocore", "networkx", "jsonschema", "ruamel",
         "rich", "yaml", "pygls")
#: generated trees: the size of the Oct 2025 public cursus tree (src/cursus) and issue 13's Jun 2026 tree
SIZES = (("generated Oct-2025 size", 362, 110_000), ("generated Jun-2026 size", 309, 125_000))
ONE_CONTRACT = "tabular_preprocessing_contract.py"  # of fixtures/example_repo, for the import report
PAD = '''

def helper_{i}(rows, column):
    """Padding: ordinary code that every check still reads and parses."""
    total = 0
    for row in rows:
        total += len(str(row.get(column, "")))
    return {{"column": column, "total": total}}
'''


def sized_repo(dest: Path, files: int, lines: int) -> Path:
    """A generated repo of about ``files`` Python files and ``lines`` lines."""
    generate(dest, max(2, files // 5))
    scripts = sorted((dest / "steps" / "scripts").glob("*.py"))
    have = sum(p.read_text().count("\n") for p in dest.rglob("*.py"))
    per = max(0, (lines - have) // max(1, len(scripts)) // PAD.count("\n"))
    for p in scripts:
        p.write_text(p.read_text() + "".join(PAD.format(i=i) for i in range(per)))
    return dest


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time (ms) and peak RSS (MB) of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return (time.perf_counter() - t) * 1000, usage.ru_maxrss / 1024


def median(cmd: list[str], cwd: Path, repeat: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    runs = [run(cmd, cwd, env) for _ in range(repeat)]
    return statistics.median(ms for ms, _ in runs), max(mb for _, mb in runs)


def edited_median(cmd: list[str], cwd: Path, target: Path, repeat: int) -> float:
    """Median ms of ``cmd`` run right after an edit of ``target``: each run first appends a comment
    line never seen before (so no cache holds its content); the original bytes are put back after."""
    original = target.read_bytes()
    sep = b"" if original.endswith(b"\n") or not original else b"\n"
    times: list[float] = []
    try:
        for i in range(repeat):
            target.write_bytes(original + sep + f"# cursus-lint benchmark edit {i} {time.time_ns()}\n".encode())
            times.append(run(cmd, cwd)[0])
    finally:
        target.write_bytes(original)
    return statistics.median(times)


def tree_rows(label: str, cwd: Path, tree: Path, one: Path, repeat: int) -> list[tuple[str, float, float, float]]:
    lint, ruff = str(BIN / "cursus-lint"), str(BIN / "ruff")
    ruff_ms, _ = median([ruff, "check", "--select", "F,E", "--no-cache", "-q", str(tree)], cwd, repeat)
    cold, rss = median([lint, "check", str(tree), "-q", "--no-cache"], cwd, repeat)
    run([lint, "check", str(tree), "-q"], cwd)  # fill the facts cache and store the result
    warm, _ = median([lint, "check", str(tree), "-q"], cwd, repeat)
    facts_only = {**ENV, "CURSUS_LINT_RESULT_CACHE": "0"}  # a run after an edit: facts cache, no stored result
    warm_facts, _ = median([lint, "check", str(tree), "-q"], cwd, repeat, facts_only)
    single, _ = median([lint, "check", str(one), "-q"], cwd, repeat, facts_only)
    edited = edited_median([lint, "check", str(one), "-q"], cwd, cwd / one, repeat)
    run([lint, "check", str(one), "-q"], cwd)
    unchanged, _ = median([lint, "check", str(one), "-q"], cwd, repeat)
    relint = lsp_relint(cwd, cwd / one, repeat)
    return [(f"{label}: one file, facts cache only", single, ruff_ms, 0.0),
            (f"{label}: one file after an edit (pre-commit)", edited, ruff_ms, 0.0),
            (f"{label}: one file unchanged (result cache)", unchanged, ruff_ms, 0.0),
            (f"{label}: tree cold", cold, ruff_ms, rss),
            (f"{label}: tree warm (result cache)", warm, ruff_ms, 0.0),
            (f"{label}: tree warm, facts cache only", warm_facts, ruff_ms, 0.0),
            (f"{label}: LSP re-lint after edit (in-process)", relint, ruff_ms, 0.0)]


#: run in a child: warm first lint, then `repeat` edits of one document (each a new text, as typing
#: makes), timed around the server's lint function; prints the median in ms
LSP_RUNNER = """
import statistics, sys, time
from pathlib import Path
from cursus_lint.lsp.linting import lint_documents
doc, repeat = Path(sys.argv[1]).absolute(), int(sys.argv[2])
text = doc.read_text()
lint_documents([doc], {doc: text})
times = []
for i in range(repeat):
    edited = text + f"\\n# edit {i}\\n"
    start = time.perf_counter()
    lint_documents([doc], {doc: edited})
    times.append((time.perf_counter() - start) * 1000)
print(statistics.median(times))
"""


def lsp_relint(cwd: Path, doc: Path, repeat: int) -> float:
    """Median ms of the language server's re-lint after an edit of ``doc`` (see LSP_RUNNER)."""
    out = subprocess.run([sys.executable, "-c", LSP_RUNNER, str(doc), str(max(5, repeat))], cwd=cwd, env=ENV,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def lsp_rows(reals: list[Path], repeat: int) -> None:
    """Only the language-server rows: the generated Jun-2026-size repo and each real checkout."""
    with tempfile.TemporaryDirectory() as tmp_name:
        label, files, lines = SIZES[1]
        repo = sized_repo(Path(tmp_name) / "jun", files, lines)
        doc = next((repo / "steps" / "contracts").glob("clean_*_contract.py"))
        print(f"{label}: LSP re-lint after edit (in-process): {lsp_relint(repo, doc, repeat):.0f} ms")
        for real in reals:
            tree = real / "src" / "cursus" if (real / "src" / "cursus").is_dir() else real
            candidates = sorted(tree.rglob("steps/contracts/*_contract.py")) or sorted(tree.rglob("*.step.yaml"))
            if candidates:
                print(f"real {real.name}: LSP re-lint after edit (in-process): "
                      f"{lsp_relint(real, candidates[0], repeat):.0f} ms")


def one_file_rows(reals: list[Path], repeat: int) -> None:
    """Only the one-file rows (facts cache warm, and right after an edit), beside ruff on the same
    tree: the generated Jun-2026-size repo and each real checkout."""
    lint, ruff = str(BIN / "cursus-lint"), str(BIN / "ruff")
    with tempfile.TemporaryDirectory() as tmp_name:
        label, files, lines = SIZES[1]
        repo = sized_repo(Path(tmp_name) / "jun", files, lines)
        trees = [(label, repo, repo, next((repo / "steps" / "contracts").glob("clean_*_contract.py")))]
        for real in reals:
            tree = real / "src" / "cursus" if (real / "src" / "cursus").is_dir() else real
            candidates = sorted(tree.rglob("steps/contracts/*_contract.py")) or sorted(tree.rglob("*.step.yaml"))
            if candidates:
                trees.append((f"real {real.name}", real, tree, candidates[0]))
        for name, cwd, tree, one in trees:
            run([lint, "check", str(tree), "-q"], cwd)  # fill the facts cache
            ruff_ms, _ = median([ruff, "check", "--select", "F,E", "--no-cache", "-q", str(tree)], cwd, repeat)
            single, _ = median([lint, "check", str(one), "-q"], cwd, repeat, {**ENV, "CURSUS_LINT_RESULT_CACHE": "0"})
            edited = edited_median([lint, "check", str(one), "-q"], cwd, one, repeat)
            print(f"{name}: one file {single:.0f} ms, after an edit {edited:.0f} ms; ruff F,E on the tree "
                  f"{ruff_ms:.0f} ms (ratio {edited / ruff_ms:.1f})")


def import_report(cwd: Path, one: Path) -> None:
    env = {**ENV, "CURSUS_LINT_RESULT_CACHE": "0"}  # what a real run loads, not a result-cache hit
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "cursus_lint.cli", "check", str(one), "-q"],
                         cwd=cwd, env=env, capture_output=True, text=True)
    per: dict[str, int] = {}
    loaded = set()
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, _, name = (part.strip() for part in line.replace("import time:", "|").split("|"))
        loaded.add(name)
        per[name.split(".")[0]] = per.get(name.split(".")[0], 0) + int(self_us)
    total = sum(per.values()) / 1000
    top = ", ".join(f"{k} {v / 1000:.0f}" for k, v in sorted(per.items(), key=lambda kv: -kv[1])[:6])
    heavy = sorted({n.split(".")[0] for n in loaded} & set(HEAVY))
    verdict = "within" if total <= IMPORT_BUDGET_MS else "OVER"
    print(f"imports of `check <one file>`: {total:.0f} ms, {len(loaded)} modules ({verdict} the "
          f"{IMPORT_BUDGET_MS} ms budget); heaviest (ms): {top}")
    print(f"  heavy modules loaded: {', '.join(heavy) or 'none'}")
    made = subprocess.run([sys.executable, "-c", COUNT_DATACLASSES, "check", str(one), "-q"], cwd=cwd, env=env,
                          capture_output=True, text=True).stdout.splitlines()
    names = [n for n in (made[-1].removeprefix("DATACLASSES:").split(",") if made else []) if n]
    print(f"  dataclasses created: {len(names)} ({', '.join(names) or 'none'}; ~2 ms each, a frozen Struct ~0.2 ms)")




def growth(tmp: Path, largest: int) -> None:
    lint = str(BIN / "cursus-lint")
    times = {}
    for steps in (n for n in (50, 500, 5000) if n <= largest):
        repo = generate(tmp / f"grow{steps}", steps)
        times[steps] = median([lint, "check", str(repo), "-q", "--no-cache"], repo, 1 if steps >= 5000 else 3)[0]
    sizes = sorted(times)
    ratios = ", ".join(f"{times[b] / times[a]:.1f}" for a, b in zip(sizes, sizes[1:], strict=False))
    print("growth (cold, generated): " + ", ".join(f"{n} steps {ms:.0f} ms" for n, ms in times.items())
          + f"; ratio per 10x: {ratios} (linear = 10; start-up makes the first ratio smaller)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--real", type=Path, nargs="*", default=[], help="checkouts of real step repos")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--growth-max", type=int, default=5000, help="largest generated repo (steps): 500 or 5000")
    ap.add_argument("--imports-only", action="store_true", help="only the import report (seconds, not minutes)")
    ap.add_argument("--lsp-only", action="store_true", help="only the language-server re-lint rows")
    ap.add_argument("--one-file-only", action="store_true", help="only the one-file rows (warm, after an edit)")
    args = ap.parse_args()
    if args.one_file_only:
        one_file_rows(args.real, args.repeat)
        return
    if args.lsp_only:
        lsp_rows(args.real, args.repeat)
        return
    if args.imports_only:
        import_report(ROOT, ROOT / "fixtures" / "example_repo" / "steps" / "contracts" / ONE_CONTRACT)
        return
    subprocess.run([str(BIN / "cursus-lint"), "--version"], env=ENV, capture_output=True)  # bytecode compiled
    rows: list[tuple[str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for label, files, lines in SIZES:
            repo = sized_repo(tmp / label.split()[1], files, lines)
            one = next((repo / "steps" / "contracts").glob("clean_*_contract.py"))
            rows += tree_rows(label, repo, repo, one, args.repeat)
        for real in args.real:
            tree = real / "src" / "cursus" if (real / "src" / "cursus").is_dir() else real
            # the file pre-commit passes: a contract (classic layout) or a step interface (cursus >= 2.5)
            candidates = sorted(tree.rglob("steps/contracts/*_contract.py")) or sorted(tree.rglob("*.step.yaml"))
            if not candidates:
                sys.exit(f"{real}: neither a steps/contracts/*_contract.py nor a *.step.yaml to check as one file")
            rows += tree_rows(f"real {real.name}", real, tree.relative_to(real), candidates[0].relative_to(real),
                              args.repeat)
        print(f"{'row':<62} {'cursus-lint':>12} {'ruff F,E':>9} {'ratio':>6} {'peak MB':>8}")
        for label, ms, ruff_ms, rss in rows:
            print(f"{label:<62} {ms:>10.0f}ms {ruff_ms:>7.0f}ms {ms / ruff_ms:>6.1f} {f'{rss:.0f}' if rss else '':>8}")
        if not args.no_build:
            example = ROOT / "fixtures" / "example_repo"
            build, _ = median([str(BIN / "cursus-lint"), "build", "--dag", str(example / "pipeline" / "dag.json"),
                               "--config", str(example / "pipeline" / "config.json"), "--repo", str(example),
                               "--definition", str(tmp / "definition.json")], ROOT, args.repeat)
            print(f"build of the 10-node example (end to end): {build:.0f} ms")
        import_report(ROOT, ROOT / "fixtures" / "example_repo" / "steps" / "contracts" / ONE_CONTRACT)
        growth(tmp, args.growth_max)


if __name__ == "__main__":
    main()
