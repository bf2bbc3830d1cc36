"""Canonical-name resolution: each strategy, in order, and the error when none matches."""

from __future__ import annotations

import pytest

from cursus_core.registry import CORE_STEP_NAMES, match_canonical_name, pascal_to_snake, snake_to_pascal
from cursus_core.registry import step_names
from cursus_core.registry.names import CanonicalMatch, get_canonical_name_from_file_name, split_words


@pytest.mark.parametrize(("pascal", "snake"), [
    ("XGBoostModelEval", "xgboost_model_eval"),
    ("PyTorchTraining", "pytorch_training"),
    ("LightGBMTraining", "lightgbm_training"),
    ("TabularPreprocessing", "tabular_preprocessing"),
    ("MIMSPayload", "mims_payload"),
    ("BSMModel", "bsm_model"),
    ("HTTPServer", "http_server"),
    ("S3Upload", "s3_upload"),
])
def test_case_conversion_is_acronym_aware(pascal: str, snake: str) -> None:
    assert pascal_to_snake(pascal) == snake
    if pascal != "HTTPServer":  # unknown acronyms cannot be restored from snake case
        assert snake_to_pascal(snake) == pascal


def test_snake_to_pascal_plain_words_and_separators() -> None:
    assert snake_to_pascal("risk_table_mapping") == "RiskTableMapping"
    assert snake_to_pascal("xgboost-model__eval") == "XGBoostModelEval"
    assert snake_to_pascal("HTTP_server") == "HttpServer"
    assert split_words("XGBoostModel_eval2") == ["XGBoost", "Model", "eval", "2"]


def test_every_core_name_round_trips() -> None:
    for name in CORE_STEP_NAMES:
        assert snake_to_pascal(pascal_to_snake(name)) == name


@pytest.mark.parametrize(("file_name", "expected", "strategy"), [
    # 1. exact match after case conversion (and after removing file decorations)
    ("xgboost_training", "XGBoostTraining", "exact"),
    ("builder_xgboost_model_eval_step.py", "XGBoostModelEval", "exact"),
    ("src/steps/contracts/risk_table_mapping_contract.py", "RiskTableMapping", "exact"),
    ("config_batch_transform_step", "BatchTransform", "exact"),
    ("hyperparameter_prep", "HyperparameterPrep", "exact"),
    ("model_calibration", "ModelCalibration", "exact"),
    # 2. job-type suffix removal
    ("tabular_preprocessing_training", "TabularPreprocessing", "job_type"),
    ("cradle_data_loading_validation_spec.py", "CradleDataLoading", "job_type"),
    ("currency_conversion_testing", "CurrencyConversion", "job_type"),
    ("risk_table_mapping_calibration", "RiskTableMapping", "job_type"),
    ("xgboost_model_inference", "XGBoostModelInference", "exact"),
    ("pytorch_model_inference", "PyTorchModel", "job_type"),
    # 3. abbreviation expansion (and dropping decoration words like 'mims')
    ("tabular_preprocess", "TabularPreprocessing", "abbreviation"),
    ("xgb_training", "XGBoostTraining", "abbreviation"),
    ("xgboost_model_evaluation", "XGBoostModelEval", "abbreviation"),
    ("pytorch_model_evaluation", "PyTorchModelEval", "abbreviation"),
    ("torch_model", "PyTorchModel", "abbreviation"),
    ("lgbm_training", "LightGBMTraining", "abbreviation"),
    ("mims_registration", "Registration", "abbreviation"),
    ("mims_package", "Package", "abbreviation"),
    ("mims_payload_contract", "Payload", "abbreviation"),
    ("xgb_training_training", "XGBoostTraining", "abbreviation"),
    # 4. word permutations
    ("model_evaluation_xgb", "XGBoostModelEval", "permutation"),
    ("model_xgboost", "XGBoostModel", "permutation"),
    ("model_eval_pytorch_spec", "PyTorchModelEval", "permutation"),
    ("training_xgboost", "XGBoostTraining", "permutation"),
])
def test_strategies(file_name: str, expected: str, strategy: str) -> None:
    match = match_canonical_name(file_name, CORE_STEP_NAMES)
    assert (match.name, match.strategy, match.score) == (expected, strategy, 1.0)
    assert get_canonical_name_from_file_name(file_name, step_names=CORE_STEP_NAMES) == expected


def test_fuzzy_fallback_above_threshold() -> None:
    match = match_canonical_name("tabular_preprocesing", CORE_STEP_NAMES)
    assert (match.name, match.strategy, match.score) == ("TabularPreprocessing", "fuzzy", 0.974)
    assert match_canonical_name("currency_convertion", CORE_STEP_NAMES).name == "CurrencyConversion"
    with pytest.raises(ValueError):
        match_canonical_name("tabular_preprocesing", CORE_STEP_NAMES, fuzzy_threshold=0.99)


def test_no_match_lists_closest_names() -> None:
    with pytest.raises(ValueError) as info:
        get_canonical_name_from_file_name("feature_store_upload", CORE_STEP_NAMES)
    assert str(info.value) == ("cannot map file name 'feature_store_upload' to a registered step name; closest: "
                               "'CradleDataLoading', 'Payload', 'BatchTransform'")


def test_no_match_message_is_exact_for_a_small_table() -> None:
    names = {"TabularPreprocessing": {}, "XGBoostTraining": {}, "Package": {}}
    with pytest.raises(ValueError, match=r"^cannot map file name 'foo_bar' to a registered step name; "
                                         r"closest: 'XGBoostTraining', 'TabularPreprocessing', 'Package'$"):
        get_canonical_name_from_file_name("foo_bar", names)
    with pytest.raises(ValueError, match=r"no step names are registered"):
        get_canonical_name_from_file_name("foo_bar", {})


