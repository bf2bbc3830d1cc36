"""Job-type variants: deep-merge ``variants.<job_type>.{spec,contract,patterns}`` over the base.

Same semantics as upstream's ``StepInterface.from_yaml``: for each of the three sections, when the
variant's block is a non-empty mapping, mappings merge key by key (recursively) and anything else
in the variant -- a list, a scalar, null -- replaces the base value outright; keys new in the
variant are appended after the base keys. Other sections of a variant are never merged (and
``variants.<jt>.step_type`` is never read). A job type without a variant gets the base.

Positions follow the data: a value taken from the variant points into the variant block, a value
kept from the base points into the base; a mapping merged from both carries the *variant's* key.
"""

from __future__ import annotations

from .nodes import YEntry, YMap

MERGED_SECTIONS = ("spec", "contract", "patterns")


def deep_merge(base: YMap, override: YMap) -> YMap:
    """``override`` over ``base``: mappings recurse, everything else replaces."""
    entries: list[YEntry] = []
    over = {e.key: e for e in override.entries}
    for entry in base.entries:
        new = over.get(entry.key)
        if new is None:
            entries.append(entry)
        elif isinstance(entry.value, YMap) and isinstance(new.value, YMap):
            entries.append(YEntry(entry.key, new.key_span, deep_merge(entry.value, new.value)))
        else:
            entries.append(new)
    base_keys = {e.key for e in base.entries}
    entries.extend(e for e in override.entries if e.key not in base_keys)
    return YMap(tuple(entries), base.span)


def variant_block(root: YMap, job_type: str) -> YMap | None:
    """The ``variants.<job_type>`` mapping, or None when there is none."""
    variants = root.value("variants")
    if not isinstance(variants, YMap):
        return None
    block = variants.value(job_type)
    return block if isinstance(block, YMap) else None


def job_types(root: YMap) -> tuple[str, ...]:
    """Job types the file declares variants for, in file order."""
    variants = root.value("variants")
    return tuple(variants.keys()) if isinstance(variants, YMap) else ()


def resolve_variant(root: YMap, job_type: str | None) -> YMap:
    """The document as upstream sees it for ``job_type`` (the base when no variant matches)."""
    block = variant_block(root, job_type) if job_type else None
    if block is None:
        return root
    replaced: dict[str, YEntry] = {}
    for section in MERGED_SECTIONS:
        patch = block.get(section)
        if patch is None or not isinstance(patch.value, YMap) or not patch.value.entries:
            continue  # upstream: ``if variant.get(section)`` -- empty or null blocks do nothing
        base_entry = root.get(section)
        base_value = base_entry.value if base_entry is not None else None
        base_map = base_value if isinstance(base_value, YMap) else YMap((), patch.value.span)
        key_span = base_entry.key_span if base_entry is not None else patch.key_span
        replaced[section] = YEntry(section, key_span, deep_merge(base_map, patch.value))
    if not replaced:
        return root
    entries = [replaced.pop(e.key, e) for e in root.entries]
    entries.extend(replaced.values())
    return YMap(tuple(entries), root.span)


