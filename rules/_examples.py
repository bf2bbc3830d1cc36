"""Building blocks for rule examples: one small, fully aligned two-step repo.

Every rule's bad/good examples start from :func:`repo` and replace one or two files, so an
example shows exactly the drift the rule is about and nothing else. ``repo()`` with no
arguments must produce zero findings for every rule (the test suite checks that).
"""

from __future__ import annotations

REGISTRY = '''\
STEP_NAMES = {
    "DataLoad": {
        "config_class": "DataLoadConfig",
        "builder_step_name": "DataLoadStepBuilder",
        "spec_type": "DataLoad",
        "sagemaker_step_type": "Processing",
        "description": "Loads raw data",
    },
    "Clean": {
        "config_class": "CleanConfig",
        "builder_step_name": "CleanStepBuilder",
        "spec_type": "Clean",
        "sagemaker_step_type": "Processing",
        "description": "Cleans raw data",
    },
}
'''

SCRIPT = '''\
import argparse
import os

INPUT_DIR = "/opt/ml/processing/input/data"
OUTPUT_DIR = "/opt/ml/processing/output/clean"


def main(input_paths, output_paths, environ_vars, job_args):
    label = environ_vars["LABEL_FIELD"]
    sep = environ_vars.get("SEPARATOR", ",")
    src = os.path.join(input_paths["raw_data"], "part.csv")
    dst = os.path.join(output_paths["clean_data"], f"{job_args.job_type}.csv")
    return label, sep, src, dst


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", required=True)
    args = parser.parse_args()
    main(
        {"raw_data": INPUT_DIR},
        {"clean_data": OUTPUT_DIR},
        {"LABEL_FIELD": os.environ["LABEL_FIELD"], "SEPARATOR": os.environ.get("SEPARATOR", ",")},
        args,
    )
'''

CONTRACT = '''\
from cursus_core.base import ScriptContract

CLEAN_CONTRACT = ScriptContract(
    entry_point="clean.py",
    expected_input_paths={"raw_data": "/opt/ml/processing/input/data"},
    expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},
    expected_arguments={"job_type": "training"},
    required_env_vars=["LABEL_FIELD"],
    optional_env_vars={"SEPARATOR": ","},
)
'''

SPEC = '''\
from cursus_core.base import DependencySpec, DependencyType, NodeType, OutputSpec, StepSpecification

from ..contracts.clean_contract import CLEAN_CONTRACT

CLEAN_SPEC = StepSpecification(
    step_type="Clean",
    node_type=NodeType.INTERNAL,
    script_contract=CLEAN_CONTRACT,
    dependencies=[
        DependencySpec(
            logical_name="raw_data",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
            required=True,
            compatible_sources=["DataLoad"],
            semantic_keywords=["raw", "data"],
            data_type="S3Uri",
        ),
    ],
    outputs=[
        OutputSpec(
            logical_name="clean_data",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['clean_data'].S3Output.S3Uri",
            aliases=["cleaned"],
            data_type="S3Uri",
        ),
    ],
)
'''

BUILDER = '''\
from sagemaker.processing import ProcessingInput, ProcessingOutput
from sagemaker.sklearn import SKLearnProcessor
from sagemaker.workflow.functions import Join
from sagemaker.workflow.steps import ProcessingStep

from cursus_core.base import StepBuilderBase

from ..configs.config_clean_step import CleanConfig
from ..specs.clean_spec import CLEAN_SPEC


class CleanStepBuilder(StepBuilderBase):
    def __init__(self, config: CleanConfig, sagemaker_session=None, role=None):
        super().__init__(config=config, spec=CLEAN_SPEC, sagemaker_session=sagemaker_session, role=role)

    def validate_configuration(self):
        if not self.config.label_name:
            raise ValueError("label_name is required")

    def _create_processor(self):
        return SKLearnProcessor(
            framework_version=self.config.processing_framework_version,
            role=self.role,
            instance_type=self.config.effective_instance_type,
            instance_count=self.config.processing_instance_count,
            env=self._get_environment_variables(),
        )

    def _get_environment_variables(self):
        env_vars = {}
        env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars["SEPARATOR"] = self.config.separator
        return env_vars

    def _get_inputs(self, inputs):
        contract = self.spec.script_contract
        return [
            ProcessingInput(input_name=name, source=inputs[name], destination=contract.expected_input_paths[name])
            for name in self.spec.dependencies
            if name in inputs
        ]

    def _get_outputs(self, outputs):
        contract = self.spec.script_contract
        return [
            ProcessingOutput(
                output_name=name,
                source=contract.expected_output_paths[name],
                destination=Join(on="/", values=[self._get_base_output_path(), "clean", name]),
            )
            for name in self.spec.outputs
        ]

    def _get_job_arguments(self):
        return ["--job_type", self.config.job_type]

    def create_step(self, **kwargs):
        inputs = self.extract_inputs_from_dependencies(kwargs.get("dependencies", []))
        return ProcessingStep(
            name=self._get_step_name(),
            processor=self._create_processor(),
            inputs=self._get_inputs(inputs),
            outputs=self._get_outputs({}),
            code=self.config.script_path,
            job_arguments=self._get_job_arguments(),
        )
'''

