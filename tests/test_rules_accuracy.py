"""False-alarm classes and blind spots found by linting real cursus repositories (issue 12), kept as
regression tests over shapes written for these tests: exact codes, lines and messages."""

from __future__ import annotations

from pathlib import Path

from cursus_lint.diagnostic import Severity
from cursus_lint.rules._examples import BASE, PATHS, SDK_BUILDER, edit, line_of, repo

from .repo_helpers import findings, lint_repo

SCRIPT, CONTRACT, SPEC = PATHS["script"], PATHS["contract"], PATHS["spec"]
BUILDER, CONFIG, REGISTRY = PATHS["builder"], PATHS["config"], PATHS["registry"]


def _registry_type(step_type: str) -> str:
    return edit("registry", '"sagemaker_step_type": "Processing",\n        "description": "Cleans',
                f'"sagemaker_step_type": "{step_type}",\n        "description": "Cleans')


# ----------------------------------------------------------------------------- CL101 / CL405: SDK-run steps

PLACEHOLDER = edit("contract", 'entry_point="clean.py"', 'entry_point="scripts.py"')
PLACEHOLDER_MESSAGE = "contract 'CLEAN_CONTRACT' entry_point 'scripts.py' names no existing script 'scripts.py'"


def test_placeholder_entry_point_of_a_script_step_is_reported(tmp_path: Path) -> None:
    result = lint_repo(tmp_path, repo(drop=("script",), contract=PLACEHOLDER), ["CL101"])
    assert findings(result, tmp_path) == [(CONTRACT, line_of(PLACEHOLDER, "entry_point="), "CL101",
                                           PLACEHOLDER_MESSAGE)]


def test_placeholder_entry_point_of_a_non_script_step_type_is_not_a_missing_script(tmp_path: Path) -> None:
    for step_type in ("CradleDataLoading", "MimsModelRegistrationProcessing"):
        result = lint_repo(tmp_path / step_type, repo(drop=("script",), contract=PLACEHOLDER,
                                                      registry=_registry_type(step_type)), ["CL101"])
        assert findings(result, tmp_path / step_type) == []
        assert result.unknown["entry-point-of-script-less-step"] == 1


def test_sdk_delegating_builder_needs_no_script_and_no_processor(tmp_path: Path) -> None:
    result = lint_repo(tmp_path, repo(drop=("script",), contract=PLACEHOLDER, builder=SDK_BUILDER),
                       ["CL101", "CL405"])
    assert findings(result, tmp_path) == []


def test_sdk_delegating_builder_still_needs_the_common_methods(tmp_path: Path) -> None:
    builder = SDK_BUILDER.replace("    def _get_outputs(self, outputs):\n        return outputs\n\n", "")
    result = lint_repo(tmp_path, repo(builder=builder), ["CL405"])
    assert findings(result, tmp_path) == [(BUILDER, line_of(builder, "class CleanStepBuilder"), "CL405",
                                           "builder CleanStepBuilder defines no '_get_outputs' (required for "
                                           "sagemaker_step_type 'Processing')")]


def test_builder_that_imports_a_processor_is_not_sdk_delegating(tmp_path: Path) -> None:
    builder = SDK_BUILDER.replace("from sagemaker.workflow.steps import Step\n",
                                  "from sagemaker.processing import ScriptProcessor\n"
                                  "from sagemaker.workflow.steps import Step\n")
    result = lint_repo(tmp_path, repo(drop=("script",), contract=PLACEHOLDER, builder=builder), ["CL101", "CL405"])
    assert sorted(f[:3] for f in findings(result, tmp_path)) == [
        (BUILDER, line_of(builder, "class CleanStepBuilder"), "CL405"),
        (CONTRACT, line_of(PLACEHOLDER, "entry_point="), "CL101")]


# ----------------------------------------------------------------------------- CL102: managed and unused paths


