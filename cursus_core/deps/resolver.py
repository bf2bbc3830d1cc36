"""Score how well a step output can satisfy a dependency, rank providers and pick one.

Pure functions over plain data: they work on the domain models
(:class:`~cursus_core.base.DependencySpec` / :class:`~cursus_core.base.OutputSpec`), on lint
facts, or on anything with the same attribute names (see :class:`DependencyLike` /
:class:`OutputLike`). Nothing here imports sagemaker, so the linter and the DAG compiler share
one definition of "a good match".

A score is the sum of five parts (weights in :data:`WEIGHTS`, total at most 1.0):

``type``
    dependency/output type compatibility (:data:`TYPE_COMPATIBILITY`); an incompatible pair
    scores 0 overall, whatever the other parts say;
``data_type``
    equal data types (``S3Uri``, ``String``...);
``name``
    the best similarity between the dependency's logical name and the output's logical name
    or aliases: exact, case/separator-insensitive, word overlap, then difflib;
``keywords``
    semantic keywords of the dependency found among the output's name words;
``source``
    the provider step is one of the dependency's ``compatible_sources`` (a strong bonus).

Type and data type alone reach only 0.30, so an output with no relation by name, keyword or
declared source never passes the default threshold of 0.5 (the resolver once wired an
optional ``calibration_model`` to an unrelated ``evaluation_output`` that way).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from enum import Enum
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

import msgspec

from cursus_core.text_similarity import lcs_length, ratio_may_reach

__all__ = [
    "WEIGHTS", "TYPE_COMPATIBILITY", "DependencyLike", "OutputLike", "DependencyView", "OutputView", "StepRef",
    "Provider", "MatchScore", "Candidate", "Resolution", "as_dependency", "as_output", "as_step",
    "type_compatibility", "name_similarity", "split_words", "source_matches", "strip_job_suffix",
    "score_match", "rank_providers", "resolve", "lcs_length", "ratio_may_reach",
]

#: Maximum contribution of each part; they add up to 1.0.
WEIGHTS: dict[str, float] = {"type": 0.25, "data_type": 0.05, "name": 0.35, "keywords": 0.15, "source": 0.20}

#: Share of the ``type`` weight a merely compatible (not identical) output type earns.
COMPATIBLE_TYPE_SHARE = 0.6

#: dependency type -> output types that can feed it (besides itself).
TYPE_COMPATIBILITY: dict[str, frozenset[str]] = {
    "model_artifacts": frozenset(),
    "training_data": frozenset({"processing_output"}),
    "processing_output": frozenset({"training_data"}),
    "hyperparameters": frozenset({"custom_property"}),
    "payload_samples": frozenset({"processing_output"}),
    "custom_property": frozenset(),
}

#: Similarity of names that differ only in case or ``-``/``_``/camel-case spelling.
CASE_INSENSITIVE = 0.9
#: Word overlap (Jaccard) earns up to this much.
WORD_OVERLAP_MAX = 0.8
#: difflib ratio earns up to this much, and only from :data:`FUZZY_FLOOR` up.
FUZZY_MAX = 0.6
FUZZY_FLOOR = 0.6
#: Keyword hits that earn the whole ``keywords`` weight.
KEYWORD_HITS_FOR_FULL = 2

_JOB_SUFFIX = re.compile(r"_(?:training|validation|testing|calibration|train|val|test|calib)$", re.IGNORECASE)
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+")


# ----------------------------------------------------------------------------- inputs


@runtime_checkable
class DependencyLike(Protocol):
    """What the resolver reads from a dependency (DependencySpec, DependencyFacts, ...)."""

    logical_name: Any
    dependency_type: Any
    compatible_sources: Any
    semantic_keywords: Any
    data_type: Any


@runtime_checkable
class OutputLike(Protocol):
    """What the resolver reads from an output (OutputSpec, OutputFacts, ...)."""

    logical_name: Any
    output_type: Any
    aliases: Any
    data_type: Any


class DependencyView(msgspec.Struct, frozen=True):
    """A dependency normalised for scoring: lower-case type values, tuples, defaults filled."""

    logical_name: str
    dependency_type: str
    required: bool = True
    compatible_sources: tuple[str, ...] = ()
    semantic_keywords: tuple[str, ...] = ()
    data_type: str = "S3Uri"


class OutputView(msgspec.Struct, frozen=True):
    """An output normalised for scoring."""

    logical_name: str
    output_type: str
    aliases: tuple[str, ...] = ()
    data_type: str = "S3Uri"

    @property
    def names(self) -> tuple[str, ...]:
        return (self.logical_name, *self.aliases)


class StepRef(msgspec.Struct, frozen=True):
    """A step (or DAG node) that provides or consumes: its name, and where known its spec type
    (``RiskTableMapping_Training``), job type and workspace."""

    name: str
    spec_type: str | None = None
    job_type: str | None = None
    workspace_id: str | None = None

    @property
    def label(self) -> str:
        """``RiskTableMapping_Training`` for a job-type variant, else the step name."""
        return self.spec_type or self.name


def _type_value(value: Any) -> str:
    """``DependencyType.PROCESSING_OUTPUT`` / ``"PROCESSING_OUTPUT"`` -> ``"processing_output"``."""
    if isinstance(value, Enum):
        value = value.value
    text = str(value or "")
    return text.rsplit(".", 1)[-1].lower()


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def as_dependency(dep: Any) -> DependencyView:
    """Normalise a DependencySpec, DependencyFacts, DependencyView or mapping."""
    if isinstance(dep, DependencyView):
        return dep
    get = dep.get if isinstance(dep, dict) else (lambda k, d=None: getattr(dep, k, d))
    required = get("required", True)
    return DependencyView(
        logical_name=str(get("logical_name") or ""),
        dependency_type=_type_value(get("dependency_type")),
        required=True if required is None else bool(required),
        compatible_sources=_strings(get("compatible_sources")),
        semantic_keywords=_strings(get("semantic_keywords")),
        data_type=str(get("data_type") or "S3Uri"),
    )


def as_output(out: Any) -> OutputView:
    """Normalise an OutputSpec, OutputFacts, OutputView or mapping."""
    if isinstance(out, OutputView):
        return out
    get = out.get if isinstance(out, dict) else (lambda k, d=None: getattr(out, k, d))
    return OutputView(
        logical_name=str(get("logical_name") or ""),
        output_type=_type_value(get("output_type")),
        aliases=_strings(get("aliases")),
        data_type=str(get("data_type") or "S3Uri"),
    )


def as_step(step: Any) -> StepRef | None:
    """A StepRef from a StepRef, a plain name, or anything with ``name`` (and maybe ``spec_type``)."""
    if step is None or isinstance(step, StepRef):
        return step
    if isinstance(step, str):
        return StepRef(step)
    return StepRef(str(step.name), getattr(step, "spec_type", None), getattr(step, "job_type", None),
                   getattr(step, "workspace_id", None))


# ----------------------------------------------------------------------------- parts


@lru_cache(maxsize=8192)
def split_words(name: str) -> tuple[str, ...]:
    """``"ModelArtifacts"`` / ``"model_artifacts"`` / ``"model-artifacts"`` -> ``("model", "artifacts")``."""
    return tuple(w.lower() for w in _WORD.findall(name))


def type_compatibility(dependency_type: str, output_type: str) -> float:
    """1.0 for the same type, :data:`COMPATIBLE_TYPE_SHARE` for a compatible one, else 0.0."""
    if not dependency_type or not output_type:
        return 0.0
    if dependency_type == output_type:
        return 1.0
    if output_type in TYPE_COMPATIBILITY.get(dependency_type, frozenset()):
        return COMPATIBLE_TYPE_SHARE
    return 0.0


@lru_cache(maxsize=65536)
def name_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity in [0, 1] of two logical names, and how it was found."""
    if not a or not b:
        return 0.0, "none"
    if a == b:
        return 1.0, "exact"
    wa, wb = split_words(a), split_words(b)
    if a.lower() == b.lower() or (wa and wa == wb):
        return CASE_INSENSITIVE, "case-insensitive"
    sa, sb = set(wa), set(wb)
    overlap = WORD_OVERLAP_MAX * len(sa & sb) / len(sa | sb) if sa and sb else 0.0
    ja, jb = "_".join(wa), "_".join(wb)
    # difflib's ratio() is 2*M/T, where its M matched characters form a common subsequence of
    # the two names: the longest one bounds it, settles most pairs below the floor without
    # building a SequenceMatcher, and leaves the verdict of every pair unchanged
    fuzzy = 0.0
    if ratio_may_reach(ja, jb, FUZZY_FLOOR):
        ratio = difflib.SequenceMatcher(None, ja, jb).ratio()
        fuzzy = FUZZY_MAX * ratio if ratio >= FUZZY_FLOOR else 0.0
    if overlap == 0.0 and fuzzy == 0.0:
        return 0.0, "none"
    return (overlap, "word overlap") if overlap >= fuzzy else (fuzzy, "fuzzy")


