"""The routes cursus's template builders know (interface layout), as data for the L4 rules.

A step interface is built by the handler its SageMaker step type selects; ``compute.kind`` then
picks the SDK object, and each kind needs some values from the config (a framework version, an
image URI, ...), named by a ``compute.*_field`` key or found under a conventional attribute name.
Mirrors :mod:`cursus_core.templates` (and upstream's handlers) without importing them.
"""

from __future__ import annotations

import msgspec

#: SageMaker step types an SDK package's own step class builds (any kind, no template)
SDK_TYPES = frozenset({"CradleDataLoading", "RedshiftDataLoading", "MimsModelRegistrationProcessing"})
#: step types cursus registers on purpose without a builder
NO_BUILDER = frozenset({"Base", "Lambda"})
#: the ``compute.kind`` values each template handler builds
KINDS: dict[str, tuple[str, ...]] = {
    "Processing": ("sklearn", "xgboost", "framework", "script", "byo_container"),
    "Training": ("estimator", "byo_container"),
    "Tuning": ("estimator", "byo_container"),
    "CreateModel": ("model",),
    "Transform": ("transformer",),
}


class Need(msgspec.Struct, frozen=True):
    """A value a kind needs: written as one of ``compute_keys``, or a config attribute named one of
    ``attrs``."""

    what: str
    compute_keys: tuple[str, ...]
    attrs: tuple[str, ...]


_FRAMEWORK = Need("a framework version", ("framework_version_field", "framework_version_default"),
                  ("processing_framework_version", "framework_version"))
_IMAGE = Need("an image URI", ("image_uri_field",), ("image_uri",))

#: (step type, kind) -> what the template reads for it
NEEDS: dict[tuple[str, str], tuple[Need, ...]] = {
    ("Processing", "sklearn"): (_FRAMEWORK,),
    ("Processing", "xgboost"): (_FRAMEWORK,),
    ("Processing", "framework"): (_FRAMEWORK,),
    ("Processing", "script"): (_IMAGE,),
    ("Processing", "byo_container"): (_IMAGE,),
    ("Training", "estimator"): (Need("a framework version", ("framework_version_field",), ("framework_version",)),
                                Need("an entry point", ("entry_point_field",), ("training_entry_point",))),
    ("Training", "byo_container"): (_IMAGE,),
    ("CreateModel", "model"): (Need("a framework version", ("framework_version_field",), ("framework_version",)),
                               Need("a framework name", ("framework_name", "sdk_class"), ())),
    ("Transform", "transformer"): (Need("an instance type", ("instance_type_field",), ("transform_instance_type",)),),
}
