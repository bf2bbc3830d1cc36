"""Pipeline facts: the DAG and the saved config named in ``[tool.cursus-lint]``, read as data.

The static CL8xx rules (node/config mismatches, missing entry points, phantom scripts) need the
DAG's node names and each saved config's entry point fields, with the lines they are written on.
Both files are data (JSON/YAML), so reading them is not running user code; a ``.py`` DAG is code
and is never loaded here (its nodes stay unknown). Positions come from a small scanner over the
JSON text that runs after :func:`json.loads` accepted it, so data and positions always agree.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections import Counter
from json.decoder import scanstring  # type: ignore[attr-defined]  # public, but not in typeshed
from pathlib import Path
from typing import Any

import msgspec

from cursus_core.source import MAX_SOURCE_BYTES, SourceProblem, read_regular_file

from .model import Span

__all__ = ["EntryPoint", "PipelineConfigEntry", "PipelineFacts", "PipelineNode", "ENTRY_POINT_FIELDS",
           "load_pipeline", "locate_json"]

#: Entry point field -> the source-dir fields it is relative to, most specific first. ``script_path``
#: is a whole path already.
ENTRY_POINT_FIELDS: dict[str, tuple[str, ...]] = {
    "processing_entry_point": ("processing_source_dir", "source_dir"),
    "training_entry_point": ("training_source_dir", "source_dir"),
    "inference_entry_point": ("source_dir",),
    "script_path": (),
}
MODEL_TYPE_KEY = "__model_type__"
TYPE_INFO_KEY = "__type_info__"


class PipelineNode(msgspec.Struct, frozen=True):
    name: str
    span: Span


class EntryPoint(msgspec.Struct, frozen=True):
    """One script a saved config names, resolved against the repo root (or ``source_dir``)."""

    field: str
    value: str
    span: Span
    #: section the value came from: "specific" or "shared"
    section: str
    source_dir_field: str | None
    source_dir: str | None
    source_dir_span: Span | None
    #: the script file on disk (absolute)
    script: Path
    script_exists: bool
    #: None when there is no source dir
    source_dir_exists: bool | None


class PipelineConfigEntry(msgspec.Struct, frozen=True):
    """A step's entry in ``configuration.specific``."""

    name: str
    class_name: str | None
    span: Span
    entry_points: tuple[EntryPoint, ...] = ()
    #: entry point fields written as ``null`` (an absent field may get a default from the class)
    null_entry_points: tuple[str, ...] = ()


class PipelineFacts(msgspec.Struct):
    dag_path: Path | None
    config_path: Path | None
    #: None when not knowable statically (a ``.py`` DAG, an unreadable file, no DAG configured)
    nodes: tuple[PipelineNode, ...] | None = None
    #: None when not configured or unreadable
    configs: dict[str, PipelineConfigEntry] | None = None
    #: where ``configuration.specific`` starts (the "other side" of a missing config)
    specific_span: Span | None = None
    problems: list[SourceProblem] = msgspec.field(default_factory=list)
    unknown: Counter[str] = msgspec.field(default_factory=Counter)


# ---------------------------------------------------------------------------- positions


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def locate_json(text: str) -> dict[tuple[Any, ...], Span]:
    """Span of every value by its path of keys/indices; an object member's span starts at its key.

    Call only on text :func:`json.loads` accepted (it raises ``ValueError`` otherwise).
    """
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    out: dict[tuple[Any, ...], Span] = {}

    def ws(i: int) -> int:
        return _WS.match(text, i).end()  # type: ignore[union-attr]

    def value(i: int, path: tuple[Any, ...], start: int | None) -> int:
        i = ws(i)
        begin = i if start is None else start
        ch = text[i]
        if ch in "{[":
            close, i, index = ("}" if ch == "{" else "]"), ws(i + 1), 0
            while text[i] != close:
                if ch == "{":
                    key_start = i
                    key, i = scanstring(text, i + 1)
                    i = ws(i)
                    if text[i] != ":":
                        raise ValueError(f"expected ':' at offset {i}")
                    i = value(i + 1, path + (key,), key_start)
                else:
                    i = value(i, path + (index,), None)
                    index += 1
                i = ws(i)
                if text[i] == ",":
                    i = ws(i + 1)
            i += 1
        elif ch == '"':
            _, i = scanstring(text, i + 1)
        else:
            _, i = _DECODER.raw_decode(text, i)
        (line, column), (end_line, end_column) = pos(begin), pos(i)
        out[path] = Span(line, column, end_line, end_column)
        return i

    value(0, (), None)
    return out