CONFIG = '''\
from pydantic import Field

from cursus_core.base import ProcessingStepConfigBase


class CleanConfig(ProcessingStepConfigBase):
    label_name: str = Field(description="Target column")
    job_type: str = "training"
    separator: str = ","
    processing_entry_point: str = "clean.py"
'''

LOAD_SPEC = '''\
from cursus_core.base import DependencyType, NodeType, OutputSpec, StepSpecification

DATA_LOAD_SPEC = StepSpecification(
    step_type="DataLoad",
    node_type=NodeType.SOURCE,
    outputs=[
        OutputSpec(
            logical_name="raw_data",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['raw_data'].S3Output.S3Uri",
            aliases=["data"],
            data_type="S3Uri",
        ),
    ],
)
'''

LOAD_BUILDER = '''\
from sagemaker.processing import ProcessingOutput
from sagemaker.sklearn import SKLearnProcessor
from sagemaker.workflow.functions import Join
from sagemaker.workflow.steps import ProcessingStep

from cursus_core.base import StepBuilderBase

from ..specs.data_load_spec import DATA_LOAD_SPEC


class DataLoadStepBuilder(StepBuilderBase):
    def __init__(self, config, sagemaker_session=None, role=None):
        super().__init__(config=config, spec=DATA_LOAD_SPEC, sagemaker_session=sagemaker_session, role=role)

    def validate_configuration(self):
        if not self.config.source_table:
            raise ValueError("source_table is required")

    def _create_processor(self):
        return SKLearnProcessor(
            framework_version=self.config.processing_framework_version,
            role=self.role,
            instance_type=self.config.effective_instance_type,
            instance_count=self.config.processing_instance_count,
        )

    def _get_inputs(self, inputs):
        return []

    def _get_outputs(self, outputs):
        return [
            ProcessingOutput(
                output_name="raw_data",
                source="/opt/ml/processing/output",
                destination=Join(on="/", values=[self._get_base_output_path(), "data_load", "raw_data"]),
            )
        ]

    def create_step(self, **kwargs):
        return ProcessingStep(
            name=self._get_step_name(),
            processor=self._create_processor(),
            outputs=self._get_outputs({}),
            code=self.config.script_path,
        )
'''

LOAD_CONFIG = '''\
from cursus_core.base import ProcessingStepConfigBase


class DataLoadConfig(ProcessingStepConfigBase):
    source_table: str
'''

PATHS = {
    "registry": "registry/step_names.py",
    "script": "steps/scripts/clean.py",
    "contract": "steps/contracts/clean_contract.py",
    "spec": "steps/specs/clean_spec.py",
    "builder": "steps/builders/builder_clean_step.py",
    "config": "steps/configs/config_clean_step.py",
    "load_spec": "steps/specs/data_load_spec.py",
    "load_builder": "steps/builders/builder_data_load_step.py",
    "load_config": "steps/configs/config_data_load_step.py",
}

BASE = {
    "registry": REGISTRY, "script": SCRIPT, "contract": CONTRACT, "spec": SPEC, "builder": BUILDER,
    "config": CONFIG, "load_spec": LOAD_SPEC, "load_builder": LOAD_BUILDER, "load_config": LOAD_CONFIG,
}


def repo(extra: dict[str, str] | None = None, drop: tuple[str, ...] = (), **replace: str) -> dict[str, str]:
    """The aligned two-step repo (DataLoad -> Clean) as ``{relative path: text}``.

    ``replace`` swaps a component by key (``script=...``, ``contract=...``, see :data:`PATHS`),
    ``drop`` removes components, ``extra`` adds files by relative path.
    """
    unknown = set(replace) - set(BASE)
    if unknown:
        raise KeyError(f"unknown component(s) {sorted(unknown)}; choose from {sorted(BASE)}")
    files = {PATHS[k]: replace.get(k, v) for k, v in BASE.items() if k not in drop}
    files.update(extra or {})
    return files


def edit(component: str, old: str, new: str, count: int = 1) -> str:
    """The base text of ``component`` with ``old`` replaced by ``new`` (``old`` must be present)."""
    text = BASE[component]
    if old not in text:
        raise ValueError(f"{old!r} not found in the base {component}")
    return text.replace(old, new, count)


#: the registry with a step "Remote" that is registered here but implemented in another package
#: (no files in the repo): what it provides or defines is unknowable statically
REMOTE_REGISTRY = edit("registry", "STEP_NAMES = {\n", '''STEP_NAMES = {
    "Remote": {
        "config_class": "RemoteConfig",
        "builder_step_name": "RemoteStepBuilder",
        "spec_type": "Remote",
        "sagemaker_step_type": "Processing",
        "description": "Implemented in another package",
    },
''')


