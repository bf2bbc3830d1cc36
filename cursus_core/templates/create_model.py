"""CreateModel route: ``ModelStep(step_args=model.create(instance_type=...))``.

``compute.kind: model``: the inference image is retrieved offline from the SDK's image tables
(``compute.framework_name``, else the framework of ``compute.sdk_class``; version from
``compute.framework_version_field``) for the config's region and instance type, and wrapped in a
``Model`` over the one model-artifacts input. The step's output is ``properties.ModelName``.
"""

from __future__ import annotations

from typing import Any

from .base import TemplateConfigError, TemplateStepBuilder

__all__ = ["CreateModelTemplate"]

_FRAMEWORK_OF = {"XGBoostModel": "xgboost", "PyTorchModel": "pytorch", "SKLearnModel": "sklearn"}


class CreateModelTemplate(TemplateStepBuilder):
    """CreateModel: one model-artifacts input, no outputs to write."""

    def validate_configuration(self) -> None:
        super().validate_configuration()
        if len(self.spec.dependencies) != 1:
            raise TemplateConfigError(f"CreateModel step {self.step_type} needs exactly one dependency (the model "
                                      f"artifacts), has {sorted(self.spec.dependencies)}")
        self._framework()

    def _framework(self) -> str:
        name = self.compute_value("framework_name") or _FRAMEWORK_OF.get(self.compute_value("sdk_class") or "")
        if not name:
            raise TemplateConfigError(f"CreateModel step {self.step_type}: compute names no framework "
                                      "(framework_name or a known sdk_class)")
        return str(name)

    def _instance_type(self) -> Any:
        return self.config_field("instance_type_field", "inference_instance_type", "instance_type")

    def _image_uri(self) -> str:
        from sagemaker import image_uris

        py = self.config_field("py_version_field", required=False)
        return image_uris.retrieve(framework=self._framework(), region=getattr(self.config, "aws_region", None),
                                   version=self.config_field("framework_version_field", "framework_version"),
                                   py_version=py, instance_type=self._instance_type(), image_scope="inference")

    def _vpc_config(self) -> dict[str, Any] | None:
        vpc = self._get_vpc_settings()
        return {"Subnets": vpc["subnets"], "SecurityGroupIds": vpc["security_group_ids"]} if vpc else None

    def _create_model(self, model_data: Any) -> Any:
        from sagemaker.model import Model

        env = self._get_environment_variables()
        return Model(image_uri=self._image_uri(), model_data=model_data, role=self.role, sagemaker_session=self.session,
                     env=env or None, vpc_config=self._vpc_config())

    def _get_outputs(self, outputs: dict[str, Any]) -> Any:
        return None

    def describe_output(self, name: str) -> str:
        return "(properties of the created model)"

    def create_step(self, **kwargs: Any) -> Any:
        from sagemaker.workflow.model_step import ModelStep

        inputs = self.wired_inputs(kwargs)
        model = self._create_model(next(iter(inputs.values())))
        step = ModelStep(name=self._get_step_name(), step_args=model.create(instance_type=self._instance_type()),
                         depends_on=kwargs.get("dependencies") or [])
        return self._finish(step)