def _read_text(path: Path, what: str, overlay: dict[Path, str]) -> tuple[str | None, SourceProblem | None]:
    if path in overlay:
        return overlay[path], None
    try:
        data, _ = read_regular_file(path, MAX_SOURCE_BYTES)  # never block on a FIFO or read /dev/zero forever
        if len(data) > MAX_SOURCE_BYTES:
            return None, SourceProblem(path, "too-large", f"cannot read the pipeline {what}: larger than the "
                                                          f"{MAX_SOURCE_BYTES} byte limit")
        return data.decode("utf-8-sig"), None
    except FileNotFoundError:
        return None, SourceProblem(path, "unreadable", f"cannot read the pipeline {what}: no such file "
                                                       "(configured in [tool.cursus-lint])")
    except (OSError, UnicodeDecodeError) as exc:
        return None, SourceProblem(path, "unreadable", f"cannot read the pipeline {what}: {exc}")


def _load_json(path: Path, what: str, overlay: dict[Path, str]) -> tuple[Any, dict, SourceProblem | None]:
    text, problem = _read_text(path, what, overlay)
    if text is None:
        return None, {}, problem
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, {}, SourceProblem(path, "syntax-error", f"invalid JSON in the pipeline {what}: {exc.msg}",
                                       exc.lineno, exc.colno)
    except RecursionError:
        return None, {}, SourceProblem(path, "syntax-error", f"cannot read the pipeline {what}: JSON nested too "
                                                             "deeply")
    try:
        spans = locate_json(text)
    except (ValueError, IndexError, RecursionError):  # pragma: no cover - json.loads accepted it
        spans = {}
    return data, spans, None


# ---------------------------------------------------------------------------- the DAG


def _load_dag(path: Path, facts: PipelineFacts, overlay: dict[Path, str]) -> None:
    suffix = path.suffix.lower()
    if suffix == ".py":
        facts.unknown["pipeline-dag-in-python"] += 1  # user code: only the build command runs it
        return
    if suffix == ".json":
        data, spans, problem = _load_json(path, "DAG", overlay)
    elif suffix in (".yaml", ".yml"):
        data, spans, problem = _load_yaml(path, facts, overlay)
    else:
        facts.problems.append(SourceProblem(path, "unreadable", f"pipeline DAG '{path.name}' is not .json, .yaml, "
                                                                ".yml or .py"))
        return
    if problem is not None:
        facts.problems.append(problem)
        return
    if data is None and not spans:
        return  # YAML reader unavailable: counted
    nodes = data.get("nodes") if isinstance(data, dict) else None
    if not isinstance(nodes, list) or not all(isinstance(n, str) for n in nodes):
        facts.problems.append(SourceProblem(path, "syntax-error", "not a pipeline DAG: expected an object whose "
                                                                  "'nodes' is a list of step names"))
        return
    whole = spans.get((), Span(1, 1, 1, 1))
    facts.nodes = tuple(PipelineNode(n, spans.get(("nodes", i), whole)) for i, n in enumerate(nodes))


def _load_yaml(path: Path, facts: PipelineFacts, overlay: dict[Path, str]) -> tuple[Any, dict, SourceProblem | None]:
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml comes with the test extra
        facts.unknown["pipeline-dag-yaml-without-pyyaml"] += 1
        return None, {}, None
    text, problem = _read_text(path, "DAG", overlay)
    if text is None:
        return None, {}, problem
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return None, {}, SourceProblem(path, "syntax-error", f"invalid YAML in the pipeline DAG: "
                                                             f"{getattr(exc, 'problem', None) or exc}", line, column)
    except RecursionError:
        return None, {}, SourceProblem(path, "syntax-error", "cannot read the pipeline DAG: YAML nested too deeply")
    spans: dict[tuple[Any, ...], Span] = {}
    if isinstance(root, yaml.MappingNode):
        for key, val in root.value:
            if key.value == "nodes" and isinstance(val, yaml.SequenceNode):
                for i, item in enumerate(val.value):
                    s, e = item.start_mark, item.end_mark
                    spans[("nodes", i)] = Span(s.line + 1, s.column + 1, e.line + 1, e.column + 1)
    return data, spans, None