def test_sagemaker_managed_paths_and_unused_table_entries_are_not_undeclared(tmp_path: Path) -> None:
    script = edit("script", "    return label, sep, src, dst\n",
                  '    ckpt = os.environ.get("SM_CHECKPOINT_DIR", "/opt/ml/checkpoints/run")\n'
                  '    model = os.getenv("SM_MODEL_DIR", "/opt/ml/model")\n'
                  '    return label, sep, src, dst, ckpt, model, PATHS.get("DATA")\n').replace(
        'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n',
        'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n'
        'PATHS = {"DATA": "/opt/ml/processing/input/data", "PLOTS": "/opt/ml/processing/output/plots"}\n')
    assert findings(lint_repo(tmp_path, repo(script=script), ["CL102"]), tmp_path) == []


def test_a_looked_up_table_entry_and_a_non_sm_default_are_still_uses(tmp_path: Path) -> None:
    script = edit("script", "    return label, sep, src, dst\n",
                  '    tmp = os.environ.get("WORK_DIR", "/opt/ml/processing/work")\n'
                  '    return label, sep, src, dst, tmp, PATHS["PLOTS"]\n').replace(
        'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n',
        'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n'
        'PATHS = {"DATA": "/opt/ml/processing/input/data", "PLOTS": "/opt/ml/processing/output/plots"}\n')
    result = findings(lint_repo(tmp_path, repo(script=script), ["CL102"]), tmp_path)
    tail = "that contract 'CLEAN_CONTRACT' does not declare (it is not at, below or above any expected input or " \
           "output path)"
    assert result == [
        (SCRIPT, line_of(script, "PATHS = {"), "CL102",
         f"script uses container path '/opt/ml/processing/output/plots' {tail}"),
        (SCRIPT, line_of(script, "WORK_DIR"), "CL102", f"script uses container path '/opt/ml/processing/work' {tail}"),
    ]


# ----------------------------------------------------------------------------- CL103: reads that are not reads

DUMP = edit("script", "    args = parser.parse_args()\n",
            "    args = parser.parse_args()\n"
            "    print(f\"  SM_OUTPUT_DATA_DIR: {os.environ.get('SM_OUTPUT_DATA_DIR', 'Not set')}\")\n"
            "    logger.info('job type %s', os.getenv('JOB_KIND'))\n")


def test_env_vars_only_printed_in_a_debug_dump_are_not_reads(tmp_path: Path) -> None:
    result = lint_repo(tmp_path, repo(script=DUMP), ["CL103"])
    assert findings(result, tmp_path) == []
    assert result.unknown["env-read-only-logged"] == 2


def test_a_read_that_drives_behaviour_still_counts_beside_a_dump(tmp_path: Path) -> None:
    script = DUMP.replace("    args = parser.parse_args()\n",
                          "    args = parser.parse_args()\n    kind = os.getenv('JOB_KIND', 'full')\n", 1)
    result = lint_repo(tmp_path, repo(script=script), ["CL103"])
    assert findings(result, tmp_path) == [(SCRIPT, line_of(script, "kind = os.getenv"), "CL103",
                                           "script reads env var 'JOB_KIND' that contract 'CLEAN_CONTRACT' does "
                                           "not declare")]


def test_environ_vars_key_fed_by_a_constant_is_not_an_env_read(tmp_path: Path) -> None:
    script = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                  '    sep = environ_vars.get("SEPARATOR", ",")\n    work = environ_vars.get("WORK_DIR", WORK)\n') \
        .replace('OUTPUT_DIR = "/opt/ml/processing/output/clean"\n',
                 'OUTPUT_DIR = "/opt/ml/processing/output/clean"\nWORK = "/tmp/clean_work"\n') \
        .replace('"SEPARATOR": os.environ.get("SEPARATOR", ",")}', '"SEPARATOR": os.environ.get("SEPARATOR", ","), '
                 '"WORK_DIR": WORK}')
    assert findings(lint_repo(tmp_path, repo(script=script), ["CL103"]), tmp_path) == []
    from_env = script.replace('"WORK_DIR": WORK}', '"WORK_DIR": os.environ.get("WORK_DIR", WORK)}')
    assert [f[2:] for f in findings(lint_repo(tmp_path / "env", repo(script=from_env), ["CL103"]),
                                    tmp_path / "env")] == [
        ("CL103", "script reads env var 'WORK_DIR' that contract 'CLEAN_CONTRACT' does not declare")] * 1


