"""Compare `cursus-lint migrate` output with the .step.yaml files a project committed for the same steps.

    python tools/compare_migrate.py CLASSIC_ROOT UPSTREAM_INTERFACES_DIR [MORE_DIRS...] [--out DIR] [--verbose]

Migrates CLASSIC_ROOT (a classic-layout tree such as public cursus at 92b5fb2) into a temporary
directory (or DIR), reads both sides with our own interface reader, resolves every job type either
side declares (base + variants, deep-merged) and compares, per step: container paths of inputs and
outputs (and input `required`, training `channels`), env vars (required, optional with defaults),
job arguments (flag, config source), dependency and output logical names, dependency types and
`compatible_sources`, output `property_path`, `compute.kind` (its own facet: which template route
builds the step), and the rest of the route (SageMaker step type, step_assembly, compute
sdk_class/*_field). Prints one block per step with differences and a count per field.
When several upstream directories are given, the first one holding a step's file wins.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from cursus_core.interface.model import StepInterface, build_interface
from cursus_core.interface.reader import read_interface_file
from cursus_core.migrate import migrate


def _load(path: Path) -> StepInterface | None:
    read = read_interface_file(path)
    return build_interface(read.root, path) if read.root is not None else None


def _facets(iface: StepInterface) -> dict[str, Any]:
    """What the comparison looks at, as plain values."""
    c, s = iface.contract, iface.spec
    smt = iface.registry.sagemaker_step_type
    assembly = iface.patterns.step_assembly or iface.registry.step_assembly
    return {
        "input paths": {n: p.path.value for n, p in c.inputs.items()},
        "input required": {n: p.required.value for n, p in c.inputs.items()},
        "input channels": {n: [v.value for v in p.channels] for n, p in c.inputs.items() if p.channels},
        "output paths": {n: p.path.value for n, p in c.outputs.items()},
        "env required": sorted(v.value for v in c.env_required),
        "env optional": {n: v.value for n, v in c.env_optional.items()},
        "job arguments": sorted((a.flag.value, a.source.value) for a in c.job_arguments),
        "dependencies": sorted(s.dependencies),
        "dependency types": {n: d.type.value for n, d in s.dependencies.items()},
        "dependency required": {n: d.required.value for n, d in s.dependencies.items()},
        "compatible_sources": {n: sorted(v.value for v in d.compatible_sources) for n, d in s.dependencies.items()},
        "outputs": sorted(s.outputs),
        "property paths": {n: o.property_path.value for n, o in s.outputs.items()},
        "compute kind": iface.compute.kind.value if iface.compute.kind else None,
        "route": {"sagemaker_step_type": smt.value if smt else None,
                  "step_assembly": assembly.value if assembly else None,
                  **{k: v.value for k, v in sorted(iface.compute.values.items())
                     if k == "sdk_class" or k.endswith("_field")}},
    }


def _absent_facets(iface: StepInterface) -> set[str]:
    """Facets the upstream file has no section for (the transition commit wrote contract + spec only)."""
    skip = set()
    if iface.root.get("registry") is None:
        skip |= {"route", "compute kind"}
    contract = iface.root.get("contract")
    if contract is None or not hasattr(contract.value, "get") or contract.value.get("job_arguments") is None:
        skip.add("job arguments")
    return skip


def _delta(ours: Any, theirs: Any) -> str | None:
    if ours == theirs:
        return None
    if isinstance(ours, dict) and isinstance(theirs, dict):
        parts = []
        for k in sorted(set(ours) | set(theirs), key=str):
            if ours.get(k, "<absent>") != theirs.get(k, "<absent>"):
                parts.append(f"{k}: ours={ours.get(k, '<absent>')!r} upstream={theirs.get(k, '<absent>')!r}")
        return "; ".join(parts)
    if isinstance(ours, list) and isinstance(theirs, list):
        only_ours = [x for x in ours if x not in theirs]
        only_theirs = [x for x in theirs if x not in ours]
        return f"only ours={only_ours} only upstream={only_theirs}"
    return f"ours={ours!r} upstream={theirs!r}"


def compare(ours_dir: Path, upstream_dirs: list[Path]) -> tuple[dict[str, list[str]], Counter[str], list[str]]:
    """Per step (and job type) the differing facets; counts per facet; steps only on one side."""
    diffs: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    unmatched: list[str] = []
    for ours_path in sorted(ours_dir.glob("*.step.yaml")):
        theirs_path = next((d / ours_path.name for d in upstream_dirs if (d / ours_path.name).is_file()), None)
        if theirs_path is None:
            unmatched.append(f"{ours_path.name}: no upstream file")
            continue
        ours, theirs = _load(ours_path), _load(theirs_path)
        if ours is None or theirs is None:
            unmatched.append(f"{ours_path.name}: unreadable")
            continue
        lines = []
        skip = _absent_facets(theirs)
        for jt in [None, *sorted(set(ours.variants) | set(theirs.variants))]:
            a, b = _facets(ours.for_job_type(jt)), _facets(theirs.for_job_type(jt))
            for facet in a:
                if facet in skip or (jt is not None and facet in ("route", "compute kind")):
                    continue
                d = _delta(a[facet], b[facet])
                if d:
                    counts[facet] += 1
                    lines.append(f"  [{jt or 'base'}] {facet}: {d}")
        diffs[ours.name or ours_path.name] = lines
    return diffs, counts, unmatched


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("classic_root", type=Path)
    ap.add_argument("upstream", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, help="keep the migrated files here (default: a temp dir)")
    ap.add_argument("--verbose", action="store_true", help="print every difference, not only the counts")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        report = migrate(args.classic_root, out_dir=out.resolve())
        diffs, counts, unmatched = compare(out, args.upstream)
    same = sorted(s for s, lines in diffs.items() if not lines)
    print(f"migrated {len(report.outcomes)} steps; compared {len(diffs)}; identical on every facet: {len(same)}")
    for line in unmatched:
        print(f"  not compared: {line}")
    print("steps with a difference per facet (a step counts once per job type):")
    for facet, n in counts.most_common():
        print(f"  {facet}: {n}")
    if args.verbose:
        for step, lines in sorted(diffs.items()):
            if lines:
                print(step)
                print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
