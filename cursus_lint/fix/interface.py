"""The fixes rules make to a ``.step.yaml`` (the interface layout's contract and spec).

Each one splices a few characters into the interface text (:mod:`.yamltext`), reads the result
back and returns it only when the key it meant to set holds exactly the value it meant: a fix
whose text YAML would read differently (a style this module does not write into, a
mapping where a list was expected, a null section) is not offered.
"""

from __future__ import annotations

from pathlib import Path

from cursus_core.interface.nodes import YMap, YScalar, YSeq

from ..diagnostic import Diagnostic
from ..model import StepModel
from .planned import Planned
from .shape import INTERFACE_SUFFIX as INTERFACE_SUFFIX  # re-exported: the fixers import these here
from .shape import ShapeContext
from .shape import interface_path as interface_path
from .shape import is_interface as is_interface
from .yamltext import YamlText, scalar

PROCESSING_PROPERTY_PATH = "properties.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri"


def contract_editable(step: StepModel, ctx: ShapeContext) -> bool:
    """What a probe asks of an interface fix: the file reads cleanly and has a ``contract``. The
    fix itself also reads its result back, one parse per finding, which a plain check skips
    (in the rare case the read-back refuses, the marker shows and ``--fix`` skips the finding)."""
    path = interface_path(step)
    doc = ctx.yaml(path) if path is not None else None
    return doc is not None and doc.entry("contract") is not None


def declare_env_var(step: StepModel, ctx: ShapeContext, name: str, default: str | None, message: str) -> Planned | None:
    """Declare ``name`` in ``contract.env_vars``: under ``required`` when ``default`` is None,
    else under ``optional`` with that default (adding the section keys that are missing)."""
    path = interface_path(step)
    doc = ctx.yaml(path) if path is not None else None
    if path is None or doc is None or doc.entry("contract") is None:
        return None
    env = doc.entry("contract", "env_vars")
    if default is None:
        keys = ("contract", "env_vars", "required")
        entry = doc.entry(*keys)
        before = entry.value.to_python() if entry is not None else []
        if not isinstance(before, list):
            return None
        if entry is not None:
            new = doc.add_item(entry, scalar(name))
        elif env is not None:
            new = doc.add_key(env, [f"required: [{scalar(name)}]"])
        else:
            new = doc.add_key(doc.entry("contract"), ["env_vars:", f"  required: [{scalar(name)}]"])
        want: object = [*before, name]
    else:
        keys = ("contract", "env_vars", "optional")
        entry = doc.entry(*keys)
        before = entry.value.to_python() if entry is not None else {}
        if not isinstance(before, dict):
            return None
        like, plain = _style(doc, keys)
        line = f"{scalar(name)}: {scalar(default, like, plain)}"  # no neighbours: double quotes
        if entry is not None:
            new = doc.add_key(entry, [line])
        elif env is not None:
            new = doc.add_key(env, ["optional:", f"  {line}"])
        else:
            new = doc.add_key(doc.entry("contract"), ["env_vars:", "  optional:", f"    {line}"])
        want = {**before, name: default}
    if new is None or not doc.reads_as(new, keys, want):
        return None
    return Planned(message, path, new)


def undeclare_env_var(d: Diagnostic, ctx: ShapeContext, section: str) -> Planned | None:
    """Remove the env var ``d`` points at from ``contract.env_vars.<section>`` (``required`` or
    ``optional``); not a name the template computes (``computed_env_paths``)."""
    path = d.location.path
    doc = ctx.yaml(path) if is_interface(path) else None
    keys = ("contract", "env_vars", section)
    entry = doc.entry(*keys) if doc is not None else None
    if doc is None or entry is None:
        return None
    line, column = d.location.line, d.location.column or 0
    node = entry.value
    want: object = None
    names: list[object] = []
    if isinstance(node, YSeq):
        names = [i.value for i in node.items if isinstance(i, YScalar)
                 and (i.span.line, i.span.column) == (line, column)]
        want = [i.to_python() for i in node.items if (i.span.line, i.span.column) != (line, column)]
    elif isinstance(node, YMap):
        names = [e.key for e in node.entries if (e.key_span.line, e.key_span.column) == (line, column)]
        want = {e.key: e.value.to_python() for e in node.entries
                if (e.key_span.line, e.key_span.column) != (line, column)}
    if want is None or len(names) != 1 or f"'{names[0]}'" not in d.message:
        return None
    new = doc.remove_at(entry, line, column)
    if new is None:
        return None
    if not doc.reads_as(new, keys, want):
        return None
    return Planned(f"remove '{names[0]}' from contract.env_vars.{section}", path, new)


def add_processing_output(step: StepModel, ctx: ShapeContext, name: str, message: str) -> Planned | None:
    """Add ``spec.outputs.<name>`` with the Processing output type and property path."""
    path = interface_path(step)
    doc = ctx.yaml(path) if path is not None else None
    spec = doc.entry("spec") if doc is not None else None
    if path is None or doc is None or spec is None:
        return None
    outputs = doc.entry("spec", "outputs")
    before = outputs.value.to_python() if outputs is not None else {}
    if not isinstance(before, dict) or name in before:
        return None
    value = PROCESSING_PROPERTY_PATH.format(name=name)
    like, plain = _style(doc, ("spec", "outputs"), "property_path")
    pp = value if plain or like is None else scalar(value, like)  # plain reads back as this path
    body = [f"{scalar(name)}:", "  type: processing_output", f"  property_path: {pp}"]
    if outputs is not None:
        new = doc.add_key(outputs, body)
    else:
        new = doc.add_key(spec, ["outputs:", *("  " + line for line in body)])
    want = {**before, name: {"type": "processing_output", "property_path": value}}
    if new is None or not doc.reads_as(new, ("spec", "outputs"), want):
        return None
    return Planned(message, path, new)


def replace_scalar(ctx: ShapeContext, path: Path, span, old: str, new: str, want: str, message: str) -> Planned | None:
    """Replace ``old`` by ``new`` once inside the scalar written at ``span`` (re-quoting the whole
    value as ``want`` when its raw text does not hold ``old`` exactly once)."""
    doc = ctx.yaml(path)
    if doc is None:
        return None
    raw = doc.raw(span)
    text = doc.replace(span, raw.replace(old, new, 1) if raw.count(old) == 1 else scalar(want, raw))
    again = YamlText.of(path, text)
    if again is None or again.scalar_at(span.line, span.column) != want:
        return None
    return Planned(message, path, text)


def _style(doc: YamlText, keys: tuple[str, ...], child: str | None = None) -> tuple[str | None, bool]:
    """How the string values under ``keys`` (or their ``child`` key) are written: the raw text of
    the first quoted one (its quote is the one to use) and whether plain ones occur (then a
    simple word is written plain, as YAML dumpers do)."""
    entry = doc.entry(*keys)
    entries = getattr(entry.value, "entries", ()) if entry is not None else ()
    found: list[str] = []
    for e in entries:
        node = e.value
        if child is not None:
            sub = node.get(child) if isinstance(node, YMap) else None
            if sub is None:
                continue
            node = sub.value
        if isinstance(node, YScalar) and node.tag == "str":
            found.append(doc.raw(node.span))
    quoted = next((r for r in found if r.startswith(("'", '"'))), None)
    return quoted, any(not r.startswith(("'", '"')) for r in found)