def test_step_names_may_be_any_iterable_of_names() -> None:
    assert get_canonical_name_from_file_name("my_custom_step.py", ["MyCustom", "Other"]) == "MyCustom"


def test_ambiguous_permutation_is_not_guessed() -> None:
    names = ["ModelEvalXGBoost", "XGBoostModelEval"]
    assert match_canonical_name("model_eval_xgboost", names).strategy == "exact"
    with pytest.raises(ValueError) as info:
        match_canonical_name("eval_model_xgboost", names)
    assert str(info.value).endswith("closest: 'ModelEvalXGBoost', 'XGBoostModelEval'")


def test_default_step_names_come_from_the_default_registry() -> None:
    assert step_names.get_canonical_name_from_file_name("model_evaluation_xgb") == "XGBoostModelEval"


def test_fuzzy_matching_scores_the_closest_names_exactly_as_a_full_comparison_would() -> None:
    """The upper-bound pruning skips only pairs that cannot reach the three closest names."""
    import difflib

    from cursus_core.registry.names import _closest

    names = ["TabularPreprocessing", "XGBoostTraining", "XGBoostModelEval", "PyTorchModel", "CurrencyConversion",
             "RiskTableMapping", "ModelCalibration", "Package", "Payload", "Registration", "BatchTransform",
             "DummyTraining", "CradleDataLoading"]
    compacts = {c.lower(): c for c in names}
    probes_list = [["tabularpreproc"], ["xgbtrain", "xgboosttrain"], ["riskmap"], ["pkg"], ["zzz"], ["modelcalib"],
                   ["calibrationmodel", "modelcalibrat"]]
    pruned_any = False
    for probes in probes_list:
        full: dict[str, float] = {}
        for probe in probes:
            for compact, name in compacts.items():
                full[name] = max(full.get(name, 0.0), difflib.SequenceMatcher(None, probe, compact).ratio())
        got = _closest(probes, compacts)
        top = sorted(full.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        assert sorted(got.items(), key=lambda kv: (-kv[1], kv[0]))[:3] == top, probes
        assert all(score <= full[name] for name, score in got.items())  # the rest may be partial, never higher
        pruned_any |= len(got) < len(compacts)
    assert pruned_any


def test_a_name_list_asked_again_after_it_grew_is_read_again() -> None:
    # lists are recognised by identity (the catalog asks about every file against one list); one
    # that changed length since is a new list of names
    names = ["TabularPreprocessing", "XGBoostTraining"]
    assert match_canonical_name("tabular_preprocessing", names).name == "TabularPreprocessing"
    with pytest.raises(ValueError, match="cannot map file name 'package'"):
        match_canonical_name("package", names)
    names.append("Package")
    assert match_canonical_name("package", names) == CanonicalMatch("Package", "exact")


def _full_top(probes: list[str], compacts: dict[str, str], keep: int = 3) -> list[tuple[str, float]]:
    import difflib

    full: dict[str, float] = {}
    for probe in probes:
        for compact, name in compacts.items():
            full[name] = max(full.get(name, 0.0), difflib.SequenceMatcher(None, probe, compact).ratio())
    return sorted(full.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]


def test_fuzzy_matching_over_the_registered_names_agrees_with_plain_difflib_on_every_file_name_variant() -> None:
    """Every core step name, asked about as its own snake spelling with each file decoration,
    job type, a dropped letter and a swapped word order: the three closest names and their
    scores are those of a full difflib comparison, while most pairs build no SequenceMatcher."""
    import difflib
    from unittest import mock

    from cursus_core.registry import names as names_mod

    keys = sorted(CORE_STEP_NAMES)
    compacts = {n.lower(): n for n in keys}
    probe_lists: list[list[str]] = []
    for key in keys:
        words = [w.lower() for w in split_words(key)]
        joined = "".join(words)
        probe_lists += [[joined[:-1]], [joined[1:]], ["".join(reversed(words))], [joined + "training", joined + "spec"],
                        ["builder" + joined + "step"], [joined[: len(joined) // 2]]]
    probe_lists += [["zzz"], ["x"], ["modelcalibrat", "calibrationmodel"]]
    real = difflib.SequenceMatcher
    built = 0

    def counting(*args: object, **kwargs: object) -> difflib.SequenceMatcher[str]:
        nonlocal built
        built += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    pairs = 0
    for probes in probe_lists:
        with mock.patch.object(names_mod.difflib, "SequenceMatcher", counting):
            got = names_mod._scored_closest(probes, compacts)
        assert sorted(got.items(), key=lambda kv: (-kv[1], kv[0]))[:3] == _full_top(probes, compacts), probes
        pairs += len(probes) * len(compacts)
    assert len(probe_lists) == 6 * len(keys) + 3
    # the longest-common-subsequence bound leaves 560 of the 4,475 pairs to difflib (the letter-count
    # bound it replaced left 1,969)
    assert (built, pairs) == (560, 4475)


def test_the_resolver_and_the_name_matcher_share_one_ratio_bound() -> None:
    import difflib
    import itertools

    from cursus_core.deps import resolver
    from cursus_core.text_similarity import lcs_length, ratio_bound, ratio_may_reach

    assert resolver.lcs_length is lcs_length and resolver.ratio_may_reach is ratio_may_reach
    assert ratio_bound("", "") == 1.0 and ratio_bound("abc", "") == 0.0
    assert ratio_bound("xgboosttrain", "xgboosttraining") == 2.0 * 12 / 27
    words = ["".join(w) for n in range(4) for w in itertools.product("ab_", repeat=n)]
    for a, b in itertools.product(words, repeat=2):
        assert difflib.SequenceMatcher(None, a, b).ratio() <= ratio_bound(a, b), (a, b)
