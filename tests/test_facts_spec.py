"""Spec facts: step type calls, node type, contract references, list and dict dependencies."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

from cursus_core.source import parse_text
from cursus_lint.facts import ContractRef, Span, StepTypeRef, extract_specs

SPEC = """\
from ...core.base.specification_base import StepSpecification, DependencySpec, OutputSpec, DependencyType, NodeType
from ...registry.step_names import get_spec_step_type_with_job_type


def _get_contract():
    from ..contracts.tabular_preprocessing_contract import (
        TABULAR_PREPROCESSING_CONTRACT,
    )

    return TABULAR_PREPROCESSING_CONTRACT


TABULAR_PREPROCESSING_TRAINING_SPEC = StepSpecification(
    step_type=get_spec_step_type_with_job_type("TabularPreprocessing", "training"),
    node_type=NodeType.INTERNAL,
    script_contract=_get_contract(),
    dependencies={
        "DATA": DependencySpec(
            logical_name="DATA",
            dependency_type=DependencyType.PROCESSING_OUTPUT,
            required=True,
            compatible_sources=["CradleDataLoading", "DummyDataLoading"],
            semantic_keywords=["data", "raw"],
            data_type="S3Uri",
        ),
        "SIGNATURE": DependencySpec(logical_name="SIGNATURE", dependency_type="processing_output", required=False),
    },
    outputs=[
        OutputSpec(
            logical_name="processed_data",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri",
            aliases=["training_data"],
        )
    ],
)
"""


def specs(src: str, stats: Counter | None = None):
    return extract_specs(parse_text(Path("s.py"), textwrap.dedent(src).encode()), stats)


def test_job_type_spec_with_dict_dependencies_and_contract_function():
    (s,) = specs(SPEC)
    assert s.variable == "TABULAR_PREPROCESSING_TRAINING_SPEC"
    assert s.step_type == StepTypeRef("TabularPreprocessing", "training", "get_spec_step_type_with_job_type",
                                      Span(14, 15, 14, 83))
    assert (s.node_type, s.node_type_span) == ("internal", Span(15, 15, 15, 32))
    assert s.script_contract == ContractRef("call", "_get_contract", Span(16, 21, 16, 36),
                                            "contracts.tabular_preprocessing_contract", 2,
                                            "TABULAR_PREPROCESSING_CONTRACT")
    assert s.dependencies_shape == "dict" and s.outputs_shape == "list"
    data, sig = s.dependencies
    assert (data.dict_key, data.logical_name, data.dependency_type, data.required, data.data_type) == (
        "DATA", "DATA", "processing_output", True, "S3Uri")
    assert data.compatible_sources == ("CradleDataLoading", "DummyDataLoading")
    assert data.semantic_keywords == ("data", "raw")
    assert data.span == Span(18, 17, 25, 10)
    assert data.keyword_spans["compatible_sources"] == Span(22, 13, 22, 73)
    assert (sig.logical_name, sig.dependency_type, sig.required, sig.compatible_sources) == (
        "SIGNATURE", "processing_output", False, ())
    (out,) = s.outputs
    assert (out.logical_name, out.output_type, out.aliases) == ("processed_data", "processing_output",
                                                                ("training_data",))
    assert out.property_path == "properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri"
    assert out.property_path_span == Span(32, 27, 32, 103)
    assert s.non_literal == {}


def test_literal_step_type_name_contract_and_spec_type_with_job_type():
    a, b, c = specs("""\
        from ..contracts.x_contract import X_CONTRACT as XC
        LOCAL_CONTRACT = ScriptContract(entry_point="x.py")
        A_SPEC = StepSpecification(step_type="XTraining", node_type="SOURCE", script_contract=XC)
        B_SPEC = StepSpecification(step_type=spec_type_with_job_type("X", "calibration"),
                                   node_type=NodeType.SINK, script_contract=LOCAL_CONTRACT)
        C_SPEC = StepSpecification(step_type=get_spec_step_type("X"), script_contract=None)
        """)
    assert a.step_type == StepTypeRef("XTraining", None, "literal", Span(3, 38, 3, 49))
    assert a.node_type == "source"
    assert a.script_contract == ContractRef("name", "XC", Span(3, 87, 3, 89), "contracts.x_contract", 2,
                                            "X_CONTRACT")
    assert (b.step_type.base, b.step_type.job_type, b.step_type.raw_kind) == (
        "X", "calibration", "spec_type_with_job_type")
    assert b.node_type == "sink"
    assert b.script_contract == ContractRef("name", "LOCAL_CONTRACT", Span(5, 69, 5, 83), local=True)
    assert (c.step_type.base, c.step_type.job_type, c.step_type.raw_kind) == ("X", None, "get_spec_step_type")
    assert c.script_contract == ContractRef("none", None, Span(6, 79, 6, 83))
    assert c.node_type is None and c.dependencies_shape == "none"


def test_dynamic_forms_are_counted_not_guessed():
    stats: Counter = Counter()
    (s,) = specs("""\
        S_SPEC = StepSpecification(
            step_type=f"X_{job}",
            script_contract=pick_contract(),
            dependencies=build_deps(),
            outputs=[make_output(), OutputSpec(logical_name=NAME, output_type=kind)],
            **extra,
        )
        """, stats)
    assert s.step_type == StepTypeRef(None, None, "dynamic", Span(2, 15, 2, 25))
    assert s.script_contract == ContractRef("call", "pick_contract", Span(3, 21, 3, 36))
    assert s.dependencies == () and s.dependencies_shape == "dynamic"
    assert [(o.logical_name, o.output_type) for o in s.outputs] == [(None, None)]
    assert set(s.non_literal) == {"step_type", "dependencies", "outputs[]", "**"}
    assert set(s.outputs[0].non_literal) == {"logical_name", "output_type"}
    assert stats["non-literal-spec-field"] == 6


def test_each_compatible_source_string_has_its_own_span():
    (s,) = specs(SPEC)
    data, sig = s.dependencies
    assert data.compatible_source_spans == (Span(22, 33, 22, 52), Span(22, 54, 22, 72))
    assert sig.compatible_source_spans == ()
