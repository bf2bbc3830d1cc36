"""Differential run: the interface reader's libyaml path against its ruamel path, on many inputs.

Reads every given interface (default: the fixtures' ``*.step.yaml``) and --count seeded mutations
of them both ways (tests/yaml_differential.py) and prints how many were read and every text the two
paths read differently (a text the reader's ruamel-only list misses). Exit status 1 on any.
Run it after upgrading PyYAML, libyaml or ruamel.yaml.
Usage: python benchmarks/yaml_composers.py [--count 3000] [--seed 1] [FILE_OR_DIR ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.yaml_differential import differences  # noqa: E402


def _texts(targets: list[Path]) -> list[str]:
    files: list[Path] = []
    for target in targets:
        files.extend(sorted(target.rglob("*.step.yaml")) if target.is_dir() else [target])
    return [f.read_bytes().decode("utf-8-sig") for f in files]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "fixtures"])
    args = parser.parse_args()
    texts = _texts(args.paths)
    if not texts:
        print("no .step.yaml files found", file=sys.stderr)
        return 2
    found = 0
    for diff in differences(texts, args.count, args.seed):
        found += 1
        print(f"differs: {diff.text[:400]!r}")
        print(f"  libyaml: {diff.fast.problems[:1]}\n  ruamel:  {diff.ruamel.problems[:1]}")
    print(f"{len(texts)} files + {args.count} mutations (seed {args.seed}): {found} read differently")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
