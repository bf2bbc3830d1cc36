"""Transform route: ``TransformStep(step_args=transformer.transform(data, ...))``.

``compute.kind: transformer``. Of the two dependencies, the one that is a name (type
``custom_property`` or data type ``String``) is the model name; the other is the data to score.
Record handling (``content_type``, ``split_type``, ``accept``, ``join_source``, ``input_filter``,
``assemble_with``) comes from same-named config fields when the config has them. Results go below
``<execution prefix>/<step>[/<job_type>]``.
"""

from __future__ import annotations

from typing import Any

from .base import TemplateConfigError, TemplateStepBuilder

__all__ = ["TransformTemplate"]

_TRANSFORM_FIELDS = ("content_type", "split_type", "input_filter", "join_source", "output_filter")
_TRANSFORMER_FIELDS = ("accept", "assemble_with", "max_payload", "strategy")


class TransformTemplate(TemplateStepBuilder):
    """Transform: model name + data in, predictions out."""

    def _roles(self) -> tuple[str, str]:
        names = [n for n, d in self.spec.dependencies.items()
                 if getattr(d.dependency_type, "value", d.dependency_type) == "custom_property"
                 or d.data_type == "String"]
        data = [n for n in self.spec.dependencies if n not in names]
        if len(names) != 1 or len(data) != 1:
            raise TemplateConfigError(f"Transform step {self.step_type} needs one model-name dependency "
                                      "(custom_property) and one data dependency; "
                                      f"has {sorted(self.spec.dependencies)}")
        return names[0], data[0]

    def validate_configuration(self) -> None:
        super().validate_configuration()
        self._roles()

    def _create_transformer(self, model_name: Any, output_path: Any) -> Any:
        from sagemaker.transformer import Transformer

        optional = {k: getattr(self.config, k) for k in _TRANSFORMER_FIELDS
                    if getattr(self.config, k, None) is not None}
        env = self._get_environment_variables()
        return Transformer(model_name=model_name,
                           instance_type=self.config_field("instance_type_field", "transform_instance_type"),
                           instance_count=getattr(self.config, "transform_instance_count", 1),
                           output_path=output_path, env=env or None, output_kms_key=self._get_kms_key(),
                           sagemaker_session=self.session, **optional)

    def _get_outputs(self, outputs: dict[str, Any]) -> Any:
        return self.single_output_path(outputs)

    def describe_output(self, name: str) -> str:
        return "/".join(["{execution prefix}", *self.output_segments()])

    def create_step(self, **kwargs: Any) -> Any:
        from sagemaker.workflow.steps import TransformStep

        inputs = self.wired_inputs(kwargs)
        model_key, data_key = self._roles()
        transformer = self._create_transformer(inputs[model_key], self._get_outputs(kwargs.get("outputs") or {}))
        options = {k: getattr(self.config, k) for k in _TRANSFORM_FIELDS if getattr(self.config, k, None) is not None}
        step = TransformStep(name=self._get_step_name(),
                             step_args=transformer.transform(data=inputs[data_key], **options),
                             depends_on=kwargs.get("dependencies") or [],
                             cache_config=self._get_cache_config(kwargs.get("enable_caching", True)))
        return self._finish(step)
