"""One schema, two views: located validator problems and the published JSON Schema agree."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from cursus_core.interface.json_schema import step_interface_schema, step_interface_schema_text
from cursus_core.interface.reader import read_interface_text
from cursus_core.interface.schema import STEP_INTERFACE, iter_keys
from cursus_core.interface.span import Span
from cursus_core.interface.validate import SCHEMA_ERROR_KINDS, validate_tree
from cursus_lint.cli import cli

FIXTURE_INTERFACES = sorted(Path(__file__).parent.parent.joinpath("fixtures", "interface_repo").rglob("*.step.yaml"))

GOOD = """\
step_type: Demo
node_type: internal
registry:
  sagemaker_step_type: Processing
  description: demo
patterns:
  direct_input_keys: [DATA]
compute:
  kind: sklearn
  framework_version_field: processing_framework_version
contract:
  entry_point: demo.py
  inputs:
    DATA:
      path: /opt/ml/processing/input/data
      required: true
  outputs:
    out:
      path: /opt/ml/processing/output
  env_vars:
    required: [LABEL_FIELD]
    optional: {RATIO: "0.5"}
spec:
  dependencies:
    DATA:
      type: processing_output
      compatible_sources: [Loader]
  outputs:
    out:
      type: processing_output
      property_path: properties.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri
variants:
  training:
    spec:
      dependencies:
        DATA:
          required: false
