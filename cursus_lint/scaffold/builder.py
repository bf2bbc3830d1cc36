"""The classic layout's step builder for each SageMaker type (the fixtures' shapes, generic bodies)."""

from __future__ import annotations

from .classic import spec_module, spec_variable
from .config import env_field
from .design import StepDesign

_SDK_IMPORTS = {
    "Processing": ["from sagemaker.processing import ProcessingInput, ProcessingOutput",
                   "from sagemaker.sklearn import SKLearnProcessor", "from sagemaker.workflow.functions import Join",
                   "from sagemaker.workflow.steps import ProcessingStep"],
    "Training": ["from sagemaker.inputs import TrainingInput", "from sagemaker.sklearn import SKLearn",
                 "from sagemaker.workflow.functions import Join", "from sagemaker.workflow.steps import TrainingStep"],
    "CreateModel": ["from sagemaker import image_uris", "from sagemaker.model import Model",
                    "from sagemaker.workflow.model_step import ModelStep"],
    "Transform": ["from sagemaker.transformer import Transformer", "from sagemaker.workflow.functions import Join",
                  "from sagemaker.workflow.steps import TransformStep"],
}

_PROCESSING = '''
    def _create_processor(self) -> SKLearnProcessor:
        return SKLearnProcessor(
            framework_version=self.config.processing_framework_version,
            role=self.role,
            instance_type=self.config.effective_instance_type,
            instance_count=self.config.processing_instance_count,
            volume_size_in_gb=self.config.processing_volume_size,
            base_job_name=self._generate_job_name(),
            sagemaker_session=self.session,
            env=self._get_environment_variables(),
            network_config=self._get_network_config(),
            output_kms_key=self._get_kms_key(),
        )

    def _get_inputs(self, inputs: Dict[str, Any]) -> List[ProcessingInput]:
        """One ProcessingInput per dependency, mounted at the contract's container path."""
        processing_inputs: List[ProcessingInput] = []
        for logical_name, dependency in self.spec.dependencies.items():
            if logical_name not in inputs:
                if dependency.required:
                    raise ValueError(f"Required input '{logical_name}' not provided")
                continue
            processing_inputs.append(
                ProcessingInput(
                    input_name=logical_name,
                    source=inputs[logical_name],
                    destination=self.contract.expected_input_paths[logical_name],
                )
            )
        return processing_inputs

    def _get_outputs(self, outputs: Dict[str, Any]) -> List[ProcessingOutput]:
        """One ProcessingOutput per spec output; default destinations hang off the base output path."""
        processing_outputs: List[ProcessingOutput] = []
        for logical_name in self.spec.outputs:
            if logical_name in outputs:
                destination = outputs[logical_name]
            else:
                destination = Join(
                    on="/",
                    values=[self._get_base_output_path(), *self.config.output_segments, logical_name],
                )
            processing_outputs.append(
                ProcessingOutput(
                    output_name=logical_name,
                    source=self.contract.expected_output_paths[logical_name],
                    destination=destination,
                )
            )
        return processing_outputs

    def create_step(self, **kwargs: Any) -> ProcessingStep:
        """Build the ProcessingStep; the compiler's resolved ``inputs`` win over matching on dependencies."""
        dependencies = kwargs.get("dependencies", [])
        step_args = self._create_processor().run(
            code=self.config.script_path,
            inputs=self._get_inputs(self._resolve_inputs(kwargs)),
            outputs=self._get_outputs(kwargs.get("outputs", {})),
            arguments=self._get_job_arguments(),
        )
        step = ProcessingStep(
            name=self._get_step_name(),
            step_args=step_args,
            depends_on=dependencies,
            cache_config=self._get_cache_config(kwargs.get("enable_caching", True)),
        )
        setattr(step, "_spec", self.spec)
        return step
'''

