"""The dependency resolver: exact scores for designed cases, ranking, ambiguity, adapters."""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_core.base import DependencySpec, DependencyType, OutputSpec
from cursus_core.deps import (
    WEIGHTS,
    DependencyView,
    OutputView,
    Provider,
    StepRef,
    as_dependency,
    as_output,
    name_similarity,
    rank_providers,
    resolve,
    score_match,
    split_words,
    type_compatibility,
)
from cursus_core.source import parse_text
from cursus_lint.facts import extract_specs


def dep(name: str, dtype: str = "processing_output", *, required: bool = True, sources=(), keywords=(),
        data_type: str = "S3Uri") -> DependencySpec:
    return DependencySpec(logical_name=name, dependency_type=dtype, required=required,
                          compatible_sources=list(sources), semantic_keywords=list(keywords), data_type=data_type)


def out(name: str, otype: str = "processing_output", *, aliases=(), data_type: str = "S3Uri") -> OutputSpec:
    return OutputSpec(logical_name=name, output_type=otype, property_path=f"properties.X['{name}']",
                      aliases=list(aliases), data_type=data_type)


def test_weights_add_up_to_one():
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_perfect_match_scores_one_with_every_part():
    m = score_match(dep("raw_data", sources=["DataLoad"], keywords=["raw", "data"]),
                    out("raw_data", aliases=["data"]), "DataLoad", "Clean")
    assert m.total == 1.0
    assert m.parts == {"type": 0.25, "data_type": 0.05, "name": 0.35, "keywords": 0.15, "source": 0.2}
    assert m.explanation == [
        "type: 'processing_output' is 'processing_output' (+0.25)",
        "data type: S3Uri == S3Uri (+0.05)",
        "name: 'raw_data' ~ logical name 'raw_data' (exact, 1.00) (+0.35)",
        "keywords: 2 of 2 found (raw, data) (+0.15)",
        "source: 'DataLoad' is a compatible source (+0.20)",
    ]


def test_training_data_fed_by_processing_output_through_an_alias():
    m = score_match(dep("input_path", "training_data", keywords=["training", "processed"]),
                    out("processed_data", aliases=["input_path"]), "TabularPreprocessing", "XGBoostTraining")
    assert m.total == 0.625
    assert m.parts == {"type": 0.15, "data_type": 0.05, "name": 0.35, "keywords": 0.075, "source": 0.0}
    assert m.explanation[2] == "name: 'input_path' ~ alias 'input_path' (exact, 1.00) (+0.35)"


def test_job_type_variant_of_the_same_step_may_provide():
    m = score_match(dep("model_artifacts_input", sources=["RiskTableMapping"],
                        keywords=["risk_tables", "artifacts", "model_artifacts"]),
                    out("model_artifacts_output", aliases=["risk_tables"]),
                    StepRef("RiskTableMapping", "RiskTableMapping_Training", "training"),
                    StepRef("RiskTableMapping", "RiskTableMapping_Calibration", "calibration"))
    assert m.total == 0.8356
    assert m.parts == {"type": 0.25, "data_type": 0.05, "name": 0.1856, "keywords": 0.15, "source": 0.2}


def test_incompatible_types_score_zero_whatever_the_name():
    m = score_match(dep("model_input", "model_artifacts", sources=["Train"]), out("model_input"), "Train", "Eval")
    assert m.total == 0.0
    assert set(m.parts.values()) == {0.0}
    assert m.explanation == ["type: output type 'processing_output' cannot satisfy dependency type 'model_artifacts'"]


def test_a_step_never_consumes_its_own_output():
    me = StepRef("Clean", "Clean")
    m = score_match(dep("clean_data"), out("clean_data"), me, me)
    assert (m.total, m.explanation) == (0.0, ["'Clean' cannot consume its own output"])


def test_data_type_mismatch_costs_only_its_weight():
    m = score_match(dep("model_name", "custom_property", data_type="String"), out("model_name", "custom_property"))
    assert (m.total, m.parts["data_type"]) == (0.6, 0.0)


def test_anchor_optional_calibration_model_is_not_wired_to_an_unrelated_evaluation_output():
    calibration = dep("calibration_model", required=False, sources=["ModelCalibration"],
                      keywords=["calibration", "calibrator", "model"])
    providers = [Provider(StepRef("XGBoostTraining"), out("evaluation_output", aliases=["training_predictions"])),
                 Provider(StepRef("PyTorchTraining"), out("evaluation_output", aliases=["training_metrics"]))]
    m = score_match(calibration, providers[0].output, providers[0].step, "PercentileCalibration")
    assert m.total == 0.3
    assert m.parts == {"type": 0.25, "data_type": 0.05, "name": 0.0, "keywords": 0.0, "source": 0.0}
    r = resolve(calibration, providers, consumer="PercentileCalibration")
    assert r.best is None and not r.ambiguous
    assert r.reason == ("no provider scores at least 0.50; best candidates: PyTorchTraining.evaluation_output (0.30), "
                        "XGBoostTraining.evaluation_output (0.30)")
    # the real provider wins by its alias
    calibrator = Provider(StepRef("ModelCalibration"), out("calibration_output", aliases=["calibration_model"]))
    r = resolve(calibration, [*providers, calibrator], consumer="PercentileCalibration")
    assert r.best is not None and r.best.label == "ModelCalibration.calibration_output" and r.best.total == 1.0


