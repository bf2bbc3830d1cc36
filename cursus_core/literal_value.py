"""``LiteralValue``: the declared type of a fact field that holds a Python literal of any kind.

To type checkers it is ``Any``. At run time it is a marker class, so a typed decoder
(``msgspec``, the facts cache) meets a type it does not know and hands the field to a hook
that rebuilds the exact literal (a tuple stays a tuple, bytes stay bytes) from its tagged
form, where a plain ``Any`` would give back whatever JSON happens to produce. Every value is an
instance of it (the decoder checks the hook's result with ``isinstance``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["LiteralValue"]

if TYPE_CHECKING:
    LiteralValue = Any
else:
    class _AnyInstance(type):
        def __instancecheck__(cls, obj: object) -> bool:
            return True

    class LiteralValue(metaclass=_AnyInstance):
        """Marker for a field holding any literal value (never instantiated)."""

        def __new__(cls, *args: object, **kwargs: object) -> LiteralValue:
            raise TypeError("LiteralValue is a marker type, not a value")
