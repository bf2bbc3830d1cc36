"""Keep a builder's own dependency matching to the inputs the compiler wired.

cursus's builders start ``create_step`` by matching their dependencies on the upstream steps
themselves (``extract_inputs_from_dependencies``) and then let the ``inputs`` they are given win.
In cursus the assembler's resolver and the builder's agree, so every input the builder matched is
also passed in and overridden. The dry run wires with its own resolver: an optional input it leaves
unwired can still be matched by the builder, which then hands sagemaker a ``{"Get": "Steps..."}``
dict as an S3 source and rendering fails. The compiler's wiring is the pipeline's (what the report
lists with scores), so the builder's matching is pinned to it: a wired input gets the compiler's
value, and an input the compiler left unwired is dropped, which the builder then skips as cursus
skips an optional input that is not provided.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["describe_source", "pin_dependency_matching"]

_METHOD = "extract_inputs_from_dependencies"


def describe_source(value: Any) -> str:
    """A short readable form of what a builder matched: the ``Get`` path of a property dict, else the type."""
    if isinstance(value, dict) and isinstance(value.get("Get"), str):
        return str(value["Get"])
    text = str(value)
    return text if isinstance(value, str) and len(text) <= 200 else type(value).__name__


def pin_dependency_matching(builder: Any, inputs: dict[str, Any],
                            on_dropped: Callable[[str, Any], None]) -> None:
    """Wrap ``builder.extract_inputs_from_dependencies`` (when it has one) on this instance.

    The wrapper still runs the builder's matching (its logging and errors stay the builder's),
    returns the compiler's value for each input it matched that is in ``inputs`` and calls
    ``on_dropped(name, value)`` for each one that is not.
    """
    original = getattr(builder, _METHOD, None)
    if not callable(original):
        return

    def matched_as_wired(dependency_steps: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        found = original(dependency_steps, *args, **kwargs)
        if not isinstance(found, dict):
            return found  # not cursus's shape; the builder deals with what it returned
        kept: dict[str, Any] = {}
        for name, value in found.items():
            if name in inputs:
                kept[name] = inputs[name]
            else:
                on_dropped(name, value)
        return kept

    setattr(builder, _METHOD, matched_as_wired)