def test_threshold_is_inclusive():
    # type + data type + source, no name or keyword evidence: exactly 0.50
    d = dep("features", sources=["Select"])
    r = resolve(d, [(StepRef("Select"), out("report"))])
    assert r.best is not None and r.best.total == 0.5
    assert resolve(d, [(StepRef("Select"), out("report"))], threshold=0.51).best is None


def test_rank_orders_best_first_and_drops_incompatible():
    d = dep("processed_data", sources=["A"])
    ranked = rank_providers(d, [(StepRef("B"), out("processed_data")), (StepRef("A"), out("processed_data")),
                                (StepRef("C"), out("processed_data", "model_artifacts"))])
    assert [(c.label, c.total) for c in ranked] == [("A.processed_data", 0.85), ("B.processed_data", 0.65)]


def test_ties_between_steps_are_ambiguous_required_takes_first_optional_unwired():
    providers = [(StepRef("XGBoostModel"), out("model_name", "custom_property", data_type="String")),
                 (StepRef("PyTorchModel"), out("model_name", "custom_property", data_type="String"))]
    required = dep("model_name", "custom_property", data_type="String")
    r = resolve(required, providers)
    assert r.ambiguous and r.best is not None and r.best.label == "PyTorchModel.model_name"
    assert [c.label for c in r.rivals] == ["XGBoostModel.model_name"]
    assert r.reason == "ambiguous, took the first of: PyTorchModel.model_name (0.65), XGBoostModel.model_name (0.65)"
    optional = dep("model_name", "custom_property", data_type="String", required=False)
    r = resolve(optional, providers)
    assert r.ambiguous and r.best is None
    assert r.reason.startswith("optional dependency left unwired; ambiguous between: PyTorchModel.model_name (0.65)")


def test_tie_margin_bounds_ambiguity():
    providers = [(StepRef("A"), out("data_x")), (StepRef("B"), out("data"))]
    d = dep("data", keywords=["data"])
    r = resolve(d, providers)  # B exact: 0.725; A fuzzy (difflib 0.8 * 0.6 = 0.48): 0.25+0.05+0.168+0.075
    assert [c.total for c in r.candidates] == [0.725, 0.543]
    assert not r.ambiguous
    assert resolve(d, providers, tie_margin=0.2).ambiguous


def test_two_outputs_of_one_step_tie_but_variants_of_one_output_do_not():
    d = dep("selected", required=False, sources=["Select"])
    same_step = [(StepRef("Select"), out("report")), (StepRef("Select"), out("table"))]
    r = resolve(d, same_step)
    assert r.ambiguous and r.best is None
    variants = [(StepRef("Prep", "Prep_Training", "training"), out("processed_data")),
                (StepRef("Prep", "Prep_Testing", "testing"), out("processed_data"))]
    r = resolve(dep("processed_data", required=False), variants)
    assert not r.ambiguous and r.best is not None and r.best.label == "Prep_Testing.processed_data"


def test_no_compatible_type_reason():
    r = resolve(dep("m", "model_artifacts"), [(StepRef("A"), out("m"))])
    assert (r.best, r.candidates, r.reason) == (None, [], "no provider has an output whose type can satisfy "
                                                         "'model_artifacts'")


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("raw_data", "raw_data", (1.0, "exact")),
    ("DATA", "data", (0.9, "case-insensitive")),
    ("ModelName", "model_name", (0.9, "case-insensitive")),
    ("input_data", "data_input", (0.8, "word overlap")),
    ("calibration_model", "evaluation_output", (0.0, "none")),
])
def test_name_similarity(a, b, expected):
    assert name_similarity(a, b) == expected


def test_split_words_and_type_table():
    assert split_words("ModelArtifacts") == ("model", "artifacts")
    assert split_words("hyperparameters_s3_uri") == ("hyperparameters", "s3", "uri")
    assert type_compatibility("training_data", "processing_output") == 0.6
    assert type_compatibility("model_artifacts", "model_artifacts") == 1.0
    assert type_compatibility("model_artifacts", "processing_output") == 0.0