@lru_cache(maxsize=65536)
def strip_job_suffix(name: str) -> str:
    """``"RiskTableMapping_Training"`` -> ``"RiskTableMapping"``; other names unchanged (memoised:
    the level-3 checks ask about the same few names tens of thousands of times)."""
    return _JOB_SUFFIX.sub("", name)


@lru_cache(maxsize=8192)
def _names_of(step: StepRef) -> frozenset[str]:
    names = {step.name}
    if step.spec_type:
        names.update({step.spec_type, strip_job_suffix(step.spec_type)})
    return frozenset(names)


def source_matches(source: str, step: StepRef) -> bool:
    """Whether a ``compatible_sources`` entry names ``step`` (by name or spec type, job suffix ignored)."""
    names = _names_of(step)
    return source in names or strip_job_suffix(source) in names


# ----------------------------------------------------------------------------- scoring


class MatchScore:
    """``total`` in [0, 1]; ``parts`` by name (see :data:`WEIGHTS`); ``explanation`` for humans.

    The explanation is written on first read: a whole-repo check scores thousands of pairs and
    shows the reasons of a few, so the scorer keeps what the sentences need, not the sentences.
    """

    __slots__ = ("total", "parts", "_explanation", "_basis")

    def __init__(self, total: float, parts: dict[str, float] | None = None,
                 explanation: list[str] | None = None) -> None:
        self.total = total
        self.parts: dict[str, float] = {} if parts is None else parts
        self._explanation: list[str] | None = [] if explanation is None else explanation
        self._basis: tuple[DependencyView, OutputView, StepRef | None, _Evidence] | None = None

    @classmethod
    def _explained_later(cls, evidence: _Evidence, dep: DependencyView, out: OutputView,
                         provider: StepRef | None) -> MatchScore:
        score = cls(evidence.total, dict(evidence.parts))
        score._explanation, score._basis = None, (dep, out, provider, evidence)
        return score

    @property
    def explanation(self) -> list[str]:
        """One line per part, as :func:`score_match` found it."""
        explanation = self._explanation
        if explanation is None:  # two threads may both write it: the same lines, harmlessly
            assert self._basis is not None
            explanation = self._explanation = _explain(*self._basis)
        return explanation

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MatchScore):
            return NotImplemented
        return (self.total, self.parts, self.explanation) == (other.total, other.parts, other.explanation)

    __hash__ = None  # type: ignore[assignment]  # parts is a dict, as it always was

    def __repr__(self) -> str:
        return f"MatchScore(total={self.total!r}, parts={self.parts!r}, explanation={self.explanation!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return MatchScore, (self.total, dict(self.parts), list(self.explanation))