_TRAINING = '''
    def _create_estimator(self, output_path: Any) -> SKLearn:
        return SKLearn(
            entry_point=self.config.training_entry_point,
            source_dir=self.config.effective_training_source_dir,
            framework_version=self.config.training_framework_version,
            py_version=self.config.training_py_version,
            role=self.role,
            instance_type=self.config.training_instance_type,
            instance_count=self.config.training_instance_count,
            volume_size=self.config.training_volume_size,
            max_run=self.config.training_max_run_seconds,
            output_path=output_path,
            base_job_name=self._generate_job_name(),
            sagemaker_session=self.session,
            hyperparameters=self.config.hyperparameters.serialize_config(),
            environment=self._get_environment_variables(),
            output_kms_key=self._get_kms_key(),
            **self._get_vpc_settings(),
        )

    def _get_inputs(self, inputs: Dict[str, Any]) -> Dict[str, TrainingInput]:
        """One training channel per dependency, named after it (mounted at /opt/ml/input/data/<name>)."""
        channels: Dict[str, TrainingInput] = {}
        for logical_name, dependency in self.spec.dependencies.items():
            if logical_name not in inputs:
                if dependency.required:
                    raise ValueError(f"Required input '{logical_name}' not provided")
                continue
            channels[logical_name] = TrainingInput(s3_data=inputs[logical_name])
        return channels

    def _get_outputs(self, outputs: Dict[str, Any]) -> Any:
        """SageMaker writes model.tar.gz and output/ below one output_path."""
        if "{model_output}" in outputs:
            return outputs["{model_output}"]
        return Join(on="/", values=[self._get_base_output_path(), *self.config.output_segments])

    def create_step(self, **kwargs: Any) -> TrainingStep:
        """Build the TrainingStep; the compiler's resolved ``inputs`` win over matching on dependencies."""
        dependencies = kwargs.get("dependencies", [])
        estimator = self._create_estimator(self._get_outputs(kwargs.get("outputs", {})))
        step = TrainingStep(
            name=self._get_step_name(),
            step_args=estimator.fit(inputs=self._get_inputs(self._resolve_inputs(kwargs))),
            depends_on=dependencies,
            cache_config=self._get_cache_config(kwargs.get("enable_caching", True)),
        )
        setattr(step, "_spec", self.spec)
        return step
'''

_CREATE_MODEL = '''
    def _image_uri(self) -> str:
        return image_uris.retrieve(
            framework=self.config.inference_framework,
            region=self.config.aws_region,
            version=self.config.inference_framework_version,
            py_version=self.config.inference_py_version,
            instance_type=self.config.inference_instance_type,
            image_scope="inference",
        )

    def _create_model(self, model_data: Any) -> Model:
        return Model(
            image_uri=self._image_uri(),
            model_data=model_data,
            role=self.role,
            sagemaker_session=self.session,
        )

    def _get_inputs(self, inputs: Dict[str, Any]) -> Dict[str, Any]:
        """The only input is the trained model, passed to the model as model_data."""
        if "{model_input}" not in inputs:
            raise ValueError("Required input '{model_input}' not provided")
        return {"model_data": inputs["{model_input}"]}

    def _get_outputs(self, outputs: Dict[str, Any]) -> Dict[str, Any]:
        """A CreateModel step writes nothing; downstream steps read properties.ModelName."""
        return {}

    def create_step(self, **kwargs: Any) -> ModelStep:
        """Build a ModelStep whose step_args create the model for the configured instance type."""
        dependencies = kwargs.get("dependencies", [])
        model = self._create_model(self._get_inputs(self._resolve_inputs(kwargs))["model_data"])
        step = ModelStep(
            name=self._get_step_name(),
            step_args=model.create(instance_type=self.config.inference_instance_type),
            depends_on=dependencies,
        )
        setattr(step, "_spec", self.spec)
        return step
'''

_TRANSFORM = '''
    def _create_transformer(self, model_name: Any, output_path: Any) -> Transformer:
        return Transformer(
            model_name=model_name,
            instance_type=self.config.transform_instance_type,
            instance_count=self.config.transform_instance_count,
            output_path=output_path,
            accept=self.config.accept,
            assemble_with=self.config.split_type,
            output_kms_key=self._get_kms_key(),
            sagemaker_session=self.session,
        )

    def _get_inputs(self, inputs: Dict[str, Any]) -> Dict[str, Any]:
        """Arguments of ``Transformer.transform``: the data to score."""
        for logical_name in ("{model_input}", "{data_input}"):
            if logical_name not in inputs:
                raise ValueError(f"Required input '{logical_name}' not provided")
        return {
            "data": inputs["{data_input}"],
            "content_type": self.config.content_type,
            "split_type": self.config.split_type,
        }

    def _get_outputs(self, outputs: Dict[str, Any]) -> Any:
        if "{output}" in outputs:
            return outputs["{output}"]
        return Join(on="/", values=[self._get_base_output_path(), *self.config.output_segments])

    def create_step(self, **kwargs: Any) -> TransformStep:
        """Build the TransformStep; the compiler's resolved ``inputs`` win over matching on dependencies."""
        dependencies = kwargs.get("dependencies", [])
        inputs = self._resolve_inputs(kwargs)
        transform_args = self._get_inputs(inputs)
        transformer = self._create_transformer(inputs["{model_input}"], self._get_outputs(kwargs.get("outputs", {})))
        step = TransformStep(
            name=self._get_step_name(),
            step_args=transformer.transform(**transform_args),
            depends_on=dependencies,
            cache_config=self._get_cache_config(kwargs.get("enable_caching", True)),
        )
        setattr(step, "_spec", self.spec)
        return step
'''

