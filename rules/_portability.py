"""Helpers shared by the CL7xx portability rules (not a rule module itself)."""

from __future__ import annotations

from cursus_lint.facts import FileFacts, Span


def inside(inner: Span, outer: Span) -> bool:
    """Whether ``inner`` lies within ``outer``."""
    return (outer.line, outer.column) <= (inner.line, inner.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def defines_step_builder(facts: FileFacts) -> bool:
    """A builder-role file that defines a step builder class (``...StepBuilder`` or a subclass of
    ``StepBuilderBase``). Helper modules kept next to the builders (``s3_utils.py`` parsing and
    normalising plain URI strings) are not step builders and are left alone."""
    if "builder" not in facts.roles:
        return False
    return any(b.name.endswith("StepBuilder") or any(base.rsplit(".", 1)[-1].endswith("StepBuilderBase")
                                                     for base in b.bases)
               for b in facts.builders)