def _round(x: float) -> float:
    return round(x + 0.0, 4)


class _Evidence(msgspec.Struct, frozen=True):
    """What a compatible (dependency, output) pair earned, by part: the raw part values (the
    explanation prints them), the rounded ``parts`` and ``total``, and what the name and keyword
    parts matched."""

    compat: float
    same_data: bool
    best: float
    how: str
    which: str
    hits: tuple[str, ...]
    listed: bool
    raw: tuple[float, float, float, float, float]
    parts: dict[str, float]
    total: float


_PART_NAMES = ("type", "data_type", "name", "keywords", "source")


@lru_cache(maxsize=16384)
def _evidence(dep: DependencyView, out: OutputView, listed: bool) -> _Evidence:
    """The parts of a pair whose types are compatible. It depends on the two views and whether
    the provider is a listed source only, so the job-type variants of a step (same dependencies,
    same outputs) share one computation."""
    compat = type_compatibility(dep.dependency_type, out.output_type)
    type_part = WEIGHTS["type"] * compat
    same_data = dep.data_type == out.data_type
    data_part = WEIGHTS["data_type"] if same_data else 0.0
    best, how, which = 0.0, "none", out.logical_name
    for candidate in out.names:
        sim, kind = name_similarity(dep.logical_name, candidate)
        if sim > best:
            best, how, which = sim, kind, candidate
    name_part = WEIGHTS["name"] * best
    words = _output_words(out.names)
    hits = tuple(k for k, kw in _keyword_words(tuple(dep.semantic_keywords)) if kw <= words)
    keyword_part = WEIGHTS["keywords"] * min(1.0, len(hits) / KEYWORD_HITS_FOR_FULL)
    source_part = WEIGHTS["source"] if listed else 0.0
    raw = (type_part, data_part, name_part, keyword_part, source_part)
    parts = {k: round(v + 0.0, 4) for k, v in zip(_PART_NAMES, raw, strict=True)}  # _round, inlined
    return _Evidence(compat, same_data, best, how, which, hits, listed, raw, parts,
                     _round(min(1.0, sum(parts.values()))))


