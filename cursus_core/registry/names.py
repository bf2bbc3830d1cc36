"""Canonical step names: mapping file names to registry keys and back.

Step files are named in snake case (``xgboost_model_eval_contract.py``) while registry keys
are PascalCase with acronyms (``XGBoostModelEval``); people also abbreviate (``xgb``), reorder
words (``model_evaluation_xgb``) and add job types (``_training``). The catalog and lint
rules need one deterministic answer, and a clear error listing near misses when there is none.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any, Literal

import msgspec

from cursus_core.text_similarity import ratio_bound

#: Mixed-case words that must stay whole: longest first so ``LightGBMMT`` beats ``LightGBM``.
ACRONYM_WORDS: tuple[str, ...] = ("LightGBMMT", "SageMaker", "LightGBM", "XGBoost", "PyTorch", "MIMS", "BSM",
                                  "DAG", "S3")
_ACRONYM_BY_LOWER = {w.lower(): w for w in ACRONYM_WORDS}

#: Job types that variant files append (``tabular_preprocessing_training_spec.py``).
JOB_TYPE_SUFFIXES: tuple[str, ...] = ("training", "validation", "testing", "calibration", "inference")

#: Abbreviations people use in file names -> the words of registry keys.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "xgb": ("xgboost",),
    "pt": ("pytorch",),
    "torch": ("pytorch",),
    "lgbm": ("lightgbm",),
    "lgb": ("lightgbm",),
    "evaluation": ("eval",),
    "evaluate": ("eval",),
    "preprocess": ("preprocessing",),
    "preproc": ("preprocessing",),
    "calib": ("calibration",),
    "hyperparam": ("hyperparameter",),
    "hp": ("hyperparameter",),
    "reg": ("registration",),
    "register": ("registration",),
    "lr": ("logistic", "regression"),
}

#: Words that prefix or decorate a file name without being part of the step name
#: (``mims_registration`` is the ``Registration`` step, ``bsm`` is a model family tag).
NOISE_WORDS: frozenset[str] = frozenset({"mims", "step", "bsm"})

#: Component file-name decorations, stripped when the bare name does not match.
FILE_PREFIXES: tuple[str, ...] = ("builder_", "config_", "hyperparameters_")
FILE_SUFFIXES: tuple[str, ...] = ("_step", "_contract", "_spec", "_config")

DEFAULT_FUZZY_THRESHOLD = 0.8

Strategy = Literal["exact", "job_type", "abbreviation", "permutation", "fuzzy"]

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|.")


def split_words(name: str) -> list[str]:
    """Words of a PascalCase, camelCase or snake_case name, keeping known acronyms whole."""
    words: list[str] = []
    i = 0
    while i < len(name):
        if not name[i].isalnum():
            i += 1
            continue
        for word in ACRONYM_WORDS:
            end = i + len(word)
            if name.startswith(word, i) and (end == len(name) or not name[end].islower()):
                words.append(word)
                i = end
                break
        else:
            match = _WORD.match(name, i)
            assert match is not None  # the final '.' alternative always matches
            words.append(match.group())
            i = match.end()
    return words


def pascal_to_snake(name: str) -> str:
    """``XGBoostModelEval`` -> ``xgboost_model_eval``; ``MIMSPayload`` -> ``mims_payload``."""
    return "_".join(w.lower() for w in split_words(name))


def snake_to_pascal(name: str) -> str:
    """``xgboost_model_eval`` -> ``XGBoostModelEval``; known acronyms get their house spelling."""
    parts = [p for p in re.split(r"[_\-\s]+", name) if p]
    return "".join(_ACRONYM_BY_LOWER.get(p.lower(), p[:1].upper() + p[1:].lower()) for p in parts)


def _compact(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class CanonicalMatch(msgspec.Struct, frozen=True):
    """Which registry key a file name maps to, and how sure we are (``score`` 1.0 unless fuzzy)."""

    name: str
    strategy: Strategy
    score: float = 1.0


def _stem(file_name: str) -> str:
    stem = PurePath(file_name).name
    return stem[:-3] if stem.endswith(".py") else stem


def _bases(stem: str) -> list[str]:
    """The file stem, then the stem with component decorations removed."""
    bases = [stem]
    stripped = stem
    for prefix in FILE_PREFIXES:
        if stripped.startswith(prefix) and len(stripped) > len(prefix):
            stripped = stripped[len(prefix):]
            break
    for suffix in FILE_SUFFIXES:
        if stripped.endswith(suffix) and len(stripped) > len(suffix):
            stripped = stripped[: -len(suffix)]
            break
    if stripped != stem:
        bases.append(stripped)
    return bases


def _without_job_type(words: list[str]) -> list[str] | None:
    if len(words) > 1 and words[-1] in JOB_TYPE_SUFFIXES:
        return words[:-1]
    return None


def _expand(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        out.extend(ABBREVIATIONS.get(w, (w,)))
    return out


def _names_of(step_names: Mapping[str, Any] | Iterable[str]) -> list[str]:
    return [n for n in step_names if isinstance(n, str)]


@lru_cache(maxsize=64)
def _name_index(names: tuple[str, ...]) -> tuple[dict[str, str], dict[tuple[str, ...], frozenset[str]]]:
    """Compact spelling -> name and sorted word bag -> names, built once per set of names
    (the catalog and the rules ask about hundreds of files against the same registry)."""
    by_compact: dict[str, str] = {}
    for n in sorted(names):
        by_compact.setdefault(_compact(n), n)
    bags: dict[tuple[str, ...], set[str]] = {}
    for n in names:
        bags.setdefault(tuple(sorted(w.lower() for w in split_words(n))), set()).add(n)
    return by_compact, {k: frozenset(v) for k, v in bags.items()}


#: _closest answers by (probes, keep, index identity), holding the index so its id stays its own:
#: the catalog of a language server asks the same fuzzy questions on every re-lint
_CLOSEST: dict[tuple[tuple[str, ...], int, int], tuple[dict[str, str], dict[str, float]]] = {}
_CLOSEST_SIZE = 4096


def _closest(probes: list[str], by_compact: dict[str, str], keep: int = 3) -> dict[str, float]:
    """:func:`_scored_closest`, memoised while ``by_compact`` (an :func:`_name_index` result) lives."""
    key = (tuple(probes), keep, id(by_compact))
    hit = _CLOSEST.get(key)
    if hit is not None and hit[0] is by_compact:
        return dict(hit[1])
    best = _scored_closest(probes, by_compact, keep)
    if len(_CLOSEST) >= _CLOSEST_SIZE:
        _CLOSEST.clear()
    _CLOSEST[key] = (by_compact, dict(best))
    return best


def _scored_closest(probes: list[str], by_compact: dict[str, str], keep: int = 3) -> dict[str, float]:
    """Each name's best ``SequenceMatcher.ratio`` against ``probes``, exact for the ``keep``
    closest names (all the caller reads: the match and the error message's list).

    Pairs are scored in order of an exact upper bound of their ratio (``2 * longest common
    subsequence / total length``, :func:`cursus_core.text_similarity.ratio_bound`); once the bound
    falls below the ``keep``-th best score found, no later pair can change the closest names, so
    their full match is skipped. A name whose score is kept below that floor may be partial
    (the best of the pairs scored), never higher than its real score."""
    bounded = [(ratio_bound(probe, compact), probe, compact) for probe in probes for compact in by_compact]
    bounded.sort(key=lambda item: -item[0])
    best: dict[str, float] = {}
    floor = -1.0
    for bound, probe, compact in bounded:
        if bound < floor:
            break
        name = by_compact[compact]
        if bound <= best.get(name, -1.0):
            continue  # this pair cannot raise the name's score
        score = difflib.SequenceMatcher(None, probe, compact).ratio()
        if score > best.get(name, -1.0):
            best[name] = score
            if len(best) >= keep:
                floor = sorted(best.values(), reverse=True)[keep - 1]
    return best


_Index = tuple[dict[str, str], dict[tuple[str, ...], frozenset[str]]]
#: the last name lists asked about, by identity: the catalog and the rules ask about every file of
#: the repo against one list of registered names, and turning that list into the index's key again
#: on each call was quadratic in the steps (4.5 s of a 1,500-step run). A list is recognised only
#: while it is the same object with the same length (callers build sorted lists and replace them).
_RECENT: dict[int, tuple[list[str] | tuple[str, ...], int, tuple[list[str], _Index]]] = {}


def _prepared(step_names: Mapping[str, Any] | Iterable[str]) -> tuple[list[str], _Index]:
    """The names and their :func:`_name_index`, once per list of names while it is asked about."""
    if not isinstance(step_names, (list, tuple)):
        names = _names_of(step_names)
        return names, _name_index(tuple(names))
    seen = _RECENT.get(id(step_names))
    if seen is not None and seen[0] is step_names and seen[1] == len(step_names):
        return seen[2]
    names = _names_of(step_names)
    prepared = (names, _name_index(tuple(names)))
    if len(_RECENT) >= 8:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[id(step_names)] = (step_names, len(step_names), prepared)
    return prepared


def match_canonical_name(file_name: str, step_names: Mapping[str, Any] | Iterable[str],
                         fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD) -> CanonicalMatch:
    """Map a step file name to a registry key, trying strategies from strictest to loosest.

    Raises ValueError naming up to three closest keys when no strategy matches.
    """
    names, (by_compact, key_bags) = _prepared(step_names)
    stem = _stem(file_name)
    word_lists = [[w.lower() for w in split_words(b)] for b in _bases(stem)]

    def exact(words: list[str]) -> str | None:
        return by_compact.get("".join(words)) if words else None

    # 1. exact match after case conversion.
    for words in word_lists:
        if (hit := exact(words)) is not None:
            return CanonicalMatch(hit, "exact")
    # 2. job-type suffix removal.
    job_free = [w for w in (_without_job_type(ws) for ws in word_lists) if w is not None]
    for words in job_free:
        if (hit := exact(words)) is not None:
            return CanonicalMatch(hit, "job_type")
    # 3. abbreviation expansion, then with decoration words such as 'mims' dropped.
    expanded = [_expand(ws) for ws in word_lists + job_free]
    denoised = [[w for w in ws if w not in NOISE_WORDS] for ws in expanded]
    variants = [v for v in expanded + denoised if v]
    for words in variants:
        if (hit := exact(words)) is not None:
            return CanonicalMatch(hit, "abbreviation")
    # 4. the same words in another order (model_evaluation_xgb <-> XGBoostModelEval).
    for words in variants:
        hits = key_bags.get(tuple(sorted(words)), frozenset())
        if len(hits) == 1:
            return CanonicalMatch(next(iter(hits)), "permutation")
    # 5. fuzzy fallback over compact spellings.
    best = _closest(["".join(words) for words in variants], by_compact)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    if ranked and ranked[0][1] >= fuzzy_threshold and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        return CanonicalMatch(ranked[0][0], "fuzzy", round(ranked[0][1], 3))
    if not names:
        raise ValueError(f"cannot map file name '{file_name}' to a step: no step names are registered")
    closest = ", ".join(f"'{n}'" for n, _ in ranked[:3])
    raise ValueError(f"cannot map file name '{file_name}' to a registered step name; closest: {closest}")


def get_canonical_name_from_file_name(file_name: str, step_names: Mapping[str, Any] | Iterable[str]) -> str:
    """The registry key for a step file name (``model_evaluation_xgb`` -> ``XGBoostModelEval``).

    ``step_names`` is a ``STEP_NAMES``-shaped dict (or any iterable of names). The names are
    always passed in: this module knows no registry (the default-registry variant is
    :func:`cursus_core.registry.step_names.get_canonical_name_from_file_name`).
    """
    return match_canonical_name(file_name, step_names).name


def split_step_name(name: str) -> tuple[str, str | None]:
    """A DAG node / saved-config step name: ``"TabularPreprocessing_training"`` ->
    ``("TabularPreprocessing", "training")``; a name without ``_`` has no job type."""
    canonical, sep, job_type = name.partition("_")
    return (canonical, job_type) if sep and job_type else (name, None)