_BODIES = {"Processing": _PROCESSING, "Training": _TRAINING, "CreateModel": _CREATE_MODEL, "Transform": _TRANSFORM}


def _body(step: StepDesign) -> str:
    body = _BODIES[step.sagemaker_type]
    names = {"{model_output}": step.outputs[0].name if step.outputs else "model_output",
             "{output}": step.outputs[0].name if step.outputs else "output"}
    if step.sagemaker_type == "CreateModel":
        names["{model_input}"] = step.dependencies[0].name
    if step.sagemaker_type == "Transform":
        names["{model_input}"], names["{data_input}"] = step.dependencies[0].name, step.dependencies[1].name
    for key, value in names.items():
        body = body.replace(key, value)
    return body


def _tuple(items: list[str]) -> str:
    """A Python tuple literal of strings (a 1-tuple keeps its comma)."""
    return "(" + ", ".join(f'"{i}"' for i in items) + ("," if len(items) == 1 else "") + ")"


def render_builder(step: StepDesign) -> str:
    kind = step.sagemaker_type
    cls = f"{step.name}StepBuilder"
    config = f"{step.name}Config"
    lines = [f'"""Builder for the {step.name} step ({kind})."""', "",
             "from typing import Any, Dict, List, Optional", "", *_SDK_IMPORTS[kind], "",
             "from cursus_core.base import StepBuilderBase", "",
             f"from ..configs.config_{step.snake}_step import {config}"]
    variants: list[str | None] = [*step.job_types] or [None]
    for jt in variants:
        lines.append(f"from ..specs.{spec_module(step, jt)} import {spec_variable(step, jt)}")
    lines += ["", ""]
    if step.job_types:
        lines += ["#: One specification per job type; the builder picks one from ``config.job_type``.",
                  "_SPECS_BY_JOB_TYPE = {", *[f'    "{jt}": {spec_variable(step, jt)},' for jt in step.job_types],
                  "}", "", ""]
    lines += [f"class {cls}(StepBuilderBase):",
              f'    """Turns a {config} and its specification into a SageMaker {kind} step."""', "",
              "    def __init__(", "        self,", f"        config: {config},",
              "        sagemaker_session: Optional[Any] = None,", "        role: Optional[str] = None,",
              "    ) -> None:"]
    if step.job_types:
        lines += ["        if config.job_type not in _SPECS_BY_JOB_TYPE:",
                  f'            raise ValueError(f"No {step.name} specification for job_type \'{{config.job_type}}\'")',
                  "        spec = _SPECS_BY_JOB_TYPE[config.job_type]"]
    else:
        lines.append(f"        spec = {spec_variable(step, None)}")
    lines += ["        super().__init__(config=config, spec=spec, sagemaker_session=sagemaker_session, role=role)",
              f"        self.config: {config} = config", "",
              "    def validate_configuration(self) -> None:",
              '        """Fail at build time, not hours into the job, when a needed setting is missing."""']
    required = [env_field(step, e) for e in step.env_required] + (["job_type"] if step.job_types else [])
    required += {"Processing": ["processing_entry_point"], "Training": ["training_entry_point"],
                 "CreateModel": ["inference_instance_type"], "Transform": ["transform_instance_type"]}[kind]
    lines += [f"        for attr in {_tuple(required)}:",
              "            if getattr(self.config, attr, None) in (None, \"\"):",
              f'                raise ValueError(f"{config}.{{attr}} is required")', "",
              "    def _get_environment_variables(self) -> Dict[str, str]:"]
    env = [*step.env_required, *step.env_optional]
    if step.has_script:
        lines += ['        """Exactly the env vars the script contract declares."""',
                  "        env_vars: Dict[str, str] = {}"]
        lines += [f'        env_vars["{e}"] = self.config.{env_field(step, e)}' for e in env]
        lines.append("        return env_vars")
    else:
        lines += ['        """A step without a script has no contract env vars."""', "        return {}"]
    lines += ["", "    def _get_job_arguments(self) -> Optional[List[str]]:"]
    lines.append('        return ["--job_type", self.config.job_type]' if step.job_types and step.has_script
                 else "        return None")
    return "\n".join(lines) + "\n" + _body(step)
