"""Processing routes: ``ProcessingStep(processor=..., code=...)`` and ``step_args=processor.run(...)``.

``compute.kind`` picks the processor: ``sklearn`` (SKLearnProcessor), ``xgboost`` (XGBoostProcessor),
``framework`` (FrameworkProcessor over ``compute.sdk_class``), ``script`` (ScriptProcessor on the
image named by ``compute.image_uri_field``) and ``byo_container`` (the same image run verbatim; with
``compute.container_entrypoint`` the container's own entrypoint runs and no code is uploaded).
Inputs mount at the contract's container paths, outputs leave from them.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, ClassVar

from .base import TemplateConfigError, TemplateStepBuilder

__all__ = ["ProcessingTemplate", "PROCESSING_KINDS"]

PROCESSING_KINDS = ("sklearn", "xgboost", "framework", "script", "byo_container")


def sdk_estimator_class(name: str | None) -> Any:
    """``compute.sdk_class`` -> the SageMaker framework class (estimators and models)."""
    import importlib

    table = {"XGBoost": ("sagemaker.xgboost", "XGBoost"), "SKLearn": ("sagemaker.sklearn", "SKLearn"),
             "PyTorch": ("sagemaker.pytorch", "PyTorch"), "XGBoostModel": ("sagemaker.xgboost", "XGBoostModel"),
             "PyTorchModel": ("sagemaker.pytorch", "PyTorchModel")}
    if name not in table:
        raise TemplateConfigError(f"compute.sdk_class {name!r} is not one of {sorted(table)}")
    module, attr = table[name]
    return getattr(importlib.import_module(module), attr)


class ProcessingTemplate(TemplateStepBuilder):
    """Processing, ``patterns.step_assembly`` ``code`` (default) or ``step_args``."""

    use_step_args: ClassVar[bool] = False

    def validate_configuration(self) -> None:
        super().validate_configuration()
        if self._entrypoint() is None and not self._script_path():
            raise TemplateConfigError(f"{type(self.config).__name__} names no script for {self.step_type} "
                                      f"(processing_entry_point is not set)")
        for name, path in self.container_input_paths().items():
            if not path and name in self.spec.dependencies:
                raise TemplateConfigError(f"input '{name}' of processing step {self.step_type} has no container path")

    def _entrypoint(self) -> list[str] | None:
        value = self.compute_value("container_entrypoint")
        if self.compute_value("kind") == "byo_container" and value:
            return [str(v) for v in value] if isinstance(value, list) else [str(value)]
        return None

    def _script_path(self) -> str | None:
        getter = getattr(self.config, "get_script_path", None)
        return getter() if callable(getter) else getattr(self.config, "script_path", None)

    def _common(self) -> dict[str, Any]:
        config = self.config
        instance_type = (self.config_field("instance_type_field", required=False)
                         or getattr(config, "effective_instance_type", None)
                         or getattr(config, "processing_instance_type", None))
        return dict(role=self.role, instance_type=instance_type,
                    instance_count=getattr(config, "processing_instance_count", 1),
                    volume_size_in_gb=getattr(config, "processing_volume_size", 30),
                    base_job_name=self._generate_job_name(), sagemaker_session=self.session,
                    env=self._get_environment_variables(), network_config=self._get_network_config(),
                    output_kms_key=self._get_kms_key())

    def _framework_version(self) -> Any:
        default = self.compute_value("framework_version_default")
        value = self.config_field("framework_version_field", "processing_framework_version", "framework_version",
                                  required=default is None)
        return value if value is not None else default

    def _create_processor(self) -> Any:
        kind = self.compute_value("kind") or "sklearn"
        common = self._common()
        if kind == "sklearn":
            from sagemaker.sklearn import SKLearnProcessor

            return SKLearnProcessor(framework_version=self._framework_version(), **common)
        if kind in ("xgboost", "framework"):
            from sagemaker.processing import FrameworkProcessor

            py = self.config_field("py_version_field", "py_version", required=False)
            extra = {"py_version": py} if py else {}
            if kind == "xgboost":
                from sagemaker.xgboost import XGBoostProcessor

                return XGBoostProcessor(framework_version=self._framework_version(), **extra, **common)
            return FrameworkProcessor(estimator_cls=sdk_estimator_class(self.compute_value("sdk_class")),
                                      framework_version=self._framework_version(), **extra, **common)
        image = self.config_field("image_uri_field", "image_uri")
        entrypoint = self._entrypoint()
        if entrypoint is not None:
            from sagemaker.processing import Processor

            return Processor(image_uri=image, entrypoint=entrypoint, **common)
        from sagemaker.processing import ScriptProcessor

        return ScriptProcessor(image_uri=image, command=["python3"], **common)

    def _get_inputs(self, inputs: dict[str, Any]) -> list[Any]:
        from sagemaker.processing import ProcessingInput

        paths = self.container_input_paths()
        return [ProcessingInput(input_name=name, source=value, destination=paths[name])
                for name, value in inputs.items()]

    def _get_outputs(self, outputs: dict[str, Any]) -> list[Any]:
        from sagemaker.processing import ProcessingOutput

        if self.interface.contract.sink.value:
            return []
        paths = self.container_output_paths()
        defaults = self.output_destinations(self._get_base_output_path())
        return [ProcessingOutput(output_name=name, source=paths[name], destination=outputs.get(name, defaults[name]))
                for name in self.spec.outputs if paths.get(name)]

    def create_step(self, **kwargs: Any) -> Any:
        from sagemaker.workflow.steps import ProcessingStep

        processor = self._create_processor()
        inputs = self._get_inputs(self.wired_inputs(kwargs))
        outputs = self._get_outputs(kwargs.get("outputs") or {})
        arguments = self._get_job_arguments()
        common = dict(name=self._get_step_name(), depends_on=kwargs.get("dependencies") or [],
                      cache_config=self._get_cache_config(kwargs.get("enable_caching", True)))
        code = None if self._entrypoint() is not None else self._script_path()
        if self.use_step_args:
            run: dict[str, Any] = dict(inputs=inputs, outputs=outputs, arguments=arguments)
            if code is not None:
                run["code"] = code
                if self.interface.contract.source_dir.value and hasattr(processor, "estimator_cls"):
                    run["code"], run["source_dir"] = PurePosixPath(code).name, str(PurePosixPath(code).parent)
            step = ProcessingStep(step_args=processor.run(**run), **common)
        else:
            step = ProcessingStep(processor=processor, inputs=inputs, outputs=outputs, code=code,
                                  job_arguments=arguments, **common)
        return self._finish(step)


class ProcessingStepArgsTemplate(ProcessingTemplate):
    """Processing with ``patterns.step_assembly: step_args``: ``processor.run(...)`` becomes the step."""

    use_step_args = True