# ----------------------------------------------------------------------------- CL403: framework variables

ARN_BUILDER = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n',
                   '        env_vars["SEPARATOR"] = self.config.separator\n'
                   '        env_vars["AWS_DEFAULT_REGION"] = "us-east-1"\n'
                   '        env_vars["CA_REPOSITORY_ARN"] = "arn:aws:codeartifact:repo"\n')


def test_builder_framework_env_vars_follow_the_documented_list_and_the_allow_list(tmp_path: Path) -> None:
    result = lint_repo(tmp_path / "default", repo(builder=ARN_BUILDER), ["CL403"])
    assert findings(result, tmp_path / "default") == [
        (BUILDER, line_of(ARN_BUILDER, "CA_REPOSITORY_ARN"), "CL403",
         "builder CleanStepBuilder sets env var 'CA_REPOSITORY_ARN' that contract 'CLEAN_CONTRACT' does not declare")]
    for allow in (["CA_REPOSITORY_ARN"], ["CA_*"]):
        result = lint_repo(tmp_path / allow[0].strip("*"), repo(builder=ARN_BUILDER), ["CL403"],
                           framework_env_vars=allow)
        assert findings(result, tmp_path / allow[0].strip("*")) == []


# ----------------------------------------------------------------------------- CL505 / CL507 / CL601 / CL602

SHARED_BASE = {"steps/configs/config_processing_step_base.py":
               "from cursus_core.base import ProcessingStepConfigBase\n\n\n"
               "class SharedProcessingConfigBase(ProcessingStepConfigBase):\n    region: str = 'NA'\n"}
BASE_ENTRY = edit("registry", "STEP_NAMES = {\n",
                  'STEP_NAMES = {\n    "Processing": {\n        "config_class": "SharedProcessingConfigBase",\n'
                  '        "builder_step_name": "ProcessingStepBuilder",\n        "spec_type": "Processing",\n'
                  '        "sagemaker_step_type": "Processing",\n    },\n')


def test_shared_base_config_module_is_not_a_misnamed_step_config(tmp_path: Path) -> None:
    result = lint_repo(tmp_path, repo(registry=BASE_ENTRY, extra=SHARED_BASE), ["CL505"])
    assert findings(result, tmp_path) == []
    named_step = {"steps/configs/config_processing_step_base.py":
                  SHARED_BASE["steps/configs/config_processing_step_base.py"].replace(
                      "SharedProcessingConfigBase", "SharedProcessingConfig")}
    result = lint_repo(tmp_path / "step", repo(registry=BASE_ENTRY.replace("SharedProcessingConfigBase",
                                                                             "SharedProcessingConfig"),
                                               extra=named_step), ["CL505"])
    assert [f[2:] for f in findings(result, tmp_path / "step")] == [
        ("CL505", "config file 'config_processing_step_base.py' of step 'Processing' does not follow the pattern "
                  "'config_<snake_name>_step.py' (e.g. 'config_processing_step.py')")]


RENAMED_CONFIG = edit("registry", '"config_class": "CleanConfig"', '"config_class": "CleanStepConfig"')


def test_registry_drift_is_one_finding_when_cl507_and_cl601_both_run(tmp_path: Path) -> None:
    result = lint_repo(tmp_path, repo(registry=RENAMED_CONFIG), ["CL507", "CL601"])
    assert findings(result, tmp_path) == [
        (CONFIG, line_of(BASE["config"], "class CleanConfig"), "CL507",
         "registry entry 'Clean' names config_class 'CleanStepConfig' but config_clean_step.py defines config class "
         "'CleanConfig'")]
    alone = lint_repo(tmp_path / "alone", repo(registry=RENAMED_CONFIG), ["CL601"])
    assert [f[:3] for f in findings(alone, tmp_path / "alone")] == [
        (REGISTRY, line_of(RENAMED_CONFIG, "CleanStepConfig"), "CL601")]


def test_sdk_data_loading_step_type_is_valid(tmp_path: Path) -> None:
    result = lint_repo(tmp_path, repo(registry=_registry_type("RedshiftDataLoading")), ["CL602"])
    assert findings(result, tmp_path) == []


