"""Contract facts: literal dicts, module constants, ``**`` spreads, ``_get_contract()``."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

from cursus_core.source import parse_text
from cursus_lint.facts import Entry, NamedItem, Span, extract_contracts


def contracts(src: str, stats: Counter | None = None):
    return extract_contracts(parse_text(Path("c.py"), textwrap.dedent(src).encode()), stats)


def test_contract_via_constants_and_spreads():
    stats: Counter = Counter()
    (c,) = contracts("""\
        from cursus_core.base import ScriptContract

        BASE_INPUTS = {"DATA": "/opt/ml/processing/input/data"}
        OUT = "/opt/ml/processing/output"
        REQUIRED = ["LABEL_FIELD"]

        TABULAR_PREPROCESSING_CONTRACT = ScriptContract(
            entry_point="tabular_preprocessing.py",
            expected_input_paths={**BASE_INPUTS, "SIGNATURE": "/opt/ml/processing/input/signature"},
            expected_output_paths={"processed_data": OUT},
            required_env_vars=REQUIRED + ["TRAIN_RATIO"],
            optional_env_vars={"OUTPUT_FORMAT": "CSV"},
            expected_arguments={"job-type": "training"},
            framework_requirements=get_reqs(),
        )
        """, stats)
    assert (c.variable, c.class_name, c.is_training, c.function) == (
        "TABULAR_PREPROCESSING_CONTRACT", "ScriptContract", False, None)
    assert c.variable_span == Span(7, 1, 7, 31)
    assert c.entry_point == Entry("tabular_preprocessing.py", Span(8, 5, 8, 43), Span(8, 17, 8, 43))
    assert c.inputs == {
        "DATA": Entry("/opt/ml/processing/input/data", Span(3, 16, 3, 22), Span(3, 24, 3, 55)),
        "SIGNATURE": Entry("/opt/ml/processing/input/signature", Span(9, 42, 9, 53), Span(9, 55, 9, 91)),
    }
    assert c.outputs == {"processed_data": Entry("/opt/ml/processing/output", Span(10, 28, 10, 44),
                                                 Span(10, 46, 10, 49))}
    assert c.required_env_vars == (NamedItem("LABEL_FIELD", Span(5, 13, 5, 26)),
                                   NamedItem("TRAIN_RATIO", Span(11, 35, 11, 48)))
    assert c.optional_env_vars["OUTPUT_FORMAT"].value == "CSV"
    assert c.expected_arguments["job-type"].value == "training"
    assert c.keyword_spans["required_env_vars"] == Span(11, 5, 11, 49)
    assert c.value_spans["optional_env_vars"] == Span(12, 23, 12, 47)
    assert c.non_literal == {}  # framework_requirements is not read
    assert stats == Counter()


def test_training_contract_inside_function_and_non_literal_fields():
    stats: Counter = Counter()
    (c,) = contracts("""\
        def _get_contract():
            return TrainingScriptContract(
                entry_point=ENTRY,
                expected_input_paths=build_inputs(),
                expected_output_paths={"model_output": "/opt/ml/model", **extra},
                required_env_vars=[name for name in NAMES],
            )
        """, stats)
    assert (c.variable, c.function, c.class_name, c.is_training) == (
        None, "_get_contract", "TrainingScriptContract", True)
    assert c.entry_point == Entry(None, Span(3, 9, 3, 26), Span(3, 21, 3, 26))
    assert c.outputs == {"model_output": Entry("/opt/ml/model", Span(5, 32, 5, 46), Span(5, 48, 5, 63))}
    assert c.non_literal == {
        "entry_point": Span(3, 21, 3, 26),
        "expected_input_paths": Span(4, 30, 4, 44),
        "expected_output_paths.**": Span(5, 67, 5, 72),
        "required_env_vars": Span(6, 27, 6, 51),
    }
    assert stats["non-literal-contract-field"] == 4


def test_several_contracts_and_dict_call_form():
    found = contracts("""\
        from x import base
        A_CONTRACT = base.ScriptContract(entry_point="a.py", optional_env_vars=dict(X="1"))
        B_CONTRACT = ScriptContract(entry_point="b.py")
        class NotAContract: pass
        """)
    assert [(c.variable, c.entry_point.value) for c in found] == [("A_CONTRACT", "a.py"), ("B_CONTRACT", "b.py")]
    assert found[0].optional_env_vars == {"X": Entry("1", Span(2, 77, 2, 82), Span(2, 79, 2, 82))}
    assert contracts("x = 1\n") == []
