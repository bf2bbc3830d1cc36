"""Writing cursus's own saved-config format, the one real pipeline projects keep in git.

```
{"configuration": {"shared": {field: plain JSON},
                   "specific": {step_name: {"__model_type__": "ConfigClass", field: tagged JSON}}},
 "metadata": {"config_types": {step_name: "ConfigClass"}, "created_at": "<naive isoformat>",
              "field_sources": {field: [step_name, ...]}}}
```

The rules follow what cursus's type-aware serializer and field categorizer do, so that a file
written here is the file cursus would write for the same configs:

- a model writes ``__model_type__``, its essential fields (even when None), its system fields
  that are not None, then the derived values its own ``model_dump`` exports. The tiers come from
  the class's ``categorize_fields`` when it has one; a plain model without it is tiered by field
  name as cursus does (``name``/``id``/``region``/``field_list`` essential,
  ``instance``/``framework``/``entry_point`` system, the rest written from ``model_dump``);
- ``__type_info__`` tags: ``datetime``, ``enum`` (``enum_class`` is ``module.Class``), ``path``,
  ``set``/``frozenset`` always; ``dict``/``list``/``tuple`` only when an item is a model, enum,
  datetime, path, set or tuple (their payload is ``value``); everything else is plain JSON.
  Set items are written sorted (cursus writes hash order, which no reader can rely on);
- ``shared`` holds the essential/system fields that every config has, not None, with one value
  as plain JSON (a value JSON cannot hold is never shared); ``specific`` holds the rest;
- a step is named by ``step_name_override``, else its registry name plus ``_<job_type>``,
  ``_<data_type>`` and ``_<mode>`` when the config has them;
- ``field_sources`` lists, per written field, the steps that have it, in the order given.

Non-finite floats are refused (cursus would write ``NaN``, which is not JSON).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cursus_core.compiler.config_io import MODEL_TYPE_KEY, TYPE_INFO_KEY, ConfigSaveError
from cursus_core.registry import UnifiedRegistryManager, get_default_manager

__all__ = ["cursus_step_name", "configs_to_cursus_document", "save_cursus_configs", "dump_cursus_document"]

_COMPLEX = (BaseModel, Enum, datetime, Path, set, frozenset, tuple)
_ESSENTIAL_WORDS = ("name", "id", "region", "field_list")
_SYSTEM_WORDS = ("instance", "framework", "entry_point")
_NAME_ATTRIBUTES = ("job_type", "data_type", "mode")


def _tiers(model: BaseModel) -> dict[str, list[str]]:
    """The model's field tiers: its own ``categorize_fields``, else cursus's by-name fallback."""
    method = getattr(model, "categorize_fields", None)
    if callable(method):
        tiers = method()
        return {k: list(tiers.get(k, [])) for k in ("essential", "system", "derived")}
    tiers = {"essential": [], "system": [], "derived": []}
    for name in type(model).model_fields:
        lowered = name.lower()
        if any(word in lowered for word in _ESSENTIAL_WORDS):
            tiers["essential"].append(name)
        elif any(word in lowered for word in _SYSTEM_WORDS):
            tiers["system"].append(name)
        else:
            tiers["derived"].append(name)
    return tiers


def encode(value: Any, where: str = "") -> Any:
    """The JSON value cursus's serializer writes for ``value``."""
    if isinstance(value, Enum) and isinstance(value, (str, int, float, bool)):
        return value.value  # the serializer passes these through; JSON then writes the value
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigSaveError(f"{where}: {value!r} cannot be written as JSON")
        return value
    if isinstance(value, datetime):
        return {TYPE_INFO_KEY: "datetime", "value": value.isoformat()}
    if isinstance(value, Enum):
        cls = type(value)
        return {TYPE_INFO_KEY: "enum", "enum_class": f"{cls.__module__}.{cls.__name__}",
                "value": encode(value.value, where)}
    if isinstance(value, Path):
        return {TYPE_INFO_KEY: "path", "value": str(value)}
    if isinstance(value, BaseModel):
        return encode_model(value, where)
    if isinstance(value, dict):
        items = {_key(k, where): encode(v, f"{where}.{k}") for k, v in value.items()}
        if any(isinstance(v, _COMPLEX) for v in value.values()):
            return {TYPE_INFO_KEY: "dict", "value": items}
        return items
    if isinstance(value, (list, tuple)):
        items_list = [encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if any(isinstance(v, _COMPLEX) for v in value):
            return {TYPE_INFO_KEY: "tuple" if isinstance(value, tuple) else "list", "value": items_list}
        return items_list
    if isinstance(value, (set, frozenset)):
        items_list = sorted((encode(v, f"{where}[]") for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        return {TYPE_INFO_KEY: "frozenset" if isinstance(value, frozenset) else "set", "value": items_list}
    return str(value)


def _key(key: Any, where: str) -> str:
    """A dict key as JSON writes it (``json.dumps`` turns int, float, bool and None keys into text)."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    raise ConfigSaveError(f"{where}: a dict key of type {type(key).__name__} cannot be written as JSON")


def encode_model(model: BaseModel, where: str = "") -> dict[str, Any]:
    """``__model_type__`` plus the essential, non-None system and exported derived values."""
    result: dict[str, Any] = {MODEL_TYPE_KEY: type(model).__name__}
    tiers = _tiers(model)
    for tier in ("essential", "system"):
        for name in tiers[tier]:
            value = getattr(model, name, None)
            if tier == "system" and value is None:
                continue
            result[name] = encode(value, f"{where}.{name}")
    derived = set(tiers["derived"])
    if derived:
        try:
            dumped = model.model_dump()
        except Exception as exc:
            raise ConfigSaveError(f"{where}: {type(model).__name__}.model_dump() failed: "
                                  f"{type(exc).__name__}: {exc}") from exc
        for name, value in dumped.items():
            if name in derived and name not in result:
                result[name] = encode(value, f"{where}.{name}")
    return result


def cursus_step_name(config: BaseModel, registry: UnifiedRegistryManager | None = None) -> str:
    """``step_name_override``, else the registry name plus ``_<job_type>_<data_type>_<mode>``."""
    override = getattr(config, "step_name_override", None)
    if override:
        return str(override)
    base = _registry_name(config, registry)
    for attr in _NAME_ATTRIBUTES:
        value = getattr(config, attr, None)
        if value is not None:
            base = f"{base}_{value.value if isinstance(value, Enum) else value}"
    return base


def _registry_name(config: BaseModel, registry: UnifiedRegistryManager | None) -> str:
    class_name = type(config).__name__
    manager = registry if registry is not None else get_default_manager()
    steps = sorted(n for n, d in manager.get_all_step_definitions().items() if d.config_class == class_name)
    if len(steps) > 1:
        raise ConfigSaveError(f"config class '{class_name}' is used by several registry steps "
                              f"({', '.join(steps)}); pass step_names to choose")
    if steps:
        return steps[0]
    return class_name[: -len("Config")] if class_name.endswith("Config") else class_name


def _shared_key(value: Any) -> str | None:
    """The text cursus compares to decide sharing; None when JSON cannot hold the value."""
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None


def configs_to_cursus_document(configs: Sequence[BaseModel], *, registry: UnifiedRegistryManager | None = None,
                               step_names: Mapping[int, str] | None = None, created_at: str | None = None,
                               derived: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The document cursus writes for ``configs``.

    ``derived`` (step -> {name: JSON value}) replaces recomputed top-level derived values: a file
    loaded with :func:`~cursus_core.compiler.config_io.load_document` keeps the values it was
    written with (an absolute ``effective_source_dir`` of the machine that wrote it).
    """
    overrides = dict(step_names or {})
    names: list[str] = []
    serialized: list[dict[str, Any]] = []
    for i, config in enumerate(configs):
        if not isinstance(config, BaseModel):
            raise ConfigSaveError(f"config #{i}: {type(config).__name__} is not a pydantic model")
        name = overrides.get(id(config), overrides.get(i)) or cursus_step_name(config, registry)
        if name in names:
            raise ConfigSaveError(f"configs #{names.index(name)} and #{i} would both be saved as step '{name}'; "
                                  "give them different job_type values or pass step_names")
        names.append(name)
        entry = encode_model(config, name)
        for key, value in (derived or {}).get(name, {}).items():
            if key in entry:
                entry[key] = value
        serialized.append(entry)
    shared = _shared(configs)
    specific = {}
    field_sources: dict[str, list[str]] = {}
    for name, config, entry in zip(names, configs, serialized, strict=True):
        specific[name] = {MODEL_TYPE_KEY: type(config).__name__,
                          **{k: v for k, v in entry.items() if not k.startswith("_") and k not in shared}}
        for key in entry:
            if not key.startswith("_"):
                field_sources.setdefault(key, []).append(name)
    return {
        "configuration": {"shared": shared, "specific": specific},
        "metadata": {
            "config_types": {name: type(config).__name__ for name, config in zip(names, configs, strict=True)},
            "created_at": created_at or datetime.now().isoformat(),
            "field_sources": field_sources,
        },
    }


def _shared(configs: Sequence[BaseModel]) -> dict[str, Any]:
    if len(configs) <= 1:
        return {}
    seen: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for index, config in enumerate(configs):
        tiers = _tiers(config)
        for name in dict.fromkeys(tiers["essential"] + tiers["system"]):
            value = getattr(config, name, None)
            if value is None:
                continue
            text = _shared_key(value)
            seen.setdefault(name, set()).add(text if text is not None else f"#unique{index}")
            counts[name] = counts.get(name, 0) + 1
    return {name: json.loads(next(iter(texts))) for name, texts in seen.items()
            if len(texts) == 1 and counts[name] == len(configs) and not next(iter(texts)).startswith("#unique")}


def dump_cursus_document(document: Mapping[str, Any]) -> str:
    """The file text: 2-space indent, sorted keys, ASCII, no trailing newline (as ``json.dump`` writes)."""
    return json.dumps(document, indent=2, sort_keys=True, allow_nan=False)


def save_cursus_configs(configs: Sequence[BaseModel], path: str | os.PathLike[str], **options: Any) -> dict[str, Any]:
    """Write ``configs`` in cursus's format to ``path`` and return the document."""
    document = configs_to_cursus_document(configs, **options)
    Path(path).write_text(dump_cursus_document(document), encoding="utf-8")
    return document