@lru_cache(maxsize=8192)
def _output_words(names: tuple[str, ...]) -> frozenset[str]:
    """The words of an output's logical name and aliases (keywords are looked up among them)."""
    return frozenset(w for n in names for w in split_words(n))


@lru_cache(maxsize=8192)
def _keyword_words(keywords: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each semantic keyword that has words, with its words: it is found when all are there."""
    return tuple((k, frozenset(kw)) for k in keywords if (kw := split_words(k)))


def _explain(dep: DependencyView, out: OutputView, provider: StepRef | None, ev: _Evidence) -> list[str]:
    """The explanation lines of a scored compatible pair."""
    type_part, data_part, name_part, keyword_part, source_part = ev.raw
    why = [f"type: '{out.output_type}' {'is' if ev.compat == 1.0 else 'is compatible with'} "
           f"'{dep.dependency_type}' (+{type_part:.2f})",
           f"data type: {out.data_type} {'==' if ev.same_data else '!='} {dep.data_type} (+{data_part:.2f})"]
    if ev.best:
        what = "logical name" if ev.which == out.logical_name else "alias"
        why.append(f"name: '{dep.logical_name}' ~ {what} '{ev.which}' ({ev.how}, {ev.best:.2f}) (+{name_part:.2f})")
    else:
        why.append(f"name: '{dep.logical_name}' shares nothing with {', '.join(repr(n) for n in out.names)}")
    if dep.semantic_keywords:
        why.append(f"keywords: {len(ev.hits)} of {len(dep.semantic_keywords)} found"
                   + (f" ({', '.join(ev.hits)})" if ev.hits else "") + f" (+{keyword_part:.2f})")
    if ev.listed and provider is not None:
        why.append(f"source: '{provider.label}' is a compatible source (+{source_part:.2f})")
    elif dep.compatible_sources and provider is not None:
        why.append(f"source: '{provider.label}' is not among {', '.join(dep.compatible_sources)}")
    return why


def score_match(dependency: Any, output: Any, provider_step: Any = None, consumer_step: Any = None) -> MatchScore:
    """How well ``output`` of ``provider_step`` satisfies ``dependency`` of ``consumer_step``."""
    dep, out = as_dependency(dependency), as_output(output)
    provider, consumer = as_step(provider_step), as_step(consumer_step)
    listed = provider is not None and any(source_matches(s, provider) for s in dep.compatible_sources)
    return _score(dep, out, provider, consumer, listed)


def _score(dep: DependencyView, out: OutputView, provider: StepRef | None, consumer: StepRef | None,
           listed: bool) -> MatchScore:
    """:func:`score_match` of normalised inputs, ``listed`` already known (a provider pool knows it)."""
    if provider is not None and consumer is not None and provider == consumer:
        return MatchScore(0.0, dict.fromkeys(WEIGHTS, 0.0), [f"'{provider.label}' cannot consume its own output"])
    if type_compatibility(dep.dependency_type, out.output_type) == 0.0:
        return MatchScore(0.0, dict.fromkeys(WEIGHTS, 0.0), [
            f"type: output type '{out.output_type or '?'}' cannot satisfy dependency type "
            f"'{dep.dependency_type or '?'}'"])
    try:
        evidence = _evidence(dep, out, listed)
    except TypeError:  # a view built by hand with a list inside cannot be a memo key
        evidence = _evidence.__wrapped__(dep, out, listed)
    return MatchScore._explained_later(evidence, dep, out, provider)


# ----------------------------------------------------------------------------- ranking


class Provider(msgspec.Struct, frozen=True):
    """One output of one step; ``ref`` is whatever the caller needs back (a location, a spec)."""

    step: StepRef
    output: Any
    ref: Any = None

    @property
    def label(self) -> str:
        """``Step.output`` as shown in messages."""
        return f"{self.step.label}.{as_output(self.output).logical_name}"


class Candidate(msgspec.Struct, frozen=True):
    provider: Provider
    score: MatchScore

    @property
    def total(self) -> float:
        return self.score.total

    @property
    def label(self) -> str:
        return self.provider.label


class Resolution(msgspec.Struct, frozen=True):
    """``best`` is the provider to wire (None: leave unwired); ``candidates`` the compatible ones that
    can matter, best first (providers whose score ceiling cannot reach the top, or the best three
    when nothing passes, are not scored); ``ambiguous`` when other outputs (``rivals``) score within
    the tie margin of the top."""

    best: Candidate | None
    candidates: list[Candidate]
    ambiguous: bool
    reason: str
    rivals: list[Candidate] = msgspec.field(default_factory=list)


def _providers(providers: Iterable[Any]) -> list[Provider]:
    out: list[Provider] = []
    for p in providers:
        if isinstance(p, Provider):
            out.append(p)
        else:  # (step, output) pairs
            step, output = p
            out.append(Provider(as_step(step) or StepRef(""), output))
    return out


def rank_providers(dependency: Any, providers: Iterable[Any], consumer: Any = None) -> list[Candidate]:
    """Every provider whose output can satisfy ``dependency`` (score > 0), best first.

    Ties are broken by a declared compatible source, then step label and output name, so the
    order never depends on the order providers were given in.
    """
    dep = as_dependency(dependency)
    scored = [Candidate(p, score_match(dep, p.output, p.step, consumer)) for p in _providers(providers)]
    kept = [c for c in scored if c.total > 0.0]
    kept.sort(key=lambda c: (-c.total, -c.score.parts.get("source", 0.0), c.provider.step.label,
                             as_output(c.provider.output).logical_name, c.provider.step.workspace_id or ""))
    return kept


class ProviderPool:
    """Providers prepared once for many :func:`resolve` calls: output views converted once,
    grouped by (output type, data type) so that a whole group's score ceiling is one number,
    and indexed by step name for ``compatible_sources``. Without it every dependency would touch
    every output, which makes level-3 checks quadratic in the number of steps."""

    def __init__(self, providers: Iterable[Any]) -> None:
        self.providers = _providers(providers)
        self.views = [as_output(p.output) for p in self.providers]
        self.groups: dict[tuple[str, str], list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for i, (p, view) in enumerate(zip(self.providers, self.views, strict=True)):
            self.groups.setdefault((view.output_type, view.data_type), []).append(i)
            for name in {p.step.name, p.step.spec_type or "", strip_job_suffix(p.step.spec_type or "")} - {""}:
                self.by_name.setdefault(name, []).append(i)

    def listed(self, dep: DependencyView) -> set[int]:
        """Providers whose step a ``compatible_sources`` entry names."""
        out: set[int] = set()
        for source in dep.compatible_sources:
            for key in {source, strip_job_suffix(source)}:
                out.update(self.by_name.get(key, ()))
        return {i for i in out if any(source_matches(s, self.providers[i].step) for s in dep.compatible_sources)}


def _ceiling(dep: DependencyView, output_type: str, data_type: str, listed: bool) -> float:
    compat = type_compatibility(dep.dependency_type, output_type)
    if compat == 0.0:
        return 0.0
    return (WEIGHTS["type"] * compat + (WEIGHTS["data_type"] if dep.data_type == data_type else 0.0)
            + WEIGHTS["name"] + WEIGHTS["keywords"] + (WEIGHTS["source"] if listed else 0.0))


def _ranked_within_reach(dep: DependencyView, pool: ProviderPool, consumer: Any, threshold: float,
                         tie_margin: float) -> list[tuple[Candidate, str]]:
    """Like :func:`rank_providers`, but providers whose ceiling cannot reach the result are never
    scored: within ``tie_margin`` of a passing top, else the best three. Each candidate comes with
    its output's logical name (from the pool's views: converting the output again is costly)."""
    ref = as_step(consumer)
    listed = pool.listed(dep)
    batches: list[tuple[float, list[int]]] = []
    if listed:
        for key in sorted({(pool.views[i].output_type, pool.views[i].data_type) for i in listed}):
            batches.append((_ceiling(dep, key[0], key[1], True), sorted(i for i in listed if
                                                                      (pool.views[i].output_type,
                                                                       pool.views[i].data_type) == key)))
    for key, members in pool.groups.items():
        rest = [i for i in members if i not in listed] if listed else members
        if rest:
            batches.append((_ceiling(dep, key[0], key[1], False), rest))
    batches.sort(key=lambda b: -b[0])
    scored: list[Candidate] = []
    names: list[str] = []  # each scored candidate's output name, from the pool's prepared view
    for bound, members in batches:
        if bound <= 0.0:
            break
        if scored:
            totals = sorted((c.total for c in scored), reverse=True)
            third = totals[2] if len(totals) >= 3 else 0.0
            cutoff = max(totals[0] - tie_margin, third) if totals[0] >= threshold else third
            if bound < cutoff - 1e-9:
                break
        for i in members:
            p = pool.providers[i]
            if ref is not None and p.step == ref:
                continue
            candidate = Candidate(p, _score(dep, pool.views[i], p.step, ref, i in listed))
            if candidate.total > 0.0:
                scored.append(candidate)
                names.append(pool.views[i].logical_name)
    # the order of rank_providers; the output names come from the views, not converted again
    order = sorted(range(len(scored)), key=lambda k: (
        -scored[k].total, -scored[k].score.parts.get("source", 0.0), scored[k].provider.step.label, names[k],
        scored[k].provider.step.workspace_id or ""))
    return [(scored[k], names[k]) for k in order]


def _identity(c: Candidate, output_name: str) -> tuple[str, str | None, str]:
    """One output of one step, whatever job-type variant provides it."""
    step = c.provider.step
    return step.name, step.workspace_id, output_name


def _listing(candidates: Sequence[Candidate], limit: int = 3) -> str:
    return ", ".join(f"{c.label} ({c.total:.2f})" for c in candidates[:limit])


def resolve(dependency: Any, providers: Iterable[Any] | ProviderPool, threshold: float = 0.5,
            tie_margin: float = 0.05,
            consumer: Any = None) -> Resolution:
    """Pick the provider for ``dependency``.

    A required dependency takes the top candidate at or above ``threshold`` even when it is
    ambiguous (the pipeline cannot run without it, and the reason says so); an optional one is
    wired only when its top candidate is above the threshold *and* unambiguous. Ambiguity means
    another output scores within ``tie_margin`` of the top: another step's, or another output of
    the same step. The same output of several job-type variants of one step is one output (the
    DAG edge picks the variant).
    """
    dep = as_dependency(dependency)
    pool = providers if isinstance(providers, ProviderPool) else ProviderPool(providers)
    named = _ranked_within_reach(dep, pool, consumer, threshold, tie_margin)
    ranked = [c for c, _ in named]
    passing = [(c, name) for c, name in named if c.total >= threshold]
    if not passing:
        if not ranked:
            reason = f"no provider has an output whose type can satisfy '{dep.dependency_type}'"
        else:
            reason = f"no provider scores at least {threshold:.2f}; best candidates: {_listing(ranked)}"
        return Resolution(None, ranked, False, reason)
    top = passing[0][0]
    rivals: list[Candidate] = []
    seen = {_identity(*passing[0])}
    for c, name in passing[1:]:
        if top.total - c.total <= tie_margin + 1e-9 and _identity(c, name) not in seen:
            seen.add(_identity(c, name))
            rivals.append(c)
    ambiguous = bool(rivals)
    if not ambiguous:
        return Resolution(top, ranked, False, f"{top.label} ({top.total:.2f})")
    tied = _listing([top, *rivals], limit=len(rivals) + 1)
    if dep.required:
        return Resolution(top, ranked, True, f"ambiguous, took the first of: {tied}", rivals)
    return Resolution(None, ranked, True, f"optional dependency left unwired; ambiguous between: {tied}", rivals)
