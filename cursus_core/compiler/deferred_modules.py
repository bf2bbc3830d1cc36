"""Modules that load when first used, not when imported: what a dry run's SDK import never needs.

``import sagemaker`` imports numpy and pandas (about a third of its time) for its endpoint
(de)serializers, and sagemaker_core's ~800 shape models for JumpStart annotations, none of which a
pipeline definition uses. Inside :func:`deferred_modules` a
:class:`DeferredModule` stands in ``sys.modules`` for each: ``import numpy`` binds it at no cost, and
its first attribute read (``np.ndarray``) imports the real module, to which it forwards from then
on. A name the caller lists as only used when called (``from pandas import DataFrame`` in the SDK's
CSV serializer, for an ``isinstance``) is bound to a :class:`DeferredName` instead, which loads the
module when it is called, checked against or read. On leaving, the stand-ins that were not used leave ``sys.modules``
(the modules imported inside keep theirs): any later ``import numpy`` — a builder's — is the
ordinary import of the real module. The window is kept to one known import, and a stand-in is no
package (no ``__path__``): a submodule import through it (``import numpy.linalg``) fails instead of
loading the real package and then that submodule a second time; ``from pandas import DataFrame``
then reads the name from the stand-in, which is what lets a listed name stay deferred.
(``importlib.util.LazyLoader`` cannot do this on Python 3.11: the import statement itself reads
the module's ``__spec__``, which makes it load.)
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any

__all__ = ["DeferredModule", "DeferredName", "deferred_modules", "loaded"]


class DeferredModule(types.ModuleType):
    """Stands in for an installed module that has not been imported yet (see the module docstring)."""

    def __init__(self, name: str, spec: Any, names: Iterable[str] = (),
                 loading: Callable[[], AbstractContextManager[Any]] | None = None) -> None:
        super().__init__(name)
        self.__spec__ = spec  # what the import statement reads: found, and not being initialized
        self.__dict__["_deferred_names"] = frozenset(names)
        self.__dict__["_deferred_loading"] = loading

    def __getattr__(self, attr: str) -> Any:  # only for what the stand-in itself does not have
        if "_deferred_real" not in self.__dict__:
            if attr in self.__dict__["_deferred_names"]:
                return DeferredName(self, attr)
            if attr == "__path__":  # not a package while it stands in: see the module docstring
                raise AttributeError(f"deferred module {self.__name__!r} has no '__path__' until it is used")
        return getattr(_real(self), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr.startswith("__") and attr.endswith("__") and "_deferred_real" not in self.__dict__:
            super().__setattr__(attr, value)  # the module's own dunders, while it stands in
        else:
            setattr(_real(self), attr, value)

    def __dir__(self) -> list[str]:
        return dir(_real(self))


class DeferredName:
    """``from module import name`` while ``module`` is deferred: the real object is looked up when
    this is called, used in ``isinstance``/``issubclass`` or has an attribute read. Dunder
    attributes are not looked up (``AttributeError``): ``typing`` probes them when the name is in
    an annotation (``Union[list, array]``), which must not load the module."""

    __slots__ = ("_module", "_name")

    def __init__(self, module: DeferredModule, name: str) -> None:
        self._module, self._name = module, name

    def _target(self) -> Any:
        return getattr(_real(self._module), self._name)

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self._target())

    def __subclasscheck__(self, subclass: Any) -> bool:
        return issubclass(subclass, self._target())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target()(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return getattr(self._target(), attr)

    def __repr__(self) -> str:
        return f"<deferred {self._module.__name__}.{self._name}>"


def _real(stand_in: DeferredModule) -> types.ModuleType:
    """The real module, imported on the first call (the stand-in leaves ``sys.modules`` for it)."""
    real = stand_in.__dict__.get("_deferred_real")
    if real is None:
        name = stand_in.__name__
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        loading = stand_in.__dict__["_deferred_loading"]
        with loading() if loading is not None else contextlib.nullcontext():
            real = importlib.import_module(name)
        stand_in.__dict__["_deferred_real"] = real
    return real


def loaded(stand_in: DeferredModule) -> bool:
    """Has the module ``stand_in`` stands for been imported through it?"""
    return "_deferred_real" in stand_in.__dict__


@contextlib.contextmanager
def deferred_modules(modules: Mapping[str, Iterable[str]],
                     loading: Callable[[], AbstractContextManager[Any]] | None = None) -> Iterator[list[str]]:
    """Inside, a stand-in in ``sys.modules`` for each module of ``modules`` that is installed and not
    imported yet (yields the names deferred), with the names of it that are only used when called;
    on leaving, the unused stand-ins leave ``sys.modules`` again. ``loading`` is the context the
    real import runs in when a stand-in is used (the one the import would have run in: deferred
    pydantic models, say). A module that is not installed is left alone, so importing it still
    fails (callers that catch that ImportError behave as before). For a submodule
    (``sagemaker_core.shapes``), finding it imports its parent package."""
    stand_ins: dict[str, DeferredModule] = {}
    for name, names in modules.items():
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        stand_ins[name] = sys.modules[name] = DeferredModule(name, spec, names, loading)
    try:
        yield list(stand_ins)
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