def line_of(component_text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` occurrence of ``needle`` (for an example's expected lines)."""
    seen = 0
    for i, line in enumerate(component_text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == nth:
                return i
    raise ValueError(f"{needle!r} not found")


#: a Clean builder that wraps a step class of an external SDK instead of creating a SageMaker job
SDK_BUILDER = '''from sagemaker.workflow.steps import Step

from cursus_core.base import StepBuilderBase
from vendor_sdk.cleaning import CleaningStep

from ..configs.config_clean_step import CleanConfig
from ..specs.clean_spec import CLEAN_SPEC


class CleanStepBuilder(StepBuilderBase):
    def __init__(self, config: CleanConfig, sagemaker_session=None, role=None):
        super().__init__(config=config, spec=CLEAN_SPEC, sagemaker_session=sagemaker_session, role=role)

    def validate_configuration(self):
        if not self.config.label_name:
            raise ValueError("label_name is required")

    def _get_inputs(self, inputs):
        return inputs

    def _get_outputs(self, outputs):
        return outputs

    def create_step(self, **kwargs) -> Step:
        return CleaningStep(name=self._get_step_name(), inputs=self._get_inputs(kwargs.get("inputs", {})))
'''

# ----------------------------------------------------------------------------- interface layout

CLEAN_INTERFACE = '''\
step_type: Clean
node_type: internal
registry:
  sagemaker_step_type: Processing
  description: Cleans raw data
patterns:
  step_assembly: code
  direct_input_keys: [raw_data]
compute:
  kind: sklearn
  framework_version_field: processing_framework_version
contract:
  entry_point: clean.py
  inputs:
    raw_data:
      path: /opt/ml/processing/input/data
  outputs:
    clean_data:
      path: /opt/ml/processing/output/clean
  job_arguments:
    - flag: --job_type
      source: job_type
  env_vars:
    required: [LABEL_FIELD]
    optional:
      SEPARATOR: ","
spec:
  dependencies:
    raw_data:
      type: processing_output
      required: true
      compatible_sources: [DataLoad]
      semantic_keywords: [raw, data]
  outputs:
    clean_data:
      type: processing_output
      property_path: properties.ProcessingOutputConfig.Outputs['clean_data'].S3Output.S3Uri
      aliases: [cleaned]
variants:
  calibration:
    spec:
      outputs:
        clean_data:
          aliases: [calibration_data]
'''

LOAD_INTERFACE = '''\
step_type: DataLoad
node_type: source
registry:
  sagemaker_step_type: Processing
  description: Loads raw data
compute:
  kind: sklearn
  framework_version_field: processing_framework_version
contract:
  entry_point: null
  inputs: {}
  outputs:
    raw_data:
      path: /opt/ml/processing/output
spec:
  outputs:
    raw_data:
      type: processing_output
      property_path: properties.ProcessingOutputConfig.Outputs['raw_data'].S3Output.S3Uri
      aliases: [data]
'''

INTERFACE_PATHS = {
    "clean": "steps/interfaces/clean.step.yaml",
    "load": "steps/interfaces/data_load.step.yaml",
    "script": "steps/scripts/clean.py",
    "config": "steps/configs/config_clean_step.py",
    "load_config": "steps/configs/config_data_load_step.py",
}

#: the Clean config of the interface layout: the template builder gets the env from the config's
#: own collector (there is no builder code to map LABEL_FIELD to label_name)
INTERFACE_CONFIG = CONFIG + '''
    def get_environment_variables(self):
        return {"LABEL_FIELD": self.label_name, "SEPARATOR": self.separator}
'''

INTERFACE_BASE = {"clean": CLEAN_INTERFACE, "load": LOAD_INTERFACE, "script": SCRIPT, "config": INTERFACE_CONFIG,
                  "load_config": LOAD_CONFIG}


def interface_repo(extra: dict[str, str] | None = None, drop: tuple[str, ...] = (), **replace: str) -> dict[str, str]:
    """The same aligned two-step repo in the interface layout (``steps/interfaces/*.step.yaml``,
    no contracts, specs, builders or registry file); components by key, see :data:`INTERFACE_PATHS`."""
    unknown = set(replace) - set(INTERFACE_BASE)
    if unknown:
        raise KeyError(f"unknown component(s) {sorted(unknown)}; choose from {sorted(INTERFACE_BASE)}")
    files = {INTERFACE_PATHS[k]: replace.get(k, v) for k, v in INTERFACE_BASE.items() if k not in drop}
    files.update(extra or {})
    return files


def interface_edit(component: str, old: str, new: str, count: int = 1) -> str:
    """The base text of an interface-layout ``component`` with ``old`` replaced by ``new``."""
    text = INTERFACE_BASE[component]
    if old not in text:
        raise ValueError(f"{old!r} not found in the base {component}")
    return text.replace(old, new, count)
