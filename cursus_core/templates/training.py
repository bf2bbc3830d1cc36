"""Training route: ``TrainingStep(step_args=estimator.fit(inputs=channels))``.

``compute.kind: estimator`` builds the framework estimator named by ``compute.sdk_class``;
``byo_container`` a generic ``Estimator`` on the config's image. An input that declares
``channels`` fans out into one channel per name below its source (``<source>/<channel>/``); any
other input is one channel, named by the ``/opt/ml/input/data/<channel>`` part of its container
path, else by its logical name. The estimator writes below one output path,
``<execution prefix>/<step>[/<job_type>]``.
"""

from __future__ import annotations

from typing import Any

from .base import TemplateConfigError, TemplateStepBuilder
from .processing import sdk_estimator_class

__all__ = ["TrainingTemplate", "channel_names"]

_DATA_ROOT = ("opt", "ml", "input", "data")


def channel_names(logical_name: str, container_path: str | None, declared: tuple[str, ...]) -> list[str]:
    """The SageMaker channels one input feeds: its declared ``channels``, else one."""
    if declared:
        return list(declared)
    parts = [p for p in (container_path or "").split("/") if p]
    if len(parts) > 4 and tuple(parts[:4]) == _DATA_ROOT:
        return [parts[4]]
    return [logical_name]


class TrainingTemplate(TemplateStepBuilder):
    """Training: one estimator, inputs as channels."""

    def validate_configuration(self) -> None:
        super().validate_configuration()
        kind = self.compute_value("kind")
        if kind not in ("estimator", "byo_container"):
            raise TemplateConfigError(f"Training step {self.step_type} needs compute.kind estimator or byo_container, "
                                      f"got {kind!r}")

    def _source_dir(self) -> Any:
        for name in ("effective_training_source_dir", "training_source_dir", "effective_source_dir", "source_dir"):
            value = getattr(self.config, name, None)
            if value:
                return value
        return None

    def _create_estimator(self, output_path: Any) -> Any:
        config = self.config
        common = dict(role=self.role, instance_type=self.config_field("instance_type_field", "training_instance_type"),
                      instance_count=getattr(config, "training_instance_count", 1),
                      volume_size=getattr(config, "training_volume_size", 30), output_path=output_path,
                      base_job_name=self._generate_job_name(), sagemaker_session=self.session,
                      environment=self._get_environment_variables(), output_kms_key=self._get_kms_key(),
                      **self._get_vpc_settings())
        entry_point = self.config_field("entry_point_field", "training_entry_point")
        if self.compute_value("kind") == "byo_container":
            from sagemaker.estimator import Estimator

            image = self.config_field("image_uri_field", "image_uri")
            if self.compute_value("container_entrypoint"):
                return Estimator(image_uri=image, **common)
            return Estimator(image_uri=image, entry_point=entry_point, source_dir=self._source_dir(), **common)
        cls = sdk_estimator_class(self.compute_value("sdk_class"))
        framework = self.config_field("framework_version_field", "framework_version")
        py = self.config_field("py_version_field", "py_version", required=False)
        return cls(entry_point=entry_point, source_dir=self._source_dir(), framework_version=framework,
                   **({"py_version": py} if py else {}), **common)

    def _get_inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        from sagemaker.inputs import TrainingInput
        from sagemaker.workflow.functions import Join

        channels: dict[str, Any] = {}
        for name, source in inputs.items():
            port = self.interface.contract.inputs.get(name)
            declared = tuple(v.value for v in port.channels) if port is not None else ()
            path = port.path.value if port is not None else None
            for channel in channel_names(name, path, declared):
                data = Join(on="/", values=[source, channel, ""]) if declared else source
                channels[channel] = TrainingInput(s3_data=data)
        if not channels:
            raise ValueError(f"training step {self.step_type} has no input channel")
        return channels

    def _get_outputs(self, outputs: dict[str, Any]) -> Any:
        return self.single_output_path(outputs)

    def create_step(self, **kwargs: Any) -> Any:
        from sagemaker.workflow.steps import TrainingStep

        channels = self._get_inputs(self.wired_inputs(kwargs))
        estimator = self._create_estimator(self._get_outputs(kwargs.get("outputs") or {}))
        step = TrainingStep(name=self._get_step_name(), step_args=estimator.fit(inputs=channels),
                            depends_on=kwargs.get("dependencies") or [],
                            cache_config=self._get_cache_config(kwargs.get("enable_caching", True)))
        return self._finish(step)


def _describe_single(builder: TemplateStepBuilder, name: str) -> str:
    return "/".join(["{execution prefix}", *builder.output_segments()])


TrainingTemplate.describe_output = _describe_single  # type: ignore[method-assign]
