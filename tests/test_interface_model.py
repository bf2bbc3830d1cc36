"""Typed interface model: defaults, spans, and upstream's variant deep-merge with positions."""

from __future__ import annotations

from pathlib import Path

from cursus_core.interface.model import Val, build_interface
from cursus_core.interface.reader import read_interface_text
from cursus_core.interface.span import Span

DOC = """\
step_type: RiskMap
registry:
  sagemaker_step_type: Processing
compute:
  kind: sklearn
  framework_version_field: processing_framework_version
contract:
  entry_point: risk_map.py
  inputs:
    data:
      path: /opt/ml/processing/input/data
    tables:
      path: /opt/ml/processing/input/tables
      required: false
  outputs:
    out:
      path: /opt/ml/processing/output
  job_arguments:
    - flag: --job_type
      source: job_type
spec:
  dependencies:
    data:
      compatible_sources: [Prep]
      semantic_keywords: [data, raw]
    tables:
      required: false
      compatible_sources: [RiskMap]
  outputs:
    out:
      property_path: properties.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri
variants:
  calibration:
    step_type: RiskMap_Calibration
    spec:
      dependencies:
        tables:
          required: true
        extra:
          type: hyperparameters
      outputs:
        out:
          aliases: [calibrated]
    contract:
      inputs:
        extra:
          path: /opt/ml/processing/input/extra
  training: {}
"""


def _iface(job_type=None):
    root = read_interface_text(DOC, Path("risk_map.step.yaml")).root
    return build_interface(root, Path("risk_map.step.yaml"), job_type)


def test_registry_defaults_follow_the_step_type_and_point_at_the_section() -> None:
    reg = _iface().registry
    assert reg.config_class == Val("RiskMapConfig", Span(3, 3, 3, 34), None, written=False)
    assert reg.builder_step_name.value == "RiskMapStepBuilder"
    assert reg.sagemaker_step_type == Val("Processing", Span(3, 24, 3, 34), Span(3, 3, 3, 22))
    assert reg.requires.value == "none"


def test_contract_ports_and_defaults() -> None:
    c = _iface().contract
    assert list(c.inputs) == ["data", "tables"]
    assert c.inputs["data"].required == Val(True, Span(11, 7, 11, 42), None, written=False)
    assert c.inputs["tables"].required == Val(False, Span(14, 17, 14, 22), Span(14, 7, 14, 15))
    assert c.inputs["data"].key_span == Span(10, 5, 10, 9)
    assert [(a.flag.value, a.source.value, a.flag.span) for a in c.job_arguments] == [
        ("--job_type", "job_type", Span(19, 13, 19, 23))]
    assert c.env_names == ()
    assert _iface().compute.field_refs["framework_version_field"].value == "processing_framework_version"


def test_base_has_variants_but_is_not_merged() -> None:
    base = _iface()
    assert list(base.variants) == ["calibration", "training"]
    assert base.job_type is None
    assert base.spec.dependencies["tables"].required.value is False
    assert "extra" not in base.spec.dependencies


def test_variant_dicts_merge_key_by_key_with_positions_where_written() -> None:
    cal = _iface().for_job_type("calibration")
    assert cal.job_type == "calibration"
    tables = cal.spec.dependencies["tables"]
    assert tables.required == Val(True, Span(38, 21, 38, 25), Span(38, 11, 38, 19))  # from the variant
    assert [v.value for v in tables.compatible_sources] == ["RiskMap"]  # kept from the base
    assert tables.compatible_sources[0].span == Span(28, 28, 28, 35)
    assert tables.key_span == Span(37, 9, 37, 15)  # a merged mapping carries the variant's key
    assert list(cal.spec.dependencies) == ["data", "tables", "extra"]  # new keys appended
    assert cal.spec.dependencies["extra"].type.value == "hyperparameters"
    out = cal.spec.outputs["out"]
    assert [a.value for a in out.aliases] == ["calibrated"]
    assert out.property_path.span.line == 31
    assert list(cal.contract.inputs) == ["data", "tables", "extra"]
    assert cal.contract.inputs["extra"].path.span == Span(47, 17, 47, 47)
    assert cal.step_type.value == "RiskMap"  # variants.<jt>.step_type is never read


def test_variant_lists_replace_instead_of_appending() -> None:
    text = DOC.replace("        extra:\n          type: hyperparameters\n",
                       "        data:\n          semantic_keywords: [calibration]\n", 1)
    root = read_interface_text(text, Path("x.step.yaml")).root
    cal = build_interface(root, Path("x.step.yaml"), "calibration")
    assert [k.value for k in cal.spec.dependencies["data"].semantic_keywords] == ["calibration"]
    assert [k.value for k in cal.spec.dependencies["data"].compatible_sources] == ["Prep"]


def test_empty_or_unknown_variant_gives_the_base() -> None:
    base = _iface()
    assert _iface("training").spec == base.spec
    other = _iface("munged")
    assert other.job_type is None and other.spec == base.spec
    assert set(base.variant_interfaces()) == {"calibration", "training"}


def test_wrong_types_fall_back_to_defaults() -> None:
    text = DOC.replace("      required: false\n      compatible_sources: [RiskMap]",
                       "      required: nope\n      compatible_sources: RiskMap", 1)
    iface = build_interface(read_interface_text(text, Path("x")).root, Path("x"))
    tables = iface.spec.dependencies["tables"]
    assert (tables.required.value, tables.required.written, tables.compatible_sources) == (True, False, ())