# ---------------------------------------------------------------------------- the saved config


def _text_value(value: Any) -> str | None:
    """A string field, or a ``Path`` tagged with ``__type_info__``; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("value"), str) and TYPE_INFO_KEY in value:
        return value["value"]
    return None


def _load_config(path: Path, root: Path, facts: PipelineFacts, overlay: dict[Path, str]) -> None:
    data, spans, problem = _load_json(path, "config", overlay)
    if problem is not None:
        facts.problems.append(problem)
        return
    configuration = data.get("configuration") if isinstance(data, dict) else None
    shared = configuration.get("shared") if isinstance(configuration, dict) else None
    specific = configuration.get("specific") if isinstance(configuration, dict) else None
    if not isinstance(shared, dict) or not isinstance(specific, dict):
        facts.problems.append(SourceProblem(path, "syntax-error", "not a saved pipeline config: expected "
                                            "'configuration' with 'shared' and 'specific' objects"))
        return
    metadata: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    config_types: dict[str, Any] = metadata["config_types"] if isinstance(metadata.get("config_types"), dict) else {}
    facts.specific_span = spans.get(("configuration", "specific"))
    whole = spans.get((), Span(1, 1, 1, 1))
    configs: dict[str, PipelineConfigEntry] = {}
    for name, entry in specific.items():
        member = spans.get(("configuration", "specific", name), whole)
        span = Span(member.line, member.column, member.line, member.column + len(json.dumps(name)))
        if not isinstance(entry, dict):
            configs[name] = PipelineConfigEntry(name, None, span)
            continue
        class_name = entry.get(MODEL_TYPE_KEY) or config_types.get(name)
        nulls = tuple(k for k in ENTRY_POINT_FIELDS if {**shared, **entry}.get(k, "") is None)
        configs[name] = PipelineConfigEntry(name, class_name if isinstance(class_name, str) else None, span,
                                            tuple(_entry_points(name, entry, shared, spans, root, facts)), nulls)
    facts.configs = configs


def _entry_points(name: str, entry: dict, shared: dict, spans: dict, root: Path, facts: PipelineFacts):
    """Entry point fields of one step, specific values overriding shared ones."""

    def lookup(key: str) -> tuple[Any, str | None, Span | None]:
        for section, table in (("specific", entry), ("shared", shared)):
            if key in table:
                where = ("configuration", "specific", name, key) if section == "specific" \
                    else ("configuration", "shared", key)
                return table[key], section, spans.get(where)
        return None, None, None

    for key, dir_fields in ENTRY_POINT_FIELDS.items():
        raw, section, span = lookup(key)
        if raw is None:
            continue
        value = _text_value(raw)
        if value is None or span is None:
            facts.unknown["pipeline-entry-point-not-a-string"] += 1
            continue
        dir_field = dir_value = dir_span = None
        for candidate in dir_fields:
            raw_dir, _, candidate_span = lookup(candidate)
            text = _text_value(raw_dir)
            if text:
                dir_field, dir_value, dir_span = candidate, text, candidate_span
                break
            if raw_dir is not None:
                facts.unknown["pipeline-source-dir-not-a-string"] += 1
        base = root / dir_value if dir_value else root
        script = Path(os.path.normpath(base / value))
        yield EntryPoint(key, value, span, section or "specific", dir_field, dir_value, dir_span, script,
                         script.is_file(), base.is_dir() if dir_value else None)


# ---------------------------------------------------------------------------- entry


def load_pipeline(dag: Path | None, config: Path | None, root: Path,
                  overlay: dict[Path, str] | None = None) -> PipelineFacts | None:
    """Facts of the configured DAG and saved config; None when neither is configured.

    Relative ``source_dir``/entry point paths in the config are taken relative to ``root``
    (the directory of the pyproject.toml that configures them), as the build command does.
    """
    if dag is None and config is None:
        return None
    overlay = overlay or {}
    facts = PipelineFacts(dag.absolute() if dag else None, config.absolute() if config else None)
    if facts.dag_path is not None:
        _load_dag(facts.dag_path, facts, overlay)
    if facts.config_path is not None:
        _load_config(facts.config_path, root.absolute(), facts, overlay)
    return facts
