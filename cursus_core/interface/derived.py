"""What the catalog and the engine compute from an interface model, remembered per model object.

The input-reference problems (catalog), the file's facts and the synthesized builder (engine) are
functions of the model alone. :mod:`.cached` computes them once when it loads a file and keeps them
with the model in the facts cache; the functions that compute them (:mod:`.references`,
:mod:`.facts`) first look here, so a model that came from the cache is never derived again.
"""

from __future__ import annotations

import msgspec

from cursus_core.facts.model import BuilderFacts, FileFacts

from .model import StepInterface
from .span import Problem

__all__ = ["Derived", "derived_of", "remember"]


class Derived(msgspec.Struct, frozen=True, array_like=True):
    """The derivations of one model (facts with digest ``""``, as the engine asks for them)."""

    references: tuple[Problem, ...]
    facts: FileFacts
    builder: BuilderFacts


#: derivations by the identity of the model they belong to (held, so the id stays its own)
_DERIVED: dict[int, tuple[StepInterface, Derived]] = {}
_DERIVED_SIZE = 1024


def derived_of(iface: StepInterface) -> Derived | None:
    """The derivations remembered for this very model object, if any."""
    hit = _DERIVED.get(id(iface))
    return hit[1] if hit is not None and hit[0] is iface else None


def remember(iface: StepInterface, derived: Derived) -> None:
    if len(_DERIVED) >= _DERIVED_SIZE:
        _DERIVED.clear()
    _DERIVED[id(iface)] = (iface, derived)