# ----------------------------------------------------------------------------- CL301: computed registries

COMPUTED_REGISTRY = '''from typing import Dict


def get_step_names() -> Dict[str, dict]:
    from .step_names_original import STEP_NAMES as ORIGINAL

    return dict(ORIGINAL)


STEP_NAMES = get_step_names()
'''


def _computed(spec: str) -> dict[str, str]:
    files = repo(spec=spec, extra={"registry/step_names_original.py": BASE["registry"]})
    files[REGISTRY] = COMPUTED_REGISTRY
    return files


def test_computed_registry_keeps_cl301_on_and_says_where_names_came_from(tmp_path: Path) -> None:
    spec = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["Dataload", "Clean-Training"]')
    result = lint_repo(tmp_path, _computed(spec), ["CL301"])
    line = line_of(spec, "Dataload")
    assert findings(result, tmp_path) == [
        (SPEC, line, "CL301", "compatible source 'Dataload' of dependency 'raw_data' of CLEAN_SPEC is not a "
                              "registered step or a step of this repo; did you mean 'DataLoad'? (names match "
                              "exactly: case and separators count)"),
        (SPEC, line, "CL301", "compatible source 'Clean-Training' of dependency 'raw_data' of CLEAN_SPEC is not a "
                              "registered step or a step of this repo; did you mean 'Clean_Training'? (names "
                              "match exactly: case and separators count)"),
    ]
    assert result.unknown["compatible-sources-checked-against-followed-registry"] == 1
    assert "registry-not-literal" not in result.unknown


def test_registry_without_a_literal_table_falls_back_to_the_catalog(tmp_path: Path) -> None:
    spec = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["DataLoader"]')
    files = repo(spec=spec)
    files[REGISTRY] = COMPUTED_REGISTRY.replace("from .step_names_original import STEP_NAMES as ORIGINAL",
                                                "ORIGINAL = {}")
    result = lint_repo(tmp_path, files, ["CL301"])
    assert [f[2:] for f in findings(result, tmp_path)] == [
        ("CL301", "compatible source 'DataLoader' of dependency 'raw_data' of CLEAN_SPEC is not a registered step "
                  "or a step of this repo; did you mean 'DataLoad'?")]
    assert sum(v for k, v in result.unknown.items() if k.startswith("compatible-sources-checked-against-")) == 1


def test_generic_placeholders_are_info_and_can_be_allowed(tmp_path: Path) -> None:
    spec = edit("spec", 'compatible_sources=["DataLoad"]', 'compatible_sources=["DataLoad", "ProcessingStep"]')
    result = lint_repo(tmp_path / "a", repo(spec=spec, registry=BASE_ENTRY, extra=SHARED_BASE), ["CL301"])
    assert [(f.code, f.severity, f.location.line, f.message) for f in result.diagnostics] == [
        ("CL301", Severity.INFO, line_of(spec, "ProcessingStep"),
         "compatible source 'ProcessingStep' of dependency 'raw_data' of CLEAN_SPEC names no registered step or "
         "step of this repo (a generic placeholder earns no resolver bonus)")]
    allowed = lint_repo(tmp_path / "b", repo(spec=spec), ["CL301"], compatible_source_placeholders=["ProcessingStep"])
    assert allowed.diagnostics == []


# ----------------------------------------------------------------------------- legacy default specs

def _legacy_repo(legacy_spec: str) -> dict[str, str]:
    variant = BASE["spec"].replace('step_type="Clean",', 'step_type="Clean_Training",') \
        .replace("CLEAN_SPEC", "CLEAN_TRAINING_SPEC")
    return repo(spec=legacy_spec, extra={"steps/specs/clean_training_spec.py": variant})


