"""Saved pipeline configs: one JSON file holding every step's config, in the layout users have.

```
{"configuration": {"shared": {field: value},
                   "specific": {step_name: {"__model_type__": "ConfigClass", field: value}}},
 "metadata": {"config_types": {step_name: "ConfigClass"}, "created_at": "...",
              "derived": {step_name: {property: value}}, "format_version": 1}}
```

``shared`` holds the fields every config has with one identical value; ``specific`` the rest.
Values JSON cannot tell apart are tagged: nested models with ``__model_type__``, and
``Path``, ``date``/``datetime``, enums, sets, tuples, non-finite floats and dicts with non-string
or reserved keys with ``__type_info__``. Derived values are written to ``metadata.derived`` only
as a check: loading recomputes them from the fields and fails if they differ, so a file can
never smuggle in a derived value the code would not compute.

Loading fails loudly (a :class:`ConfigLoadError` subclass naming the step and class) rather than
skipping a step or building an unvalidated object.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import typing
from dataclasses import dataclass, field
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from enum import Enum
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel, ValidationError

from cursus_core.base import BasePipelineConfig, ModelHyperparameters, ProcessingStepConfigBase
from cursus_core.registry import UnifiedRegistryManager, get_default_manager

__all__ = [
    "FORMAT_VERSION",
    "MODEL_TYPE_KEY",
    "TYPE_INFO_KEY",
    "ConfigSaveError",
    "ConfigLoadError",
    "ConfigFileError",
    "UnknownConfigClassError",
    "AmbiguousConfigClassError",
    "ConfigValidationError",
    "DerivedValueError",
    "DerivedValueMismatchError",
    "config_step_name",
    "configs_to_document",
    "save_configs",
    "load_configs",
    "load_document",
    "LoadedConfigs",
]

FORMAT_VERSION = 1
MODEL_TYPE_KEY = "__model_type__"
TYPE_INFO_KEY = "__type_info__"
#: Provenance key older cursus files write next to ``__model_type__``; read and ignored.
MODEL_MODULE_KEY = "__model_module__"
_RESERVED = (MODEL_TYPE_KEY, TYPE_INFO_KEY, MODEL_MODULE_KEY)
_NOT_FIELDS = (MODEL_TYPE_KEY, MODEL_MODULE_KEY)

#: Classes a file may name without the caller passing them.
BASE_CLASSES: tuple[type[BaseModel], ...] = (BasePipelineConfig, ProcessingStepConfigBase, ModelHyperparameters)

ClassSource = Mapping[str, "type[BaseModel] | Sequence[type[BaseModel]]"] | Iterable[type[BaseModel]]


# -- errors ----------------------------------------------------------------------------------
class ConfigSaveError(ValueError):
    """Configs that cannot be written unambiguously (no step name, a value JSON cannot hold)."""


class ConfigLoadError(ValueError):
    """Base of every load failure; the message starts with the file path."""

    def __init__(self, path: str | os.PathLike[str], detail: str, *, step: str | None = None,
                 class_name: str | None = None) -> None:
        self.path = str(path)
        self.detail = detail
        self.step = step
        self.class_name = class_name
        super().__init__(f"{self.path}: {detail}")


class ConfigFileError(ConfigLoadError):
    """The file is unreadable, not JSON, or not in the saved-config layout."""


class UnknownConfigClassError(ConfigLoadError):
    """A ``__model_type__`` no given or built-in class has; ``known`` lists those that exist."""

    def __init__(self, path: str | os.PathLike[str], step: str, class_name: str, known: list[str],
                 where: str = "") -> None:
        self.known = known
        close = difflib.get_close_matches(class_name, known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        listed = ", ".join(known) or "none"
        super().__init__(path, f"step '{step}'{where}: unknown config class '{class_name}' (known: {listed}){hint}",
                         step=step, class_name=class_name)


class AmbiguousConfigClassError(ConfigLoadError):
    """Two different classes answer to the name the file uses."""

    def __init__(self, path: str | os.PathLike[str], step: str, class_name: str, candidates: list[str],
                 where: str = "") -> None:
        self.candidates = candidates
        super().__init__(path, f"step '{step}'{where}: config class name '{class_name}' is ambiguous: "
                               + ", ".join(candidates), step=step, class_name=class_name)


class ConfigValidationError(ConfigLoadError):
    """Field values the config class rejects; ``errors`` is ``[(field, message), ...]``."""

    def __init__(self, path: str | os.PathLike[str], step: str, class_name: str,
                 errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        parts = [f"field '{loc}': {msg}" if loc else msg for loc, msg in errors]
        super().__init__(path, f"step '{step}' ({class_name}): " + "; ".join(parts), step=step,
                         class_name=class_name)


class DerivedValueError(ConfigLoadError):
    """A derived value in the file that cannot be checked (no such property, or it fails)."""


class DerivedValueMismatchError(DerivedValueError):
    """A derived value in the file differs from the one the fields give."""

    def __init__(self, path: str | os.PathLike[str], step: str, class_name: str, field: str,
                 file_value: Any, computed_value: Any) -> None:
        self.field = field
        self.file_value = file_value
        self.computed_value = computed_value
        super().__init__(path, f"step '{step}' ({class_name}): derived value '{field}' is {_json(file_value)} "
                               f"in the file but {_json(computed_value)} when recomputed",
                         step=step, class_name=class_name)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


# -- encoding --------------------------------------------------------------------------------
def _encode(value: Any, where: str) -> Any:
    """A JSON value for ``value``, tagged where plain JSON would lose its type."""
    if isinstance(value, Enum):
        return {TYPE_INFO_KEY: "Enum", "enum_class": type(value).__name__, "value": _encode(value.value, where)}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {TYPE_INFO_KEY: "float", "value": repr(value)}
    if isinstance(value, BaseModel):
        return _encode_model(value, where)
    if isinstance(value, datetime):
        return {TYPE_INFO_KEY: "datetime", "value": value.isoformat()}
    if isinstance(value, date):
        return {TYPE_INFO_KEY: "date", "value": value.isoformat()}
    if isinstance(value, PurePath):
        return {TYPE_INFO_KEY: "Path", "value": str(value)}
    if isinstance(value, list):
        return [_encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {TYPE_INFO_KEY: "tuple", "value": [_encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, (set, frozenset)):
        items = sorted((_encode(v, f"{where}[]") for v in value), key=_json)
        return {TYPE_INFO_KEY: "set", "value": items}
    if isinstance(value, dict):
        if all(isinstance(k, str) and k not in _RESERVED for k in value):
            return {k: _encode(v, f"{where}.{k}") for k, v in value.items()}
        return {TYPE_INFO_KEY: "dict",
                "items": [[_encode(k, f"{where}[key]"), _encode(v, f"{where}[{k!r}]")] for k, v in value.items()]}
    raise ConfigSaveError(f"{where}: cannot save a value of type {type(value).__name__}")


def _field_key(cls: type[BaseModel], name: str) -> str:
    alias = cls.model_fields[name].alias
    return alias if alias else name


def _encode_fields(model: BaseModel, where: str) -> dict[str, Any]:
    cls = type(model)
    return {_field_key(cls, name): _encode(getattr(model, name), f"{where}.{name}") for name in cls.model_fields}


def _encode_model(model: BaseModel, where: str) -> dict[str, Any]:
    return {MODEL_TYPE_KEY: type(model).__name__, **_encode_fields(model, where)}


def _derived_names(cls: type) -> list[str]:
    """Public properties of the model class (tier 3), base classes first."""
    method = getattr(cls, "derived_property_names", None)
    if callable(method):
        return list(method())
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        if klass is object or klass.__module__.startswith("pydantic"):
            continue
        for name, value in vars(klass).items():
            if isinstance(value, property) and not name.startswith("_") and name not in names:
                names.append(name)
    return names


def _derived_values(model: BaseModel, prefix: str = "") -> dict[str, Any]:
    """Derived values of ``model`` and of nested models (dotted names); raises what a property raises."""
    values: dict[str, Any] = {}
    for name in _derived_names(type(model)):
        values[prefix + name] = getattr(model, name)
    for name in type(model).model_fields:
        nested = getattr(model, name)
        if isinstance(nested, BaseModel):
            values.update(_derived_values(nested, f"{prefix}{name}."))
    return values


# -- saving ----------------------------------------------------------------------------------
def config_step_name(config: BaseModel, registry: UnifiedRegistryManager | None = None) -> str:
    """Registry step name of the config's class, plus ``_<job_type>`` when it has a job type."""
    class_name = type(config).__name__
    manager = registry if registry is not None else get_default_manager()
    steps = sorted(name for name, d in manager.get_all_step_definitions().items() if d.config_class == class_name)
    if not steps:
        raise ConfigSaveError(f"no registry step uses config class '{class_name}'; pass step_names to name it")
    if len(steps) > 1:
        raise ConfigSaveError(f"config class '{class_name}' is used by several registry steps "
                              f"({', '.join(steps)}); pass step_names to choose")
    job_type = getattr(config, "job_type", None) if "job_type" in type(config).model_fields else None
    return f"{steps[0]}_{job_type}" if job_type else steps[0]


