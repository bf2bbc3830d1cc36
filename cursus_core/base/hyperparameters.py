"""Model hyperparameters: the tiered base every training step's hyperparameters extend.

They travel to the training container as strings, so :meth:`ModelHyperparameters.serialize_config`
is the one place that decides how each value is written.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from .config import TieredModel

__all__ = ["ModelHyperparameters"]


class ModelHyperparameters(TieredModel):
    """Field lists, label/id names and class structure shared by all models."""

    # Tier 1: essential user inputs
    full_field_list: list[str] = Field(description="Every field of the input data, original names.")
    cat_field_list: list[str] = Field(description="Categorical fields (subset of full_field_list).")
    tab_field_list: list[str] = Field(description="Numeric fields (subset of full_field_list).")
    id_name: str = Field(description="ID field name.")
    label_name: str = Field(description="Label field name.")
    multiclass_categories: list[int | str] = Field(description="Distinct class labels.")

    # Tier 2: system inputs with defaults
    model_class: str = Field(default="base_model", description="Model class name.")
    device: int = Field(default=-1, description="Device id (-1 for CPU).")
    header: int = Field(default=0, description="Header row of CSV inputs.")
    lr: float = Field(default=3e-05, gt=0, description="Learning rate.")
    batch_size: int = Field(default=2, gt=0, le=256, description="Training batch size.")
    max_epochs: int = Field(default=3, gt=0, le=10, description="Maximum training epochs.")
    metric_choices: list[str] = Field(default_factory=lambda: ["f1_score", "auroc"], description="Metrics.")
    optimizer: str = Field(default="SGD", description="Optimizer name.")
    class_weights: list[float] | None = Field(default=None, description="Per-class loss weights; 1.0 each if unset.")

    # Tier 3: derived
    _input_tab_dim: int | None = PrivateAttr(default=None)
    _num_classes: int | None = PrivateAttr(default=None)
    _is_binary: bool | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> ModelHyperparameters:
        full = set(self.full_field_list)
        for field in ("cat_field_list", "tab_field_list"):
            missing = [name for name in getattr(self, field) if name not in full]
            if missing:
                raise ValueError(f"{field}: {missing} not in full_field_list")
        labels = self.multiclass_categories
        if len(labels) < 2:
            raise ValueError(f"multiclass_categories: need at least 2 classes, got {labels}")
        if len(set(labels)) != len(labels):
            raise ValueError(f"multiclass_categories: {labels} contains duplicates")
        if self.class_weights is not None and len(self.class_weights) != len(labels):
            raise ValueError(
                f"class_weights: {len(self.class_weights)} weights for {len(labels)} multiclass_categories"
            )
        return self

    @property
    def input_tab_dim(self) -> int:
        if self._input_tab_dim is None:
            self._input_tab_dim = len(self.tab_field_list)
        return self._input_tab_dim

    @property
    def num_classes(self) -> int:
        if self._num_classes is None:
            self._num_classes = len(self.multiclass_categories)
        return self._num_classes

    @property
    def is_binary(self) -> bool:
        if self._is_binary is None:
            self._is_binary = self.num_classes == 2
        return self._is_binary

    def serialize_config(self) -> dict[str, str]:
        """Every field and derived value as a string: strings as-is, everything else as JSON."""
        values: dict[str, Any] = self.model_dump()
        if values["class_weights"] is None:
            values["class_weights"] = [1.0] * self.num_classes
        for name in self.derived_property_names():
            values[name] = getattr(self, name)
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