SPEC = b'''\
from cursus_core.base import DependencySpec, DependencyType, NodeType, OutputSpec, StepSpecification

X_SPEC = StepSpecification(
    step_type="X",
    node_type=NodeType.INTERNAL,
    dependencies=[DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA,
                                 compatible_sources=["Prep"], semantic_keywords=["processed"])],
    outputs=[OutputSpec(logical_name="processed_data", output_type="PROCESSING_OUTPUT",
                        property_path="properties.X", aliases=["input_path"])],
)
'''


def test_domain_objects_and_lint_facts_score_the_same():
    (spec,) = extract_specs(parse_text(Path("x_spec.py"), SPEC))
    facts_dep, facts_out = spec.dependencies[0], spec.outputs[0]
    domain_dep = DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA,
                                compatible_sources=["Prep"], semantic_keywords=["processed"])
    domain_out = OutputSpec(logical_name="processed_data", output_type="PROCESSING_OUTPUT",
                            property_path="properties.X", aliases=["input_path"])
    assert as_dependency(facts_dep) == as_dependency(domain_dep) == DependencyView(
        "input_path", "training_data", True, ("Prep",), ("processed",), "S3Uri")
    assert as_output(facts_out) == as_output(domain_out) == OutputView(
        "processed_data", "processing_output", ("input_path",), "S3Uri")
    a = score_match(facts_dep, facts_out, StepRef("Prep", "Prep_Training"), "X")
    b = score_match(domain_dep, domain_out, StepRef("Prep", "Prep_Training"), "X")
    assert a == b and a.total == 0.825


_NAMES = ["input_path", "input_data", "processed_data", "model_artifacts", "model_input", "ModelArtifacts",
          "calibration_model", "evaluation_output", "training_data", "train_data", "data_output", "DATA",
          "metrics_output", "eval_metrics", "hyperparameters_s3_uri", "config", "x", "pkl", "processed_output"]


def test_name_similarity_skips_only_matches_that_could_not_reach_the_fuzzy_floor():
    """The quick upper bounds may skip difflib's full match, never change a score."""
    import difflib

    from cursus_core.deps.resolver import FUZZY_FLOOR, FUZZY_MAX, split_words

    def full_fuzzy(a: str, b: str) -> float:
        ratio = difflib.SequenceMatcher(None, "_".join(split_words(a)), "_".join(split_words(b))).ratio()
        return FUZZY_MAX * ratio if ratio >= FUZZY_FLOOR else 0.0

    fuzzy_pairs = 0
    for a in _NAMES:
        for b in _NAMES:
            score, how = name_similarity(a, b)
            if how in ("fuzzy", "word overlap", "none"):  # the fuzzy share is the best unless overlap beat it
                assert full_fuzzy(a, b) == score if how == "fuzzy" else full_fuzzy(a, b) <= score, (a, b)
                fuzzy_pairs += how == "fuzzy"
    assert fuzzy_pairs >= 4


def _lcs_by_table(a: str, b: str) -> int:
    """The textbook dynamic programme, as the reference for the bit-parallel one."""
    row = [0] * (len(b) + 1)
    for x in a:
        prev, row = row, [0]
        for j, y in enumerate(b):
            row.append(prev[j] + 1 if x == y else max(prev[j + 1], row[j]))
    return row[-1]


def test_lcs_bound_is_sound_and_tighter_than_difflibs_quick_ratios_on_every_short_pair() -> None:
    # name_similarity settles most pairs with this bound before building a SequenceMatcher:
    # every pair of strings of up to four letters over a small alphabet, at three floors. The
    # bound may say "cannot reach" only when ratio() is below the floor, and it says so at
    # least whenever difflib's own real_quick_ratio/quick_ratio would.
    import difflib
    import itertools

    from cursus_core.deps.resolver import ratio_may_reach, lcs_length

    words = ["".join(w) for n in range(5) for w in itertools.product("ab_", repeat=n)]
    agreed = reached = tighter = 0
    for a, b in itertools.product(words, repeat=2):
        assert lcs_length(a, b) == _lcs_by_table(a, b), (a, b)
        m = difflib.SequenceMatcher(None, a, b)
        for floor in (0.5, 0.6, 0.75):
            quick = m.real_quick_ratio() >= floor and m.quick_ratio() >= floor
            may = ratio_may_reach(a, b, floor)
            assert may or m.ratio() < floor, (a, b, floor)
            assert quick or not may, (a, b, floor)
            agreed += 1
            reached += may
            tighter += quick and not may
    assert agreed == 3 * 121 * 121 and 0 < reached < agreed and tighter > 0


def test_lcs_length_matches_the_table_on_longer_names() -> None:
    import random

    from cursus_core.deps.resolver import lcs_length

    rng = random.Random(13)
    names = [*_NAMES, *("".join(rng.choice("abcde_") for _ in range(rng.randint(0, 70))) for _ in range(60))]
    for a in names:
        for b in names:
            assert lcs_length(a, b) == _lcs_by_table(a, b), (a, b)
