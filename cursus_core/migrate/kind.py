"""``compute.kind`` from the config class, when the builder's code does not tell.

A classic builder names its SDK class (``SKLearnProcessor`` -> ``sklearn``); without a builder, or
with one that builds its SDK object in a way :mod:`.infer` does not read, the config class still
shows which template route can feed from it: the fields it has through its inheritance chain
(see :func:`route_from_config`). These are the kinds cursus itself gave its steps when it converted
them (checked by ``tools/compare_migrate.py``: every kind but those of a FrameworkProcessor over
SKLearn and a ScriptProcessor step, which a config does not tell from ``sklearn``).
``compute.sdk_class`` (which framework class) is not in the config's shape either, so it is left
to the user, with a note. Nothing is imported: configs are read as syntax trees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cursus_core.facts import ConfigFacts, extract_configs
from cursus_core.source import load_source

#: Fields of the shared config bases that live outside the repo (cursus' own base classes), by base name.
KNOWN_BASE_FIELDS: dict[str, frozenset[str]] = {
    "ProcessingStepConfigBase": frozenset({"processing_framework_version"}),
}
#: kinds that need ``compute.sdk_class`` to name the framework class
NEEDS_SDK_CLASS = frozenset({"framework", "estimator", "model"})


@dataclass(frozen=True)
class ConfigRoute:
    """The kind a config class can feed, the ``*_field`` keys naming its attributes, and why."""

    kind: str
    fields: dict[str, str] = field(default_factory=dict)
    reason: str = ""


def config_chain(path: Path, class_name: str | None) -> tuple[list[ConfigFacts], set[str]]:
    """The config class in ``path`` (``class_name``, else the file's first class) and its ancestors
    defined in the same directory; plus the names of ancestors defined elsewhere."""
    classes: dict[str, ConfigFacts] = {}
    own = extract_configs(load_source(path))
    for sibling in sorted(path.parent.glob("*.py")):
        if sibling != path:
            for c in extract_configs(load_source(sibling)):
                classes.setdefault(c.name, c)
    for c in own:  # the config's own file wins a name clash
        classes[c.name] = c
    start = next((c for c in own if c.name == class_name), own[0] if own else None)
    chain: list[ConfigFacts] = []
    outside: set[str] = set()
    todo = [start] if start is not None else []
    seen: set[str] = set()
    while todo:
        cls = todo.pop(0)
        if cls.name in seen:
            continue
        seen.add(cls.name)
        chain.append(cls)
        for base in cls.bases:
            name = base.rsplit(".", 1)[-1]
            if name in classes and name not in seen:
                todo.append(classes[name])
            elif name not in classes:
                outside.add(name)
    return chain, outside


def route_from_config(path: Path, class_name: str | None, sagemaker_step_type: str,
                      step: str = "") -> ConfigRoute | None:
    """The kind the config class of a ``sagemaker_step_type`` step points at; None when it shows none.

    In order: a field of its own naming an image (``*image_uri``) -> ``byo_container`` (the step
    brings its own container); ``xgboost_framework_version``, or framework fields on a step named
    for XGBoost -> ``xgboost``; ``framework_version`` + ``py_version`` -> ``framework`` (Training:
    ``estimator``, CreateModel: ``model``); ``processing_framework_version`` -> ``sklearn``.
    """
    chain, outside = config_chain(path, class_name)
    if not chain:
        return None
    names = {f for c in chain for f in c.fields} | {f for c in chain for f in c.properties}
    image = sorted(f for c in chain for f in c.fields if f.endswith("image_uri"))
    ancestry = {c.name for c in chain[1:]} | outside
    for base in outside:
        names |= KNOWN_BASE_FIELDS.get(base, frozenset())
    framework = {"framework_version_field": "framework_version", "py_version_field": "py_version"}
    has_framework = {"framework_version", "py_version"} <= names
    if sagemaker_step_type == "Transform":
        return ConfigRoute("transformer", {}, "a Transform step has one template kind")
    if sagemaker_step_type in ("Training", "CreateModel") and has_framework:
        kind = "estimator" if sagemaker_step_type == "Training" else "model"
        return ConfigRoute(kind, framework, "the config has framework_version and py_version")
    if sagemaker_step_type != "Processing":
        return None
    if image:
        return ConfigRoute("byo_container", {"image_uri_field": image[0]}, f"the config has {image[0]}")
    if "xgboost_framework_version" in names:
        return ConfigRoute("xgboost", {"framework_version_field": "xgboost_framework_version"},
                           "the config has xgboost_framework_version")
    if has_framework and "xgboost" in step.lower():
        return ConfigRoute("xgboost", framework, "the config has framework_version and py_version and the step "
                           "is named for XGBoost")
    if has_framework:
        return ConfigRoute("framework", framework, "the config has framework_version and py_version")
    if "processing_framework_version" in names:
        via = "derives from ProcessingStepConfigBase" if "ProcessingStepConfigBase" in ancestry \
            else "has processing_framework_version"
        return ConfigRoute("sklearn", {"framework_version_field": "processing_framework_version"},
                           f"the config {via}")
    return None
