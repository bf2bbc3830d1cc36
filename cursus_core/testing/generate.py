"""Data for a first run: a small tabular file for each required input nothing feeds.

A real pipeline's first node usually loads data through an SDK step that runtime testing cannot
run, so the script after it has nothing to read. Rather than ask for hand-made data before the
first run, a few hundred deterministic rows are written where the contract says the input is:
an id column, the label the step's env vars or config name, numeric and categorical features.
A required model input (a packaging or inference step downstream of training, which cannot run
offline) gets a placeholder ``model.tar.gz`` holding one text file that says it is not a model, so
a script that unpacks or copies its model runs; one that loads the model fails, and says so.
Other inputs that are plainly not tables (signatures, metadata, hyperparameters, configs) are
left for the user to give.
"""

from __future__ import annotations

import csv
import io
import random
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["MODEL_WORDS", "NOT_TABULAR", "PLACEHOLDER_NOTE", "ROWS", "is_model", "is_tabular", "write_model",
           "write_table"]

#: words in a logical name that say the input is not a table
NOT_TABULAR = ("model", "artifact", "signature", "metadata", "hyperparameter", "config", "script", "code",
               "payload", "calibration_model", "schema", "checkpoint")

#: how many rows a generated table has
ROWS = 300


#: words in a logical name that say the input is a model artifact
MODEL_WORDS = ("model", "artifact", "checkpoint")

#: the one file inside a placeholder model.tar.gz
PLACEHOLDER_NOTE = "CURSUS_LINT_PLACEHOLDER.txt"


def is_model(logical_name: str) -> bool:
    lowered = logical_name.lower()
    return any(word in lowered for word in MODEL_WORDS)


def write_model(directory: Path, what: str) -> Path:
    """Write ``model.tar.gz`` into ``directory`` with one note naming ``what`` it stands in for; returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "model.tar.gz"
    note = (f"Placeholder written by cursus-lint test-scripts for {what}: no model was given and no upstream "
            f"script produced one. It is not a trained model.\n").encode()
    info = tarfile.TarInfo(PLACEHOLDER_NOTE)
    info.size, info.mtime, info.mode = len(note), 0, 0o644  # the same bytes on every run
    with tarfile.open(path, "w:gz", compresslevel=9) as archive:
        archive.addfile(info, io.BytesIO(note))
    return path


def is_tabular(logical_name: str) -> bool:
    lowered = logical_name.lower()
    return not any(word in lowered for word in NOT_TABULAR)


def _name(env: Mapping[str, str], config: Mapping[str, Any], env_keys: tuple[str, ...],
          config_keys: tuple[str, ...], default: str) -> str:
    for key in env_keys:
        if env.get(key):
            return str(env[key])
    for key in config_keys:
        value = config.get(key)
        if isinstance(value, str) and value:
            return value
    return default


def write_table(directory: Path, env: Mapping[str, str], config: Mapping[str, Any], seed: str) -> Path:
    """Write ``part-00000.csv`` (ROWS rows) into ``directory``; returns the file."""
    label = _name(env, config, ("LABEL_FIELD", "LABEL_NAME"), ("label_field", "label_name"), "label")
    ident = _name(env, config, ("ID_FIELD", "ID_NAME"), ("id_field", "id_name"), "id")
    rng = random.Random(seed)  # the same node and input give the same rows on every run
    numeric = [f"num_{i}" for i in range(1, 5)]
    categorical = ["cat_1", "cat_2"]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "part-00000.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([ident, *numeric, *categorical, label])
        for row in range(ROWS):
            writer.writerow([f"id-{row:05d}", *(round(rng.gauss(0, 1), 4) for _ in numeric),
                             *(rng.choice("ABC") for _ in categorical), int(rng.random() < 0.3)])
    return path
