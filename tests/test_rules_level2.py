"""Level-2 rules (contract <-> specification, CL201-CL209): exact findings, variants and edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_lint.engine import CheckResult
from cursus_lint.rules._examples import BASE, REGISTRY, edit, line_of, repo
from cursus_lint.rules._level2 import parse_property_path, processing_output_key, property_path_problem

from .repo_helpers import lint_repo

SPEC = "steps/specs/clean_spec.py"
CONTRACT = "steps/contracts/clean_contract.py"
VARIANT = "steps/specs/clean_calibration_spec.py"


def run(tmp_path: Path, files: dict[str, str], select: str = "CL2") -> CheckResult:
    return lint_repo(tmp_path, files, [select])


def found(tmp_path: Path, files: dict[str, str], select: str = "CL2") -> list[tuple[str, str, int, str]]:
    result = run(tmp_path, files, select)
    return [(d.code, d.location.path.relative_to(tmp_path).as_posix(), d.location.line, d.message)
            for d in result.diagnostics]


def variant_spec(job: str, text: str | None = None, variable: str | None = None) -> str:
    """The Clean spec as a job-type variant (``spec_type_with_job_type("Clean", job)``)."""
    text = text if text is not None else BASE["spec"]
    text = text.replace('step_type="Clean"', f'step_type=spec_type_with_job_type("Clean", "{job}")', 1)
    text = text.replace("StepSpecification\n", "StepSpecification, spec_type_with_job_type\n", 1)
    return text.replace("CLEAN_SPEC =", f"{variable or f'CLEAN_{job.upper()}_SPEC'} =", 1)


LOOKUP_CONTRACT = edit("contract", 'expected_input_paths={"raw_data": "/opt/ml/processing/input/data"},',
                       'expected_input_paths={"raw_data": "/opt/ml/processing/input/data", '
                       '"lookup": "/opt/ml/processing/input/lookup"},')
LOOKUP_DEP = '''        DependencySpec(
            logical_name="lookup",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
            required={required},
            compatible_sources=["DataLoad"],
            semantic_keywords=["lookup"],
            data_type="S3Uri",
        ),
    ],
    outputs=['''


def with_lookup(text: str, required: str = "True") -> str:
    return text.replace("    ],\n    outputs=[", LOOKUP_DEP.format(required=required), 1)


# ----------------------------------------------------------------------------- CL201 / CL202


def test_cl201_reports_only_the_variant_that_lacks_the_dependency(tmp_path: Path) -> None:
    files = repo(spec=with_lookup(BASE["spec"], "False"), contract=LOOKUP_CONTRACT,
                 extra={VARIANT: variant_spec("calibration")})
    assert found(tmp_path, files) == [
        ("CL201", VARIANT, line_of(variant_spec("calibration"), "dependencies=["),
         "contract input 'lookup' of 'CLEAN_CONTRACT' has no dependency in spec 'CLEAN_CALIBRATION_SPEC'"),
    ]


def test_cl201_related_points_at_the_contract_key(tmp_path: Path) -> None:
    result = run(tmp_path, repo(contract=LOOKUP_CONTRACT), "CL201")
    [d] = result.diagnostics
    [rel] = d.related
    assert (rel.location.path.relative_to(tmp_path).as_posix(), rel.location.line, rel.location.column) == \
        (CONTRACT, line_of(LOOKUP_CONTRACT, '"lookup"'), LOOKUP_CONTRACT.splitlines()[4].index('"lookup"') + 1)
    assert rel.message == "'CLEAN_CONTRACT' declares input 'lookup' here"
    assert d.step == "Clean"


def test_cl201_and_cl202_report_both_sides_of_a_rename(tmp_path: Path) -> None:
    spec = edit("spec", 'logical_name="raw_data"', 'logical_name="input_data"')
    assert found(tmp_path, repo(spec=spec)) == [
        ("CL201", SPEC, line_of(spec, "dependencies=["),
         "contract input 'raw_data' of 'CLEAN_CONTRACT' has no dependency in spec 'CLEAN_SPEC'"),
        ("CL202", SPEC, line_of(spec, "DependencySpec("),
         "required dependency 'input_data' of spec 'CLEAN_SPEC' has no input path in contract 'CLEAN_CONTRACT'"),
    ]


def test_cl202_is_silent_for_optional_and_non_literal_required(tmp_path: Path) -> None:
    optional = with_lookup(BASE["spec"], "False")
    assert found(tmp_path / "a", repo(spec=optional)) == []
    dynamic = with_lookup(BASE["spec"], "IS_REQUIRED")
    result = run(tmp_path / "b", repo(spec=dynamic), "CL202")
    assert result.diagnostics == []
    assert result.unknown["contract-spec-inputs"] == 1


def test_dict_shaped_dependencies_use_the_logical_name(tmp_path: Path) -> None:
    spec = edit("spec", "    dependencies=[\n        DependencySpec(",
                '    dependencies={\n        "raw": DependencySpec(')
    spec = spec.replace("        ),\n    ],\n    outputs=[", "        ),\n    },\n    outputs=[", 1)
    assert found(tmp_path, repo(spec=spec)) == []


def test_non_literal_contract_inputs_are_not_guessed(tmp_path: Path) -> None:
    contract = edit("contract", 'expected_input_paths={"raw_data": "/opt/ml/processing/input/data"},',
                    "expected_input_paths=build_inputs(),")
    spec = edit("spec", 'logical_name="raw_data"', 'logical_name="input_data"')
    result = run(tmp_path, repo(contract=contract, spec=spec), "CL20")
    assert result.diagnostics == []
    assert result.unknown["contract-spec-inputs"] == 2  # CL201 and CL202 each stayed silent


# ----------------------------------------------------------------------------- CL203 / CL204


def test_cl203_and_cl204_name_both_sides(tmp_path: Path) -> None:
    spec = edit("spec", 'logical_name="clean_data"', 'logical_name="cleaned_data"')
    spec = spec.replace("Outputs['clean_data']", "Outputs['cleaned_data']")
    assert found(tmp_path, repo(spec=spec)) == [
        ("CL203", SPEC, line_of(spec, "outputs=["),
         "contract output 'clean_data' of 'CLEAN_CONTRACT' has no output in spec 'CLEAN_SPEC'"),
        ("CL204", SPEC, line_of(spec, "OutputSpec("),
         "spec output 'cleaned_data' of 'CLEAN_SPEC' has no output path in contract 'CLEAN_CONTRACT'"),
    ]


# ----------------------------------------------------------------------------- CL205 / CL206


def test_cl205_keeps_the_quote_style_in_the_expected_text(tmp_path: Path) -> None:
    spec = edit("spec", "Outputs['clean_data']", 'Outputs[\\"raw_data\\"]')
    assert found(tmp_path, repo(spec=spec), "CL205") == [
        ("CL205", SPEC, line_of(spec, "property_path="),
         "property_path of output 'clean_data' in spec 'CLEAN_SPEC' reads output 'raw_data'; "
         "expected \"properties.ProcessingOutputConfig.Outputs[\"clean_data\"].S3Output.S3Uri\""),
    ]


def test_cl205_leaves_non_processing_types_to_cl206(tmp_path: Path) -> None:
    registry = REGISTRY.replace('"sagemaker_step_type": "Processing",\n        "description": "Cleans',
                                '"sagemaker_step_type": "Training",\n        "description": "Cleans')
    spec = edit("spec", "Outputs['clean_data']", "Outputs['raw_data']")
    codes = [(c, line) for c, _, line, _ in found(tmp_path, repo(registry=registry, spec=spec), "CL20")]
    assert codes == [("CL206", line_of(spec, "property_path="))]


def test_cl206_message_and_related_registry_entry(tmp_path: Path) -> None:
    spec = edit("spec", "properties.ProcessingOutputConfig.Outputs['clean_data'].S3Output.S3Uri",
                "properties.TransformOutput.S3OutputPath")
    result = run(tmp_path, repo(spec=spec), "CL206")
    [d] = result.diagnostics
    assert d.message == (
        "property_path 'properties.TransformOutput.S3OutputPath' of output 'clean_data' in spec 'CLEAN_SPEC' "
        "has no 'TransformOutput' under 'properties': not a property of a Processing step (registry "
        "sagemaker_step_type of 'Clean'); a Processing output usually reads "
        "properties.ProcessingOutputConfig.Outputs['clean_data'].S3Output.S3Uri")
    assert [(r.location.path.name, r.location.line, r.message) for r in d.related] == [
        ("step_names.py", line_of(REGISTRY, '"Clean": {'), "step 'Clean' is registered as 'Processing' here"),
        ("clean_contract.py", line_of(BASE["contract"], "expected_output_paths"),
         "'CLEAN_CONTRACT' declares output 'clean_data' here"),
    ]


def test_cl206_is_silent_and_counted_for_unmodelled_step_types(tmp_path: Path) -> None:
    registry = REGISTRY.replace('"sagemaker_step_type": "Processing",\n        "description": "Cleans',
                                '"sagemaker_step_type": "Lambda",\n        "description": "Cleans')
    spec = edit("spec", "properties.ProcessingOutputConfig.Outputs['clean_data'].S3Output.S3Uri",
                "properties.OutputParameters['clean_data']")
    result = run(tmp_path, repo(registry=registry, spec=spec), "CL206")
    assert result.diagnostics == []
    assert result.unknown["property-path-step-type"] == 1


@pytest.mark.parametrize(("path", "step_type", "problem"), [
    ("properties.ProcessingOutputConfig.Outputs['x'].S3Output.S3Uri", "Processing", None),
    ("ProcessingOutputConfig.Outputs[0].S3Output.S3Uri", "Processing", None),
    ("properties.ProcessingOutputConfig.Outputs.S3Output", "Processing",
     "reads 'S3Output' from 'properties.ProcessingOutputConfig.Outputs', which is a list (index it first)"),
    ("properties.ModelArtifacts.S3ModelArtifacts", "Processing", "has no 'ModelArtifacts' under 'properties'"),
    ("properties.ModelArtifacts.S3ModelArtifacts", "Training", None),
    ("properties.OutputDataConfig.S3OutputPath", "Training", None),
    ("properties.FinalMetricDataList['val:auc'].Value", "Training", None),
    ('properties.HyperParameters["eta"]', "Training", None),
    ("properties.ModelArtifacts[0]", "Training", "indexes 'properties.ModelArtifacts', which is not a list"),
    ("properties.TransformOutput.S3OutputPath", "Transform", None),
    ("properties.ModelName", "CreateModel", None),
    ("properties.ModelName.Value", "CreateModel", "goes below 'properties.ModelName', which is a single value"),
    ("properties.ModelPackageArn", "RegisterModel", None),
    ("properties.TransformOutput.S3OutputPath", "RegisterModel", "has no 'TransformOutput' under 'properties'"),
    ("properties.BestTrainingJob.TrainingJobName", "Tuning", None),
    ("properties..ModelName", "CreateModel", "is not a well-formed property path"),
    ("properties.", "CreateModel", "is not a well-formed property path"),
])
def test_property_path_problems(path: str, step_type: str, problem: str | None) -> None:
    assert property_path_problem(path, step_type) == problem


def test_property_path_parsing_and_processing_keys() -> None:
    assert parse_property_path("properties.A.B['k'][0]") == [("A", []), ("B", ["'k'", "0"])]
    assert processing_output_key("properties.ProcessingOutputConfig.Outputs['a b'].S3Output.S3Uri") == ("'", "a b")
    assert processing_output_key("properties.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri") is None
    assert processing_output_key("properties.ModelArtifacts.S3ModelArtifacts") is None


# ----------------------------------------------------------------------------- CL207


LOAD_CONTRACT = '''\
from cursus_core.base import ScriptContract

DATA_LOAD_CONTRACT = ScriptContract(
    entry_point="data_load.py",
    expected_input_paths={},
    expected_output_paths={"raw_data": "/opt/ml/processing/output"},
)
'''


def lazy_contract(text: str, module: str, name: str) -> str:
    """``script_contract=_get_contract()`` importing ``name`` from ``module`` inside the function."""
    text = text.replace("from ..contracts.clean_contract import CLEAN_CONTRACT\n",
                        f"\ndef _get_contract():\n    from {module} import {name}\n\n    return {name}\n", 1)
    return text.replace("script_contract=CLEAN_CONTRACT", "script_contract=_get_contract()", 1)


def test_cl207_follows_get_contract_in_a_variant_and_skips_cl201_to_cl204(tmp_path: Path) -> None:
    variant = lazy_contract(variant_spec("calibration"), "..contracts.data_load_contract", "DATA_LOAD_CONTRACT")
    files = repo(extra={VARIANT: variant, "steps/contracts/data_load_contract.py": LOAD_CONTRACT})
    assert found(tmp_path, files) == [
        ("CL207", VARIANT, line_of(variant, "script_contract="),
         "spec 'CLEAN_CALIBRATION_SPEC' of step 'Clean' uses contract 'DATA_LOAD_CONTRACT', which belongs to "
         "step 'DataLoad' (file data_load_contract.py is named after step 'DataLoad')"),
    ]


def test_cl207_resolves_absolute_imports_by_path_suffix(tmp_path: Path) -> None:
    spec = edit("spec", "from ..contracts.clean_contract import CLEAN_CONTRACT",
                "from myproject.steps.contracts.data_load_contract import DATA_LOAD_CONTRACT")
    spec = spec.replace("script_contract=CLEAN_CONTRACT", "script_contract=DATA_LOAD_CONTRACT")
    files = repo(spec=spec, extra={"steps/contracts/data_load_contract.py": LOAD_CONTRACT})
    assert [(c, line) for c, _, line, _ in found(tmp_path, files, "CL207")] == [
        ("CL207", line_of(spec, "script_contract="))]


def test_own_contract_through_get_contract_is_aligned(tmp_path: Path) -> None:
    spec = lazy_contract(BASE["spec"], "..contracts.clean_contract", "CLEAN_CONTRACT")
    assert found(tmp_path, repo(spec=spec)) == []


def test_a_neutrally_named_shared_contract_is_not_foreign(tmp_path: Path) -> None:
    shared = BASE["contract"].replace("CLEAN_CONTRACT", "SHARED_TABULAR_CONTRACT")
    spec = edit("spec", "from ..contracts.clean_contract import CLEAN_CONTRACT",
                "from ..contracts.shared_tabular_contract import SHARED_TABULAR_CONTRACT")
    spec = spec.replace("script_contract=CLEAN_CONTRACT", "script_contract=SHARED_TABULAR_CONTRACT")
    files = repo(spec=spec, drop=("contract",), extra={"steps/contracts/shared_tabular_contract.py": shared})
    assert found(tmp_path, files) == []


def test_unresolvable_contract_reference_is_counted(tmp_path: Path) -> None:
    spec = edit("spec", "from ..contracts.clean_contract import CLEAN_CONTRACT",
                "from elsewhere.contracts import OTHER_CONTRACT")
    spec = spec.replace("script_contract=CLEAN_CONTRACT", "script_contract=OTHER_CONTRACT")
    result = run(tmp_path, repo(spec=spec), "CL201")
    assert result.diagnostics == []
    assert result.unknown["spec-contract-reference"] == 1


# ----------------------------------------------------------------------------- CL208


def test_cl208_job_type_missing_from_a_variant_step_type(tmp_path: Path) -> None:
    variant = BASE["spec"].replace("CLEAN_SPEC =", "CLEAN_CALIBRATION_SPEC =")
    files = repo(drop=("spec",), extra={VARIANT: variant})
    assert found(tmp_path, files, "CL208") == [
        ("CL208", VARIANT, line_of(variant, "step_type="),
         "spec file clean_calibration_spec.py is the 'calibration' variant, but spec 'CLEAN_CALIBRATION_SPEC' "
         "declares step_type 'Clean' without a job-type suffix"),
    ]


def test_cl208_literal_suffixed_step_types_and_registry_key_helpers_pass(tmp_path: Path) -> None:
    literal = BASE["spec"].replace('step_type="Clean"', 'step_type="Clean_Calibration"')
    assert found(tmp_path / "a", repo(extra={VARIANT: literal.replace("CLEAN_SPEC", "CLEAN_CALIBRATION_SPEC")}),
                 "CL208") == []
    by_key = BASE["spec"].replace('step_type="Clean"', 'step_type=get_spec_step_type("Clean")')
    assert found(tmp_path / "b", repo(spec=by_key), "CL208") == []


def test_cl208_registry_key_helper_naming_another_step(tmp_path: Path) -> None:
    spec = BASE["spec"].replace('step_type="Clean"', 'step_type=get_spec_step_type_with_job_type("CLEAN", "training")')
    spec = spec.replace("CLEAN_SPEC =", "CLEAN_TRAINING_SPEC =")
    files = repo(drop=("spec",), extra={"steps/specs/clean_training_spec.py": spec})
    assert found(tmp_path, files, "CL208") == [
        ("CL208", "steps/specs/clean_training_spec.py", line_of(spec, "step_type="),
         "spec 'CLEAN_TRAINING_SPEC' declares step_type base 'CLEAN', but step 'Clean' has registry key 'Clean'"),
    ]


def test_cl208_a_step_named_after_a_job_type_is_not_a_variant(tmp_path: Path) -> None:
    registry = REGISTRY.replace('"Clean"', '"CleanTraining"').replace('"CleanConfig"', '"CleanTrainingConfig"')
    registry = registry.replace('"CleanStepBuilder"', '"CleanTrainingStepBuilder"')
    spec = BASE["spec"].replace('step_type="Clean"', 'step_type="CleanTraining"')
    files = repo(registry=registry, drop=("spec",), extra={"steps/specs/clean_training_spec.py": spec})
    assert found(tmp_path, files, "CL208") == []


# ----------------------------------------------------------------------------- CL209


def test_cl209_source_with_dependencies(tmp_path: Path) -> None:
    spec = edit("spec", "NodeType.INTERNAL", "NodeType.SOURCE")
    result = run(tmp_path, repo(spec=spec), "CL209")
    [d] = result.diagnostics
    assert (d.location.line, d.message) == (
        line_of(spec, "node_type="),
        "spec 'CLEAN_SPEC' has node_type SOURCE: SOURCE nodes have no dependencies, but it declares 1")
    assert [(r.location.line, r.message) for r in d.related] == [
        (line_of(spec, "dependencies=["), "'CLEAN_SPEC' declares its dependencies here")]


def test_cl209_singular_with_both_and_string_node_types(tmp_path: Path) -> None:
    spec = edit("spec", "NodeType.INTERNAL", '"singular"')
    assert found(tmp_path, repo(spec=spec), "CL209") == [
        ("CL209", SPEC, line_of(spec, "node_type="),
         "spec 'CLEAN_SPEC' has node_type SINGULAR: SINGULAR nodes have no dependencies, but it declares 1; "
         "SINGULAR nodes have no outputs, but it declares 1"),
    ]


def test_cl209_dynamic_lists_are_not_counted_as_empty(tmp_path: Path) -> None:
    spec = BASE["load_spec"].replace("NodeType.SOURCE", "NodeType.INTERNAL").replace(
        "    outputs=[", "    dependencies=build_dependencies(),\n    outputs=[")
    result = run(tmp_path, repo(load_spec=spec), "CL209")
    assert result.diagnostics == []
    assert result.unknown["spec-node-type"] == 1


def test_cl208_registry_spec_types_with_underscores(tmp_path: Path) -> None:
    registry = REGISTRY.replace('"spec_type": "Clean"', '"spec_type": "Clean_Tabular"')
    variant = BASE["spec"].replace('step_type="Clean"', 'step_type="Clean_Tabular_Calibration"')
    variant = variant.replace("CLEAN_SPEC =", "CLEAN_CALIBRATION_SPEC =")
    files = repo(registry=registry, drop=("spec",), extra={VARIANT: variant})
    assert found(tmp_path, files, "CL208") == []