"""


def _problems(text: str):
    result = read_interface_text(text, Path("demo.step.yaml"))
    assert result.root is not None, result.problems
    return validate_tree(result.root, Path("demo.step.yaml"))


def _edit(old: str, new: str) -> str:
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


def test_the_good_document_is_clean() -> None:
    assert _problems(GOOD) == []


def test_misspelled_required_gets_did_you_mean_at_its_key() -> None:
    (p,) = _problems(_edit("      required: true\n", "      requried: true\n"))
    assert (p.kind, p.span, p.suggestion) == ("unknown-key", Span(16, 7, 16, 15), "required")
    assert p.key_path == ("contract", "inputs", "DATA", "requried")
    assert p.message == ("unknown key 'requried' in contract.inputs.DATA (did you mean 'required'?); "
                         "cursus ignores it silently")


def test_misspelled_direct_input_key() -> None:
    (p,) = _problems(_edit("  direct_input_keys: [DATA]", "  direct_input_key: [DATA]"))
    assert (p.kind, p.span.line, p.span.column, p.suggestion) == ("unknown-key", 7, 3, "direct_input_keys")
    assert p.message == ("unknown key 'direct_input_key' in patterns (did you mean 'direct_input_keys'?); "
                         "cursus ignores it silently")


def test_unknown_key_without_a_close_match_lists_the_allowed_ones() -> None:
    (p,) = _problems(_edit("  description: demo\n", "  description: demo\n  colour: blue\n"))
    assert p.message == ("unknown key 'colour' in registry; allowed: sagemaker_step_type, description, requires, "
                         "config_class, builder_step_name, step_assembly; cursus ignores it silently")


def test_wrong_types_point_at_the_value() -> None:
    (p,) = _problems(_edit("      required: true\n", "      required: maybe\n"))
    assert (p.kind, p.span) == ("wrong-type", Span(16, 17, 16, 22))
    assert p.message == "contract.inputs.DATA.required must be a boolean, found a string ('maybe')"
    (q,) = _problems(_edit('{RATIO: "0.5"}', "{RATIO: 0.5}"))
    assert q.message == "contract.env_vars.optional.RATIO must be a string, found a number (0.5) (quote it)"
    (r,) = _problems(_edit("      compatible_sources: [Loader]\n", "      compatible_sources:\n"))
    assert (r.kind, r.message) == ("wrong-type", "spec.dependencies.DATA.compatible_sources must be a list, not null")


def test_bad_enum_value_gets_did_you_mean() -> None:
    (p,) = _problems(_edit("sagemaker_step_type: Processing", "sagemaker_step_type: Procesing"))
    assert (p.kind, p.span, p.suggestion) == ("invalid-enum", Span(4, 24, 4, 33), "Processing")
    assert p.message.startswith("registry.sagemaker_step_type is 'Procesing', not one of: Base, CradleDataLoading,")
    assert p.message.endswith("(did you mean 'Processing'?)")


def test_dead_key_in_a_variant_is_an_error() -> None:
    (p,) = _problems(_edit("  training:\n", "  training:\n    step_type: Demo_Training\n"))
    assert (p.kind, p.severity, p.span) == ("dead-key", "error", Span(34, 5, 34, 14))
    assert p.message == ("'variants.training.step_type' is never read by cursus; nothing: the variant's name is "
                         "step_type + job type")


def test_deprecated_key_is_a_warning_and_still_checked() -> None:
    problems = _problems(_edit("  description: demo\n", "  description: demo\n  step_assembly: codee\n"))
    assert [(p.kind, p.severity) for p in problems] == [("deprecated-key", "warning"), ("invalid-enum", "error")]
    assert problems[0].message == "'registry.step_assembly' is deprecated; use patterns.step_assembly"


def test_missing_required_keys_point_at_their_parent() -> None:
    problems = _problems(_edit("  sagemaker_step_type: Processing\n", ""))
    assert [(p.kind, p.message, p.span) for p in problems] == [
        ("missing-key", "registry.sagemaker_step_type is required but missing in registry", Span(3, 1, 3, 9))]
    top = _problems(GOOD.replace("step_type: Demo\n", "", 1))
    assert [(p.message, p.span) for p in top] == [("step_type is required but missing", Span(1, 1, 1, 1))]


def test_variant_patches_require_nothing() -> None:
    assert _problems(_edit("          required: false\n", "          semantic_keywords: [x]\n")) == []


def test_path_prefix_and_entry_point() -> None:
    (p,) = _problems(_edit("path: /opt/ml/processing/output", "path: /tmp/out"))
    assert (p.kind, p.message) == ("bad-path-prefix", "contract.outputs.out.path '/tmp/out' does not start with a "
                                   "SageMaker container path (/opt/ml/processing/, /opt/ml/model, /opt/ml/output/data, "
                                   "/opt/ml/checkpoints)")
    (q,) = _problems(_edit("entry_point: demo.py", "entry_point: demo.sh"))
    assert (q.kind, q.message) == ("bad-entry-point", "contract.entry_point 'demo.sh' must name a .py file")


BAD_EDITS = [
    ("      required: true\n", "      requried: true\n"),
    ("  direct_input_keys: [DATA]", "  direct_input_key: [DATA]"),
    ("      required: true\n", "      required: maybe\n"),
    ('{RATIO: "0.5"}', "{RATIO: 0.5}"),
    ("sagemaker_step_type: Processing", "sagemaker_step_type: Procesing"),
    ("  training:\n", "  training:\n    step_type: Demo_Training\n"),
    ("  sagemaker_step_type: Processing\n", ""),
    ("path: /opt/ml/processing/output", "path: /tmp/out"),
    ("entry_point: demo.py", "entry_point: demo.sh"),
    ("  kind: sklearn", "  kind: sklern"),
    ("      type: processing_output\n      compatible", "      type: processing\n      compatible"),
    ("contract:\n", "contract: null\nx_contract:\n"),
    ("          required: false\n", "          required: nope\n"),
    ("node_type: internal", "node_type: [internal]"),
]


@pytest.mark.parametrize("old,new", BAD_EDITS)
def test_json_schema_rejects_exactly_what_the_validator_rejects(old: str, new: str) -> None:
    validator = jsonschema.Draft7Validator(step_interface_schema())
    text = _edit(old, new)
    assert [p.kind for p in _problems(text) if p.kind in SCHEMA_ERROR_KINDS] != []
    assert list(validator.iter_errors(yaml.safe_load(text))) != []


@pytest.mark.parametrize("path", FIXTURE_INTERFACES, ids=lambda p: p.name)
def test_fixture_interfaces_are_valid_for_both_views(path: Path) -> None:
    validator = jsonschema.Draft7Validator(step_interface_schema())
    text = path.read_text()
    assert _problems(text) == []
    assert [e.message for e in validator.iter_errors(yaml.safe_load(text))] == []


def test_deprecated_keys_are_accepted_by_json_schema_with_a_message() -> None:
    schema = step_interface_schema()
    text = _edit("  description: demo\n", "  description: demo\n  step_assembly: code\n")
    assert [p.kind for p in _problems(text)] == ["deprecated-key"]
    assert list(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(text))) == []
    prop = schema["definitions"]["Registry"]["properties"]["step_assembly"]
    assert prop["deprecationMessage"] == "Deprecated: use patterns.step_assembly."


def test_generated_schema_is_valid_draft7_and_closed_everywhere() -> None:
    schema = step_interface_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["required"] == ["contract", "registry", "step_type"]
    for name, definition in schema["definitions"].items():
        assert definition["additionalProperties"] is False, name
    assert schema["definitions"]["Variant"]["properties"]["step_type"]["not"] == {}
    assert "required" not in schema["definitions"]["ContractInputPatch"]


def test_schema_lists_every_key_upstream_reads() -> None:
    paths = {p for p, _ in iter_keys(STEP_INTERFACE)}
    for key in ("contract.inputs.<logical name>.channels", "contract.job_arguments[].source",
                "contract.computed_env_paths", "compute.image_uri_field", "spec.outputs.<logical name>.aliases",
                "variants.<job type>.patterns.direct_input_keys", "registry.builder_step_name"):
        assert key in paths
    # 8 top-level sections and everything below them, without the variant patches (which repeat them)
    assert len([p for p in paths if not p.startswith("variants.")]) == 99


def test_cli_prints_the_schema_with_sorted_keys() -> None:
    result = CliRunner().invoke(cli, ["schema", "step-interface"])
    assert result.exit_code == 0
    assert result.output == step_interface_schema_text()
    assert json.loads(result.output) == step_interface_schema()
    assert list(json.loads(result.output)) == sorted(json.loads(result.output))
    bad = CliRunner().invoke(cli, ["schema", "step-pack"])
    assert bad.exit_code == 2