def test_legacy_default_spec_is_checked_against_the_contract_like_a_variant(tmp_path: Path) -> None:
    legacy = edit("spec", 'step_type="Clean",', 'step_type="Clean_Training",').replace(
        'logical_name="clean_data"', 'logical_name="cleaned_rows"').replace(
        "Outputs['clean_data']", "Outputs['cleaned_rows']")
    result = lint_repo(tmp_path, _legacy_repo(legacy), ["CL203", "CL204", "CL604"])
    assert findings(result, tmp_path) == [
        (SPEC, line_of(legacy, 'step_type="Clean_Training"'), "CL604",
         "spec 'CLEAN_SPEC' declares step type 'Clean_Training', which CLEAN_TRAINING_SPEC in clean_training_spec.py "
         "already declares; only one of them is used"),
        (SPEC, line_of(legacy, "outputs=["), "CL203",
         "contract output 'clean_data' of 'CLEAN_CONTRACT' has no output in spec 'CLEAN_SPEC'"),
        (SPEC, line_of(legacy, "OutputSpec("), "CL204",
         "spec output 'cleaned_rows' of 'CLEAN_SPEC' has no output path in contract 'CLEAN_CONTRACT'"),
    ]


def test_aligned_legacy_default_spec_only_gets_the_duplicate_finding(tmp_path: Path) -> None:
    legacy = edit("spec", 'step_type="Clean",', 'step_type="Clean_Training",')
    result = lint_repo(tmp_path, _legacy_repo(legacy), ["CL2", "CL604"])
    assert [f[2] for f in findings(result, tmp_path)] == ["CL604"]


# ----------------------------------------------------------------------------- CL111: crashes when unset

def test_conversion_of_an_env_read_without_default_is_reported_with_its_type(tmp_path: Path) -> None:
    script = edit("script", "    args = parser.parse_args()\n",
                  "    args = parser.parse_args()\n"
                  "    chunk = int(os.getenv('CHUNK_SIZE'))\n"
                  "    ratio = float(os.environ.get('TEST_RATIO', '0.2'))\n"
                  "    seed = int(os.environ['SEED'])\n")
    result = lint_repo(tmp_path, repo(script=script), ["CL111"])
    assert findings(result, tmp_path) == [
        (SCRIPT, line_of(script, "CHUNK_SIZE"), "CL111",
         "int() of env var 'CHUNK_SIZE' read without a default raises TypeError when 'CHUNK_SIZE' is unset; give the "
         "read a default or subscript it as required")]


# ----------------------------------------------------------------------------- CL112: path family

def test_processing_contract_with_training_paths_and_a_shared_path(tmp_path: Path) -> None:
    contract = edit("contract", 'expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},',
                    'expected_output_paths={\n        "clean_data": "/opt/ml/model",\n'
                    '        "stats": "/opt/ml/model/",\n    },')
    result = lint_repo(tmp_path, repo(contract=contract), ["CL112"])
    assert findings(result, tmp_path) == [
        (CONTRACT, line_of(contract, '"clean_data"'), "CL112",
         "output 'clean_data' of 'CLEAN_CONTRACT' is at '/opt/ml/model', a training-job path, but step 'Clean' is "
         "a Processing step; SageMaker never mounts it there"),
        (CONTRACT, line_of(contract, '"stats"'), "CL112",
         "outputs 'clean_data' and 'stats' of 'CLEAN_CONTRACT' share the container path '/opt/ml/model/'"),
        (CONTRACT, line_of(contract, '"stats"'), "CL112",
         "output 'stats' of 'CLEAN_CONTRACT' is at '/opt/ml/model/', a training-job path, but step 'Clean' is a "
         "Processing step; SageMaker never mounts it there"),
    ]


def test_training_contract_with_a_processing_path(tmp_path: Path) -> None:
    registry = _registry_type("Training")
    result = lint_repo(tmp_path, repo(registry=registry), ["CL112"])
    assert [f[2:] for f in findings(result, tmp_path)] == [
        ("CL112", "input 'raw_data' of 'CLEAN_CONTRACT' is at '/opt/ml/processing/input/data', a processing-job "
                  "path, but step 'Clean' is a Training step; SageMaker never mounts it there"),
        ("CL112", "output 'clean_data' of 'CLEAN_CONTRACT' is at '/opt/ml/processing/output/clean', a "
                  "processing-job path, but step 'Clean' is a Training step; SageMaker never mounts it there"),
    ]