def _step_names(configs: Sequence[BaseModel], registry: UnifiedRegistryManager | None,
                overrides: Mapping[int, str] | None) -> list[str]:
    overrides = dict(overrides or {})
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, config in enumerate(configs):
        if id(config) in overrides:
            name = overrides[id(config)]
        elif i in overrides:
            name = overrides[i]
        else:
            try:
                name = config_step_name(config, registry)
            except ConfigSaveError as exc:
                raise ConfigSaveError(f"config #{i} ({type(config).__name__}): {exc}") from exc
        if name in seen:
            raise ConfigSaveError(f"configs #{seen[name]} and #{i} would both be saved as step '{name}'; "
                                  "give them different job_type values or pass step_names")
        seen[name] = i
        names.append(name)
    return names


def configs_to_document(configs: Sequence[BaseModel], *, registry: UnifiedRegistryManager | None = None,
                        step_names: Mapping[int, str] | None = None,
                        created_at: str | None = None) -> dict[str, Any]:
    """The saved-config document for ``configs`` (what :func:`save_configs` writes)."""
    names = _step_names(configs, registry, step_names)
    fields: dict[str, dict[str, Any]] = {}
    derived: dict[str, dict[str, Any]] = {}
    for name, config in zip(names, configs, strict=True):
        if not isinstance(config, BaseModel):
            raise ConfigSaveError(f"step '{name}': {type(config).__name__} is not a pydantic model")
        fields[name] = _encode_fields(config, name)
        try:
            computed = _derived_values(config)
        except Exception as exc:
            raise ConfigSaveError(f"step '{name}': a derived value could not be computed: "
                                  f"{type(exc).__name__}: {exc}") from exc
        derived[name] = {k: _encode(v, f"{name}.{k}") for k, v in computed.items()}
    shared: dict[str, Any] = {}
    if len(configs) > 1:
        common = set.intersection(*(set(f) for f in fields.values()))
        for key in sorted(common):
            values = {_json(f[key]) for f in fields.values()}
            if len(values) == 1:
                shared[key] = fields[names[0]][key]
    specific = {
        name: {MODEL_TYPE_KEY: type(config).__name__,
               **{k: v for k, v in fields[name].items() if k not in shared}}
        for name, config in zip(names, configs, strict=True)
    }
    return {
        "configuration": {"shared": shared, "specific": specific},
        "metadata": {
            "config_types": {name: type(config).__name__ for name, config in zip(names, configs, strict=True)},
            "created_at": created_at or datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "derived": derived,
            "format_version": FORMAT_VERSION,
        },
    }


