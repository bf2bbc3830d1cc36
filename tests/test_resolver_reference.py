"""The resolver's fast paths against a straightforward reference over the fixture repos.

``score_match`` keeps a memo of the evidence of each (dependency, output) pair, writes its
explanation only when read, and settles most name pairs with a longest-common-subsequence
bound before difflib; ``resolve`` scores only the providers that can reach the result. None of
that may change a number, a sentence or an order: here every dependency of every fixture spec
is scored against every visible output by a plain reimplementation of the documented rules
(difflib on every pair, sentences written eagerly, every provider ranked), and the two must
agree exactly.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from cursus_core.deps import rank_providers, resolve, score_match
from cursus_core.deps.resolver import DependencyView, OutputView, StepRef, as_dependency, as_output
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules._dependencies import dependency_readable, index, visible_providers
from cursus_lint.rules_index import all_rules

from .test_fixture_repos import BROKEN, FIXTURES, build_broken

_WEIGHTS = {"type": 0.25, "data_type": 0.05, "name": 0.35, "keywords": 0.15, "source": 0.20}
_FEEDS = {"training_data": {"processing_output"}, "processing_output": {"training_data"},
          "hyperparameters": {"custom_property"}, "payload_samples": {"processing_output"}}
_SUFFIX = re.compile(r"_(?:training|validation|testing|calibration|train|val|test|calib)$", re.IGNORECASE)
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(name)]


def ref_similarity(a: str, b: str) -> tuple[float, str]:
    if not a or not b:
        return 0.0, "none"
    if a == b:
        return 1.0, "exact"
    wa, wb = _words(a), _words(b)
    if a.lower() == b.lower() or (wa and wa == wb):
        return 0.9, "case-insensitive"
    sa, sb = set(wa), set(wb)
    overlap = 0.8 * len(sa & sb) / len(sa | sb) if sa and sb else 0.0
    ratio = difflib.SequenceMatcher(None, "_".join(wa), "_".join(wb)).ratio()  # every pair, no bound
    fuzzy = 0.6 * ratio if ratio >= 0.6 else 0.0
    if overlap == 0.0 and fuzzy == 0.0:
        return 0.0, "none"
    return (overlap, "word overlap") if overlap >= fuzzy else (fuzzy, "fuzzy")


def _listed(dep: DependencyView, step: StepRef) -> bool:
    names = {step.name} | ({step.spec_type, _SUFFIX.sub("", step.spec_type)} if step.spec_type else set())
    return any(s in names or _SUFFIX.sub("", s) in names for s in dep.compatible_sources)


def ref_score(dep: DependencyView, out: OutputView, provider: StepRef,
              consumer: StepRef) -> tuple[float, dict[str, float], list[str]]:
    """(total, parts, explanation), every sentence written as the docs of score_match say."""
    if provider == consumer:
        return 0.0, dict.fromkeys(_WEIGHTS, 0.0), [f"'{provider.label}' cannot consume its own output"]
    if not dep.dependency_type or not out.output_type:
        compat = 0.0
    elif dep.dependency_type == out.output_type:
        compat = 1.0
    else:
        compat = 0.6 if out.output_type in _FEEDS.get(dep.dependency_type, set()) else 0.0
    if compat == 0.0:
        return 0.0, dict.fromkeys(_WEIGHTS, 0.0), [
            f"type: output type '{out.output_type or '?'}' cannot satisfy dependency type "
            f"'{dep.dependency_type or '?'}'"]
    names = [out.logical_name, *out.aliases]
    raw = {"type": 0.25 * compat, "data_type": 0.05 if dep.data_type == out.data_type else 0.0}
    why = [f"type: '{out.output_type}' {'is' if compat == 1.0 else 'is compatible with'} "
           f"'{dep.dependency_type}' (+{raw['type']:.2f})",
           f"data type: {out.data_type} {'==' if raw['data_type'] else '!='} {dep.data_type} "
           f"(+{raw['data_type']:.2f})"]
    best, how, which = 0.0, "none", out.logical_name
    for name in names:
        sim, kind = ref_similarity(dep.logical_name, name)
        if sim > best:
            best, how, which = sim, kind, name
    raw["name"] = 0.35 * best
    if best:
        what = "logical name" if which == out.logical_name else "alias"
        why.append(f"name: '{dep.logical_name}' ~ {what} '{which}' ({how}, {best:.2f}) (+{raw['name']:.2f})")
    else:
        why.append(f"name: '{dep.logical_name}' shares nothing with {', '.join(repr(n) for n in names)}")
    words = {w for n in names for w in _words(n)}
    hits = [k for k in dep.semantic_keywords if _words(k) and set(_words(k)) <= words]
    raw["keywords"] = 0.15 * min(1.0, len(hits) / 2)
    if dep.semantic_keywords:
        why.append(f"keywords: {len(hits)} of {len(dep.semantic_keywords)} found"
                   + (f" ({', '.join(hits)})" if hits else "") + f" (+{raw['keywords']:.2f})")
    listed = _listed(dep, provider)
    raw["source"] = 0.20 if listed else 0.0
    if listed:
        why.append(f"source: '{provider.label}' is a compatible source (+{raw['source']:.2f})")
    elif dep.compatible_sources:
        why.append(f"source: '{provider.label}' is not among {', '.join(dep.compatible_sources)}")
    parts = {k: round(v, 4) for k, v in raw.items()}
    return round(min(1.0, sum(parts.values())), 4), parts, why


def _projects(tmp_path: Path) -> list[tuple[str, Path]]:
    level3 = next(case for case in BROKEN if case.name == "level3_dependencies")
    return [("example", FIXTURES / "example_repo"), ("interface", FIXTURES / "interface_repo"),
            ("workspaces", FIXTURES / "workspaces"), ("level3", build_broken(level3, tmp_path))]


@pytest.mark.parametrize("name", ["example", "interface", "workspaces", "level3"])
def test_scores_rankings_and_resolutions_equal_the_reference(name: str, tmp_path: Path) -> None:
    root = dict(_projects(tmp_path))[name]
    project = Engine(load_config(root, set(all_rules()))).project(root)
    ix = index(project)
    pairs = deps = ambiguous = unresolved = 0
    for consumer in ix.consumers:
        pool = visible_providers(ix, consumer)
        for facts in consumer.spec.dependencies:
            if not dependency_readable(facts) or facts.non_literal:
                continue
            dep = as_dependency(facts)
            reference = []
            for p in pool.providers:
                got = score_match(facts, p.output, p.step, consumer.ref)
                want = ref_score(dep, as_output(p.output), p.step, consumer.ref)
                assert (got.total, got.parts, got.explanation) == want, (dep.logical_name, p.label)
                pairs += 1
                if want[0] > 0.0 and p.step != consumer.ref:
                    reference.append((p, want))
            reference.sort(key=lambda r: (-r[1][0], -r[1][1]["source"], r[0].step.label,
                                          as_output(r[0].output).logical_name, r[0].step.workspace_id or ""))
            ranked = rank_providers(facts, pool.providers, consumer.ref)
            assert [(c.label, c.total, c.score.explanation) for c in ranked] == \
                [(p.label, s[0], s[2]) for p, s in reference]
            # resolve scores only what can matter: its candidates keep the reference order and
            # begin with everything within the tie margin of a passing top, else the best three
            result = resolve(facts, pool, 0.5, 0.05, consumer=consumer.ref)
            order = [p.label for p, _ in reference]
            labels = [c.label for c in result.candidates]
            assert labels == [x for x in order if x in set(labels)]
            passing = [(p, s) for p, s in reference if s[0] >= 0.5]
            must = [r for r in reference if r[1][0] >= passing[0][1][0] - 0.05 - 1e-9] if passing else reference[:3]
            assert [(c.label, c.total) for c in result.candidates[:len(must)]] == [(p.label, s[0]) for p, s in must]
            top_ids = {(passing[0][0].step.name, passing[0][0].step.workspace_id,
                        as_output(passing[0][0].output).logical_name)} if passing else set()
            rivals = []
            for p, s in passing[1:]:
                ident = (p.step.name, p.step.workspace_id, as_output(p.output).logical_name)
                if passing[0][1][0] - s[0] <= 0.05 + 1e-9 and ident not in top_ids:
                    top_ids.add(ident)
                    rivals.append(p.label)
            assert [c.label for c in result.rivals] == rivals
            assert result.ambiguous is bool(rivals)
            want_best = passing[0][0].label if passing and (dep.required or not rivals) else None
            assert (result.best.label if result.best else None) == want_best
            deps += 1
            ambiguous += bool(rivals)
            unresolved += not passing
    assert pairs > 20 and deps > 3
    if name == "level3":  # the broken case has an ambiguous and an unsatisfiable dependency
        assert ambiguous and unresolved


def test_typo_hints_equal_difflib_over_every_candidate() -> None:
    # CL301 leaves out the names whose ratio cannot reach the cutoff before difflib ranks the
    # rest: the hint must be what get_close_matches finds over all of them
    from cursus_core.registry.core_table import CORE_STEP_NAMES
    from cursus_lint.rules.cl301_unknown_compatible_source import TYPO_CUTOFF, _hint

    candidates = sorted(CORE_STEP_NAMES)
    sources = {"ProcessingStep", "ModelTraining", "Model", "", "X", "DataLoader", "Tabular_Preprocessing"}
    for name in candidates:
        sources |= {name[1:], name[:-1], name + "s", name[::-1], name[: len(name) // 2],
                    name[:3] + name[4:], name.replace("a", "e"), name + "_Training", "Base" + name}
    kinds = {"typo": 0, "placeholder": 0, "spelling": 0}
    for source in sorted(sources):
        hint, kind = _hint(source, candidates)
        kinds[kind] += 1
        if kind != "spelling":
            close = difflib.get_close_matches(source, candidates, n=1, cutoff=TYPO_CUTOFF)
            assert ([hint] if kind == "typo" else []) == close, source
    assert kinds["typo"] > 100 and kinds["placeholder"] > 50


def test_a_lint_run_writes_no_explanation_and_a_read_one_equals_the_eager_sentences(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CL302/CL303 show totals, never the reasons: scoring every pair of a repo must not write
    # thousands of sentences nobody reads; a reader (the compiler, the MCP wiring tool) gets them
    import pickle

    import cursus_core.deps.resolver as resolver

    written: list[str] = []
    real = resolver._explain

    def counting(*args: object) -> list[str]:
        lines = real(*args)  # type: ignore[arg-type]
        written.extend(lines)
        return lines

    monkeypatch.setattr(resolver, "_explain", counting)
    level3 = next(case for case in BROKEN if case.name == "level3_dependencies")
    root = build_broken(level3, tmp_path)
    settings = load_config(root, set(all_rules()), overrides={"select": ["CL302", "CL303"]})
    result = Engine(settings).run([root])
    assert sorted(d.code for d in result.diagnostics) == ["CL302", "CL303", "CL303"]
    assert written == []
    score = score_match(dep := as_dependency({"logical_name": "raw_data", "dependency_type": "processing_output",
                                               "compatible_sources": ["DataLoad"]}),
                        as_output({"logical_name": "raw_data", "output_type": "processing_output"}),
                        StepRef("DataLoad"), StepRef("Clean"))
    want = ref_score(dep, as_output({"logical_name": "raw_data", "output_type": "processing_output"}),
                     StepRef("DataLoad"), StepRef("Clean"))
    copy = pickle.loads(pickle.dumps(score))  # before the first read: the sentences travel too
    assert (copy.total, copy.parts, copy.explanation) == want
    assert score.explanation == want[2] and written == want[2]
    assert copy == score and repr(copy) == repr(score)


def test_views_built_by_hand_with_lists_score_like_normalised_ones() -> None:
    # the memo keys on the views; a caller's DependencyView/OutputView holding lists (msgspec does
    # not convert them on construction) is scored all the same, as it always was
    listed = score_match(DependencyView("raw_data", "processing_output", True, ["DataLoad"], ["raw"]),  # type: ignore[arg-type]
                         OutputView("raw_data", "processing_output", ["data"]), "DataLoad", "Clean")  # type: ignore[arg-type]
    tupled = score_match(DependencyView("raw_data", "processing_output", True, ("DataLoad",), ("raw",)),
                         OutputView("raw_data", "processing_output", ("data",)), "DataLoad", "Clean")
    assert listed == tupled and listed.total == 0.925
    assert listed.explanation[3] == "keywords: 1 of 1 found (raw) (+0.07)"
