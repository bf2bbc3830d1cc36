"""Which template builds a step: SageMaker step type x ``patterns.step_assembly`` x ``compute.kind``.

As upstream routes it: the SageMaker step type alone picks the verb, except ``Processing``, which
``patterns.step_assembly`` splits into ``code`` (the default) and ``step_args``; ``delegation`` and the
SDK step types (Cradle/Redshift data loading, MIMS registration) hand the step to an SDK package's
own step class. The dry run cannot build those (the packages are internal and not installed, and
their steps would be opaque anyway), so such a route is a :class:`UnbuildableRoute` with a message
naming the route, never a crash.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from cursus_core.interface.model import StepInterface

from .base import TemplateStepBuilder
from .create_model import CreateModelTemplate
from .processing import PROCESSING_KINDS, ProcessingStepArgsTemplate, ProcessingTemplate
from .training import TrainingTemplate
from .transform import TransformTemplate

__all__ = ["Route", "UnbuildableRoute", "route_for", "SDK_STEP_TYPES"]

#: SageMaker step types whose steps are instances of an SDK package's own step class.
SDK_STEP_TYPES = ("CradleDataLoading", "RedshiftDataLoading", "MimsModelRegistrationProcessing")
_KINDS = {"Training": ("estimator", "byo_container"), "CreateModel": ("model",), "Transform": ("transformer",)}
_CLASSES: dict[str, type[TemplateStepBuilder]] = {
    "Processing/code": ProcessingTemplate, "Processing/step_args": ProcessingStepArgsTemplate,
    "Training": TrainingTemplate, "CreateModel": CreateModelTemplate, "Transform": TransformTemplate,
}


@dataclass(frozen=True)
class Route:
    """A buildable route: its label (``Processing/step_args``) and the template class."""

    label: str
    template: type[TemplateStepBuilder]


class UnbuildableRoute(Exception):
    """No template builds this step; the message names the route and why."""


def describe(interface: StepInterface) -> str:
    """``MimsModelRegistrationProcessing x delegation x -``: the three routing keys as written."""
    smt = interface.registry.sagemaker_step_type
    assembly = _assembly(interface)
    kind = interface.compute.kind
    return (f"{smt.value if smt else '-'} x {assembly or '-'} x {kind.value if kind else '-'}")


def _assembly(interface: StepInterface) -> str | None:
    written = interface.patterns.step_assembly or interface.registry.step_assembly
    return written.value if written is not None else None


def route_for(interface: StepInterface) -> Route:
    """The route of ``interface``; raises :class:`UnbuildableRoute` for one no template builds."""
    name = interface.name
    smt = interface.registry.sagemaker_step_type.value if interface.registry.sagemaker_step_type else None
    assembly = _assembly(interface)
    kind = interface.compute.kind.value if interface.compute.kind else None
    route = describe(interface)
    if assembly == "delegation" or smt in SDK_STEP_TYPES:
        package = interface.registry.requires.value
        if package and package != "none":
            state = ("is installed, but the dry run does not run SDK step classes"
                     if importlib.util.find_spec(package) is not None else "is not installed")
            why = f"its SDK package '{package}' {state}"
        else:
            why = "the dry run does not run SDK step classes"
        raise UnbuildableRoute(f"step '{name}' is built by SDK delegation (route {route}); "
                               f"no template builds it: {why}")
    if smt == "Processing":
        if kind not in PROCESSING_KINDS:
            raise UnbuildableRoute(f"step '{name}' (route {route}): a Processing template needs compute.kind "
                                   f"one of {', '.join(PROCESSING_KINDS)}")
        label = f"Processing/{assembly or 'code'}"
        if label not in _CLASSES:
            raise UnbuildableRoute(f"step '{name}' (route {route}): "
                                   f"no Processing template for step_assembly {assembly!r}")
        return Route(label, _CLASSES[label])
    if smt in _KINDS:
        if kind not in _KINDS[smt]:
            raise UnbuildableRoute(f"step '{name}' (route {route}): a {smt} template needs compute.kind "
                                   f"{' or '.join(_KINDS[smt])}")
        return Route(smt, _CLASSES[smt])
    raise UnbuildableRoute(f"step '{name}' (route {route}): no template builds SageMaker step type '{smt}'")