def save_configs(configs: Sequence[BaseModel], path: str | os.PathLike[str], *,
                 registry: UnifiedRegistryManager | None = None, step_names: Mapping[int, str] | None = None,
                 created_at: str | None = None) -> dict[str, Any]:
    """Write ``configs`` to ``path`` (sorted keys, 2-space indent) and return the document.

    A config's step name is its registry name (``registry``: default the core manager) plus
    ``_<job_type>``; ``step_names`` overrides it per config, keyed by ``id(config)`` or index.
    """
    document = configs_to_document(configs, registry=registry, step_names=step_names, created_at=created_at)
    text = json.dumps(document, indent=2, sort_keys=True, allow_nan=False) + "\n"
    Path(path).write_text(text, encoding="utf-8")
    return document


# -- loading ---------------------------------------------------------------------------------
class _Invalid(Exception):
    """Validation errors of a nested model, with their location inside the step."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__(errors)


def _errors(exc: ValidationError, prefix: str = "") -> list[tuple[str, str]]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        out.append((f"{prefix}.{loc}" if prefix and loc else prefix or loc, err["msg"]))
    return out


def _annotation_classes(annotation: Any) -> dict[str, type]:
    """Model and enum classes named anywhere in a field annotation (``Optional[X]``, ``list[X]``...)."""
    found: dict[str, type] = {}
    stack = [annotation]
    while stack:
        current = stack.pop()
        if isinstance(current, type) and issubclass(current, (BaseModel, Enum)):
            found.setdefault(current.__name__, current)
        stack.extend(typing.get_args(current))
    return found


class _Loader:
    """Decodes one file's steps with one class table."""

    def __init__(self, path: Path, config_classes: ClassSource | None, cursus_style: bool = False) -> None:
        self.path = path
        self.cursus_style = cursus_style
        self.classes: dict[str, list[type]] = {}
        if config_classes is None:
            pass
        elif isinstance(config_classes, Mapping):
            for name, value in config_classes.items():
                group: list[Any] = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
                for cls in group:
                    self._add(name, cls)
        else:
            for cls in config_classes:
                self._add(cls.__name__, cls)
        for cls in BASE_CLASSES:
            if cls.__name__ not in self.classes:
                self._add(cls.__name__, cls)

    def _add(self, name: str, cls: type[BaseModel]) -> None:
        group = self.classes.setdefault(name, [])
        if cls not in group:
            group.append(cls)

    def resolve(self, name: Any, step: str, where: str = "",
                local: Mapping[str, type] | None = None) -> type[BaseModel]:
        if not isinstance(name, str):
            raise ConfigFileError(self.path, f"step '{step}'{where}: {MODEL_TYPE_KEY} must be a class name, "
                                             f"got {_json(name)}", step=step)
        group = self.classes.get(name) or ([local[name]] if local and name in local else [])
        if not group:
            raise UnknownConfigClassError(self.path, step, name, sorted(self.classes), where)
        if len(group) > 1:
            listed = sorted(f"{c.__module__}.{c.__qualname__}" for c in group)
            raise AmbiguousConfigClassError(self.path, step, name, listed, where)
        cls = group[0]
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            raise ConfigFileError(self.path, f"step '{step}'{where}: class '{name}' is not a pydantic model",
                                  step=step, class_name=name)
        return cls

    def written_fields(self, cls: type[BaseModel], entry: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(field values, derived values as written): cursus files also hold exported derived values."""
        fields = {k: v for k, v in entry.items() if k not in _NOT_FIELDS}
        if not self.cursus_style:
            return fields, {}
        derived = set(_derived_names(cls))
        known = {k for name, info in cls.model_fields.items() for k in (name, info.alias) if k}
        kept = {k: v for k, v in fields.items() if k in known or not (k in derived or k.startswith("_"))}
        return kept, {k: v for k, v in fields.items() if k not in kept}

    def decode(self, value: Any, step: str, where: str, local: Mapping[str, type]) -> Any:
        if isinstance(value, list):
            return [self.decode(v, step, f"{where}[{i}]", local) for i, v in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if MODEL_TYPE_KEY in value:
            cls = self.resolve(value[MODEL_TYPE_KEY], step, f" field '{where}'", local)
            entry = self.written_fields(cls, value)[0]
            fields = {k: self.decode(v, step, f"{where}.{k}", {**local, **_field_classes(cls, k)})
                      for k, v in entry.items()}
            try:
                return cls.model_validate(fields)
            except ValidationError as exc:
                raise _Invalid(_errors(exc, where)) from exc
        if TYPE_INFO_KEY in value:
            return self._decode_tagged(value, step, where, local)
        return {k: self.decode(v, step, f"{where}.{k}", local) for k, v in value.items()}

    def _decode_tagged(self, value: dict[str, Any], step: str, where: str, local: Mapping[str, type]) -> Any:
        kind = value[TYPE_INFO_KEY]
        try:
            if kind in ("Path", "path"):
                if not isinstance(value["value"], str):
                    raise TypeError("a path is text")
                return Path(value["value"])
            if kind == "datetime":
                return datetime.fromisoformat(value["value"])
            if kind == "date":
                return date.fromisoformat(value["value"])
            if kind == "float":
                return float(value["value"])
            if kind in _COLLECTIONS:
                if not isinstance(value["value"], list):
                    raise TypeError("items must be a list")
                items = self.decode(value["value"], step, where, local)
                return _COLLECTIONS[kind](_hashable(v) for v in items) if kind in ("set", "frozenset") else \
                    _COLLECTIONS[kind](items)
            if kind == "dict" and "items" in value:  # cursus-lint's own format: [[key, value], ...]
                return {_hashable(self.decode(k, step, where, local)): self.decode(v, step, f"{where}[{k!r}]", local)
                        for k, v in value["items"]}
            if kind == "dict":  # cursus: {"value": {key: value}}
                if not isinstance(value["value"], dict):
                    raise TypeError("a dict payload is an object")
                return {k: self.decode(v, step, f"{where}.{k}", local) for k, v in value["value"].items()}
            if kind in ("Enum", "enum"):
                raw = self.decode(value["value"], step, where, local)
                enum_name = str(value.get("enum_class", "")).rsplit(".", 1)[-1]  # cursus writes module.Class
                enum_cls = local.get(enum_name)
                return enum_cls(raw) if isinstance(enum_cls, type) and issubclass(enum_cls, Enum) else raw
            if kind == "pydantic_model":  # listed in cursus's tag table: the model's fields under "value"
                payload = value["value"] if isinstance(value.get("value"), dict) else \
                    {k: v for k, v in value.items() if k != TYPE_INFO_KEY}
                if MODEL_TYPE_KEY not in payload and MODEL_TYPE_KEY not in value:
                    raise KeyError(MODEL_TYPE_KEY)
                return self.decode({MODEL_TYPE_KEY: value.get(MODEL_TYPE_KEY), **payload}, step, where, local)
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigFileError(self.path, f"step '{step}': field '{where}': malformed {TYPE_INFO_KEY} "
                                             f"'{kind}' value {_json(value)}", step=step) from exc
        raise ConfigFileError(self.path, f"step '{step}': field '{where}': unknown {TYPE_INFO_KEY} {_json(kind)}",
                              step=step)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


_COLLECTIONS: dict[str, type] = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


def _field_classes(cls: type[BaseModel], key: str) -> dict[str, type]:
    for name, info in cls.model_fields.items():
        if key in (name, info.alias):
            return _annotation_classes(info.annotation)
    return {}


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(path, f"cannot read: {exc}") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigFileError(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("configuration"), dict):
        raise ConfigFileError(path, "not a saved config: expected an object with a 'configuration' object")
    configuration = document["configuration"]
    for section in ("shared", "specific"):
        if not isinstance(configuration.get(section), dict):
            raise ConfigFileError(path, f"'configuration.{section}' must be an object")
    metadata = document.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ConfigFileError(path, "'metadata' must be an object")
    for section in ("config_types", "derived"):
        if not isinstance(metadata.get(section, {}), dict):
            raise ConfigFileError(path, f"'metadata.{section}' must be an object")
    return document


@dataclass
class LoadedConfigs:
    """A loaded file: its configs in the order they were saved, and what re-saving needs."""

    configs: dict[str, BaseModel]
    #: ``"cursus"`` (cursus's own format) or ``"cursus-lint"`` (ours, ``metadata.format_version``)
    style: str
    created_at: str | None = None
    #: top-level derived values as the file holds them, per step (cursus files only)
    derived: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_configs(path: str | os.PathLike[str], config_classes: ClassSource | None = None, *,
                 check_derived: bool = True) -> dict[str, BaseModel]:
    """Every step's config object, by step name, in the order the file was saved in.

    ``config_classes`` maps class names to classes (a name may map to several, which makes it
    ambiguous) or is an iterable of classes; the :mod:`cursus_core.base` classes are always known.
    The dry run builds it from the catalog, importing user config modules in its child process.
    Both cursus's format and ours are read (see :func:`load_document`).
    """
    return load_document(path, config_classes, check_derived=check_derived).configs


def load_document(path: str | os.PathLike[str], config_classes: ClassSource | None = None, *,
                  check_derived: bool = True) -> LoadedConfigs:
    """Load either format. cursus's own files (no ``metadata.format_version``) hold exported derived
    values among the fields: they are kept aside as written, never validated against recomputation
    (they may name the writer's machine), and the save order comes from ``metadata.field_sources``."""
    file = Path(path)
    document = _read(file)
    shared = document["configuration"]["shared"]
    specific = document["configuration"]["specific"]
    metadata = document.get("metadata", {})
    config_types = metadata.get("config_types", {})
    derived = metadata.get("derived", {})
    cursus_style = "format_version" not in metadata and "derived" not in metadata
    for step in config_types:
        if step not in specific:
            raise ConfigFileError(file, f"metadata.config_types names step '{step}', which has no entry in "
                                        "configuration.specific", step=step)
    loader = _Loader(file, config_classes, cursus_style)
    loaded = LoadedConfigs({}, "cursus" if cursus_style else "cursus-lint",
                           metadata.get("created_at") if isinstance(metadata.get("created_at"), str) else None)
    for step in _save_order(specific, metadata.get("field_sources")):
        loaded.configs[step], written = _load_step(loader, step, specific[step], shared, config_types.get(step))
        if written:
            loaded.derived[step] = written
        if check_derived and step in derived:
            _check_derived(file, step, loaded.configs[step], derived[step])
    for step in derived:
        if step not in specific:
            raise ConfigFileError(file, f"metadata.derived names step '{step}', which has no entry in "
                                        "configuration.specific", step=step)
    return loaded


def _save_order(specific: Mapping[str, Any], field_sources: Any) -> list[str]:
    """Steps in the order cursus saved them (its field_sources lists keep it), else file order."""
    order: list[str] = []
    if isinstance(field_sources, dict):
        for steps in field_sources.values():
            if isinstance(steps, list) and len(steps) > len(order):
                order = [s for s in steps if isinstance(s, str) and s in specific]
    seen = dict.fromkeys(order)
    return list(seen) + [s for s in specific if s not in seen]


def _load_step(loader: _Loader, step: str, entry: Any, shared: Mapping[str, Any],
               listed: Any) -> tuple[BaseModel, dict[str, Any]]:
    file = loader.path
    if not isinstance(entry, dict):
        raise ConfigFileError(file, f"step '{step}': its entry in configuration.specific must be an object", step=step)
    named = entry.get(MODEL_TYPE_KEY)
    if named is not None and listed is not None and named != listed:
        raise ConfigFileError(file, f"step '{step}': {MODEL_TYPE_KEY} is '{named}' but metadata.config_types "
                                    f"says '{listed}'", step=step)
    class_name = named if named is not None else listed
    if class_name is None:
        raise ConfigFileError(file, f"step '{step}': no {MODEL_TYPE_KEY} and no metadata.config_types entry "
                                    "names its class", step=step)
    cls = loader.resolve(class_name, step)
    raw, written = loader.written_fields(cls, {**shared, **entry})
    try:
        values = {k: loader.decode(v, step, k, _field_classes(cls, k)) for k, v in raw.items()}
        return cls.model_validate(values), written
    except _Invalid as exc:
        raise ConfigValidationError(file, step, cls.__name__, exc.errors) from exc
    except ValidationError as exc:
        raise ConfigValidationError(file, step, cls.__name__, _errors(exc)) from exc
    except ConfigLoadError:  # already names the file and step
        raise
    except Exception as exc:  # a validator of user code that raised something other than ValueError
        raise ConfigValidationError(file, step, cls.__name__, [("", f"{type(exc).__name__}: {exc}")]) from exc


def _check_derived(file: Path, step: str, config: BaseModel, stored: Any) -> None:
    class_name = type(config).__name__
    if not isinstance(stored, dict):
        raise ConfigFileError(file, f"metadata.derived.{step} must be an object", step=step, class_name=class_name)
    try:
        computed = _derived_values(config)
    except Exception as exc:
        raise DerivedValueError(file, f"step '{step}' ({class_name}): derived values could not be recomputed: "
                                      f"{type(exc).__name__}: {exc}", step=step, class_name=class_name) from exc
    for name, file_value in stored.items():
        if name not in computed:
            raise DerivedValueError(file, f"step '{step}' ({class_name}): the file has derived value '{name}', "
                                          f"which {class_name} does not define", step=step, class_name=class_name)
        value = _encode(computed[name], f"{step}.{name}")
        if _json(value) != _json(file_value):
            raise DerivedValueMismatchError(file, step, class_name, name, file_value, value)
