"""Adds a generated step's config to a copied fixture pipeline's config.json (run in a child process).

usage: python scaffold_config.py PACKAGE NAME SNAKE NODE KWARGS_JSON

Run with the directory holding PACKAGE (the copied repo) as the working directory: the fixtures'
make_config modules use relative imports, and the generated config class has to be imported to be
saved, which the test process itself must never do (it would import the copy's code in-process).
"""

from __future__ import annotations

import importlib
import json
import sys

from cursus_core.base import BasePipelineConfig
from cursus_core.compiler.config_io import save_configs


def main() -> None:
    sys.path.insert(0, ".")
    package, name, snake, node, raw = sys.argv[1:6]
    make = importlib.import_module(f"{package}.pipeline.make_config")
    config_cls = getattr(importlib.import_module(f"{package}.steps.configs.config_{snake}_step"), f"{name}Config")
    kwargs = json.loads(raw)
    if "hyperparameters" in kwargs:
        module = importlib.import_module(f"{package}.steps.hyperparams.hyperparameters_{snake}")
        kwargs["hyperparameters"] = getattr(module, f"{name}Hyperparameters")(**kwargs["hyperparameters"])
    new = config_cls.from_base_config(BasePipelineConfig(**make.SHARED), **kwargs)
    built = make.build_configs()
    if built and isinstance(built[0], tuple):  # interface_repo: (node, config) pairs
        named = [*built, (node, new)]
    else:
        named = [(None, c) for c in built] + [(node, new)]
    configs = [c for _, c in named]
    step_names = {i: n for i, (n, _) in enumerate(named) if n is not None}
    registry = make.registry() if hasattr(make, "registry") else None
    save_configs(configs, make.CONFIG_PATH, registry=registry, step_names=step_names, created_at=make.CREATED_AT
                 if hasattr(make, "CREATED_AT") else None)


if __name__ == "__main__":
    main()
